"""PubMed MEDLINE exports (``.txt``, ``.nbib``, ``.medline``).

Each record starts with ``PMID- ``; a tag is up to four characters padded to four, then
``- `` (``AU  - ``, ``STAT- ``); continuation lines are indented six spaces; records are
separated by blank lines, and a tag after a blank line starts a new record even when its
``PMID`` line was lost. There is no end tag, so a truncated file is recognised by its last
record lacking ``SO`` (the source line PubMed writes last in every record).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from slrflow.ingest.fields import first, split_standard_numbers, values
from slrflow.ingest.source import Source
from slrflow.records import Entry

_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Yield one :class:`Entry` per record, ``line`` being its ``PMID-`` line."""
    start = 0
    tags: dict[str, list[str]] = {}
    last = ""
    gap = False  # a blank line since the last tag: PubMed puts them only between records

    def finish() -> Entry:
        if "SO" not in tags:
            source.warn(
                start,
                "record has no SO (source) line, which PubMed writes last in every record: "
                "it may be cut short (truncated file?); kept with the fields read",
            )
        original = {t: v[0] if len(v) == 1 else v for t, v in tags.items()}
        return Entry(line=start, fields=entry_fields(tags), original=original)

    for number, raw in enumerate(source.iter_lines(), 1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line:
            last, gap = "", True
            continue
        if line[0] == " ":
            if start and last:
                tags[last][-1] = f"{tags[last][-1]} {line.strip()}".strip()
            else:
                source.warn(number, f"continuation line outside any record ignored: {line[:80]!r}")
            continue
        match = _TAG.match(line)
        if not match or len(line) < 5 or line[4] != "-":
            if start and last:
                source.warn(
                    number,
                    f"line is neither a tag nor an indented continuation: {line[:60]!r}; read as "
                    f"a continuation of {last}",
                    field=last,
                )
                tags[last][-1] = f"{tags[last][-1]} {line}".strip()
            else:
                source.warn(number, f"text outside any record ignored: {line[:80]!r}")
            continue
        tag, value = match.group(1), match.group(2).strip()
        if start and (tag == "PMID" or gap):
            yield finish()
            start, tags = 0, {}
        if not start:
            if tag != "PMID":
                source.warn(
                    number,
                    f"record starts with {tag}, not PMID: its PMID line may be missing; read as "
                    "a record of its own",
                )
            start = number
        gap = False
        tags.setdefault(tag, []).append(value)
        last = tag
    if start:
        yield finish()


def _with_label(tags: dict[str, list[str]], names: tuple[str, ...], label: str) -> str:
    for value in values(tags, *names):
        if value.endswith(f"[{label}]"):
            return value[: -len(label) - 2].strip()
    return ""


def entry_fields(tags: dict[str, list[str]]) -> dict[str, object]:
    """Record fields from MEDLINE tags.

    - title ``TI``, else ``BTI`` (book), else ``TT`` (title in the original language);
    - authors ``FAU`` (full names), else ``AU``; else ``CN`` (collective name);
    - year ``DP`` (``2021 Apr 21``), else ``DEP``; journal ``JT``, abbreviation ``TA``;
    - volume ``VI``, issue ``IP``, pages ``PG`` (``221-8``, expanded later);
    - doi: the ``LID``/``AID`` value marked ``[doi]``; pmid ``PMID``;
    - issn/isbn ``IS`` (``1660-4601 (Electronic)``) and ``ISBN``;
    - abstract ``AB``; keywords ``MH`` (MeSH) and ``OT`` (other terms);
    - doc_type ``PT`` (all of them, ``; ``-joined); language ``LA``; publisher ``PB``.
    """
    issns, isbns = split_standard_numbers(values(tags, "IS"))
    pmid = first(tags, "PMID")
    return {
        "title": first(tags, "TI", "BTI", "TT"),
        "authors": values(tags, "FAU") or values(tags, "AU") or values(tags, "CN"),
        "year": first(tags, "DP", "DEP"),
        "journal": first(tags, "JT"),
        "journal_abbrev": first(tags, "TA"),
        "volume": first(tags, "VI"),
        "issue": first(tags, "IP"),
        "pages": first(tags, "PG"),
        "doi": _with_label(tags, ("LID", "AID"), "doi"),
        "pmid": pmid,
        "issn": issns,
        "isbn": isbns + values(tags, "ISBN"),
        "abstract": first(tags, "AB"),
        "keywords": values(tags, "MH", "OT"),
        "doc_type": "; ".join(values(tags, "PT")),
        "language": first(tags, "LA"),
        "publisher": first(tags, "PB"),
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
    }
