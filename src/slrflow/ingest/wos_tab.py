"""Web of Science tab-delimited exports ("Tab-delimited (Win, UTF-8)" and the UTF-16 one).

The first row holds the WoS field tags (``PT``, ``AU``, ``TI``...); each further row is one
record, with multi-valued fields (``AU``, ``CR``...) joined by ``"; "``. Fields are never
quoted, so the file is split on tabs only (a ``"`` in a title is just a character).

``Entry.line`` is the data row number counted as in a spreadsheet: the header is row 1, so the
first record is row 2. Every record is one line, so this is also its line in the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from slrflow.ingest.source import IngestError, Source
from slrflow.ingest.wos import entry_fields
from slrflow.records import Entry


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Yield one :class:`Entry` per data row, ``line`` being its row (header = row 1)."""
    lines = source.lines
    header_row = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_row is None:
        return
    header = [name.strip().lstrip("\ufeff") for name in lines[header_row].split("\t")]
    while header and not header[-1]:
        header.pop()  # WoS ends every row with a tab
    if "TI" not in header:
        raise IngestError(
            source.name,
            header_row + 1,
            "Web of Science tab-delimited header has no TI (title) column; re-export with "
            "'Tab-delimited' and the full record selected",
        )
    for index in range(header_row + 1, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        row = index + 1
        cells = line.split("\t")
        extra = [c for c in cells[len(header) :] if c.strip()]
        if len(cells) < len(header) or extra:
            source.warn(
                row,
                f"row has {len(cells)} tab-separated cells, the header has {len(header)}: a "
                "tab or line break inside a field may have split or shifted it; check this record",
            )
        tags = {
            name: [cell.strip()]
            for name, cell in zip(header, cells, strict=False)
            if name and cell.strip()
        }
        original = {name: value[0] for name, value in tags.items()}
        yield Entry(line=row, fields=entry_fields(_split_lists(tags)), original=original)


def _split_lists(tags: dict[str, list[str]]) -> dict[str, list[str]]:
    """Authors come ``"; "``-joined in one cell; the WoS mapping expects one per item."""
    out = dict(tags)
    for name in ("AU", "AF", "BA", "BF", "BE", "CA", "GP"):
        if name in out:
            out[name] = [a.strip() for a in out[name][0].split(";") if a.strip()]
    return out
