# code stage: code the included studies against the codebook (see `slrflow code --help`).
#
# Reads the screening status (results/screening/status.csv: a reference is included when its
# full_text row has status include), the deduplicated references, config/codebook.yaml and the
# review folder's coding/ folder: studies.csv (reports -> studies), <coder>.csv|xlsx,
# consensus.csv|xlsx; and fulltext/<record_id>.txt|pdf for suggestions. Writes results/coding/.
from slrflow.coding import inputs as coding_inputs

CODING = config["coding"]
CODING_OUT = RESULTS / "coding"


rule code_suggest:
    input:
        references=RESULTS / "dedup" / "references.csv",
        status=RESULTS / "screening" / "status.csv",
        codebook=CODEBOOK,
        studies=coding_inputs.studies_table(REVIEW),
        fulltext=coding_inputs.fulltexts(REVIEW),
    output:
        CODING_OUT / "suggestions.csv",
    log:
        RESULTS / "logs" / "coding" / "suggest.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 4),
        runtime=grows_with_input(10, 0.02),
    params:
        review=REVIEW,
    shell:
        "slrflow code-suggest --references {input.references:q} "
        "--status {input.status:q} --codebook {input.codebook:q} "
        "--review {params.review:q} -o {output:q} 2> {log:q}"


rule code_sheet:
    input:
        references=RESULTS / "dedup" / "references.csv",
        status=RESULTS / "screening" / "status.csv",
        codebook=CODEBOOK,
        studies=coding_inputs.studies_table(REVIEW),
        suggestions=CODING_OUT / "suggestions.csv",
        previous=lambda wildcards: coding_inputs.coder_file(REVIEW, wildcards.coder),
    output:
        CODING_OUT / "sheets" / "{coder}.xlsx",
    log:
        RESULTS / "logs" / "coding" / "sheet_{coder}.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 4),
        runtime=grows_with_input(10, 0.02),
    params:
        review=REVIEW,
    shell:
        "slrflow code-sheets --references {input.references:q} "
        "--status {input.status:q} --codebook {input.codebook:q} "
        "--review {params.review:q} --suggestions {input.suggestions:q} "
        "--coder {wildcards.coder:q} -o {output:q} 2> {log:q}"


rule code:
    input:
        references=RESULTS / "dedup" / "references.csv",
        status=RESULTS / "screening" / "status.csv",
        codebook=CODEBOOK,
        files=coding_inputs.coding_files(REVIEW),
    output:
        long=CODING_OUT / "coded_long.csv",
        wide=CODING_OUT / "coded_wide.csv",
        agreement=CODING_OUT / "agreement.csv",
        disagreements=CODING_OUT / "disagreements.csv",
        validation=CODING_OUT / "validation.csv",
    log:
        RESULTS / "logs" / "coding" / "code.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 4),
        runtime=grows_with_input(10, 0.02),
    params:
        review=REVIEW,
        coders=(["--coders", ",".join(CODING["coders"])] if CODING["coders"] else []),
        out=CODING_OUT,
    shell:
        "slrflow code --references {input.references:q} --status {input.status:q} "
        "--codebook {input.codebook:q} --review {params.review:q} "
        "{params.coders:q} --out-dir {params.out:q} 2> {log:q}"


STAGE_OUTPUTS.extend(rules.code.output)
STAGE_OUTPUTS.extend(rules.code_suggest.output)
STAGE_OUTPUTS.extend(
    expand(
        CODING_OUT / "sheets" / "{coder}.xlsx",
        coder=coding_inputs.coders(REVIEW, CODING["coders"]),
    )
)
