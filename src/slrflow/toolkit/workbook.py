"""Writing the toolkit workbooks: readable, safe, and the same bytes for the same content.

A workbook is a list of :class:`Sheet` (a table plus how to show it). :func:`write` gives every
sheet a bold frozen header, an autofilter, wrapped text and widths fitted to the content; cells
that would start a formula (``=``, ``+``, ``-``, ``@``) are written as text with the ``'`` prefix
of :func:`slrflow.tables.neutralise`, as the CSV twins are, and the file is saved with
:func:`slrflow.xlsx.save`, so two runs give identical files. :func:`write_twins` writes each
sheet as a CSV beside the workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from slrflow import tables
from slrflow.xlsx import HEADER_FILL, HEADER_FONT, LINK_FONT, WRAP, cell_text, save

_MAX_WIDTH = 60
_MIN_WIDTH = 8


@dataclass
class Sheet:
    """One sheet: ``frame`` (its rows), ``links`` (column -> column holding the URL that the
    cell links to), fixed ``widths`` per column where the fitted width is not wanted, and
    ``csv`` (the file name of its CSV twin beside the workbook)."""

    name: str
    frame: pd.DataFrame
    links: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    csv: str = ""


def _fitted_width(header: str, values: pd.Series) -> float:
    longest = [len(header) + 2]
    for value in values:
        lines = str(value).splitlines() or [""]
        longest.append(max(len(line) for line in lines))
    longest.sort()
    # The 90th percentile, so one very long cell does not widen a whole column.
    typical = longest[int(0.9 * (len(longest) - 1))]
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, len(header) + 3, typical + 2)))


def build(sheets: list[Sheet], *, title: str = "") -> Workbook:
    """The openpyxl workbook of ``sheets`` (not yet saved)."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = title or None
    wb.properties.creator = "slrflow"
    for spec in sheets:
        ws = wb.create_sheet(spec.name[:31])
        frame = spec.frame
        shown = [c for c in frame.columns if c not in spec.links.values()]
        for col, header in enumerate(shown, start=1):
            cell = ws.cell(row=1, column=col, value=cell_text(str(header)))
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = WRAP
        for row_index, row in enumerate(frame.itertuples(index=False), start=2):
            values = dict(zip(frame.columns, row, strict=True))
            for col, header in enumerate(shown, start=1):
                value = values[header]
                if value is None or (isinstance(value, float) and pd.isna(value)):
                    value = ""
                cell = ws.cell(row=row_index, column=col, value=cell_text(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text looks like
                cell.alignment = WRAP
                url = values.get(spec.links.get(header, ""), "")
                if isinstance(url, str) and re.match(r"https?://", url):
                    cell.hyperlink = url
                    cell.font = LINK_FONT
        for col, header in enumerate(shown, start=1):
            width = spec.widths.get(header) or _fitted_width(str(header), frame[header])
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "A2"
        if shown:
            last = get_column_letter(len(shown))
            ws.auto_filter.ref = f"A1:{last}{max(1, len(frame) + 1)}"
    return wb


def write(sheets: list[Sheet], path: str | Path, *, title: str = "") -> None:
    """Write ``sheets`` as one workbook at ``path``."""
    save(build(sheets, title=title), path)


def twin_path(workbook: str | Path, sheet: Sheet) -> Path:
    """Where the CSV twin of ``sheet`` goes: beside the workbook."""
    workbook = Path(workbook)
    slug = re.sub(r"[^a-z0-9]+", "_", f"{workbook.stem} {sheet.name}".lower()).strip("_")
    return workbook.parent / (sheet.csv or f"{slug}.csv")


def write_twins(sheets: list[Sheet], workbook: str | Path) -> list[Path]:
    """Write each sheet as CSV beside ``workbook`` (link columns kept); return the paths."""
    paths = []
    for sheet in sheets:
        path = twin_path(workbook, sheet)
        tables.write_csv(sheet.frame.fillna("").astype(str), path)
        paths.append(path)
    return paths
