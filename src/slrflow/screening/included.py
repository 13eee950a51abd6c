"""The references included so far, as RIS and BibTeX for a reference manager (Zotero, EndNote).

``results/screening/included.ris`` and ``included.bib`` hold every reference that is still in
the review at the furthest stage it has reached: passed title/abstract (its report is to be
sought), retrieved (to be assessed), or included at full text. A reference excluded or not
retrieved later is left out. Each entry carries the stage as a keyword (``slrflow: included at
title/abstract``, ``slrflow: retrieved``, ``slrflow: included at full text``) so that a
reference manager can filter on it, and its reference id (RIS ``ID``, the BibTeX key).

Text from exports is untrusted: each value is written on one line without control characters
(a line break could start a new RIS tag), and BibTeX values keep only balanced braces.
Written with rispy and bibtexparser; same input, same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pandas as pd
import rispy
from bibtexparser.model import Entry, Field

from slrflow import tables
from slrflow.records import LIST_SEPARATOR
from slrflow.screening import STAGES
from slrflow.screening.policy import Policy
from slrflow.screening.status import StageStatus
from slrflow.tables import read_csv_chunks

#: The keyword of each stage a reference stands at.
STAGE_TAGS = {
    "title_abstract": "slrflow: included at title/abstract",
    "retrieval": "slrflow: retrieved",
    "full_text": "slrflow: included at full text",
}
#: Document types (lower case, from the exports) -> (RIS type, BibTeX type).
_TYPES = {
    "book": ("BOOK", "book"),
    "book chapter": ("CHAP", "incollection"),
    "chapter": ("CHAP", "incollection"),
    "conference paper": ("CPAPER", "inproceedings"),
    "conference proceedings": ("CPAPER", "inproceedings"),
    "thesis": ("THES", "phdthesis"),
    "dissertation": ("THES", "phdthesis"),
    "report": ("RPRT", "techreport"),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _clean(value: object) -> str:
    """One line of text: control characters and line breaks become spaces."""
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())


def _braces(value: str) -> str:
    """``value`` with braces only where they pair up: an unbalanced brace would end a BibTeX
    field early (and what follows would be read as BibTeX)."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth == 0:
        return value
    return value.replace("{", "(").replace("}", ")")


def standing(
    status: dict[tuple[str, str], StageStatus], reference_id: str, policy: Policy
) -> str | None:
    """The furthest stage the reference passed, or None when it passed none or was removed
    (excluded, not retrieved, automation) at a later one."""
    reached = None
    for stage in STAGES:
        s = status.get((reference_id, stage))
        if s is None:
            break
        if s.status in ("exclude", "not_retrieved", "automation"):
            return None
        if not s.passes(policy):
            break  # waiting (pending, conflict, a maybe to settle) or not reached
        reached = stage
    return reached


def included(
    references: pd.DataFrame, status: dict[tuple[str, str], StageStatus], policy: Policy
) -> list[tuple[dict, str]]:
    """(reference row, stage) of every reference still in the review, by reference id."""
    out = []
    for row in references.sort_values("reference_id").to_dict(orient="records"):
        stage = standing(status, row["reference_id"], policy)
        if stage is not None:
            out.append((row, stage))
    return out


def _pages(row: dict) -> tuple[str, str]:
    start, end = _clean(row.get("start_page")), _clean(row.get("end_page"))
    if not start and row.get("pages"):
        start, _, end = _clean(row["pages"]).partition("-")
    return start.strip(), end.strip()


def _list(value: object) -> list[str]:
    return [v for v in (_clean(p) for p in str(value or "").split(LIST_SEPARATOR.strip())) if v]


def ris_entry(row: dict, stage: str) -> dict:
    """One reference as a rispy entry."""
    kind = _TYPES.get(_clean(row.get("doc_type")).lower(), ("JOUR", "article"))[0]
    start, end = _pages(row)
    entry = {
        "type_of_reference": kind,
        "id": _clean(row["reference_id"]),
        "title": _clean(row.get("title")),
        "authors": _list(row.get("authors")),
        "year": _clean(row.get("year")),
        "secondary_title": _clean(row.get("journal")),
        "volume": _clean(row.get("volume")),
        "number": _clean(row.get("issue")),
        "start_page": start,
        "end_page": end,
        "doi": _clean(row.get("doi")),
        "abstract": _clean(row.get("abstract")),
        "keywords": [STAGE_TAGS[stage]],
        "urls": _list(row.get("url")),
    }
    return {k: v for k, v in entry.items() if v}


def bib_entry(row: dict, stage: str) -> Entry:
    """One reference as a bibtexparser entry (key: the reference id, made a valid key)."""
    kind = _TYPES.get(_clean(row.get("doc_type")).lower(), ("JOUR", "article"))[1]
    start, end = _pages(row)
    container = {"incollection": "booktitle", "inproceedings": "booktitle"}.get(kind, "journal")
    values = {
        "title": _clean(row.get("title")),
        "author": " and ".join(_list(row.get("authors"))),
        "year": _clean(row.get("year")),
        container: _clean(row.get("journal")),
        "volume": _clean(row.get("volume")),
        "number": _clean(row.get("issue")),
        "pages": "--".join(p for p in (start, end) if p),
        "doi": _clean(row.get("doi")),
        "abstract": _clean(row.get("abstract")),
        "keywords": STAGE_TAGS[stage],
    }
    fields = [Field(k, "{" + _braces(v) + "}") for k, v in values.items() if v]
    key = re.sub(r"[^A-Za-z0-9_:.-]", "_", str(row["reference_id"])) or "reference"
    return Entry(kind, key, fields)


#: Columns of references.csv the screening stage does not hold in memory (large in a large
#: review) but the included references' entries carry: read for those references only.
TEXT_COLUMNS = ("abstract", "url")


def with_text(chosen: list[tuple[dict, str]], path: str | Path) -> list[tuple[dict, str]]:
    """``chosen`` with the :data:`TEXT_COLUMNS` of each reference read from ``path``
    (references.csv), a part of the file at a time."""
    wanted = {row["reference_id"] for row, _ in chosen}
    text: dict[str, dict] = {}
    if not wanted:
        return chosen
    parts = read_csv_chunks(path, usecols=lambda c: c == "reference_id" or c in TEXT_COLUMNS)
    for part in parts:
        for row in tables.rows(part[part["reference_id"].isin(wanted)]):
            text[row["reference_id"]] = row
    return [(text.get(row["reference_id"], {}) | row, stage) for row, stage in chosen]


def write_included(
    references: pd.DataFrame,
    status: dict[tuple[str, str], StageStatus],
    policy: Policy,
    *,
    ris: str | Path,
    bib: str | Path,
    references_file: str | Path | None = None,
) -> int:
    """Write both files; returns the number of references in them. ``references_file``: the
    references.csv to read the abstracts and links from when ``references`` lacks them."""
    chosen = included(references, status, policy)
    if references_file is not None:
        chosen = with_text(chosen, references_file)
    for path in (ris, bib):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    text = rispy.dumps([ris_entry(row, stage) for row, stage in chosen]) if chosen else ""
    Path(ris).write_text(text, "utf-8", newline="\n")
    library = bibtexparser.Library([bib_entry(row, stage) for row, stage in chosen])
    Path(bib).write_text(bibtexparser.write_string(library) if chosen else "", "utf-8")
    return len(chosen)
