"""Limits on the size and shape of input files, set far above what any real export or sheet has.

A file past a limit is refused with :class:`LimitError` (naming the file, the row or line where
that is known, the limit and what to do) before it can take minutes or gigabytes: a workbook
that claims a cell at ``XFD1048576``, a zip bomb saved as ``.xlsx``, a CSV with 100,000 header
cells, an XML record nested 1,000 deep. Every check is linear in the file's size.

Why these numbers: database exports are capped at 2,000-100,000 records a file (Scopus 20,000,
Web of Science 1,000 in plain text, 100,000 in tab-delimited), their tables have at most about
80 columns, and EndNote XML nests about six elements deep. A million-record review of many such
files stays far inside every limit.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from slrflow.errors import InputError

#: Bytes of one export file (a million RIS records are about 2 GB).
MAX_EXPORT_BYTES = 4 * 2**30
#: Bytes of one sheet a person fills in (search log, decision, resolution, coding, inventory).
MAX_SHEET_BYTES = 512 * 2**20
#: Bytes of all members of an .xlsx workbook once uncompressed.
MAX_UNCOMPRESSED_BYTES = 2 * 2**30
#: How much smaller than its content a workbook member larger than
#: :data:`RATIO_CHECKED_FROM` may be compressed (real sheets: 5-30 times).
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM = 16 * 2**20
#: Members of a workbook's zip archive (a workbook of 1,000 sheets has about 2,000).
MAX_ZIP_MEMBERS = 10_000
#: Columns of a table (CSV, TSV, worksheet): header cells, and cells of any row.
MAX_COLUMNS = 2_000
#: Cells a worksheet spans (its rows times the columns each row reaches, empty ones included).
MAX_CELLS = 50_000_000
#: Elements open inside one another in an XML export.
MAX_XML_DEPTH = 100
#: Values in a settings file (config, criteria, codebook) with its aliases written out.
MAX_YAML_VALUES = 1_000_000


class LimitError(InputError):
    """A file past one of the limits above; the message names the file, where, the limit and
    what to do about it."""

    def __init__(self, file: str, message: str, *, row: int | None = None):
        super().__init__(message, file=file, row=row or None)
        self.message = f"row {row}: {message}" if row else message


def check_file_size(path: str | Path, *, limit: int, name: str | None = None) -> None:
    """Refuse a file larger than ``limit`` bytes before reading it."""
    size = Path(path).stat().st_size
    if size > limit:
        raise LimitError(
            name or str(path),
            f"{size:,} bytes, more than the {limit:,} a file may have; split it into smaller "
            "exports",
        )


def check_workbook_archive(archive: zipfile.ZipFile, *, name: str) -> None:
    """Refuse a workbook whose zip members would unpack to more than the limits allow.

    Python's zip reader never inflates a member past the size its directory declares, so the
    declared sizes bound what opening the workbook can cost.
    """
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise LimitError(
            name, f"{len(members):,} parts in the workbook, more than {MAX_ZIP_MEMBERS:,}"
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise LimitError(
                name,
                f"workbook part {member.filename} unpacks from {member.compress_size:,} to "
                f"{member.file_size:,} bytes, more than {MAX_COMPRESSION_RATIO} times: not a "
                "sheet a program saved (a zip bomb?); save the sheet again or export it as CSV",
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise LimitError(
            name,
            f"the workbook unpacks to {total:,} bytes, more than {MAX_UNCOMPRESSED_BYTES:,}; "
            "split it or export it as CSV",
        )


def column_letters(number: int) -> str:
    """``1`` -> ``A``, ``16384`` -> ``XFD``: a column as a spreadsheet names it."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def too_many_columns(file: str, count: int, *, row: int | None = None) -> LimitError:
    """The error for a row or header of ``count`` cells (> :data:`MAX_COLUMNS`)."""
    return LimitError(
        file,
        f"{count:,} columns (up to column {column_letters(count)}), more than the "
        f"{MAX_COLUMNS:,} a table may have; delete the empty columns right of the data",
        row=row,
    )
