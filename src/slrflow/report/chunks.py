"""The references of the audit report as script files the page loads when it needs them.

A review of a million records cannot be one page: its trails alone would be gigabytes. The page
(``index.html``) holds the tables of the review; the references live in two kinds of chunk under
``assets/data/``, each a script that hands its data to the page (browsers refuse ``fetch`` on
``file://``, while a ``<script src>`` works from the file system and from any web server):

``index-NNNN.js``
    One short row per reference (id, title, authors, year, journal, DOI, where it stands, its
    record ids, what each filter matches): what the list, the search box and the filters need.
    The first chunk holds :data:`INDEX_FIRST` references, so the list shows at once; the others
    :data:`INDEX_CHUNK` each, loaded one after another once the page shows.
``trail-NNNN.js``
    :data:`TRAIL_CHUNK` whole trails each, in the same order: a reference's trail is in chunk
    ``position // TRAIL_CHUNK``, loaded when a person opens it.

The data are JSON inside a call (``slrflowIndex(n, first position, [...])``,
``slrflowTrails(n, [...])``); the page builds its HTML from them
with DOM text nodes, so nothing from an export is ever parsed as markup.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from slrflow.report.collect import Trail

#: References in the first index chunk, in each later one (about 400 bytes each), and in each
#: trail chunk (about 2-10 kB each).
INDEX_FIRST = 500
INDEX_CHUNK = 5_000
TRAIL_CHUNK = 250
#: Up to this many references the index also holds each abstract's words, so that the search
#: box finds words of the abstract too (a few hundred bytes a reference); above, the index stays
#: short and the search covers ids, title, authors, journal and DOI.
ABSTRACT_SEARCH_LIMIT = 50_000
_ABSTRACT_WORDS = 800  # characters of distinct abstract words kept per reference
#: The columns of a trail's record table, and the fields of a record row they show.
RECORD_COLUMNS = ("record", "search", "file:line", "format", "linked by", "score")


def _table(rows: list[dict], skip: Iterable[str] = ("reference_id",)) -> dict:
    """Rows as ``{"columns": [...], "rows": [[...]]}`` (half the size of a list of objects)."""
    if not rows:
        return {"columns": [], "rows": []}
    columns = [c for c in rows[0] if c not in skip]
    return {"columns": columns, "rows": [[_text(row.get(c)) for c in columns] for row in rows]}


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def abstract_words(text: str) -> str:
    """The distinct words of an abstract, lower case, in first-seen order, cut to a bound."""
    words = dict.fromkeys(w for w in text.lower().split() if len(w) > 2)
    return " ".join(words)[:_ABSTRACT_WORDS]


def index_row(
    trail: Trail, filters: dict[str, list[str]], status: str, *, abstracts: bool = False
) -> list:
    """One reference in the index: what the list shows and what search and filters match
    (``filters``: each filter's values for it; ``status``: where it stands; with
    ``abstracts``, last, the words of its abstract)."""
    row = [
        trail.reference_id,
        trail.title,
        trail.authors,
        trail.year,
        trail.journal,
        trail.doi,
        status,
        " ".join(r["record_id"] for r in trail.records),
        {key: "|".join(values) for key, values in filters.items() if values},
    ]
    return row + [abstract_words(trail.abstract)] if abstracts else row


def trail_data(trail: Trail) -> dict:
    """One reference's whole trail, as its chunk holds it."""
    records = [
        [
            _text(r.get("record_id")),
            _text(r.get("search_id")),
            f"{_text(r.get('source_file'))}:{_text(r.get('source_line'))}",
            _text(r.get("format")),
            _text(r.get("rule")) or "representative",
            _text(r.get("score")),
        ]
        for r in trail.records
    ]
    return {
        "records": {"columns": list(RECORD_COLUMNS), "rows": records},
        "evidence": _table(trail.evidence),
        "status": _table(trail.status),
        "decisions": _table(trail.decisions),
        "codes": _table(trail.codes),
        "abstract": trail.abstract,
    }


def _script(callback: str, *numbers: int, data) -> str:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{callback}({','.join(str(n) for n in numbers)},{body});\n"


def write_chunks(
    entries: Iterable[tuple[Trail, dict[str, list[str]], str]],
    folder: Path,
    *,
    abstracts: bool = False,
) -> tuple[int, int]:
    """Write the index and trail chunks into ``folder``; returns how many references and how
    many index chunks.

    ``entries``: each reference's trail, filter values and status (see :func:`index_row`); it
    may be a generator: only one trail chunk and one index chunk are held at a time.
    Chunks left from an earlier, larger run are removed so the folder holds this run only.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.js"):
        old.unlink()
    index: list[list] = []
    trails: list[dict] = []
    count = index_chunks = 0

    def flush_trails() -> None:
        number = (count - 1) // TRAIL_CHUNK
        path = folder / f"trail-{number:04d}.js"
        path.write_text(_script("slrflowTrails", number, data=trails), "utf-8")
        trails.clear()

    def flush_index() -> None:
        nonlocal index_chunks
        path = folder / f"index-{index_chunks:04d}.js"
        start = count - len(index)
        path.write_text(_script("slrflowIndex", index_chunks, start, data=index), "utf-8")
        index_chunks += 1
        index.clear()

    for trail, filters, status in entries:
        index.append(index_row(trail, filters, status, abstracts=abstracts))
        trails.append(trail_data(trail))
        count += 1
        if len(trails) == TRAIL_CHUNK:
            flush_trails()
        if len(index) == (INDEX_FIRST if index_chunks == 0 else INDEX_CHUNK):
            flush_index()
    if trails:
        flush_trails()
    if index:
        flush_index()
    return count, index_chunks
