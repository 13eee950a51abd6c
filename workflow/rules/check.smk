# check stage: every file a person wrote in the review folder (dedup verdicts, decision files,
# resolutions), checked at once before the stages that read them, so that one run lists every
# problem of every file (see `slrflow check-inputs --help`).
import json

from slrflow.screening.decisions import collect_files as screening_files

#: The list of files checked; the stages that read these files wait for it.
INPUTS_CHECKED = RESULTS / "checks" / "inputs.csv"


rule check_inputs:
    input:
        dedup_decisions=lambda wildcards: (
            [REVIEW / "dedup_decisions.csv"]
            if (REVIEW / "dedup_decisions.csv").exists()
            else []
        ),
        decisions=lambda wildcards: screening_files(REVIEW / "screening")[0],
        resolutions=lambda wildcards: screening_files(REVIEW / "screening")[1],
        criteria=REVIEW
        / config.get("screening", {}).get("criteria", reviewfolder.CRITERIA),
    output:
        INPUTS_CHECKED,
    log:
        RESULTS / "logs" / "checks" / "inputs.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(500, 4),
        runtime=grows_with_input(5, 0.01),
    params:
        review=REVIEW,
        policy=json.dumps(config.get("screening", {}), sort_keys=True),
    shell:
        "slrflow check-inputs --review {params.review:q} --criteria {input.criteria:q} "
        "--policy {params.policy:q} --out {output:q} 2> {log:q}"
