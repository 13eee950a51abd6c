"""The normalised record: its fields, how each is cleaned, and its identity.

A *record* is one entry of one search export. Readers in :mod:`slrflow.ingest` turn an export
into :class:`Entry` objects holding the fields as the file gave them; :func:`normalise` turns an
entry into a row of the record table, keeping the original values beside the cleaned ones.

The record table's columns (:data:`COLUMNS`):

``record_id``
    Stable id: ``<search_id>-<10 hex>`` from the search and the record's content, so that
    re-exporting a search in another order gives the same ids (see :func:`assign_record_ids`).
``search_id``, ``source_file``, ``source_line``, ``format``
    Provenance: the search (PRISMA-S log row), the export file, the 1-based line (or data row
    for tables) where the entry starts, and the detected format.
``title``, ``abstract``
    Cleaned of HTML/JATS markup and entities, whitespace folded.
``authors``
    ``"; "``-joined list of authors as ``Surname, Given names``.
``author_keys``
    ``"; "``-joined comparable surname forms (lower case, ASCII, no punctuation).
``year``
    Publication year as an integer (empty when none could be read).
``journal``, ``volume``, ``issue``, ``pages``
    Source title and its position; pages expanded (``221-8`` -> ``221-228``).
``doi``
    Lower case, without ``https://doi.org/`` or ``doi:`` prefixes.
``pmid``, ``issn``, ``isbn``
    Identifiers; ISSN as ``NNNN-NNNX`` (several joined by ``"; "``), ISBN digits only.
``keywords``
    ``"; "``-joined author keywords and index terms.
``doc_type``
    Document type as the database names it (``Article``, ``JOUR``, ``Conference Paper``...).
``language``, ``publisher``, ``url``
    As given.
``original``
    JSON object of the entry's fields as they stood in the file (tags or column names).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

COLUMNS = [
    "record_id",
    "search_id",
    "source_file",
    "source_line",
    "format",
    "title",
    "authors",
    "author_keys",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "issn",
    "isbn",
    "abstract",
    "keywords",
    "doc_type",
    "language",
    "publisher",
    "url",
    "original",
]

#: Fields a reader may fill in :attr:`Entry.fields`. List-valued ones may be lists of strings.
ENTRY_FIELDS = (
    "title",
    "authors",
    "year",
    "journal",
    "journal_abbrev",
    "volume",
    "issue",
    "pages",
    "start_page",
    "end_page",
    "doi",
    "pmid",
    "issn",
    "isbn",
    "abstract",
    "keywords",
    "doc_type",
    "language",
    "publisher",
    "url",
)

LIST_SEPARATOR = "; "


@dataclass
class Entry:
    """One entry of an export as its reader found it, before normalisation.

    ``line`` is the 1-based line (tagged formats) or data row (tables) where it starts;
    ``fields`` maps names from :data:`ENTRY_FIELDS` to a string or list of strings;
    ``original`` keeps the tags or columns exactly as the file gave them.
    """

    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    original: dict[str, Any] = field(default_factory=dict)


# --- cleaning of single fields ------------------------------------------------------------

# A markup tag: "<" then a name (or "/" and a name, or a comment). "p < 0.05 and r > 0.3" is
# not one, so comparison signs in abstracts survive.
_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)(?:\s[^<>]{0,200})?/?>|<!--.{0,200}?-->", re.S)
# Tags inside a word (H<sub>2</sub>O, <i>in vitro</i>) are removed without a space.
_INLINE_TAGS = frozenset(
    {"i", "b", "u", "em", "strong", "sub", "sup", "span", "a", "sc", "small", "italic", "bold"}
    | {"underline", "monospace", "inline-formula"}
)
# Markup that exports really carry (HTML formatting, JATS, MathML). Anything else that looks like
# a tag is text: "<Creep crack growth.pdf>" is a file name, and "<script>" in a title is shown,
# escaped, as the export gave it rather than silently rewritten.
_MARKUP_TAGS = _INLINE_TAGS | frozenset(
    {"br", "p", "div", "font", "big", "tt", "s", "strike", "del", "ins", "mark", "code", "q"}
    | {"cite", "abbr", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "hr", "wbr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "th", "thead", "tbody", "img"}
    | {"title", "sec", "list", "list-item", "named-content", "ext-link", "xref", "fn", "label"}
    | {"disp-formula", "alternatives", "tex-math", "styled-content", "overline", "roman"}
    | {"sans-serif", "abstract", "article-title", "trans-title", "caption", "graphic"}
    | {"math", "mi", "mo", "mn", "ms", "mrow", "msub", "msup", "msubsup", "mfrac", "msqrt"}
    | {"mtext", "mspace", "mstyle", "semantics", "annotation", "mover", "munder", "mtable"}
)
_SPACE = re.compile(r"\s+")
_SPACE_PUNCT = re.compile(r" ([,.;:!?)\]])")


def _strip_tag(match: re.Match) -> str:
    if match.group(2) is None:  # a comment
        return " "
    prefix, _, name = match.group(2).lower().rpartition(":")
    if not prefix and name not in _MARKUP_TAGS:
        return match.group(0)
    return "" if name in _INLINE_TAGS else " "


def _fold_space(text: str) -> str:
    """Whitespace runs as one space, none at the ends."""
    # Text that is printable holds no whitespace but " " (tabs, line ends, no-break spaces are
    # not printable), so it needs folding only when a space is doubled or at an end; checking
    # that is quicker than splitting the text into words and joining them again.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    # str.split() splits on the same whitespace as \s (incl. no-break space), and is faster.
    return " ".join(text.split())


#: Control characters that are not whitespace (ESC, BEL...) and the bidirectional embeddings,
#: overrides and isolates that can make a title display as something else: never kept.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: Any) -> str:
    """Text without HTML/JATS/MathML tags or entities, whitespace folded, control characters
    (:data:`_CONTROL`) removed.

    ``&lt;i&gt;`` style double-encoded markup is decoded and then stripped as well.
    """
    if value.__class__ is str:  # the common case, checked first
        if not value:
            return ""
        text = value
    elif value is None:
        return ""
    elif isinstance(value, list):
        text = " ".join(str(v) for v in value if v is not None)
    else:
        text = str(value)
    if "&" in text or "<" in text:
        for _ in range(2):  # exports sometimes encode markup twice: &amp;lt;i&amp;gt;
            if "&" in text:
                text = html.unescape(text)
            if "<" in text:
                text = _TAG.sub(_strip_tag, text)
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    text = _fold_space(text)
    # A tag removed before punctuation leaves a stray space: "word </i>," -> "word ,".
    if " " in text and _SPACE_PUNCT.search(text):
        return _SPACE_PUNCT.sub(r"\1", text)
    return text


_DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi:\s*|doi\s+)", re.I)
_DOI_CORE = re.compile(r"10\.\d{4,9}/\S+")
_ENCODED_SLASH = re.compile(r"%2[fF]")
_DIGITS = re.compile(r"\d{1,9}")
_ISSN = re.compile(r"(?<![\dXx])(\d{4})-?(\d{3}[\dXx])(?![\dXx])")
_ISBN = re.compile(r"(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]")


def normalise_doi(value: Any) -> str:
    """``https://doi.org/10.1000/ABC`` or ``doi:10.1000/abc`` -> ``10.1000/abc``.

    Only the first DOI is kept when a field holds several; trailing punctuation is dropped.
    Returns ``""`` when the value holds no DOI.
    """
    if not value:
        return ""
    if isinstance(value, list):
        value = next((v for v in value if v), "")
    text = html.unescape(str(value)).strip()
    text = _DOI_PREFIX.sub("", text)
    # URL-encoded slashes (Scopus links: doi=10.3390%2fani15010003)
    if "%" in text:
        text = _ENCODED_SLASH.sub("/", text)
    match = _DOI_CORE.search(text)
    if not match:
        return ""
    return match.group(0).rstrip(".,;)]}>").lower()


def normalise_pmid(value: Any) -> str:
    """Digits of a PubMed id (``"PMID: 123"`` -> ``"123"``); ``""`` when none."""
    if not value:
        return ""
    match = _DIGITS.search(str(value))
    return match.group(0) if match else ""


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def parse_year(value: Any) -> int | None:
    """The first plausible four-digit year in ``value`` (``"2019/05/03"`` -> ``2019``), digits
    of any script read as digits (full-width ``２０１９`` -> ``2019``)."""
    if value is None:
        return None
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


_PAGE_RANGE = re.compile(r"^\s*([A-Za-z]*)(\d+)\s*[-\u2010-\u2015]+\s*([A-Za-z]*)(\d+)\s*$")


def normalise_pages(value: Any, end: Any = None) -> str:
    """Page range with the end page written out: ``221-8`` -> ``221-228``, ``e12-e19`` kept.

    ``value`` may be a start page with ``end`` given separately (RIS ``SP``/``EP``).
    """
    start = clean_text(value)
    end_text = clean_text(end)
    if end_text and start and "-" not in start:
        start = f"{start}-{end_text}"
    elif end_text and not start:
        start = end_text
    match = _PAGE_RANGE.match(start)
    if not match:
        return start
    prefix, first, prefix_end, last = match.groups()
    if len(last) < len(first) and int(last) < int(first[-len(last) :]) + 10 ** len(last):
        candidate = first[: len(first) - len(last)] + last
        if int(candidate) >= int(first):
            last = candidate
    return f"{prefix}{first}-{prefix_end or prefix}{last}"


def normalise_issn(value: Any) -> str:
    """ISSNs as ``NNNN-NNNX``, several joined by ``"; "``."""
    if not value:
        return ""
    text = " ".join(value) if isinstance(value, list) else str(value)
    found = []
    for match in _ISSN.finditer(text):
        issn = f"{match.group(1)}-{match.group(2).upper()}"
        if issn not in found:
            found.append(issn)
    return LIST_SEPARATOR.join(found)


def normalise_isbn(value: Any) -> str:
    """ISBN-10/13 digits (hyphens dropped), several joined by ``"; "``."""
    if not value:
        return ""
    text = " ".join(value) if isinstance(value, list) else str(value)
    found = []
    for match in _ISBN.finditer(text):
        isbn = match.group(0).replace("-", "").replace(" ", "").upper()
        if isbn not in found:
            found.append(isbn)
    return LIST_SEPARATOR.join(found)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII form: accents removed (``Müller`` -> ``muller``)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    # each distinct mark is removed in one pass (a long abstract holds few distinct characters)
    for char in set(decomposed):
        if not char.isascii() and unicodedata.combining(char):
            decomposed = decomposed.replace(char, "")
    return decomposed.lower()


_INITIALS = re.compile(r"(?:[A-Z]\.?-?){1,4}")
_NOT_A_TO_Z = re.compile(r"[^a-z]")
_SURNAME_INITIALS = re.compile(r"[^\s,][^,]*\s(?:[A-Z]\.?-?){1,4}")


def split_authors(value: Any) -> list[str]:
    """Authors as a list, whatever the export joined them with.

    Accepts a list (RIS ``AU`` repeated) or one string joined by ``;`` or `` and ``. Scopus CSV
    joins ``Surname I.,`` pairs with commas; those are split when every part looks like a name
    with initials.
    """
    if not value:
        return []
    if isinstance(value, list):
        parts: list[str] = []
        for item in value:
            parts.extend(split_authors(item) if isinstance(item, str) and ";" in item else [item])
        return [c for c in map(clean_text, parts) if c]
    text = clean_text(value)
    if ";" in text:
        parts = text.split(";")
    elif " and " in text:
        parts = re.split(r"\s+and\s+", text)
    elif "," in text and all(_SURNAME_INITIALS.fullmatch(p.strip()) for p in text.split(",")):
        # "Smith J.A., Doe A." (Scopus CSV), "Nilsson C, Berthold M" (PubMed CSV)
        parts = text.split(",")
    elif re.fullmatch(r"(?:[^,]+,\s*(?:[A-Z]\.[-\s]?)+(?:,\s*|$))+", text):
        # "Smith, J., Doe, A.B."
        parts = re.findall(r"[^,]+,\s*(?:[A-Z]\.[-\s]?)+", text)
    elif (
        text.count(",") >= 2
        and "," in text
        and all(len(p.split()) <= 4 for p in text.split(","))
        and not re.search(r",\s*[A-Z]\.", text)
    ):
        # "J Smith, A Doe, B Roe" (Publish or Perish, IEEE)
        parts = text.split(",")
    else:
        parts = [text]
    return [p.strip() for p in parts if p.strip() and p.strip() not in {"...", "…", "et al."}]


def author_key(author: str) -> str:
    """Comparable surname form: ``"van der Berg, J."`` -> ``"vanderberg"``,
    ``"J Smith"`` and ``"Smith J.A."`` -> ``"smith"``."""
    text = clean_text(author)
    if "," in text:
        surname = text.split(",", 1)[0]
    else:
        words = text.split()
        if not words:
            return ""
        # "Smith JA" (MEDLINE AU) keeps the surname first; "J. A. Smith" puts it last.
        if len(words) > 1 and _INITIALS.fullmatch(words[-1]):
            surname = " ".join(words[:-1])
        else:
            surname = words[-1]
    return _NOT_A_TO_Z.sub("", ascii_fold(surname))


def join_list(values: Iterable[str]) -> str:
    """Join list fields the way the record table stores them."""
    return LIST_SEPARATOR.join(v for v in values if v)


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return [c for c in map(clean_text, value) if c]
    text = clean_text(value)
    return [text] if text else []


def split_keywords(value: Any) -> list[str]:
    """Keywords as a list: repeated tags, or one string joined by ``;`` (or ``,`` when no ``;``)."""
    out: list[str] = []
    for item in _as_list(value):
        sep = ";" if ";" in item else None
        out.extend(p.strip() for p in (item.split(sep) if sep else [item]) if p.strip())
    return out


# One encoder for every record: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def _original_json(value: Any) -> str:
    """The entry as exported, as JSON; bidirectional controls written as ``\\u202e`` escapes
    (the same JSON value) so that they cannot reorder how a table or page shows the text."""
    text = _JSON(value)
    return _BIDI.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) if not text.isascii() else text


def normalise(entry: Entry, *, search_id: str, source_file: str, fmt: str) -> dict[str, Any]:
    """Turn a reader's :class:`Entry` into a row of the record table (without ``record_id``)."""
    f = entry.fields
    authors = split_authors(f.get("authors"))
    title = clean_text(f.get("title"))
    journal = clean_text(f.get("journal")) or clean_text(f.get("journal_abbrev"))
    pages = normalise_pages(f.get("pages") or f.get("start_page"), f.get("end_page"))
    year = parse_year(f.get("year"))
    return {
        "record_id": "",
        "search_id": search_id,
        "source_file": source_file,
        "source_line": entry.line,
        "format": fmt,
        "title": title,
        "authors": join_list(authors),
        "author_keys": join_list(author_key(a) for a in authors),
        "year": year,
        "journal": journal,
        "volume": clean_text(f.get("volume")),
        "issue": clean_text(f.get("issue")),
        "pages": pages,
        "doi": normalise_doi(f.get("doi")),
        "pmid": normalise_pmid(f.get("pmid")),
        "issn": normalise_issn(f.get("issn")),
        "isbn": normalise_isbn(f.get("isbn")),
        "abstract": clean_text(f.get("abstract")),
        "keywords": join_list(split_keywords(f.get("keywords"))),
        "doc_type": clean_text(f.get("doc_type")),
        "language": clean_text(f.get("language")),
        "publisher": clean_text(f.get("publisher")),
        "url": clean_text(f.get("url")).split(" ")[0] if f.get("url") else "",
        "original": _original_json(entry.original),
        "_digest": entry_digest(entry),
    }


# --- identity -----------------------------------------------------------------------------

_ID_FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")
_RAW_ID_FIELDS = (*_ID_FIELDS, "journal_abbrev", "start_page", "end_page")


def _raw_text(value: Any) -> str:
    if value.__class__ is str:
        return _fold_space(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "\x1e".join(_raw_text(v) for v in value)
    return " ".join(str(value).split())


def entry_digest(entry: Entry) -> str:
    """Hash of the identifying fields *as the export gave them* (whitespace folded).

    Taken before cleaning, so that a better normalisation in a later version of slrflow does
    not change the ids that reviewers' decision files name; and not from the entry's position,
    so that re-exporting in another order changes nothing either.
    """
    parts = [_raw_text(entry.fields.get(name)) for name in _RAW_ID_FIELDS]
    if not any(parts):
        parts.append(_original_json(entry.original))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def content_digest(row: dict[str, Any]) -> str:
    """Hash of the fields that make a record what it is (not its position in the file).

    Rows made by :func:`normalise` carry the digest of their raw entry (:func:`entry_digest`);
    other rows are hashed from their normalised fields.
    """
    if row.get("_digest"):
        return row["_digest"]
    parts = [str(row.get(name) if row.get(name) is not None else "") for name in _ID_FIELDS]
    if not any(parts):
        parts.append(str(row.get("original", "")))
    blob = "\x1f".join(parts).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def assign_record_ids(rows: list[dict[str, Any]]) -> None:
    """Fill ``record_id`` in place: ``<search_id>-<10 hex of content>``.

    Entries with identical content within one search (true within-export duplicates) are told
    apart by a counter over their order, which cannot change the set of ids a re-export gets.
    """
    ids = RecordIds()
    for row in rows:
        ids.assign(row)


class RecordIds:
    """:func:`assign_record_ids` one row at a time, for rows that are written as they are read."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def assign(self, row: dict[str, Any]) -> None:
        digest = content_digest(row)
        base = f"{row['search_id']}-{digest[:10]}"
        seen = self._seen
        seen[base] += 1
        row["record_id"] = base if seen[base] == 1 else f"{base}-{seen[base]}"
