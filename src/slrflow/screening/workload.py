"""Each reviewer's progress per stage: decisions given, references still owed, open conflicts.

Written as ``results/screening/progress.csv`` (columns :data:`COLUMNS`), printed by
``slrflow screen`` and shown in the audit report:

``done``
    references of the stage that the reviewer has judged (a repeated decision counts once);
``to_do``
    references waiting for the reviewer's decision (their screening sheet holds these);
``conflicts``
    open conflicts (not yet settled) on references the reviewer judged;
``settled``
    conflicts on references the reviewer judged that a resolution settled.
"""

from __future__ import annotations

import pandas as pd

from slrflow.screening import STAGES
from slrflow.screening.decisions import Decision
from slrflow.screening.status import StageStatus

COLUMNS = ["stage", "reviewer", "done", "to_do", "conflicts", "settled"]


def progress_table(
    status: dict[tuple[str, str], StageStatus],
    decisions: list[Decision],
    reviewers: tuple[str, ...],
) -> pd.DataFrame:
    """One row per stage and reviewer (config order, then any other reviewer found)."""
    names = list(reviewers) + sorted(
        {d.reviewer for d in decisions if d.source == "reviewer"} - set(reviewers)
    )
    judged: dict[tuple[str, str], set[str]] = {}
    for d in decisions:
        if d.source == "reviewer":
            judged.setdefault((d.stage, d.reviewer), set()).add(d.reference_id)
    rows = []
    for stage in STAGES:
        at_stage = {ref: s for (ref, st), s in status.items() if st == stage}
        for name in names:
            mine = judged.get((stage, name), set())
            rows.append(
                {
                    "stage": stage,
                    "reviewer": name,
                    "done": len(mine),
                    "to_do": sum(name in s.awaiting for s in at_stage.values()),
                    "conflicts": sum(
                        at_stage[ref].status == "conflict" for ref in mine if ref in at_stage
                    ),
                    "settled": sum(
                        bool(at_stage[ref].conflict) and at_stage[ref].resolution is not None
                        for ref in mine
                        if ref in at_stage
                    ),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def format_table(frame: pd.DataFrame) -> str:
    """The table as aligned text for the console."""
    if frame.empty:
        return "(no reviewers)"
    text = frame.astype(str)
    widths = {c: max(len(c), *(len(v) for v in text[c])) for c in frame.columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in frame.columns)]
    for row in text.itertuples(index=False):
        cells = zip(row, frame.columns, strict=True)
        lines.append("  ".join(str(v).ljust(widths[c]) for v, c in cells))
    return "\n".join(line.rstrip() for line in lines)
