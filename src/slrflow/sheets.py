"""Sheets a person fills in (search log, decision files, coding sheets): reading and validation.

Every sheet has a JSON schema in ``slrflow/schemas`` (the workflow's ``workflow/schemas``).
:func:`read_sheet` reads CSV or XLSX into strings, :func:`validate_rows` checks each row against
the schema and raises :class:`SheetError` listing every problem as ``file, row N, field: what is
wrong and what was expected`` so that a researcher can fix the sheet without reading a trace.
:func:`validate_cells` does the same check value by value, for long sheets whose rules are per
field (decision files). :func:`is_sheet_file` tells a sheet from the lock files beside it.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from slrflow import limits
from slrflow.errors import ProblemsError

#: Suffixes of the files read as sheets.
SHEET_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")


def is_lock_file(path: Path) -> bool:
    """A lock, backup or hidden file a spreadsheet program or editor leaves beside the files a
    person works on (``~$name.xlsx``, ``.~lock.name#``, ``#name#``): never an input."""
    return path.name.startswith(("~$", ".", "#"))


def is_sheet_file(path: Path) -> bool:
    """A sheet by its suffix, and not a lock file (:func:`is_lock_file`)."""
    return path.suffix.lower() in SHEET_SUFFIXES and not is_lock_file(path)


#: Spreadsheet formats a person may save a sheet in that are not read (.ods, old .xls...):
#: such a file is reported, never passed over unseen.
UNREAD_SUFFIXES = (".ods", ".fods", ".xls", ".xlsb", ".numbers")


def unread_format(path: Path) -> str | None:
    """For a spreadsheet saved in a format that is not read, what to do about it; else None."""
    if path.suffix.lower() in UNREAD_SUFFIXES and not is_lock_file(path):
        return (
            f"saved as {path.suffix.lower()}, which is not read: save it as an Excel workbook "
            "(.xlsx) or as CSV (.csv)"
        )
    return None


class SheetError(ProblemsError):
    """A sheet that does not validate; ``problems`` holds one message per bad cell."""

    def __init__(self, file: str, problems: list[str]):
        super().__init__(file, problems, limit=50, file=file)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON schema ``name`` (e.g. ``"search_log"``) shipped with the package."""
    text = resources.files("slrflow").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


#: The message for a file with nothing in it (0 bytes, or only spaces and line ends).
EMPTY = "the file is empty: a sheet needs a header row, then one row per entry"


def _decode(data: bytes) -> str:
    """A sheet's text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252, as
    Excel saves "CSV" in Western Europe."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(header: str, suffix: str) -> str:
    """Tab for .tsv or a tab-separated header; ``;`` when the header has more of them than
    commas (Excel in Dutch, German, French... saves CSV with ``;``); else ``,``."""
    if suffix in {".tsv", ".tab"} or "\t" in header:
        return "\t"
    return ";" if header.count(";") > header.count(",") else ","


def _csv_frame(path: Path) -> pd.DataFrame:
    text = _decode(path.read_bytes()).replace("\r\n", "\n").lstrip("\n")
    first = text.split("\n", 1)[0]
    if re.fullmatch(r"sep=.", first.strip()):  # Excel's "sep=;" line names the delimiter
        delimiter, text = first.strip()[-1], text.split("\n", 1)[1] if "\n" in text else ""
        first = text.split("\n", 1)[0]
    else:
        delimiter = _delimiter(first, path.suffix.lower())
    if not text.strip():
        raise SheetError(str(path), [EMPTY])
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    if len(header) > limits.MAX_COLUMNS:
        raise limits.too_many_columns(str(path), len(header), row=1)
    return pd.read_csv(
        io.StringIO(text), dtype=str, keep_default_na=False, sep=delimiter, engine="c"
    )


def _workbook_frame(path: Path, sheet: str | int) -> pd.DataFrame:
    from slrflow.workbooks import open_workbook, sheet_table  # openpyxl: only for workbooks

    workbook = open_workbook(path)
    try:
        if isinstance(sheet, int):
            if sheet >= len(workbook.worksheets):
                raise SheetError(str(path), [f"has no sheet number {sheet + 1}"])
            worksheet = workbook.worksheets[sheet]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise SheetError(str(path), [f"has no sheet named {sheet!r}"])
        rows = sheet_table(worksheet, name=str(path))
    finally:
        workbook.close()
    if not rows or not any(c.strip() for c in rows[0]):
        raise SheetError(str(path), ["row 1 is empty: the sheet needs its header row there"])
    # Cells right of the header (a note typed beside the table) get a column, as pandas names it.
    width = max(len(row) for row in rows)
    header: list[str] = []
    for number, cell in enumerate(rows[0] + [""] * (width - len(rows[0]))):
        name = cell.strip() or f"Unnamed: {number}"
        base, count = name, 1
        while name in header:  # at most MAX_COLUMNS names, so this stays small
            name, count = f"{base}.{count}", count + 1
        header.append(name)
    body = [row + [""] * (width - len(row)) for row in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=str)


def read_sheet(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """A CSV/TSV or XLSX sheet as strings (empty cells as ``""``), header names stripped.

    Row numbers in messages count the header as row 1, as a spreadsheet program shows them.
    A workbook is read whole, whatever size it declares; CSV may be UTF-8 or Windows-1252 and
    separated by commas, semicolons or tabs. Files past :mod:`slrflow.limits` are refused.
    """
    path = Path(path)
    if not path.exists():
        raise SheetError(str(path), ["file not found"])
    if path.is_dir():
        raise SheetError(str(path), ["is a folder, not a sheet"])
    limits.check_file_size(path, limit=limits.MAX_SHEET_BYTES)
    if path.stat().st_size == 0:
        raise SheetError(str(path), [EMPTY])
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            frame = _workbook_frame(path, sheet)
        else:
            frame = _csv_frame(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, csv.Error) as exc:
        if isinstance(exc, SheetError | limits.LimitError):
            raise
        from slrflow.workbooks import WorkbookError

        if isinstance(exc, WorkbookError):
            raise SheetError(str(path), [exc.message]) from exc
        raise SheetError(str(path), [f"cannot be read as a table: {exc}"]) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v)


def _describe(error: Any) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("description", "")
    if error.validator == "enum":
        expected = ", ".join(repr(v) for v in error.validator_value)
        msg = f"{error.instance!r} is not one of {expected}"
    elif error.validator == "pattern":
        msg = f"{error.instance!r} is not in the expected form"
    elif error.validator == "required":
        msg = error.message.replace("is a required property", "is missing")
    elif error.validator == "minLength" and error.instance == "":
        msg = "is empty"
    else:
        msg = error.message
    return f"{msg} ({hint})" if hint else msg


def validate_rows(
    frame: pd.DataFrame, schema_name: str, *, file: str, rows: list[int] | None = None
) -> None:
    """Check the sheet's columns and every row against the schema; raise :class:`SheetError`.

    Empty cells are left out of the row before validation, so ``required`` catches them.
    ``rows``: the sheet row number of each row of ``frame`` when it holds only some of the
    sheet's rows (default: the header is row 1 and every row follows it).
    """
    schema = load_schema(schema_name)
    problems = []
    required = schema.get("required", [])
    missing = [c for c in required if c not in frame.columns]
    if missing:
        known = ", ".join(schema.get("properties", {}))
        problems.append(
            f"missing column(s) {', '.join(missing)}; found {', '.join(frame.columns)}. "
            f"The sheet's columns are: {known}"
        )
        raise SheetError(file, problems)
    import jsonschema  # imported when a sheet is checked: commands that check none start quicker

    validator = jsonschema.Draft202012Validator(schema)
    numbers = rows if rows is not None else range(2, len(frame) + 2)
    for number, row in zip(numbers, frame.to_dict(orient="records"), strict=True):
        data = {k: v for k, v in row.items() if v not in ("", None)}
        for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
            field = error.path[0] if error.path else None
            where = f"row {number}" + (f", field {field}" if field else "")
            problems.append(f"{where}: {_describe(error)}")
    if problems:
        raise SheetError(file, problems)


def validate_cells(frame: pd.DataFrame, schema_name: str, *, file: str) -> None:
    """:func:`validate_rows` for a schema whose rules are per field (no required fields, no
    rules across fields): each distinct value is checked once, so a sheet of 100,000 rows
    takes a moment, not minutes. Empty cells are not checked."""
    import jsonschema

    properties = load_schema(schema_name)["properties"]
    problems = []
    for column in frame.columns:
        if column not in properties:
            continue
        validator = jsonschema.Draft202012Validator(properties[column])
        bad = {}
        for value in frame[column].unique():
            if value in ("", None):
                continue
            error = next(iter(validator.iter_errors(value)), None)
            if error is not None:
                bad[value] = _describe(error)
        if bad:
            for i, value in enumerate(frame[column]):
                if value in bad:
                    problems.append((i + 2, f"row {i + 2}, field {column}: {bad[value]}"))
    if problems:
        raise SheetError(file, [text for _, text in sorted(problems, key=lambda p: p[0])])
