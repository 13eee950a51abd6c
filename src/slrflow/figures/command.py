"""``slrflow prisma`` and ``slrflow figures``: the command line of the figures stage.

Parses the arguments and calls the drawing functions; :mod:`slrflow.prisma` holds the accounting
the diagram draws, :mod:`.prisma_diagram` and :mod:`.charts` the drawing.
"""

from __future__ import annotations

import argparse
import sys

from slrflow import settings, tables, versions
from slrflow.coding import codebook
from slrflow.figures import charts
from slrflow.figures.prisma_diagram import render
from slrflow.prisma import (
    CountsError,
    check,
    cross_check,
    read_counts,
    reconcile,
    to_prisma2020,
    with_previous,
    with_published,
    with_studies,
    write_counts,
)
from slrflow.toolkit import coded
from slrflow.toolkit.command import add_coded_arguments, add_wide_argument


def add_arguments_prisma(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("counts", help="the PRISMA counts table (results/screening/counts.csv)")
    parser.add_argument(
        "-o",
        "--output",
        action="append",
        required=True,
        help="diagram file (.svg, .png or .pdf); repeat for several",
    )
    parser.add_argument("--r-csv", help="write the counts in the PRISMA2020 R package's CSV schema")
    parser.add_argument("--table", help="write the counts drawn (node, detail, n) here")
    parser.add_argument(
        "--boxes",
        help="results/screening/boxes.csv: the box of every record; checked against the "
        "counts, and tells previous from new studies in an updated review",
    )
    parser.add_argument(
        "--coded",
        help="coded interventions (results/coding/coded_long.csv): "
        "their number is the number of included studies",
    )
    # --settings (the config's prisma section), --config, --previous-studies, --previous-reports
    settings.add_flags(parser, "prisma")
    parser.add_argument(
        "--previous-version",
        help="the frozen version (REVIEW/versions/NAME) an updated review's previous-version "
        "box is drawn from; config prisma: numbers still win",
    )
    parser.add_argument("--title", help="a title above the diagram")
    add_wide_argument(parser)


def prisma(args: argparse.Namespace) -> int:
    """``slrflow prisma``: draw the PRISMA 2020 diagram and write its PRISMA2020 CSV.

    Fails (exit 2) when the numbers do not add up, or when they disagree with ``--boxes``
    (naming the records); draws nothing then.
    """
    counts = read_counts(args.counts)
    problems = [f"{args.counts}: {p}" for p in check(counts)]
    boxes = tables.read_optional_csv(args.boxes)
    if boxes is not None:
        problems += cross_check(counts, boxes, file=str(args.boxes))
    if problems:
        raise CountsError("the PRISMA numbers do not add up: " + "; ".join(problems))
    previous = settings.section_from_arguments("prisma", args)
    if previous:
        if counts.derived_previous:
            print(
                "prisma: the previous version's numbers given (config prisma:) replace those "
                "of the search log's earlier rounds",
                file=sys.stderr,
            )
        counts = with_previous(
            counts, previous.get("previous_studies", 0), previous.get("previous_reports", 0)
        )
    interventions = coded.read(args.coded, wide=args.wide) if args.coded else None
    if interventions is not None:
        studies = [item.reports for item in interventions]
        earlier: list[str] = []
        if boxes is not None:
            earlier = boxes.loc[boxes["prisma"] == "previous_reports", "reference_id"].tolist()
        counts = with_studies(counts, studies, previous_reports=earlier)
    if args.previous_version and not previous and counts.derived_previous and boxes is not None:
        snapshot = versions.load(args.previous_version)
        versions.verify(snapshot)
        then = versions.published(
            snapshot,
            boxes=boxes,
            study_ids=None
            if interventions is None
            else [item.intervention_id for item in interventions],
        )
        counts = with_published(
            counts,
            studies=then.studies,
            reports=then.reports,
            withdrawn_studies=then.withdrawn_studies,
            withdrawn_reports=then.withdrawn_reports,
        )
        print(
            f"prisma: previous version {snapshot.name!r}: {then.studies} studies, "
            f"{then.reports} reports as frozen",
            file=sys.stderr,
        )
    if counts["new_studies"] > counts["new_reports"]:
        print(
            f"prisma: note: {counts['new_studies']} new studies rest on "
            f"{counts['new_reports']} reports (a report describing several studies?)",
            file=sys.stderr,
        )
    reconcile(counts, file=str(args.counts))
    render(counts, args.output, title=args.title)
    if args.r_csv:
        tables.write_csv(to_prisma2020(counts), args.r_csv)
    if args.table:
        write_counts(counts, args.table)
    template = "updated-review" if counts.is_update else "new-review"
    print(
        f"prisma: {template} template; {counts['new_reports']} reports of "
        f"{counts['new_studies']} new studies"
        + (
            f", {counts['total_reports']} reports of {counts['total_studies']} studies in all"
            if counts.is_update
            else ""
        )
        + f" -> {', '.join(args.output)}",
        file=sys.stderr,
    )
    return 0


def add_arguments_figures(parser: argparse.ArgumentParser) -> None:
    add_coded_arguments(parser)
    parser.add_argument(
        "--database",
        help="the database toolkit's table (results/toolkit/database_interventions.csv)",
    )
    parser.add_argument("--references", help="results/dedup/references.csv (publication years)")
    parser.add_argument(
        "-o", "--output-dir", required=True, help="folder for the SVG and PNG files"
    )


def figures(args: argparse.Namespace) -> int:
    """``slrflow figures``: draw the toolkit charts."""
    book = codebook.load(args.codebook)
    items = coded.read(args.coded, wide=args.wide)
    database = tables.read_optional_csv(args.database)
    # a report's year is all the charts read of the references
    references = tables.read_optional_csv(
        args.references, usecols=lambda c: c in ("reference_id", "record_ids", "year")
    )
    written = charts.render_all(
        items, book, args.output_dir, database=database, references=references
    )
    print(f"figures: {len(written)} files -> {args.output_dir}", file=sys.stderr)
    return 0
