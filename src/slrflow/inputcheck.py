"""``slrflow check-inputs``: every file a person wrote in the review folder, checked at once.

The stages read these files one after the other, so the first bad file would hide the next
ones: a typo in ``dedup_decisions.csv`` stops deduplication before anyone learns that a decision
file has a misspelt criterion too. This check runs first and reads them all:

- ``dedup_decisions.csv``: its columns and verdicts (``dedup_decisions.schema.json``);
- every decision file of ``screening/<stage>/``: its folder and reviewer, columns, decisions,
  criteria ids, dates, and answers that contradict each other;
- every resolution file ``screening/resolutions*``: the same, and who may settle.

Each file is checked on its own; whether a record id belongs to this run is checked by the stage
that has the records. All problems of all files are reported together, naming file, row and
field. With none, ``--out`` lists the files checked (``file``, ``kind``, ``rows``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from slrflow.messages import problem_list
from slrflow.screening import ScreeningError
from slrflow.screening.decisions import collect_files, file_label, read_decisions, read_resolutions
from slrflow.screening.policy import add_policy_arguments, policy_from_arguments
from slrflow.sheets import SheetError, read_sheet
from slrflow.tables import write_csv

COLUMNS = ["file", "kind", "rows"]


class InputProblems(ValueError):
    """Problems found in the files a person wrote, all of them."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problem_list("files in the review folder", problems, limit=80))


def add_arguments_check_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--review", type=Path, required=True, help="the review folder")
    add_policy_arguments(parser)
    parser.add_argument("--out", type=Path, required=True, help="results/checks/inputs.csv")


def _dedup_decisions(path: Path, problems: list[str]) -> int:
    from slrflow.dedup.decisions import read_decisions as read_verdicts

    if not path.is_file():
        return 0
    try:
        # record ids are unknown here: the dedup stage warns about those
        read_verdicts(path, set())
    except SheetError as exc:
        problems.extend(f"{exc.file}, {p}" for p in exc.problems)
    except ValueError as exc:
        problems.append(str(exc))
    try:
        return len(read_sheet(path))
    except SheetError:
        return 0


def check(review: Path, *, policy, criteria) -> pd.DataFrame:
    """The files checked (columns :data:`COLUMNS`); raises :class:`InputProblems` with every
    problem of every file."""
    problems: list[str] = []
    rows = []
    dedup = review / "dedup_decisions.csv"
    n = _dedup_decisions(dedup, problems)
    if dedup.is_file():
        rows.append((file_label(dedup, review), "dedup decisions", n))
    decision_files, resolution_files = collect_files(review / "screening")
    try:
        read_decisions(decision_files, policy=policy, criteria=criteria, index=None, review=review)
    except ScreeningError as exc:
        problems.extend(exc.problems)
    try:
        read_resolutions(
            resolution_files, policy=policy, criteria=criteria, index=None, review=review
        )
    except ScreeningError as exc:
        problems.extend(exc.problems)
    for path in decision_files:
        rows.append((file_label(path, review), "screening decisions", _rows(path)))
    for path in resolution_files:
        rows.append((file_label(path, review), "resolutions", _rows(path)))
    if problems:
        raise InputProblems(problems)
    return pd.DataFrame(rows, columns=COLUMNS)


def _rows(path: Path) -> int:
    try:
        return len(read_sheet(path))
    except SheetError:
        return 0


def check_inputs(args: argparse.Namespace) -> int:
    """Check every file a person wrote; write the list of files checked."""
    policy, criteria = policy_from_arguments(args)
    checked = check(args.review, policy=policy, criteria=criteria)
    write_csv(checked, args.out)
    print(f"check-inputs: {len(checked)} file(s) written by people, no problem", file=sys.stderr)
    return 0
