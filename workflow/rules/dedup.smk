# dedup stage: group the records of all searches into references (see `slrflow dedup --help`).
DEDUP = RESULTS / "dedup"


def dedup_decisions(wildcards):
    """The person's verdicts on pairs, when the review folder has them ([] otherwise)."""
    path = REVIEW / "dedup_decisions.csv"
    return [path] if path.exists() else []


def dedup_options(wildcards, input):
    """Command-line options from the `dedup:` config and the decision file, if any."""
    options = []
    for name, value in sorted(config.get("dedup", {}).items()):
        flag = "--" + name.replace("_", "-")
        if name == "deduplicated_searches":
            options += [f"--deduplicated-search {s!r}" for s in value]
        else:
            options.append(f"{flag} {value}")
    if input.decisions:
        options.append(f"--decisions {str(input.decisions[0])!r}")
    return " ".join(options)


rule dedup:
    input:
        records=RESULTS / "ingest" / "records.csv",
        decisions=dedup_decisions,
    output:
        clusters=DEDUP / "clusters.csv",
        references=DEDUP / "references.csv",
        evidence=DEDUP / "evidence.csv",
        pairs_to_review=DEDUP / "pairs_to_review.csv",
        related=DEDUP / "related.csv",
        counts=DEDUP / "counts.csv",
        overlap=DEDUP / "overlap.csv",
        overlap_svg=DEDUP / "overlap.svg",
        overlap_png=DEDUP / "overlap.png",
        log=DEDUP / "log.csv",
    log:
        RESULTS / "logs" / "dedup.log",
    params:
        options=dedup_options,
        outdir=DEDUP,
    shell:
        "slrflow dedup {input.records:q} --outdir {params.outdir:q} {params.options} "
        "2> {log:q}"


ALL_OUTPUTS.extend(rules.dedup.output)
