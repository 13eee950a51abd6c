"""A person's verdicts on pairs of records: ``dedup_decisions.csv`` in the review folder.

Columns (schema ``dedup_decisions``): ``record_id_a``, ``record_id_b``, ``verdict`` (``same`` or
``different``), ``reviewer``, ``date`` (YYYY-MM-DD), ``note``. The pipeline only reads this file.
Several rows on one pair: the latest date wins (rows without a date count as oldest);
disagreeing verdicts on the latest date are a warning and count as ``different``, since an
undecided pair is never merged. Rows with an empty verdict (copied from ``pairs_to_review.csv``
and not decided yet) are undecided. A row naming a record that is not
in this run's records (an export was replaced) is a warning, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slrflow.dedup.load import Problem


@dataclass(frozen=True)
class Decision:
    """The verdict in force on one pair (ids sorted), with the sheet row it came from."""

    record_id_a: str
    record_id_b: str
    verdict: str
    reviewer: str
    date: str
    note: str
    row: int


def read_decisions(
    path: str | Path, known_ids: set[str], *, name: str | None = None
) -> tuple[dict[tuple[str, str], Decision], list[Problem]]:
    """The verdict in force per pair of existing records, and the warnings about the file."""
    # imported here: the schema machinery is needed only when a person has decided pairs
    from slrflow.sheets import read_sheet, validate_rows

    label = name or str(path)
    frame = read_sheet(path)
    problems: list[Problem] = []
    if "verdict" in frame.columns:
        # rows copied from pairs_to_review.csv and not decided yet: undecided, never merged
        undecided = frame["verdict"] == ""
        if undecided.any():
            problems.append(
                Problem(
                    label,
                    None,
                    "verdict",
                    f"{int(undecided.sum())} row(s) without a "
                    "verdict are undecided: those pairs stay apart",
                )
            )
            frame = frame[~undecided]
    validate_rows(frame, "dedup_decisions", file=label)
    latest: dict[tuple[str, str], list[Decision]] = {}
    for index, row in zip(frame.index, frame.to_dict(orient="records"), strict=True):
        number = int(index) + 2
        a, b = row["record_id_a"], row["record_id_b"]
        if a == b:
            problems.append(
                Problem(label, number, "record_id_b", "pairs a record with itself; ignored")
            )
            continue
        unknown = [r for r in (a, b) if r not in known_ids]
        if unknown:
            problems.append(
                Problem(
                    label,
                    number,
                    None,
                    f"names record(s) not in this run: {', '.join(unknown)}; the verdict is "
                    "ignored (was an export replaced?)",
                )
            )
            continue
        first, second = sorted((a, b))
        decision = Decision(
            first,
            second,
            row["verdict"],
            row.get("reviewer", ""),
            row.get("date", ""),
            row.get("note", ""),
            number,
        )
        current = latest.get((first, second))
        if current is None or decision.date > current[0].date:
            latest[(first, second)] = [decision]
        elif decision.date == current[0].date:
            current.append(decision)
    decided: dict[tuple[str, str], Decision] = {}
    for pair, rows in sorted(latest.items()):
        verdicts = {d.verdict for d in rows}
        chosen = rows[-1]
        if len(verdicts) > 1:
            problems.append(
                Problem(
                    label,
                    chosen.row,
                    "verdict",
                    f"{pair[0]} / {pair[1]}: rows {', '.join(str(d.row) for d in rows)} disagree "
                    f"on {chosen.date or 'an undated verdict'}; treated as different until "
                    "settled",
                )
            )
            chosen = Decision(
                *pair, "different", chosen.reviewer, chosen.date, chosen.note, chosen.row
            )
        decided[pair] = chosen
    problems.extend(contradictions(decided, label))
    return decided, problems


def contradictions(decided: dict[tuple[str, str], Decision], label: str) -> list[Problem]:
    """Verdicts that cannot all hold: ``same`` verdicts chain two records together (A same C,
    C same B) that another verdict keeps apart (A different B). The ``different`` one holds
    (an undecided pair is never merged) and a ``same`` verdict of the chain is not applied;
    each such row is named so that a person can settle them."""
    parent: dict[str, str] = {}

    def find(record: str) -> str:
        while parent.get(record, record) != record:
            parent[record] = parent.get(parent[record], parent[record])
            record = parent[record]
        return record

    same = [d for d in decided.values() if d.verdict == "same"]
    for d in same:
        parent[find(d.record_id_a)] = find(d.record_id_b)
    problems = []
    for d in decided.values():
        if d.verdict != "different" or find(d.record_id_a) != find(d.record_id_b):
            continue
        group = find(d.record_id_a)
        chain = sorted(s.row for s in same if find(s.record_id_a) == group)
        problems.append(
            Problem(
                label,
                d.row,
                "verdict",
                f"{d.record_id_a} / {d.record_id_b} are 'different' here, but the 'same' "
                f"verdicts of row(s) {', '.join(map(str, chain))} join them through other "
                "records; they are kept apart and one of those 'same' verdicts is not applied. "
                "Settle these rows",
            )
        )
    return problems
