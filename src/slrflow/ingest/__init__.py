"""Read search exports into normalised records.

Mirrors :mod:`json`: :func:`load` reads one export file and returns its records, with the
warnings met on the way. The format is detected from the content (:mod:`.sniff`), never from the
file name, because exports are often saved under the wrong extension.

One reader module per format; each has ``read(source, *, mapping=None) -> Iterator[Entry]``:

=============== ===================================================================
``ris``         RIS from Scopus, EBSCO, Ovid, WoS, PubMed, Lens, Dimensions, IEEE, EndNote
``wos``         Web of Science plain-text tagged (``FN``/``PT``/``ER``), Zoological Record
``wos_tab``     Web of Science tab-delimited (UTF-8 or UTF-16)
``medline``     PubMed MEDLINE / ``.nbib``
``proquest``    ProQuest plain text
``bibtex``      BibTeX (Scopus, WoS, Google Scholar)
``csv``         CSV from Scopus, Lens, PubMed, Publish or Perish, IEEE, Springer, or any CSV/TSV
                with a column mapping
``xlsx``        a workbook's first sheet, with a column mapping
``endnote_xml`` EndNote XML (``<xml><records>``, also the upper-case ``<RECORDS>`` variant)
=============== ===================================================================
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slrflow.errors import InputError
from slrflow.ingest.sniff import FORMATS, detect_format
from slrflow.ingest.source import IngestError, Source, Warning_
from slrflow.records import RecordIds, normalise

__all__ = [
    "FORMATS",
    "Export",
    "IngestError",
    "IngestResult",
    "Warning_",
    "detect_format",
    "load",
    "loads",
    "open_export",
]


@dataclass
class IngestResult:
    """What one export gave: its records (rows of the record table) and what went wrong."""

    file: str
    format: str
    sha256: str
    encoding: str
    records: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)


def _reader(fmt: str):
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    return importlib.import_module(f"slrflow.ingest.{fmt}").read


class Export:
    """One export file being read: its format is known at once, its records come as they are
    read (:meth:`records`), and its count, encoding and warnings are complete once they have
    all come. Nothing holds all of a large export's records."""

    def __init__(
        self, source: Source, *, search_id: str, fmt: str | None, mapping: dict[str, str] | None
    ):
        self.source, self.search_id, self.mapping = source, search_id, mapping
        self.forced = fmt
        self.format = fmt or detect_format(source)
        self.file = source.name
        self.count = 0

    @property
    def sha256(self) -> str:
        return self.source.sha256

    @property
    def encoding(self) -> str:
        return self.source.encoding

    @property
    def warnings(self) -> list[Warning_]:
        return list(self.source.warnings)

    def records(self) -> Iterator[dict[str, Any]]:
        """The rows of the record table, in file order, each with its ``record_id``."""
        source, fmt = self.source, self.format
        ids = RecordIds()
        # Entries are normalised as the reader yields them, so only one is held at a time; the
        # cyclic garbage collector is paused meanwhile (it would rescan the rows a caller keeps,
        # which hold no cycles, over and over: about 15% of the time for 100,000 records).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for entry in _reader(fmt)(source, mapping=self.mapping):
                row = normalise(entry, search_id=self.search_id, source_file=source.name, fmt=fmt)
                if not row["title"]:
                    source.warn(
                        entry.line,
                        "record has no title; kept, identified by its other fields",
                        field="title",
                    )
                if row["year"] is None and any(c.isdigit() for c in str(entry.fields.get("year"))):
                    source.warn(
                        entry.line,
                        f"year {str(entry.fields['year'])[:40]!r} holds no year from 1500 to "
                        "2099; left empty",
                        field="year",
                    )
                ids.assign(row)
                self.count += 1
                yield row
        finally:
            if gc_was_enabled:
                gc.enable()
        if not self.count and self.forced:
            try:
                detected = detect_format(source)
            except IngestError:
                detected = None
            if detected and detected != self.forced:
                raise IngestError(
                    source.name,
                    None,
                    f"read as {self.forced} (the format given for it) this file has no records, "
                    f"but its content looks like {detected}: correct the search log's format "
                    "column, or leave it empty so that the format is detected",
                    field="format",
                )
        if not self.count:
            source.warn(None, f"no records found in this {fmt} file")


def _read_source(
    source: Source, *, search_id: str, fmt: str | None, mapping: dict[str, str] | None
) -> IngestResult:
    return _read_whole(Export(source, search_id=search_id, fmt=fmt, mapping=mapping))


def _read_whole(export: Export) -> IngestResult:
    rows = list(export.records())  # first: the encoding and warnings are complete after it
    return IngestResult(
        file=export.file,
        format=export.format,
        sha256=export.sha256,
        encoding=export.encoding,
        records=rows,
        warnings=export.warnings,
    )


def open_export(
    path: str | Path,
    *,
    search_id: str | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    name: str | None = None,
) -> Export:
    """Like :func:`load`, with the records read as they are asked for (:meth:`Export.records`)
    instead of all at once: for exports too large to hold."""
    path = Path(path)
    source = Source.from_path(path, name=name)
    return Export(source, search_id=search_id or path.stem, fmt=fmt, mapping=mapping)


def load(
    path: str | Path,
    *,
    search_id: str | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    name: str | None = None,
) -> IngestResult:
    """Read one export file.

    ``search_id`` names the search the file belongs to (default: the file's stem); ``fmt``
    forces a format instead of detecting it; ``mapping`` maps record fields to column names
    for CSV/XLSX files whose columns are not recognised; ``name`` is how messages refer to the
    file (default: the path as given). Raises :class:`IngestError` for a file that cannot be
    read at all; anything less is a warning in the result.
    """
    return _read_whole(open_export(path, search_id=search_id, fmt=fmt, mapping=mapping, name=name))


def loads(
    data: bytes | str,
    *,
    name: str = "<string>",
    search_id: str = "input",
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
) -> IngestResult:
    """Like :func:`load`, for an export already in memory."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return _read_source(Source(name, raw), search_id=search_id, fmt=fmt, mapping=mapping)
