import json

#: The screening section of the config: criteria file, reviewers, policy, automation rules.
SCREENING = config.get("screening", {})
SCREENING_DIR = REVIEW / "screening"
SCREENING_STAGES = ["title_abstract", "retrieval", "full_text"]
SCREENING_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")


def screening_files(folder):
    """Decision or resolution files in a review folder ([] when the folder is absent).

    Lock files a spreadsheet program leaves (~$name.xlsx) and hidden files are not decisions.
    """
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.glob("*")
        if path.is_file()
        and path.suffix.lower() in SCREENING_SUFFIXES
        and not path.name.startswith(("~$", ".", "#"))
    )


def screening_decision_files():
    """Every reviewer's decision files: <review>/screening/<stage>/<reviewer>.csv|xlsx."""
    return [
        f for stage in SCREENING_STAGES for f in screening_files(SCREENING_DIR / stage)
    ]


def screening_resolution_files():
    """The conflict settlements: <review>/screening/resolutions.csv|xlsx."""
    return [
        f for f in screening_files(SCREENING_DIR) if f.stem.startswith("resolutions")
    ]


if SCREENING:

    rule screen:
        input:
            records=RESULTS / "ingest" / "records.csv",
            report=RESULTS / "ingest" / "report.csv",
            clusters=RESULTS / "dedup" / "clusters.csv",
            references=RESULTS / "dedup" / "references.csv",
            criteria=SCREENING.get("criteria", "config/criteria.yaml"),
            decisions=screening_decision_files(),
            resolutions=screening_resolution_files(),
        output:
            log=RESULTS / "screening" / "log.csv",
            status=RESULTS / "screening" / "status.csv",
            conflicts=RESULTS / "screening" / "conflicts.csv",
            agreement=RESULTS / "screening" / "agreement.csv",
            counts=RESULTS / "screening" / "counts.csv",
            flow=RESULTS / "screening" / "flow.csv",
            boxes=RESULTS / "screening" / "boxes.csv",
        log:
            RESULTS / "logs" / "screening" / "screen.log",
        params:
            policy=json.dumps(SCREENING, sort_keys=True),
            out=RESULTS / "screening",
        shell:
            "slrflow screen --records {input.records:q} --report {input.report:q} "
            "--clusters {input.clusters:q} --references {input.references:q} "
            "--review {REVIEW:q} --criteria {input.criteria:q} --policy {params.policy:q} "
            "-o {params.out:q} 2> {log:q}"

    rule screening_sheets:
        input:
            status=RESULTS / "screening" / "status.csv",
            references=RESULTS / "dedup" / "references.csv",
            criteria=SCREENING.get("criteria", "config/criteria.yaml"),
        output:
            expand(
                RESULTS / "screening" / "sheets" / "{stage}" / "{reviewer}.xlsx",
                stage=SCREENING_STAGES,
                reviewer=SCREENING.get("reviewers", []),
            ),
        log:
            RESULTS / "logs" / "screening" / "sheets.log",
        params:
            policy=json.dumps(SCREENING, sort_keys=True),
            out=RESULTS / "screening" / "sheets",
        shell:
            "slrflow screening-sheets --status {input.status:q} "
            "--references {input.references:q} --criteria {input.criteria:q} "
            "--policy {params.policy:q} -o {params.out:q} 2> {log:q}"

    ALL_OUTPUTS.extend(rules.screen.output)
    ALL_OUTPUTS.extend(rules.screening_sheets.output)
