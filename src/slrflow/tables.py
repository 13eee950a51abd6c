"""Writing and reading the workflow's CSV tables, safely and byte-stably.

Text from exports is untrusted: a title that starts with ``=`` would run as a formula when a
reviewer opens the CSV in a spreadsheet. :func:`write_csv` prefixes such cells with ``'`` (the
spreadsheet convention for "this is text") and :func:`read_csv` removes exactly that prefix
again, so tables pass between stages unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``"=cmd()"`` -> ``"'=cmd()"``; anything not starting a formula is returned as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """Undo :func:`neutralise`."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def write_csv(frame: pd.DataFrame, path: str | Path, *, append: bool = False) -> None:
    """Write ``frame`` as UTF-8 CSV with ``\\n`` line ends, no index, formula cells neutralised.

    ``append``: add the rows to the end of ``path`` without a header (a table written a part at
    a time is byte for byte the table written at once).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            # only the cells that start a formula are mapped (most columns hold none)
            try:
                risky = values.str[:1].isin(_FORMULA_START).to_numpy()
            except AttributeError:  # no text in the column at all
                continue
            if risky.any():
                cells = values.to_numpy(dtype=object, copy=True)
                cells[risky] = [neutralise(v) for v in cells[risky]]
                safe[column] = pd.Series(cells, index=values.index, dtype=values.dtype)
    safe.to_csv(
        path,
        index=False,
        header=not append,
        mode="a" if append else "w",
        lineterminator="\n",
        encoding="utf-8",
    )


def _restored(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        # Only columns holding a neutralised cell are mapped (most hold none). Whether one
        # might is told by one search through the column's cells joined (a cell that merely
        # holds a NUL before a quote costs only the exact pass).
        values = frame[column]
        text = values.dtype == object or pd.api.types.is_string_dtype(values)
        if not text or "\0'" not in "\0" + "\0".join(values):
            continue
        frame[column] = values.map(restore)
    return frame


def read_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a table written by :func:`write_csv`: text cells as ``str``, empty as ``""``.

    ``usecols`` (a list or a test of the column name) reads only the columns a stage needs:
    the record table's ``original`` column alone is a third of its size.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", **kwargs)
    except pd.errors.EmptyDataError:  # what write_csv makes of a table without columns
        return pd.DataFrame()
    return _restored(frame)


def read_csv_chunks(path: str | Path, rows: int = 50_000, **kwargs: Any) -> Iterator[pd.DataFrame]:
    """:func:`read_csv` a part of ``rows`` rows at a time, for tables too large to hold whole."""
    with pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding="utf-8", chunksize=rows, **kwargs
    ) as reader:
        for frame in reader:
            yield _restored(frame)


def read_optional_csv(path: str | Path | None, **kwargs: Any) -> pd.DataFrame | None:
    """:func:`read_csv` of an optional input: None when no path is given."""
    return read_csv(path, **kwargs) if path else None


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict(orient="records")``, eight times faster on text columns (which pandas
    otherwise boxes one cell at a time): for tables of a row per record or reference."""
    columns = [str(c) for c in frame.columns]
    values = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


class RowsById(Mapping):
    """A table's rows as dicts by an id column, each dict made when it is asked for: a sheet or a
    workbook shows a few thousand of a review's references, and a dict for each of a million
    would take gigabytes.

    ``key``: the id column (a later row with the same id wins). ``aliases``: a column of
    ``;``-separated other ids of the row (a reference's record ids), each naming the first row
    that holds it unless it is some row's own id. ``text``: cells as text, empty for a missing
    value (as ``frame.fillna("").astype(str)`` would give).
    """

    def __init__(
        self, frame: pd.DataFrame, *, key: str, aliases: str | None = None, text: bool = False
    ) -> None:
        self._columns = [str(c) for c in frame.columns]
        self._values = [frame[c].to_numpy(dtype=object) for c in frame.columns]
        self._text = text
        ids = self._cells(frame[key])
        position: dict[str, int] = {}
        if aliases is None or aliases not in frame:
            position = {rid: i for i, rid in enumerate(ids)}
        else:
            for i, (rid, others) in enumerate(zip(ids, self._cells(frame[aliases]), strict=True)):
                position[rid] = i
                for other in others.split(";"):
                    position.setdefault(other.strip(), i)
        self._position = position

    def _cells(self, column: pd.Series) -> list:
        values = column.tolist()
        return [_as_text(v) for v in values] if self._text else values

    def __getitem__(self, row_id: str) -> dict:
        i = self._position[row_id]
        cells = (v[i] for v in self._values)
        if self._text:
            cells = (_as_text(v) for v in cells)
        return dict(zip(self._columns, cells, strict=True))

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)


def _as_text(value: Any) -> str:
    return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else str(value)
