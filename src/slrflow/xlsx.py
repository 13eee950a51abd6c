"""Cells and saving for every workbook the workflow writes (screening, coding and toolkit sheets).

Text from exports is untrusted: :func:`cell_text` writes a cell that would start a formula
(``=``, ``+``, ``-``, ``@``) with the ``'`` prefix of :func:`slrflow.tables.neutralise`, as the
CSV files have it, and drops characters a worksheet cannot hold. openpyxl stamps the clock time
into ``docProps/core.xml`` and into every zip entry; :func:`save` fixes both, so the same
content gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from slrflow import tables

#: The date written as a workbook's created/modified time (content, not the clock, decides bytes).
FIXED_TIME = dt.datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zip's earliest date

# One look for every workbook: a bold header on light blue, links as a spreadsheet shows them,
# cells wrapped and aligned to the top so long abstracts read down the row.
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LINK_FONT = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")


def cell_text(value: object) -> object:
    """A value as it goes into a cell: formula starts neutralised, illegal characters removed."""
    if isinstance(value, str):
        return tables.neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry's time set to :data:`_ZIP_TIME`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def save(wb: Workbook, path: str | Path) -> None:
    """Save ``wb`` at ``path`` (folders made as needed) with fixed times, so that the same
    content gives the same bytes."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # closes the archive
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buffer.getvalue()))
