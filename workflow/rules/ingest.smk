rule ingest_search:
    input:
        search_export,
    output:
        table=RESULTS / "ingest" / "searches" / "{search}.csv",
        summary=RESULTS / "ingest" / "searches" / "{search}.json",
    log:
        RESULTS / "logs" / "ingest" / "{search}.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(500, 12),
        runtime=grows_with_input(5, 0.02),
    params:
        options=search_params,
    shell:
        "slrflow ingest {input:q} -o {output.table:q} --summary {output.summary:q} "
        "{params.options:q} 2> {log:q}"


rule ingest_report:
    input:
        search_log=SEARCH_LOG,
        tables=expand(RESULTS / "ingest" / "searches" / "{search}.csv", search=SEARCHES),
        summaries=expand(
            RESULTS / "ingest" / "searches" / "{search}.json", search=SEARCHES
        ),
    output:
        records=RESULTS / "ingest" / "records.csv",
        report=RESULTS / "ingest" / "report.csv",
        warnings=RESULTS / "ingest" / "warnings.csv",
    log:
        RESULTS / "logs" / "ingest" / "report.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(500, 6),
        runtime=grows_with_input(5, 0.01),
    params:
        review=REVIEW,
    shell:
        "slrflow ingest-report --search-log {input.search_log:q} --review {params.review:q} "
        "--tables {input.tables:q} --summaries {input.summaries:q} "
        "--records {output.records:q} --report {output.report:q} "
        "--warnings {output.warnings:q} 2> {log:q}"


STAGE_OUTPUTS.extend(rules.ingest_report.output)
