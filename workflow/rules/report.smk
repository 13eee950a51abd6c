# The audit report and the exploration notebook read every stage's outputs (stage_outputs in
# common.smk: read when the jobs are planned, so the order of the includes does not matter).


rule audit_report:
    input:
        stage_outputs,
    output:
        page=RESULTS / "report" / "index.html",
        assets=directory(RESULTS / "report" / "assets"),
    log:
        RESULTS / "logs" / "report" / "audit_report.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 4),
        runtime=grows_with_input(10, 0.02),
    params:
        results=RESULTS,
        # the folder's own name when the run is in it (slrflow run DIR), not "."
        review=REVIEW.resolve().name if REVIEW == Path(".") else REVIEW,
        title=config["title"],
    shell:
        "slrflow report --results {params.results:q} -o {output.page:q} "
        "--review {params.review:q} --title {params.title:q} --built {input:q} 2> {log:q}"


rule explore_notebook:
    input:
        stage_outputs,
        notebook=Path(workflow.basedir) / "notebooks" / "explore.ipynb",
    output:
        report(
            RESULTS / "notebooks" / "explore.html",
            caption="../report/notebook.rst",
            category="Exploration",
        ),
    log:
        RESULTS / "logs" / "report" / "explore_notebook.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1500, 4),
        runtime=grows_with_input(10, 0.02),
    params:
        results=lambda wildcards: RESULTS.resolve(),
        outdir=lambda wildcards, output: Path(output[0]).parent,
    shell:
        "SLRFLOW_RESULTS={params.results:q} jupyter nbconvert --to html --execute "
        "--HTMLExporter.mathjax_url= --HTMLExporter.require_js_url= --embed-images "
        "{input.notebook:q} --output-dir {params.outdir:q} --output explore.html 2> {log:q}"


#: The report's own outputs, built by default after every stage's.
REPORT_OUTPUTS = [*rules.audit_report.output, *rules.explore_notebook.output]
