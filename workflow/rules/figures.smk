# figures stage: the PRISMA 2020 flow diagram and the toolkit charts
FIGURES = RESULTS / "figures"
CHARTS = [
    "evidence_gap_map",
    "working_elements",
    "barriers",
    "interventions",
    "reports_per_year",
]


rule prisma:
    input:
        counts=RESULTS / "screening" / "counts.csv",
        boxes=RESULTS / "screening" / "boxes.csv",
        coded=RESULTS / "coding" / "coded_long.csv",
        wide=RESULTS / "coding" / "coded_wide.csv",
        previous=SNAPSHOT_FILES,
    output:
        svg=report(
            FIGURES / "prisma.svg",
            caption="../report/prisma.rst",
            category="PRISMA 2020",
        ),
        png=FIGURES / "prisma.png",
        pdf=FIGURES / "prisma.pdf",
        r_csv=FIGURES / "prisma2020.csv",
        table=FIGURES / "prisma_counts.csv",
    log:
        RESULTS / "logs" / "figures" / "prisma.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 1),
        runtime=grows_with_input(5, 0.01),
    params:
        # An updated review's previous version comes from the search log's update rounds;
        # config `prisma:` overrides it for a previous version made outside this workflow.
        settings=section_json("prisma"),
        # the frozen version's numbers for the previous-version box
        previous=PREVIOUS_VERSION,
    shell:
        "slrflow prisma {input.counts:q} -o {output.svg:q} -o {output.png:q} "
        "-o {output.pdf:q} --r-csv {output.r_csv:q} "
        "--table {output.table:q} --boxes {input.boxes:q} "
        "--coded {input.coded:q} --wide {input.wide:q} "
        "--settings {params.settings:q} {params.previous:q} 2> {log:q}"


STAGE_OUTPUTS.extend(rules.prisma.output)


rule figures:
    input:
        coded=RESULTS / "coding" / "coded_long.csv",
        wide=RESULTS / "coding" / "coded_wide.csv",
        codebook=CODEBOOK,
        references=RESULTS / "dedup" / "references.csv",
        database=(
            [TOOLKIT / "database_interventions.csv"] if INVENTORY is not None else []
        ),
    output:
        svg=[
            report(
                FIGURES / f"{chart}.svg",
                caption="../report/figures.rst",
                category="Figures",
            )
            for chart in CHARTS
        ],
        png=expand(FIGURES / "{chart}.png", chart=CHARTS),
    log:
        RESULTS / "logs" / "figures" / "charts.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 2),
        runtime=grows_with_input(5, 0.01),
    params:
        database=lambda wildcards, input: (
            ["--database", input.database[0]] if input.database else []
        ),
        out=FIGURES,
    shell:
        "slrflow figures {input.coded:q} --wide {input.wide:q} "
        "--codebook {input.codebook:q} --references {input.references:q} "
        "{params.database:q} -o {params.out:q} 2> {log:q}"


STAGE_OUTPUTS.extend(rules.figures.output)
