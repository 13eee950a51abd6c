"""ProQuest plain-text exports ("Report Information from ProQuest").

The layout: a header and a table of contents, then one block per document, each opened by
``Document N of M`` and closed by a line of underscores. A block holds the title on its own
line, then ``Label: value`` fields separated by blank lines (``Author:``, ``Abstract:``,
``Publication year:``...), plus the document's bare web address after the authors. A value
may run over several lines (abstract paragraphs, full text). Exports made with a citation
style end with a ``Bibliography`` section that repeats the same documents as citations; it is
not read again.

``Entry.line`` is the line of ``Document N of M``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from slrflow.ingest.fields import find_pmid, first, split_standard_numbers, values
from slrflow.ingest.source import Source
from slrflow.records import Entry

_DOCUMENT = re.compile(r"^Document (\d+) of (\d+)\s*$")
_RULE = re.compile(r"^_{20,}\s*$")
_FIELD = re.compile(r"^([A-Z][A-Za-z0-9 /()&,.'-]{0,60}?):(?: (.*))?$")
#: Labels ProQuest uses; any other ``Label:`` line inside a long text is part of that text.
KNOWN_LABELS = frozenset(
    """Abstract|Accession number|Advisor|Author|Author affiliation|Classification|Committee member
    |Company / organization|Conference title|Copyright|Country of publication|Credit|Database
    |Degree|Degree date|Department|Dissertation/thesis number|Document URL|Document feature
    |Document type|DOI|e-ISSN|Editor|First page|Full text|Identifier / keyword|ISBN|ISSN|Issue
    |Language|Language of publication|Last updated|Links|Location|MeSH subject|Number of pages
    |Number of references|Pages|People|Place of publication|ProQuest document ID|Publication date
    |Publication history|Publication note|Publication subject|Publication title|Publication year
    |Publisher|PubMed ID|School code|Section|Source|Source type|Subject|Title|Update|Volume|Year
    |University location|University/institution""".replace("\n", "").split("|")
)
_LONG_TEXT = frozenset({"Abstract", "Full text", "Links"})


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Yield one :class:`Entry` per ``Document N of M`` block."""
    lines = source.lines
    starts = [(i, m) for i, line in enumerate(lines) if (m := _DOCUMENT.match(line.strip()))]
    stated = int(starts[0][1].group(2)) if starts else 0
    for k, (index, _match) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        yield _document(source, lines, index, stop)
    if stated and stated != len(starts):
        source.warn(
            starts[-1][0] + 1,
            f"the export says 'of {stated}' documents but {len(starts)} were found: "
            "it may be incomplete",
        )


def _document(source: Source, lines: list[str], index: int, stop: int) -> Entry:
    fields: dict[str, list[str]] = {}
    heading = ""
    label = ""
    blank_before = True
    for i in range(index + 1, stop):
        line = lines[i].strip()
        if _RULE.match(line) or line in ("Bibliography",):
            break  # end of this document's block
        if not line:
            blank_before = True
            continue
        match = _FIELD.match(line)
        name = match.group(1) if match else ""
        starts_field = match and (
            name in KNOWN_LABELS
            or (blank_before and label not in _LONG_TEXT and len(name.split()) <= 4)
        )
        if not heading and not label and name not in KNOWN_LABELS:
            heading = line  # the title line right after "Document N of M"
        elif starts_field:
            label = name
            fields.setdefault(label, []).append((match.group(2) or "").strip())
        elif re.match(r"https?://\S+$", line) and label == "Author":
            fields.setdefault("URL", []).append(line)
        elif label:
            joiner = "\n" if blank_before else " "
            fields[label][-1] = f"{fields[label][-1]}{joiner}{line}".strip()
        else:
            source.warn(i + 1, f"text before the first field ignored: {line[:80]!r}")
        blank_before = False
    if heading and "Title" not in fields:
        fields["Title"] = [heading]
    original = {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    return Entry(line=index + 1, fields=entry_fields(fields), original=original)


def entry_fields(fields: dict[str, list[str]]) -> dict[str, object]:
    """Record fields from ProQuest labels.

    - title ``Title`` (else the heading line); authors ``Author`` (``;``-joined when several);
    - year ``Publication year``, else ``Year``, ``Publication date``, ``Degree date``;
    - journal ``Publication title``; volume ``Volume``; issue ``Issue``; pages ``Pages``, else
      ``First page``;
    - doi ``DOI``; pmid ``PubMed ID``; issn ``ISSN``/``e-ISSN``; isbn ``ISBN``;
    - abstract ``Abstract``; keywords ``Subject``/``MeSH subject`` (``;``-separated) and
      ``Identifier / keyword`` (``,``-separated);
    - doc_type ``Document type``; language ``Language`` or ``Language of publication``;
      publisher ``Publisher``, else ``University/institution`` (theses);
    - url ``Document URL``, else the bare address after the authors.
    """
    issns, isbns = split_standard_numbers(values(fields, "ISSN", "e-ISSN"))
    keywords = [k for text in values(fields, "Subject", "MeSH subject") for k in text.split(";")]
    for text in values(fields, "Identifier / keyword"):
        keywords += text.split(",")
    return {
        "title": first(fields, "Title"),
        "authors": [a for text in values(fields, "Author") for a in text.split(";")],
        "year": first(fields, "Publication year", "Year", "Publication date", "Degree date"),
        "journal": first(fields, "Publication title"),
        "volume": first(fields, "Volume"),
        "issue": first(fields, "Issue"),
        "pages": first(fields, "Pages", "First page"),
        "doi": first(fields, "DOI"),
        "pmid": first(fields, "PubMed ID") or find_pmid(values(fields, "Publication note")),
        "issn": issns,
        "isbn": isbns + values(fields, "ISBN"),
        "abstract": first(fields, "Abstract"),
        "keywords": [k.strip() for k in keywords if k.strip()],
        "doc_type": first(fields, "Document type"),
        "language": first(fields, "Language", "Language of publication"),
        "publisher": first(fields, "Publisher", "University/institution"),
        "url": first(fields, "Document URL", "URL"),
    }
