"""``slrflow toolkit-slo`` and ``slrflow toolkit-database``: the command line of the toolkit stage.

Parses the arguments, reads the files they name and calls :mod:`.slo` and :mod:`.database`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slrflow import prisma, settings, tables, versions
from slrflow.coding import codebook as codebook_module
from slrflow.sheets import read_sheet
from slrflow.toolkit import coded, database, slo, workbook
from slrflow.toolkit.ratings import RatingError, from_config


def add_wide_argument(parser: argparse.ArgumentParser) -> None:
    """``--wide``: the optional ``coded_wide.csv`` of a command that reads the coded table."""
    parser.add_argument(
        "--wide",
        help="results/coding/coded_wide.csv: every report of each study, "
        "and the studies not yet coded",
    )


def add_coded_arguments(parser: argparse.ArgumentParser) -> None:
    """The inputs of a command drawn from the coded interventions: the coded table, the
    codebook and ``--wide``."""
    parser.add_argument("coded", help="the coded interventions (results/coding/coded_long.csv)")
    parser.add_argument("--codebook", required=True, help="config/codebook.yaml")
    add_wide_argument(parser)


def add_previous_version_argument(parser: argparse.ArgumentParser) -> None:
    """``--previous-version``: the frozen version a toolkit's ``changes`` sheet compares with."""
    parser.add_argument(
        "--previous-version",
        help="a frozen version (REVIEW/versions/NAME): add a changes sheet listing the rows "
        "added, removed and changed since it",
    )


def changes_sheet(
    sheets: list[workbook.Sheet], previous: str | None, *, twin: str, key: list[str], csv: str
) -> list[workbook.Sheet]:
    """``sheets`` with a ``changes`` sheet: what differs in the interventions sheet (the first)
    from the frozen version's ``twin``, row by row and cell by cell; ``sheets`` as they are
    without a frozen version."""
    if not previous:
        return sheets
    snapshot = versions.load(previous)
    versions.verify(snapshot)
    path = snapshot.file(f"toolkit/{twin}")
    then = tables.read_csv(path) if path is not None else sheets[0].frame.iloc[0:0]
    diff = versions.diff_table(then, sheets[0].frame, key=key)
    diff.insert(0, "version", snapshot.name)
    return [*sheets, workbook.Sheet("changes", diff, csv=csv)]


def add_arguments_toolkit_slo(parser: argparse.ArgumentParser) -> None:
    add_coded_arguments(parser)
    parser.add_argument("--references", help="results/dedup/references.csv (citations, DOIs)")
    parser.add_argument("--search-log", help="the review's search log (searches.csv)")
    parser.add_argument("--counts", help="the PRISMA counts table (results/screening/counts.csv)")
    add_previous_version_argument(parser)
    parser.add_argument("-o", "--output", required=True, help="the .xlsx to write")


def toolkit_slo(args: argparse.Namespace) -> int:
    """``slrflow toolkit-slo``: write the Toolkit SLO Interventies workbook and its CSVs."""
    book = codebook_module.load(args.codebook)
    interventions = coded.read(args.coded, wide=args.wide)
    searches = read_sheet(args.search_log) if args.search_log else None
    counts = prisma.read_counts(args.counts) if args.counts else None
    if counts is not None and interventions:
        # The screening counts reports; the coding tells how many studies they describe.
        counts = prisma.with_studies(counts, len(interventions))
    result = slo.sheets(
        interventions,
        book,
        # the citations need no abstracts or keywords (most of a large table's bytes)
        references=tables.read_optional_csv(
            args.references, usecols=lambda c: c not in ("abstract", "keywords")
        ),
        searches=searches,
        counts=counts,
    )
    result = changes_sheet(
        result,
        args.previous_version,
        twin="slo_interventions.csv",
        key=slo.ROW_KEY,
        csv="slo_changes.csv",
    )
    slo.write(result, args.output)
    print(f"toolkit-slo: {len(interventions)} interventions -> {args.output}", file=sys.stderr)
    return 0


def add_arguments_toolkit_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inventory", help="the review folder's inventory.xlsx (or .csv)")
    parser.add_argument("--codebook", required=True, help="config/codebook.yaml")
    # --settings (the config's toolkit section), --config, --match-threshold
    settings.add_flags(parser, "toolkit")
    parser.add_argument(
        "--slo",
        help="the coded interventions of the systematic review "
        "(results/coding/coded_long.csv), to flag matches",
    )
    parser.add_argument("-o", "--output", required=True, help="the .xlsx to write")
    add_wide_argument(parser)
    add_previous_version_argument(parser)


def toolkit_database(args: argparse.Namespace) -> int:
    """``slrflow toolkit-database``: write the Toolkit Database Interventies workbook."""
    if args.settings is None and args.config is None:
        raise RatingError("give --config (a config file) or --settings (its toolkit section)")
    section = settings.section_from_arguments("toolkit", args)
    if "rating_scale" not in section:
        where = "--settings" if args.settings is not None else str(args.config)
        raise RatingError(f"{where}: no 'toolkit: rating_scale:' section")
    scale = from_config(section["rating_scale"], name=f"{args.config}: toolkit.rating_scale")
    threshold = float(section["match_threshold"])
    book = codebook_module.load(args.codebook)
    inventory = database.read_inventory(args.inventory)
    names = [i.name for i in coded.read(args.slo, wide=args.wide)] if args.slo else []
    result = database.sheets(
        inventory,
        book,
        scale,
        slo_names=names,
        threshold=threshold,
        inventory_name=Path(args.inventory).name,
    )
    result = changes_sheet(
        result,
        args.previous_version,
        twin="database_interventions.csv",
        key=database.ROW_KEY,
        csv="database_changes.csv",
    )
    database.write(result, args.output)
    flagged = int((result[0].frame["In systematic review"] == "yes").sum())
    print(
        f"toolkit-database: {len(result[0].frame)} interventions ({flagged} also in the "
        f"systematic review) -> {args.output}",
        file=sys.stderr,
    )
    return 0
