# toolkit stage: the two toolkit workbooks and their CSV twins
from slrflow.toolkit.database import find_inventory

TOOLKIT = RESULTS / "toolkit"
# With a frozen version, each workbook gets a changes sheet: what differs from it.
CHANGED = ["changes"] if SNAPSHOT is not None else []
SLO_SHEETS = ["interventions", "references", "codebook", "summary", "method", *CHANGED]
DATABASE_SHEETS = [
    "interventions",
    "rating_scale",
    "codebook",
    "summary",
    "method",
    *CHANGED,
]
#: The review folder's inventory sheet of the database scan (None when it has none).
INVENTORY = find_inventory(REVIEW)


rule toolkit_slo:
    input:
        coded=RESULTS / "coding" / "coded_long.csv",
        wide=RESULTS / "coding" / "coded_wide.csv",
        codebook=CODEBOOK,
        references=RESULTS / "dedup" / "references.csv",
        search_log=SEARCH_LOG,
        counts=RESULTS / "screening" / "counts.csv",
        previous=SNAPSHOT_FILES,
    output:
        workbook=report(
            TOOLKIT / "Toolkit SLO Interventies.xlsx",
            caption="../report/toolkit.rst",
            category="Toolkits",
        ),
        twins=expand(TOOLKIT / "slo_{sheet}.csv", sheet=SLO_SHEETS),
    log:
        RESULTS / "logs" / "toolkit" / "slo.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 2),
        runtime=grows_with_input(10, 0.01),
    params:
        previous=PREVIOUS_VERSION,
    shell:
        "slrflow toolkit-slo {input.coded:q} --wide {input.wide:q} "
        "--codebook {input.codebook:q} --references {input.references:q} "
        "--search-log {input.search_log:q} --counts {input.counts:q} "
        "{params.previous:q} -o {output.workbook:q} 2> {log:q}"


STAGE_OUTPUTS.extend(rules.toolkit_slo.output)


if INVENTORY is not None:

    rule toolkit_database:
        input:
            inventory=INVENTORY,
            codebook=CODEBOOK,
            coded=RESULTS / "coding" / "coded_long.csv",
            wide=RESULTS / "coding" / "coded_wide.csv",
            previous=SNAPSHOT_FILES,
        output:
            workbook=report(
                TOOLKIT / "Toolkit Database Interventies.xlsx",
                caption="../report/toolkit.rst",
                category="Toolkits",
            ),
            twins=expand(TOOLKIT / "database_{sheet}.csv", sheet=DATABASE_SHEETS),
        log:
            RESULTS / "logs" / "toolkit" / "database.log",
        conda:
            "../envs/slrflow.yaml"
        threads: 1
        resources:
            mem_mb=grows_with_input(1000, 2),
            runtime=grows_with_input(10, 0.01),
        params:
            settings=section_json("toolkit"),
            previous=PREVIOUS_VERSION,
        shell:
            "slrflow toolkit-database {input.inventory:q} --codebook {input.codebook:q} "
            "--settings {params.settings:q} --slo {input.coded:q} --wide {input.wide:q} "
            "{params.previous:q} -o {output.workbook:q} 2> {log:q}"

    STAGE_OUTPUTS.extend(rules.toolkit_database.output)
