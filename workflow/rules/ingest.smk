rule ingest_search:
    input:
        search_export,
    output:
        table=RESULTS / "ingest" / "searches" / "{search}.csv",
        summary=RESULTS / "ingest" / "searches" / "{search}.json",
    params:
        options=search_params,
    log:
        RESULTS / "logs" / "ingest" / "{search}.log",
    shell:
        "slrflow ingest {input:q} -o {output.table:q} --summary {output.summary:q} "
        "{params.options} 2> {log:q}"


rule ingest_report:
    input:
        search_log=SEARCH_LOG,
        tables=expand(RESULTS / "ingest" / "searches" / "{search}.csv", search=SEARCHES),
        summaries=expand(RESULTS / "ingest" / "searches" / "{search}.json", search=SEARCHES),
    output:
        records=RESULTS / "ingest" / "records.csv",
        report=RESULTS / "ingest" / "report.csv",
        warnings=RESULTS / "ingest" / "warnings.csv",
    log:
        RESULTS / "logs" / "ingest" / "report.log",
    shell:
        "slrflow ingest-report --search-log {input.search_log:q} --review {REVIEW:q} "
        "--tables {input.tables:q} --summaries {input.summaries:q} "
        "--records {output.records:q} --report {output.report:q} "
        "--warnings {output.warnings:q} 2> {log:q}"


ALL_OUTPUTS.extend(rules.ingest_report.output)
