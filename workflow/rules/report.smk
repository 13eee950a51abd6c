# The audit report and the exploration notebook read every other stage's outputs, so this file
# is included last: STAGE_OUTPUTS is everything the stages before it build.
STAGE_OUTPUTS = list(ALL_OUTPUTS)


rule audit_report:
    input:
        STAGE_OUTPUTS,
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
        review=REVIEW,
        title=config.get("title") or "Systematic review",
    shell:
        "slrflow report --results {params.results:q} -o {output.page:q} "
        "--review {params.review:q} --title {params.title:q} --built {input:q} 2> {log:q}"


rule explore_notebook:
    input:
        STAGE_OUTPUTS,
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


ALL_OUTPUTS.extend(rules.audit_report.output)
ALL_OUTPUTS.extend(rules.explore_notebook.output)
