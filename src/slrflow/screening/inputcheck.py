"""Every file a person wrote in the review folder, checked at once (``slrflow check-inputs``).

The stages read these files one after the other, so the first bad file would hide the next
ones: a typo in ``dedup_decisions.csv`` stops deduplication before anyone learns that a decision
file has a misspelt criterion too. This check runs first and reads them all:

- ``dedup_decisions.csv``: its columns and verdicts (``dedup_decisions.schema.json``);
- every decision file of ``screening/<stage>/``: its folder and reviewer, columns, decisions,
  criteria ids, dates, and answers that contradict each other;
- every resolution file ``screening/resolutions*``: the same, and who may settle.

Each file is checked on its own; whether a record id belongs to this run is checked by the stage
that has the records. All problems of all files are reported together, naming file, row and
field (:class:`InputProblems`). With none, :func:`check` lists the files checked (``file``,
``kind``, ``rows``). The command line is in :mod:`.command`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from slrflow.screening import ScreeningError
from slrflow.screening.decisions import collect_files, file_label, read_decisions, read_resolutions
from slrflow.sheets import SheetError, read_sheet

COLUMNS = ["file", "kind", "rows"]


class InputProblems(ScreeningError):
    """Problems found in the files a person wrote, all of them."""

    def __init__(self, problems: list[str]):
        super().__init__(problems, heading="files in the review folder")


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
