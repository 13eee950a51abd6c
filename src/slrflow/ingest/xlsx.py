"""Workbooks (XLSX): the first sheet read as a table of records.

Columns are recognised, or mapped through the search log, exactly as for CSV tables (the logic
lives in :mod:`slrflow.ingest.csv`). ``Entry.line`` is the sheet's row number (header = row 1
when the header is the sheet's first row). The sheet is read whole, whatever size it declares,
and within the limits of :mod:`slrflow.limits` (:mod:`slrflow.workbooks`).
"""

from __future__ import annotations

from collections.abc import Iterator

from slrflow.ingest.csv import entries_from_rows
from slrflow.ingest.source import IngestError, Source
from slrflow.records import Entry
from slrflow.workbooks import WorkbookError, cell_text, open_workbook, sheet_rows


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Records of the first sheet of an XLSX workbook."""
    try:
        workbook = open_workbook(source.read_bytes(), name=source.name)
    except WorkbookError as exc:
        raise IngestError(source.name, None, exc.message) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = (
            (number, [cell_text(v) for v in values])
            for number, values in sheet_rows(sheet, name=source.name)
        )
        yield from entries_from_rows(source, rows, mapping=mapping, delimited=False)
    finally:
        workbook.close()
