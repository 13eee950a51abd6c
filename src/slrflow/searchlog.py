"""The PRISMA-S search log: one row per search, tying each export file to the search that made it.

Columns (see ``schemas/search_log.schema.json``): ``search_id``, ``source_type`` (database,
register, other), ``database``, ``platform``, ``date_searched``, ``query``, ``limits``,
``hits_reported``, ``file``, ``format``, ``mapping``, ``update``, ``notes``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from slrflow.sheets import SheetError, read_sheet, validate_rows


@dataclass(frozen=True)
class Search:
    """One row of the search log (columns as described above). ``hits_reported`` is the number
    of hits the database showed (None when not noted), ``source_type`` defaults to ``database``,
    ``update`` is the update round the search belongs to (0: the review's first searches) and
    ``row`` its row in the log (header = row 1)."""

    search_id: str
    database: str
    platform: str
    date_searched: str
    query: str
    limits: str
    hits_reported: int | None
    file: str
    format: str
    mapping: str
    source_type: str
    update: int
    row: int


def parse_mapping(text: str) -> dict[str, str]:
    """``"title=Article Title; abstract=Summary"`` -> ``{"title": "Article Title", ...}``."""
    mapping = {}
    for part in (text or "").split(";"):
        if part.strip():
            field, _, column = part.partition("=")
            mapping[field.strip()] = column.strip()
    return mapping


def read_search_log(path: str | Path, *, review: str | Path | None = None) -> list[Search]:
    """Read and validate the search log; check ids are unique, dates are real days and each
    export file exists inside the review folder (after following links).

    ``review`` is the folder export paths are relative to (default: the log's folder).
    """
    path = Path(path)
    review = Path(review) if review is not None else path.parent
    frame = read_sheet(path)
    validate_rows(frame, "search_log", file=str(path))
    if frame.empty:
        raise SheetError(
            str(path),
            ["has a header but no searches: add one row per search (its id, database, date, "
             "query and export file)"],
        )  # fmt: skip
    folder = review.resolve()
    problems = []
    searches = []
    seen: dict[str, int] = {}
    for index, row in enumerate(frame.to_dict(orient="records")):
        line = index + 2
        sid = row["search_id"]
        if sid in seen:
            problems.append(
                f"row {line}, field search_id: {sid!r} is used again (first on row {seen[sid]}); "
                "each search needs its own id"
            )
        seen.setdefault(sid, line)
        export = review / row["file"]
        try:
            dt.date.fromisoformat(row["date_searched"])
        except ValueError:
            problems.append(
                f"row {line}, field date_searched: {row['date_searched']!r} is not a date of "
                "the calendar; write the day the search was run as YYYY-MM-DD"
            )
        try:
            inside = export.resolve().is_relative_to(folder)
        except (OSError, ValueError):  # a NUL byte, a loop of links
            inside = False
        if not inside:
            problems.append(
                f"row {line}, field file: {row['file']!r} leads outside the review folder "
                f"({folder}); put the export inside it, e.g. in exports/, and name it from there"
            )
        elif not export.is_file():
            problems.append(
                f"row {line}, field file: export {row['file']!r} not found in {review}; "
                "put the export there or correct the path"
            )
        hits = row.get("hits_reported", "")
        searches.append(
            Search(
                search_id=sid,
                database=row["database"],
                platform=row.get("platform", ""),
                date_searched=row["date_searched"],
                query=row["query"],
                limits=row.get("limits", ""),
                hits_reported=int(hits) if hits else None,
                file=row["file"],
                format=row.get("format", ""),
                mapping=row.get("mapping", ""),
                source_type=row.get("source_type", "") or "database",
                update=int(row.get("update", "") or 0),
                row=line,
            )
        )
    if problems:
        raise SheetError(str(path), problems)
    return searches
