# dedup stage: group the records of all searches into references (see `slrflow dedup --help`).
DEDUP = RESULTS / "dedup"
# A person's verdicts on pairs (same / different); optional, never written by the workflow.
DEDUP_DECISIONS = REVIEW / "dedup_decisions.csv"


rule dedup:
    input:
        records=RESULTS / "ingest" / "records.csv",
        # every file a person wrote is checked first, all in one pass
        checked=INPUTS_CHECKED,
        # [] when the review folder has no decision file yet
        decisions=lambda wildcards: (
            [DEDUP_DECISIONS] if DEDUP_DECISIONS.exists() else []
        ),
    output:
        clusters=DEDUP / "clusters.csv",
        references=DEDUP / "references.csv",
        evidence=DEDUP / "evidence.csv",
        field_weights=DEDUP / "field_weights.csv",
        pairs_to_review=DEDUP / "pairs_to_review.csv",
        related=DEDUP / "related.csv",
        counts=DEDUP / "counts.csv",
        overlap=DEDUP / "overlap.csv",
        overlap_svg=report(
            DEDUP / "overlap.svg",
            caption="../report/overlap.rst",
            category="Deduplication",
        ),
        overlap_png=DEDUP / "overlap.png",
        log=DEDUP / "log.csv",
    log:
        RESULTS / "logs" / "dedup.log",
    conda:
        "../envs/slrflow.yaml"
    # titles are compared on the job's threads (more than the cores given are not used)
    threads: 4
    resources:
        mem_mb=grows_with_input(1000, 2),
        runtime=grows_with_input(10, 0.05),
    params:
        # the config's dedup section, validated, as JSON (a change reruns the stage)
        settings=section_json("dedup"),
        decisions=lambda wildcards, input: (
            ["--decisions", input.decisions[0]] if input.decisions else []
        ),
        outdir=DEDUP,
    shell:
        "slrflow dedup {input.records:q} --outdir {params.outdir:q} --settings {params.settings:q} "
        "{params.decisions:q} --threads {threads:q} 2> {log:q}"


STAGE_OUTPUTS.extend(rules.dedup.output)
