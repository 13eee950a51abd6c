"""Counts per search and the overlap between searches (PRISMA's "duplicates removed").

``counts.csv``, one row per search in the order of the record table, then a row ``all``:

``records``          records the search contributed
``references``       distinct references among them
``within_search``    records that duplicate another record of the same search
                     (``records - references``)
``shared``           references also found by another search
``only_this_search`` references found by this search alone
``duplicates_removed``  records removed as duplicates: every record that is not the first
                     record of its reference (its ``record_id`` is not the ``reference_id``).
                     Summed over searches this is PRISMA's "duplicate records removed".
``unique``           ``records - duplicates_removed``: the records kept; summed over searches
                     this is the number of references.

``overlap.csv``: one row per search A and one column per search B: how many of A's records
belong to a reference that also holds a record of B (on the diagonal: of A itself, i.e.
duplicates within A).
"""

from __future__ import annotations

import pandas as pd

from slrflow.dedup.run import Result

NO_SEARCH = "(no search)"
COUNT_COLUMNS = [
    "search_id",
    "records",
    "duplicates_removed",
    "unique",
    "references",
    "within_search",
    "shared",
    "only_this_search",
]


def _searches(table: pd.DataFrame) -> list[str]:
    """The search of each record (:data:`NO_SEARCH` where the table names none)."""
    return table["search_id"].fillna("").astype(str).replace("", NO_SEARCH).tolist()


def search_order(table: pd.DataFrame) -> list[str]:
    """The searches in the order their first record appears (the search log's order)."""
    return list(dict.fromkeys(_searches(table)))


def counts(table: pd.DataFrame, result: Result) -> pd.DataFrame:
    searches = _searches(table)
    by_reference: dict[int, list[str]] = {}
    for position, label in enumerate(result.label):
        by_reference.setdefault(label, []).append(searches[position])
    rows = []
    for search in search_order(table):
        positions = [p for p, s in enumerate(searches) if s == search]
        refs = {result.label[p] for p in positions}
        shared = sum(1 for r in refs if set(by_reference[r]) - {search})
        removed = sum(1 for p in positions if result.label[p] != p)
        rows.append(
            {
                "search_id": search,
                "records": len(positions),
                "references": len(refs),
                "within_search": len(positions) - len(refs),
                "shared": shared,
                "only_this_search": len(refs) - shared,
                "duplicates_removed": removed,
                "unique": len(positions) - removed,
            }
        )
    n_refs = len(by_reference)
    rows.append(
        {
            "search_id": "all",
            "records": len(searches),
            "references": n_refs,
            "within_search": sum(r["within_search"] for r in rows),
            "shared": sum(1 for s in by_reference.values() if len(set(s)) > 1),
            "only_this_search": sum(1 for s in by_reference.values() if len(set(s)) == 1),
            "duplicates_removed": len(searches) - n_refs,
            "unique": n_refs,
        }
    )
    return pd.DataFrame(rows, columns=COUNT_COLUMNS)


def overlap(table: pd.DataFrame, result: Result) -> pd.DataFrame:
    searches = _searches(table)
    order = search_order(table)
    members: dict[int, list[int]] = {}
    for position, label in enumerate(result.label):
        members.setdefault(label, []).append(position)
    matrix = {a: dict.fromkeys(order, 0) for a in order}
    for group in members.values():
        if len(group) < 2:
            continue
        for p in group:
            others = {searches[q] for q in group if q != p}
            for other in others:
                matrix[searches[p]][other] += 1
    frame = pd.DataFrame(
        [{"search_id": a, **matrix[a]} for a in order], columns=["search_id", *order]
    )
    return frame
