"""No decision is lost unnoticed: what each run read from the reviewers' decision files.

After a successful read, ``slrflow screen --ledger PATH`` keeps every reviewer decision it read
(stage, reviewer, file, row, record, decision, criteria, note, date) in ``PATH``
(``results/screening/decisions_read.csv``). The next run compares: a decision read before that
no decision file of the same reviewer and stage holds any more (the file was saved over with the
next batch, rows deleted, a file removed) stops the run. The message names each lost decision
with its file and row, and the lost rows are written as ready decision files
(``<out>/restore/<stage>/<reviewer>-restored.csv``) to copy back into the review folder. A
decision changed (include to exclude) is an edit, not a loss: only the record matters.

Removing decisions on purpose: delete ``decisions_read.csv``; the next run then takes the
decision files as they are.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from slrflow.messages import some_of
from slrflow.records import LIST_SEPARATOR
from slrflow.screening import ScreeningError
from slrflow.screening.decisions import Decision
from slrflow.tables import read_csv, write_csv

#: Columns of the ledger: where each decision was read, and the decision as written.
COLUMNS = [
    "stage", "reviewer", "file", "row", "id_given", "record_id", "decision", "criteria", "note",
    "date",
]  # fmt: skip
#: Columns of a restore file: a decision file as a reviewer writes it.
RESTORE_COLUMNS = ["record_id", "decision", "criteria", "note", "date"]


def ledger_frame(decisions: list[Decision]) -> pd.DataFrame:
    """The reviewers' decisions (not resolutions or automation) as ledger rows, sorted."""
    rows = [
        {
            "stage": d.stage,
            "reviewer": d.reviewer,
            "file": d.file,
            "row": d.row,
            "id_given": d.id_given,
            "record_id": d.record_id,
            "decision": d.decision,
            "criteria": LIST_SEPARATOR.join(d.criteria),
            "note": d.note,
            "date": d.date,
        }  # fmt: skip
        for d in decisions
        if d.source == "reviewer"
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["stage", "reviewer", "file", "row"], kind="stable")


def lost_decisions(previous: pd.DataFrame, decisions: list[Decision]) -> pd.DataFrame:
    """Rows of the ``previous`` ledger whose record no current decision of the same reviewer
    at the same stage names (by the id as written, or the record it resolved to)."""
    held: set[tuple[str, str, str]] = set()
    for d in decisions:
        if d.source == "reviewer":
            held.add((d.stage, d.reviewer, d.id_given))
            held.add((d.stage, d.reviewer, d.record_id))
    keep = [
        (stage, reviewer, given) not in held and (stage, reviewer, record) not in held
        for stage, reviewer, given, record in zip(
            previous["stage"], previous["reviewer"], previous["id_given"],
            previous["record_id"], strict=True,
        )
    ]  # fmt: skip
    return previous[keep]


def read_ledger(path: str | Path) -> pd.DataFrame | None:
    """The ledger an earlier run wrote, or None when there is none (a first run)."""
    path = Path(path)
    if not path.is_file():
        return None
    frame = read_csv(path)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ScreeningError(
            [f"{path}: column(s) {', '.join(missing)} missing; delete the file and run again"],
            heading="decisions read by the previous run",
        )
    return frame


def check(path: str | Path, decisions: list[Decision], *, out_dir: str | Path) -> None:
    """Stop (:class:`ScreeningError`) when decisions the previous run read are gone; the lost
    rows are first written as restore files under ``out_dir/restore``."""
    previous = read_ledger(path)
    restore_root = Path(out_dir) / "restore"
    lost = pd.DataFrame() if previous is None else lost_decisions(previous, decisions)
    if lost.empty:
        # nothing is missing: restore files of an earlier stop are stale
        shutil.rmtree(restore_root, ignore_errors=True)
        return
    problems = []
    for (stage, reviewer), rows in lost.groupby(["stage", "reviewer"], sort=True):
        restore = restore_root / stage / f"{reviewer}-restored.csv"
        frame = rows.rename(columns={"record_id": "_record", "id_given": "record_id"})
        write_csv(frame[RESTORE_COLUMNS], restore)
        files = ", ".join(sorted(set(rows["file"])))
        listed = "; ".join(
            f"{file}: " + some_of(_described(held), limit=10)
            for file, held in rows.groupby("file", sort=True)
        )
        problems.append(
            f"{reviewer}, stage {stage}: {len(rows)} decision(s) read from {files} by the "
            f"previous run are in none of {reviewer}'s decision files now (a file saved over "
            f"with the next batch, or rows deleted?): {listed}. To restore them, put the "
            "earlier file back (backup, or the spreadsheet program's version history) and "
            f"save the new batch under a new name (screening/{stage}/{reviewer}-<batch>.xlsx), "
            f"or copy {restore} (the lost rows, ready) into screening/{stage}/ of the review "
            "folder"
        )
    problems.append(
        f"if these decisions were removed on purpose, delete {path} (what the previous run "
        "read) and run again"
    )
    raise ScreeningError(problems, heading="decisions lost since the previous run")


def _described(rows: pd.DataFrame) -> list[str]:
    """``row 3 s1-school exclude (C2)`` for each ledger row."""
    return [
        f"row {r} {i} {d}" + (f" ({c})" if c else "")
        for r, i, d, c in zip(
            rows["row"], rows["id_given"], rows["decision"], rows["criteria"], strict=True
        )
    ]


def write(path: str | Path, decisions: list[Decision]) -> None:
    """Keep what this run read, for the next run's :func:`check`."""
    write_csv(ledger_frame(decisions), path)
