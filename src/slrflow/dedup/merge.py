"""References: one row per deduplicated work, with the best value of each field.

A reference is named by the ``record_id`` of its first record in the record table (the ingest
table keeps the search log's order, so adding a later search never renames a reference).
Its fields are taken from its records as follows:

``title``      the longest title that is not written in capitals only (database tags such as
               ``[Review] [33 refs]`` do not count towards its length)
``authors``    the longest author list; among equally long ones the longest text (full given
               names rather than initials)
``year``       the most frequent year; on a tie the earliest (online before print)
``journal``    the longest name (the full name rather than the abbreviation)
``volume``, ``issue``, ``pages``, ``doi``, ``pmid``   the most frequent non-empty value; on a tie
               the first record's
``abstract``   the longest
``keywords``   all keywords of all records, each once
``doc_type``, ``language``, ``url``   the first non-empty value
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from slrflow.dedup.load import FIELDS
from slrflow.dedup.prepare import title_words
from slrflow.dedup.run import Result
from slrflow.records import LIST_SEPARATOR

#: The merged fields of a reference: those read for deduplication, less the record's own
#: identity (``record_id``, ``search_id``) and the keys used only for comparing.
REFERENCE_FIELDS = [
    f for f in FIELDS if f not in ("record_id", "search_id", "author_keys", "issn", "isbn")
]
COLUMNS = ["reference_id", "n_records", "record_ids", "search_ids", *REFERENCE_FIELDS]


def _most_common(values: list[str], *, earliest: bool = False) -> str:
    present = [v for v in values if v]
    if not present:
        return ""
    counts = Counter(present)
    top = max(counts.values())
    tied = [v for v in dict.fromkeys(present) if counts[v] == top]
    return min(tied) if earliest else tied[0]


def _longest(values: list[str]) -> str:
    return max(values, key=len, default="") if any(values) else ""


def best_title(values: list[str]) -> str:
    present = [v for v in values if v]
    if not present:
        return ""
    return max(present, key=lambda v: (not v.isupper(), len(title_words(v))))


def best_authors(values: list[str]) -> str:
    present = [v for v in values if v]
    if not present:
        return ""
    return max(present, key=lambda v: (len(v.split(LIST_SEPARATOR)), len(v)))


def merge_keywords(values: list[str]) -> str:
    """Every keyword of ``values`` once (the first spelling of each, case aside), in order."""
    keywords: dict[str, str] = {}
    for value in values:
        for keyword in value.split(LIST_SEPARATOR):
            if keyword.strip():
                keywords.setdefault(keyword.strip().lower(), keyword.strip())
    return LIST_SEPARATOR.join(keywords.values())


def merge_fields(rows: list[dict[str, str]]) -> dict[str, str]:
    """The best value per field of one reference's records (first record first)."""
    get = lambda name: [str(r.get(name, "") or "") for r in rows]  # noqa: E731
    return {
        "title": best_title(get("title")),
        "authors": best_authors(get("authors")),
        "year": _most_common(get("year"), earliest=True),
        "journal": _longest(get("journal")),
        "volume": _most_common(get("volume")),
        "issue": _most_common(get("issue")),
        "pages": _most_common(get("pages")),
        "doi": _most_common(get("doi")),
        "pmid": _most_common(get("pmid")),
        "abstract": _longest(get("abstract")),
        "keywords": merge_keywords(get("keywords")),
        "doc_type": next((v for v in get("doc_type") if v), ""),
        "language": next((v for v in get("language") if v), ""),
        "url": next((v for v in get("url") if v), ""),
    }


def members_by_reference(result: Result) -> dict[int, list[int]]:
    """Record positions of each cluster, in table order, keyed by the first position."""
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(result.label):
        groups.setdefault(label, []).append(position)
    return {members[0]: members for members in groups.values()}


def references(table: pd.DataFrame, result: Result) -> pd.DataFrame:
    """One row per reference (see the module docstring), in the order of their first record."""
    # Column lists rather than a dict per record: most references have one record, whose
    # fields are its own (the keywords aside), and need no dict at all.
    columns = {c: table[c].fillna("").astype(str).tolist() for c in table.columns}
    empty = [""] * len(table)
    own = {f: columns.get(f, empty) for f in REFERENCE_FIELDS}
    record_ids, search_ids = columns["record_id"], columns.get("search_id", empty)
    out = []
    for first, members in sorted(members_by_reference(result).items()):
        if len(members) == 1:
            fields = {f: own[f][first] for f in REFERENCE_FIELDS}
            if fields["keywords"]:
                fields["keywords"] = merge_keywords([fields["keywords"]])
        else:
            fields = merge_fields([{c: v[m] for c, v in columns.items()} for m in members])
        searches = dict.fromkeys(search_ids[m] for m in members if search_ids[m])
        out.append(
            {
                "reference_id": record_ids[first],
                "n_records": len(members),
                "record_ids": LIST_SEPARATOR.join(record_ids[m] for m in members),
                "search_ids": LIST_SEPARATOR.join(searches),
                **fields,
            }
        )
    return pd.DataFrame(out, columns=COLUMNS)
