"""What changed since a frozen version: references, studies, toolkit rows and PRISMA numbers.

Each function takes the frozen version's table and the current one and returns the change list
written to ``results/changes/``:

``references.csv`` (:func:`reference_changes`)
    one row per reference that is ``new`` (none of its records was in the frozen version),
    whose status ``changed`` (its box or its reasons differ: included then, excluded now after a
    correction), that was ``merged`` (its records were two references then) or ``removed`` (none
    of its records is in the current searches; ``reference_id`` is empty and
    ``then_reference_ids`` names it). ``then`` and ``now`` say where it stood;
    ``decisions`` lists every decision on it that the frozen version did not have (``file`` row
    ``row``: stage, reviewer, decision, criteria), and ``file``, ``row`` name the one that
    decided its current status (the latest stage's; a resolution before a reviewer's).
``studies.csv`` (:func:`study_changes`)
    one row per study (intervention) ``added`` or ``removed``, and per dimension of a study whose
    codes ``changed``: the codes ``added`` and ``removed`` and the full value then and now.
``toolkit.csv`` (:func:`toolkit_changes`)
    per workbook, the rows added or removed and every cell changed
    (:func:`slrflow.versions.diff_table`).
``counts.csv`` (:func:`count_changes`)
    every PRISMA number (``node``, ``detail``, the box's ``label``) then and now, and the
    difference. An updated review's diagram counts only its latest round's records in the
    identification boxes, so those numbers fall when a new round starts.
"""

from __future__ import annotations

import pandas as pd

from slrflow.prisma import NODES
from slrflow.records import LIST_SEPARATOR
from slrflow.toolkit import database, slo
from slrflow.versions import OUTCOMES, diff_table

REFERENCE_COLUMNS = [
    "reference_id",
    "change",
    "title",
    "year",
    "then",
    "now",
    "then_reference_ids",
    "file",
    "row",
    "decisions",
]
STUDY_COLUMNS = [
    "intervention_id",
    "intervention",
    "change",
    "dimension",
    "added",
    "removed",
    "then",
    "now",
]
TOOLKIT_COLUMNS = ["workbook", "key", "change", "column", "then", "now"]
COUNT_COLUMNS = ["node", "detail", "label", "then", "now", "difference"]

#: The log's columns that make a decision the same decision in two runs (not its row number:
#: rows above it may have been added).
_DECISION_KEY = ["source", "stage", "reviewer", "file", "record_id", "decision", "criteria", "note"]
_STAGE_ORDER = {"title_abstract": 0, "retrieval": 1, "full_text": 2}
#: Columns of the wide coded table that describe a study rather than code it.
_STUDY_META = {"intervention", "n_reports", "citations", "coded_by", "open_disagreements"}


def _status(box: str, reasons: str) -> str:
    text = OUTCOMES.get(box, box)
    return f"{text} ({reasons})" if reasons else text


def _split(value: str) -> list[str]:
    return [v.strip() for v in str(value).split(LIST_SEPARATOR.strip()) if v.strip()]


def _decision_rows(log: pd.DataFrame) -> pd.DataFrame:
    frame = log.fillna("").astype(str).copy()
    for column in _DECISION_KEY:
        if column not in frame.columns:
            frame[column] = ""
    return frame


def _describe(row: dict[str, str]) -> str:
    who = row.get("reviewer") or row.get("source", "")
    text = f"{row.get('file', '')} row {row.get('row', '')}: {row.get('stage', '')}, {who}, "
    text += row.get("decision", "")
    if row.get("criteria"):
        text += f" ({row['criteria']})"
    return text


def _deciding(rows: list[dict[str, str]]) -> dict[str, str] | None:
    """The decision that settles the latest stage: a resolution before reviewers, then the
    latest date, then the last row read."""
    if not rows:
        return None
    return max(
        enumerate(rows),
        key=lambda item: (
            _STAGE_ORDER.get(item[1].get("stage", ""), -1),
            item[1].get("source") == "resolution",
            item[1].get("date", ""),
            item[0],
        ),
    )[1]


def reference_changes(
    then: pd.DataFrame,
    now: pd.DataFrame,
    *,
    then_log: pd.DataFrame | None = None,
    now_log: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The references new, changed, merged or removed since the frozen version.

    ``then`` and ``now`` are reference tables with their boxes
    (:func:`slrflow.versions.reference_outcomes`); the logs are the screening logs of both.
    References are matched through their records, so a reference whose representative record
    changed is still the same reference.
    """
    then = then.fillna("").astype(str)
    now = now.fillna("").astype(str)
    then_of_record: dict[str, str] = {}
    for ref, records in zip(then["reference_id"], then["record_ids"], strict=True):
        for record in _split(records) or [ref]:
            then_of_record[record] = ref
    then_rows = {r["reference_id"]: r for r in then.to_dict("records")}
    known: set[tuple] = set()
    if then_log is not None:
        old = _decision_rows(then_log)
        known = set(old[_DECISION_KEY].itertuples(index=False, name=None))
    added_by_reference: dict[str, list[dict[str, str]]] = {}
    if now_log is not None:
        for row in _decision_rows(now_log).to_dict("records"):
            if tuple(row[k] for k in _DECISION_KEY) not in known:
                added_by_reference.setdefault(row.get("reference_id", ""), []).append(row)
    out = []
    matched: set[str] = set()
    for row in now.to_dict("records"):
        records = _split(row["record_ids"]) or [row["reference_id"]]
        earlier = sorted({then_of_record[r] for r in records if r in then_of_record})
        matched.update(earlier)
        status_now = _status(row["box"], row["reasons"])
        if not earlier:
            change, status_then = "new", ""
        else:
            statuses = sorted(
                {_status(then_rows[e]["box"], then_rows[e]["reasons"]) for e in earlier}
            )
            status_then = "; ".join(statuses)
            if len(earlier) > 1:
                change = "merged"
            elif status_then != status_now:
                change = "changed"
            else:
                continue
        decisions = added_by_reference.get(row["reference_id"], [])
        deciding = _deciding(decisions)
        out.append(
            {
                "reference_id": row["reference_id"],
                "change": change,
                "title": row["title"],
                "year": row["year"],
                "then": status_then,
                "now": status_now,
                "then_reference_ids": LIST_SEPARATOR.join(earlier),
                "file": deciding.get("file", "") if deciding else "",
                "row": deciding.get("row", "") if deciding else "",
                "decisions": LIST_SEPARATOR.join(_describe(d) for d in decisions),
            }
        )
    for row in then.to_dict("records"):
        if row["reference_id"] not in matched:
            out.append(
                {
                    # no current reference: its id then is in then_reference_ids
                    "reference_id": "",
                    "change": "removed",
                    "title": row["title"],
                    "year": row["year"],
                    "then": _status(row["box"], row["reasons"]),
                    "now": "",
                    "then_reference_ids": row["reference_id"],
                    "file": "",
                    "row": "",
                    "decisions": "",
                }
            )
    return pd.DataFrame(out, columns=REFERENCE_COLUMNS)


def study_changes(then: pd.DataFrame | None, now: pd.DataFrame | None) -> pd.DataFrame:
    """The studies added or removed, and per dimension the codes added and removed (from the
    wide coded tables, one row per study; None or empty when nothing was coded)."""
    empty = pd.DataFrame(columns=["intervention_id"])
    then = (then if then is not None else empty).fillna("").astype(str)
    now = (now if now is not None else empty).fillna("").astype(str)
    name_of = dict(zip(then.get("intervention_id", []), then.get("intervention", []), strict=True))
    name_of.update(zip(now.get("intervention_id", []), now.get("intervention", []), strict=True))
    out = []
    for row in diff_table(then, now, key=["intervention_id"]).to_dict("records"):
        if row["column"] in _STUDY_META:
            continue
        old, new = _split(row["then"]), _split(row["now"])
        out.append(
            {
                "intervention_id": row["key"],
                "intervention": name_of.get(row["key"], ""),
                "change": row["change"],
                "dimension": row["column"],
                "added": LIST_SEPARATOR.join(v for v in new if v not in old),
                "removed": LIST_SEPARATOR.join(v for v in old if v not in new),
                "then": row["then"],
                "now": row["now"],
            }
        )
    return pd.DataFrame(out, columns=STUDY_COLUMNS)


#: workbook -> (its interventions sheet's CSV twin, the columns that identify a row)
TOOLKIT_TABLES: dict[str, tuple[str, list[str]]] = {
    "Toolkit SLO Interventies": ("slo_interventions.csv", slo.ROW_KEY),
    "Toolkit Database Interventies": ("database_interventions.csv", database.ROW_KEY),
}


def toolkit_changes(
    workbook: str, then: pd.DataFrame | None, now: pd.DataFrame | None
) -> pd.DataFrame:
    """The rows of one toolkit's interventions sheet added, removed or changed cell by cell."""
    _, key = TOOLKIT_TABLES[workbook]
    frames = [f for f in (then, now) if f is not None]
    if not frames:
        return pd.DataFrame(columns=TOOLKIT_COLUMNS)
    blank = pd.DataFrame(columns=frames[0].columns)
    diff = diff_table(
        then if then is not None else blank, now if now is not None else blank, key=key
    )
    diff.insert(0, "workbook", workbook)
    return diff[TOOLKIT_COLUMNS]


def count_changes(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Every PRISMA number (``node``, ``detail``) then and now, in the current table's order
    followed by the numbers only the frozen version had."""
    then_n = {
        (r["node"], r["detail"]): r["n"] for r in then.fillna("").astype(str).to_dict("records")
    }
    now_n = {
        (r["node"], r["detail"]): r["n"] for r in now.fillna("").astype(str).to_dict("records")
    }
    out = []
    for key in [*now_n, *(k for k in then_n if k not in now_n)]:
        old, new = then_n.get(key, ""), now_n.get(key, "")
        out.append(
            {
                "node": key[0],
                "detail": key[1],
                "label": NODES.get(key[0], ("", ""))[1],
                "then": old,
                "now": new,
                "difference": int(new or 0) - int(old or 0),
            }
        )
    return pd.DataFrame(out, columns=COUNT_COLUMNS).astype({"difference": "int64"})
