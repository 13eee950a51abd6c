"""Web of Science plain-text ("tagged") exports, including Zoological Record and other
databases exported from the Web of Science platform.

The layout: a header (``FN``, ``VR``), then records from ``PT`` to ``ER``, then ``EF``. Each
line starts with a two-character tag and a space; continuation lines start with three spaces.
For the tags in :data:`LIST_TAGS` every line is one item (one author, one address, one cited
reference); for the others continuation lines continue the same text.

Checks that make a damaged file visible rather than silently wrong: a record that never ends
(kept, truncated file), a file without ``EF`` (the export may be incomplete), lines that are
neither a tag nor a continuation, and a cited-reference count (``NR``) that disagrees with the
``CR`` lines, the mark of a lost or misplaced tag line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from slrflow.ingest.fields import first, values
from slrflow.ingest.source import Source
from slrflow.records import Entry

#: Tags whose lines are separate items rather than one wrapped text.
LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "BE", "CA", "GP", "CR", "C1", "C3"})

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_EMAIL_IN_NAME = re.compile(r"\s*\([^()]*@[^()]*\)")
#: ``PT`` codes, used as the document type when ``DT`` is missing.
_PUBLICATION_TYPES = {"J": "Journal", "B": "Book", "S": "Series", "P": "Patent"}


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Yield one :class:`Entry` per ``PT``...``ER`` record, ``line`` being its ``PT`` line."""
    start = 0
    tags: dict[str, list[str]] = {}
    tag_lines: dict[str, int] = {}
    last = ""
    ended = warned_after_end = False  # EF seen; text after it reported
    last_line = 0

    def finish() -> Entry:
        _check(source, start, tags, tag_lines)
        original = {t: v[0] if len(v) == 1 else v for t, v in tags.items()}
        return Entry(line=start, fields=entry_fields(tags), original=original)

    for number, raw in enumerate(source.iter_lines(), 1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line:
            continue
        last_line = number
        if ended and line[:3] in ("FN ", "VR ", "PT "):
            ended = False  # several exports joined into one file
        elif ended:
            if not warned_after_end:
                source.warn(number, f"text after the end-of-file line 'EF' ignored: {line[:80]!r}")
                warned_after_end = True
            continue
        if line[0] in " \t":
            if not start or not last:
                source.warn(number, f"continuation line outside any record ignored: {line[:80]!r}")
                continue
            text = line.strip()
            if last in LIST_TAGS:
                tags[last].append(text)
            else:
                tags[last][-1] = f"{tags[last][-1]} {text}".strip()
            continue
        match = _TAG.match(line)
        if not match:
            if start and last:
                source.warn(
                    number,
                    f"line is neither a tag nor an indented continuation: {line[:60]!r}; "
                    f"read as a continuation of {last}",
                    field=last,
                )
                tags[last][-1] = f"{tags[last][-1]} {line.strip()}".strip()
            else:
                source.warn(number, f"text outside any record ignored: {line[:80]!r}")
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "ER":
            if start:
                yield finish()
                start, tags, tag_lines, last = 0, {}, {}, ""
            else:
                source.warn(number, "'ER' with no record open (no 'PT' before it); ignored")
            continue
        if tag == "EF":
            if start:
                source.warn(start, "record not closed by 'ER' before 'EF'; kept as read")
                yield finish()
                start, tags, tag_lines, last = 0, {}, {}, ""
            ended = True
            continue
        if not start and tag in ("FN", "VR"):
            continue
        if tag == "PT" and start:
            source.warn(
                start,
                f"record has no end line 'ER' before the next record at line {number}; "
                "read up to there",
            )
            yield finish()
            start, tags, tag_lines, last = 0, {}, {}, ""
        if not start:
            if tag != "PT":
                source.warn(
                    number,
                    f"record starts with {tag}, not PT: the PT line may be missing; read as a "
                    "record",
                )
            start = number
        tags.setdefault(tag, []).append(value)
        tag_lines.setdefault(tag, number)
        last = tag
    if start:
        source.warn(
            start,
            "file ends inside this record (no 'ER'): the export may be truncated; record kept "
            "with the fields read",
        )
        yield finish()
    elif not ended and last_line:
        source.warn(
            last_line,
            "file does not end with 'EF' (end of file): the export may be incomplete; "
            "compare the record count with the hits reported",
        )


def _check(source: Source, start: int, tags: dict[str, list[str]], lines: dict[str, int]):
    """Warn about a record whose parts contradict each other."""
    if "CR" in tags and tags.get("NR"):
        expected = tags["NR"][0]
        if expected.isdigit() and int(expected) != len(tags["CR"]):
            source.warn(
                lines["CR"],
                f"record at line {start}: NR (line {lines['NR']}) says {expected} cited "
                f"references but CR lists {len(tags['CR'])}; a tag line may be missing or "
                "misplaced, so check the fields of this record",
                field="CR",
            )


def entry_fields(tags: dict[str, list[str]]) -> dict[str, object]:
    """Record fields from Web of Science tags (plain-text and tab-delimited exports alike).

    - title ``TI``; authors ``AF`` (full names), else ``AU``, else ``CA``/``GP`` (groups);
      e-mail addresses that Zoological Record puts after names are dropped.
    - year ``PY``, else ``EA`` (early access) or ``PD``.
    - journal ``SO``, abbreviation ``J9``/``JI``; volume ``VL``; issue ``IS``.
    - pages ``BP``-``EP``, else article number ``AR``, else ``PS`` (Zoological Record).
    - doi ``DI``; pmid ``PM``; issn ``SN`` and ``EI``; isbn ``BN``.
    - abstract ``AB``; keywords ``DE`` (author keywords) and ``ID`` (Keywords Plus).
    - doc_type ``DT``, else ``PT`` spelled out (``J`` -> ``Journal``); language ``LA``;
      publisher ``PU``.
    """
    authors = values(tags, "AF") or values(tags, "AU") or values(tags, "CA", "GP")
    authors = [_EMAIL_IN_NAME.sub("", a).strip() for a in authors]
    begin, end = first(tags, "BP"), first(tags, "EP")
    return {
        "title": first(tags, "TI"),
        "authors": authors,
        "year": first(tags, "PY", "EA", "PD"),
        "journal": first(tags, "SO"),
        "journal_abbrev": first(tags, "J9", "JI"),
        "volume": first(tags, "VL"),
        "issue": first(tags, "IS"),
        "start_page": begin if begin or end else first(tags, "AR", "PS"),
        "end_page": end,
        "doi": first(tags, "DI"),
        "pmid": first(tags, "PM"),
        "issn": values(tags, "SN", "EI"),
        "isbn": values(tags, "BN"),
        "abstract": first(tags, "AB"),
        "keywords": values(tags, "DE", "ID"),
        "doc_type": first(tags, "DT") or _PUBLICATION_TYPES.get(first(tags, "PT"), ""),
        "language": first(tags, "LA"),
        "publisher": first(tags, "PU"),
        "url": "",
    }
