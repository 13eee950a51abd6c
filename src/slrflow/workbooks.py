"""Reading workbooks (.xlsx): every sheet whole, whatever its header claims, within the limits.

openpyxl's read-only mode trusts the ``<dimension>`` a sheet declares: a coding sheet declaring
``A1:H27`` while holding 545 rows gives 27 of them, and a 5 KB sheet declaring
``A1:XFD1048576`` gives 17 billion empty cells. Here each sheet's declared size is dropped
(``reset_dimensions``) so rows come as its XML holds them, one at a time; the archive is checked
first (:func:`slrflow.limits.check_workbook_archive`) and the rows as they come
(:data:`~slrflow.limits.MAX_COLUMNS`, :data:`~slrflow.limits.MAX_CELLS`). A file that is not a
workbook at all (a CSV renamed ``.xlsx``) gets a message, not a trace.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from slrflow import limits
from slrflow.errors import InputError

#: Rows a worksheet can have (Excel's grid); a row numbered past it is not a real sheet.
MAX_ROWS = 1_048_576

# What openpyxl raises on a damaged archive or XML; turned into one clear message.
_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    OSError,
    ParseError,
    SyntaxError,
)


class WorkbookError(InputError):
    """A workbook that cannot be read; the message names the file and what to do."""

    def __init__(self, file: str, message: str):
        super().__init__(message, file=file)
        self.message = message


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


def open_workbook(
    source: str | Path | bytes, *, name: str | None = None, data_only: bool = True
) -> Workbook:
    """A read-only workbook from a path or the file's bytes, after the archive checks.

    ``data_only=False`` gives formulas as their text instead of their cached values.
    """
    if isinstance(source, bytes):
        name = name or "<workbook>"
        handle: io.BytesIO | Path = io.BytesIO(source)
    else:
        name = name or str(source)
        handle = Path(source)
        limits.check_file_size(handle, limit=limits.MAX_SHEET_BYTES, name=name)
    try:
        with zipfile.ZipFile(handle) as archive:
            limits.check_workbook_archive(archive, name=name)
        if isinstance(handle, io.BytesIO):
            handle.seek(0)
        return load_workbook(handle, read_only=True, data_only=data_only)
    except limits.LimitError:
        raise
    except zipfile.BadZipFile as exc:
        raise WorkbookError(
            name,
            f"not an .xlsx workbook ({exc}: a text or CSV file named .xlsx, or a damaged "
            "download?); save it again as an Excel workbook (.xlsx), or name a CSV file .csv",
        ) from exc
    except _BROKEN as exc:
        raise WorkbookError(
            name, f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from exc


def sheet_rows(sheet, *, name: str) -> Iterator[tuple[int, tuple]]:  # noqa: ANN001 - openpyxl
    """``(row number, cell values)`` of every row of a read-only worksheet, as its XML holds
    them (the declared dimension ignored); trailing empty cells dropped, empty rows as ``()``.

    Raises :class:`~slrflow.limits.LimitError` for a row reaching past
    :data:`~slrflow.limits.MAX_COLUMNS` with a value, or a sheet spanning more than
    :data:`~slrflow.limits.MAX_CELLS` cells, and :class:`WorkbookError` for damaged XML.
    """
    where = f"{name} (sheet {sheet.title!r})"
    sheet.reset_dimensions()
    spanned = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                raise limits.LimitError(
                    where, f"rows past the {MAX_ROWS:,} a worksheet can have", row=number
                )
            width = len(values)
            spanned += width or 1
            if spanned > limits.MAX_CELLS:
                raise limits.LimitError(
                    where,
                    f"the sheet spans more than {limits.MAX_CELLS:,} cells; delete what lies "
                    "outside the table, or export it as CSV",
                    row=number,
                )
            while width and values[width - 1] is None:
                width -= 1
            if width > limits.MAX_COLUMNS:
                raise limits.too_many_columns(where, width, row=number)
            yield number, values[:width]
    except limits.LimitError:
        raise
    except _BROKEN as exc:
        raise WorkbookError(
            where, f"cannot be read as an .xlsx worksheet ({type(exc).__name__}: {exc})"
        ) from exc


def sheet_table(sheet, *, name: str) -> list[list[str]]:  # noqa: ANN001 - openpyxl
    """A worksheet as rows of text (:func:`cell_text`), row 1 first, trailing empty rows
    dropped; empty rows inside the table kept as ``[]`` so that list index + 1 is the row."""
    rows: list[list[str]] = []
    for number, values in sheet_rows(sheet, name=name):
        while len(rows) < number - 1:
            rows.append([])
        rows.append([cell_text(v) for v in values])
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return rows
