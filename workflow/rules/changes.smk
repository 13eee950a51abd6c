# changes stage: what changed since the frozen (published) version in <review>/versions/NAME
# (`slrflow freeze`; SNAPSHOT in common.smk). Only a review with a frozen version has it.
CHANGES = RESULTS / "changes"


if SNAPSHOT is not None:

    rule changes:
        input:
            # every file of the snapshot: an edited snapshot reruns this and stops the run
            snapshot=SNAPSHOT_FILES,
            references=RESULTS / "dedup" / "references.csv",
            boxes=RESULTS / "screening" / "boxes.csv",
            log=RESULTS / "screening" / "log.csv",
            counts=FIGURES / "prisma_counts.csv",
            wide=RESULTS / "coding" / "coded_wide.csv",
            toolkits=[TOOLKIT / "slo_interventions.csv"]
            + (
                [TOOLKIT / "database_interventions.csv"]
                if INVENTORY is not None
                else []
            ),
        output:
            expand(
                CHANGES / "{table}.csv",
                table=["version", "references", "studies", "toolkit", "counts"],
            ),
        log:
            RESULTS / "logs" / "changes" / "changes.log",
        conda:
            "../envs/slrflow.yaml"
        threads: 1
        resources:
            mem_mb=grows_with_input(1000, 4),
            runtime=grows_with_input(10, 0.02),
        params:
            review=REVIEW,
            results=RESULTS,
            compare_to=SNAPSHOT.path.name,
            out=CHANGES,
        shell:
            "slrflow changes --review {params.review:q} --results {params.results:q} "
            "--compare-to {params.compare_to:q} -o {params.out:q} 2> {log:q}"

    STAGE_OUTPUTS.extend(rules.changes.output)
