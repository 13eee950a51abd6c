"""EndNote XML exports: ``<xml><records><record>...``.

Parsed with defusedxml (no entity expansion, no external resources). EndNote wraps every text
in ``<style face=... font=...>`` runs (several when part of a title is italic); the text of an
element is the concatenation of its runs. The upper-case ``<XML><RECORDS><RECORD>`` variant
some reference managers write (``<TITLE>``, ``<SECONDARY_TITLE>``, ``<AUTHORS><AUTHOR>``) is read
by comparing tag names in lower case with ``_`` as ``-``.

``original`` keeps every element of the record with text (``caption``, ``label``, ``notes``,
custom fields...), keyed by its path below ``<record>`` (``titles/title``), attributes as
``path@name``; repeated elements become lists. ``Entry.line`` is the line of ``<record>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from slrflow import limits
from slrflow.ingest.source import IngestError, Source
from slrflow.records import Entry

# Characters XML 1.0 forbids; some exports leak them from pasted abstracts.
_INVALID_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: Paths (below ``<record>``, tags in lower case) for each record field, best first.
PATHS: dict[str, tuple[str, ...]] = {
    "title": ("titles/title", "title"),
    "year": ("dates/year", "year", "dates/pub-dates/date"),
    "journal": ("periodical/full-title", "titles/secondary-title", "secondary-title"),
    "journal_abbrev": ("periodical/abbr-1", "alt-periodical/abbr-1", "titles/alt-title"),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "doi": ("electronic-resource-num",),
    "abstract": ("abstract",),
    "language": ("language",),
    "publisher": ("publisher",),
    "url": ("urls/related-urls/url", "urls/web-urls/url", "url"),
}


def _tag(element: Element) -> str:
    return element.tag.lower().replace("_", "-")


def _text(element: Element) -> str:
    """All text of an element, its ``<style>`` runs joined."""
    return "".join(element.itertext()).strip()


class _TooDeep(Exception):
    """Elements nested past :data:`slrflow.limits.MAX_XML_DEPTH`, at ``line``."""

    def __init__(self, line: int | None):
        self.line = line


class _RecordLines(TreeBuilder):
    """Builds the tree, notes the line where each ``<record>`` starts and stops at elements
    nested deeper than :data:`~slrflow.limits.MAX_XML_DEPTH` (walking such a tree would
    exhaust Python's recursion; EndNote nests about six deep)."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.lines: list[int] = []
        self.depth = 0

    def _line(self) -> int | None:
        return self.parser.parser.CurrentLineNumber if self.parser is not None else None

    def start(self, tag, attrs):  # noqa: ANN001 - TreeBuilder's signature
        self.depth += 1
        if self.depth > limits.MAX_XML_DEPTH:
            raise _TooDeep(self._line())
        if tag.lower() == "record" and self.parser is not None:
            self.lines.append(self._line())
        return super().start(tag, attrs)

    def end(self, tag):  # noqa: ANN001 - TreeBuilder's signature
        self.depth -= 1
        return super().end(tag)


def _parse(source: Source) -> tuple[Element, list[int]]:
    text = source.text
    bad = _INVALID_XML_CHARS.search(text)
    if bad:
        source.warn(
            text.count("\n", 0, bad.start()) + 1,
            "control characters that XML does not allow were removed",
        )
        text = _INVALID_XML_CHARS.sub("", text)
    builder = _RecordLines()
    parser = DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        reason = str(exc).split(":")[0]
        raise IngestError(
            source.name,
            line,
            f"XML is broken here ({reason}); the file may be truncated or damaged: "
            "export it again from EndNote",
        ) from exc
    except _TooDeep as exc:
        raise IngestError(
            source.name,
            exc.line,
            f"elements nested more than {limits.MAX_XML_DEPTH} deep: not an EndNote XML "
            "export (EndNote nests about six deep); export the records again",
        ) from None
    except DefusedXmlException as exc:
        raise IngestError(
            source.name, None, f"XML with entity or DTD declarations is refused: {exc!r}"
        ) from exc
    return root, builder.lines


def _original(record: Element) -> dict:
    out: dict = {}

    def add(key: str, value: str) -> None:
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value

    def walk(element: Element, path: str) -> None:
        for name, value in sorted(element.attrib.items()):
            add(f"{path}@{name}", value)
        children = [c for c in element if _tag(c) != "style"]
        if not children:
            text = _text(element)
            if text:
                add(path, text)
            return
        for child in children:
            walk(child, f"{path}/{_tag(child)}")

    for child in record:
        walk(child, _tag(child))
    return out


def _find_all(record: Element, path: str) -> list[Element]:
    """Elements at ``path`` below ``record``, tags compared in lower case."""
    level = [record]
    for part in path.split("/"):
        level = [c for e in level for c in e if _tag(c) == part]
    return level


def _first(record: Element, paths: tuple[str, ...]) -> str | None:
    for path in paths:
        for element in _find_all(record, path):
            text = _text(element)
            if text:
                return text
    return None


def _entry(record: Element, line: int) -> Entry:
    fields: dict = {}
    for name, paths in PATHS.items():
        value = _first(record, paths)
        if value:
            fields[name] = value
    authors = [
        _text(a)
        for path in ("contributors/authors/author", "authors/author")
        for a in _find_all(record, path)
    ]
    if any(authors):
        fields["authors"] = [a for a in authors if a]
    keywords = [_text(k) for k in _find_all(record, "keywords/keyword") if _text(k)]
    if keywords:
        fields["keywords"] = keywords
    # EndNote's <isbn> holds ISBNs and ISSNs alike; an ISSN has 8 characters.
    number = _first(record, ("isbn",))
    if number:
        digits = re.sub(r"[^\dXx]", "", number.split("(")[0])
        fields["issn" if len(digits) <= 8 else "isbn"] = number
    # PubMed imports put the PMID in the accession number.
    accession = _first(record, ("accession-num",))
    if accession and re.fullmatch(r"\d{1,9}", accession):
        fields["pmid"] = accession
    if "doi" not in fields and re.match(
        r"(?:https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/", fields.get("url", "")
    ):
        fields["doi"] = fields["url"]
    ref_type = next(
        (e for path in ("ref-type", "reference-type") for e in _find_all(record, path)), None
    )
    if ref_type is not None:
        fields["doc_type"] = ref_type.get("name") or _text(ref_type)
    return Entry(line=line, fields=fields, original=_original(record))


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Records of an EndNote XML export; IngestError (with the line) for broken XML."""
    root, lines = _parse(source)
    records = [e for e in root.iter() if _tag(e) == "record"]
    if not records and not any(_tag(e) == "records" for e in root.iter()):
        raise IngestError(
            source.name, 1, "XML file without <record> elements: not an EndNote XML export"
        )
    for number, record in enumerate(records):
        yield _entry(record, lines[number] if number < len(lines) else 1)
