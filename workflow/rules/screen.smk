# screen stage: decision files, conflicts, agreement, PRISMA counts and screening sheets (see
# `slrflow screen --help`). Nothing in the review folder is ever written.
from slrflow.screening.decisions import collect_files

#: The screening section of the config: criteria file, reviewers, policy, automation rules.
SCREENING = config["screening"]
SCREENING_DIR = REVIEW / "screening"
SCREENING_STAGES = ["title_abstract", "retrieval", "full_text"]
# The policy as JSON: a change of policy reruns the stage.
SCREENING_POLICY = section_json("screening")
SCREENING_CRITERIA = REVIEW / SCREENING["criteria"]


rule screen:
    input:
        records=RESULTS / "ingest" / "records.csv",
        report=RESULTS / "ingest" / "report.csv",
        clusters=RESULTS / "dedup" / "clusters.csv",
        references=RESULTS / "dedup" / "references.csv",
        criteria=SCREENING_CRITERIA,
        checked=INPUTS_CHECKED,
        # <review>/screening/<stage>/<reviewer>.csv|xlsx, and any spreadsheet misplaced
        # in screening/ so that the command reports it ([] when the folder is absent)
        decisions=lambda wildcards: collect_files(SCREENING_DIR)[0],
        # <review>/screening/resolutions.csv|xlsx
        resolutions=lambda wildcards: collect_files(SCREENING_DIR)[1],
    output:
        log=report(
            RESULTS / "screening" / "log.csv",
            caption="../report/screening_log.rst",
            category="Screening",
        ),
        status=RESULTS / "screening" / "status.csv",
        conflicts=RESULTS / "screening" / "conflicts.csv",
        agreement=report(
            RESULTS / "screening" / "agreement.csv",
            caption="../report/agreement.rst",
            category="Screening",
        ),
        counts=RESULTS / "screening" / "counts.csv",
        flow=RESULTS / "screening" / "flow.csv",
        boxes=RESULTS / "screening" / "boxes.csv",
        progress=RESULTS / "screening" / "progress.csv",
        included_ris=RESULTS / "screening" / "included.ris",
        included_bib=RESULTS / "screening" / "included.bib",
    log:
        RESULTS / "logs" / "screening" / "screen.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 8),
        runtime=grows_with_input(10, 0.02),
    params:
        policy=SCREENING_POLICY,
        review=REVIEW,
        out=RESULTS / "screening",
        # What the previous run read from the decision files: a decision gone since stops the
        # run. Not an output, so that Snakemake keeps it between runs.
        ledger=RESULTS / "screening" / "decisions_read.csv",
    shell:
        "slrflow screen --records {input.records:q} --report {input.report:q} "
        "--clusters {input.clusters:q} --references {input.references:q} "
        "--review {params.review:q} --criteria {input.criteria:q} "
        "--policy {params.policy:q} --ledger {params.ledger:q} -o {params.out:q} 2> {log:q}"


rule screening_sheets:
    input:
        status=RESULTS / "screening" / "status.csv",
        references=RESULTS / "dedup" / "references.csv",
        criteria=SCREENING_CRITERIA,
    output:
        expand(
            RESULTS / "screening" / "sheets" / "{stage}" / "{reviewer}.xlsx",
            stage=SCREENING_STAGES,
            reviewer=SCREENING.get("reviewers", []),
        ),
        # the open conflicts of each stage, ready to settle
        expand(
            RESULTS / "screening" / "sheets" / "{stage}" / "resolutions.xlsx",
            stage=SCREENING_STAGES,
        ),
    log:
        RESULTS / "logs" / "screening" / "sheets.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 8),
        runtime=grows_with_input(10, 0.05),
    params:
        policy=SCREENING_POLICY,
        out=RESULTS / "screening" / "sheets",
    shell:
        "slrflow screening-sheets --status {input.status:q} "
        "--references {input.references:q} --criteria {input.criteria:q} "
        "--policy {params.policy:q} -o {params.out:q} 2> {log:q}"


# The stopping estimate after every run: may title/abstract screening stop, and if not, which
# random references to screen next.
rule stopping:
    input:
        status=RESULTS / "screening" / "status.csv",
        log=RESULTS / "screening" / "log.csv",
        references=RESULTS / "dedup" / "references.csv",
    output:
        stopping=RESULTS / "screening" / "stopping.csv",
        sample=RESULTS / "screening" / "stopping_sample.csv",
    log:
        RESULTS / "logs" / "screening" / "stopping.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(500, 4),
        runtime=grows_with_input(5, 0.01),
    params:
        policy=SCREENING_POLICY,
        out=RESULTS / "screening",
    shell:
        "slrflow stopping --status {input.status:q} --log {input.log:q} "
        "--references {input.references:q} --policy {params.policy:q} "
        "-o {params.out:q} 2> {log:q}"


STAGE_OUTPUTS.extend(rules.screen.output)
STAGE_OUTPUTS.extend(rules.screening_sheets.output)
STAGE_OUTPUTS.extend(rules.stopping.output)
