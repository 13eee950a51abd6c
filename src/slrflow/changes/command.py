"""``slrflow freeze`` and ``slrflow changes``: store a published version, list what changed since.

``slrflow freeze DIR --as NAME`` stores ``DIR/versions/NAME/`` from the review's results
(:func:`slrflow.versions.freeze`). ``slrflow changes`` compares the current results with a
frozen version and writes the four change lists of :mod:`slrflow.changes.compare`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from slrflow import tables, versions
from slrflow.changes import compare


def add_arguments_freeze(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("review", type=Path, help="the review folder")
    parser.add_argument(
        "--as", dest="name", required=True, help="the version's name, e.g. 2025-wodc"
    )
    parser.add_argument(
        "--results", type=Path, help="the results to freeze (default: REVIEW/results)"
    )
    parser.add_argument("--date", help="the date it was published (YYYY-MM-DD; default today)")


def freeze(args: argparse.Namespace) -> int:
    """``slrflow freeze``: store the snapshot of the published version."""
    snapshot = versions.freeze(args.review, args.name, results=args.results, date=args.date)
    print(
        f"freeze: version {snapshot.name!r} stored in {snapshot.path} "
        f"({len(snapshot.files)} files); later runs list what changed since it",
        file=sys.stderr,
    )
    return 0


def add_arguments_changes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--review", type=Path, required=True, help="the review folder")
    parser.add_argument("--results", type=Path, required=True, help="the current results")
    parser.add_argument("--compare-to", help="the frozen version (default: the latest)")
    parser.add_argument("-o", "--outdir", type=Path, required=True, help="results/changes")


def write_changes(
    *, review: Path, results: Path, outdir: Path, compare_to: str | None = None
) -> dict[str, int]:
    """Write ``references.csv``, ``studies.csv``, ``toolkit.csv`` and ``counts.csv`` into
    ``outdir``, and ``version.csv`` naming the version compared with; return how many rows each
    change list has. A review without a frozen version is an error."""
    snapshot = versions.chosen(review, compare_to)
    if snapshot is None:
        raise versions.VersionError(
            f"{review}: no frozen version to compare with; store one with "
            f"slrflow freeze {review} --as NAME"
        )
    versions.verify(snapshot)

    def then(name: str):
        path = snapshot.file(name)
        return tables.read_csv(path) if path is not None else None

    def now(name: str):
        path = results / name
        return tables.read_csv(path) if path.is_file() else None

    current = versions.reference_outcomes(now("dedup/references.csv"), now("screening/boxes.csv"))
    lists = {
        "references": compare.reference_changes(
            then("references.csv"),
            current,
            then_log=then("log.csv"),
            now_log=now("screening/log.csv"),
        ),
        "studies": compare.study_changes(then("coded_wide.csv"), now("coding/coded_wide.csv")),
        "toolkit": pd.concat(
            [
                compare.toolkit_changes(book, then(f"toolkit/{twin}"), now(f"toolkit/{twin}"))
                for book, (twin, _) in compare.TOOLKIT_TABLES.items()
            ],
            ignore_index=True,
        ),
        "counts": compare.count_changes(
            then("counts.csv"),
            now("figures/prisma_counts.csv")
            if (results / "figures/prisma_counts.csv").is_file()
            else now("screening/counts.csv"),
        ),
    }
    for name, frame in lists.items():
        tables.write_csv(frame, outdir / f"{name}.csv")
    tables.write_csv(
        pd.DataFrame(
            [{"name": snapshot.name, "folder": snapshot.path.name, "frozen_on": snapshot.frozen_on}]
        ),
        outdir / "version.csv",
    )
    return {name: len(frame) for name, frame in lists.items()}


def changes(args: argparse.Namespace) -> int:
    """``slrflow changes``: what changed since the frozen version."""
    n = write_changes(
        review=args.review, results=args.results, outdir=args.outdir, compare_to=args.compare_to
    )
    print(
        "changes: " + ", ".join(f"{k} {v}" for k, v in n.items()) + f" -> {args.outdir}",
        file=sys.stderr,
    )
    return 0
