"""Workbooks (XLSX): the first sheet read as a table of records.

Columns are recognised, or mapped through the search log, exactly as for CSV tables (the logic
lives in :mod:`slrflow.ingest.csv`). ``Entry.line`` is the sheet's row number (header = row 1
when the header is the sheet's first row).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from slrflow.ingest.csv import entries_from_rows
from slrflow.ingest.source import IngestError, Source
from slrflow.records import Entry


def cell_text(value: object) -> str:
    """A cell as the text a person sees: ``2019.0`` -> ``"2019"``, dates as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Records of the first sheet of an XLSX workbook."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise IngestError(
            source.name,
            None,
            f"not a readable XLSX workbook ({exc}); save it again as .xlsx or export as CSV",
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = (
            (number, [cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        yield from entries_from_rows(source, rows, mapping=mapping, delimited=False)
    finally:
        workbook.close()
