"""Comparison keys: each record's fields in the form in which two records can be compared.

Everything here is per record (linear). The keys:

``title``
    Lower-case ASCII words, without database additions that are not part of the title: MEDLINE's
    ``[Review] [33 refs]`` and ``[Romanian]``, ``(Brief record)``, square brackets around a
    translated title (``[Current aspects...]``), and an original-language title in brackets after
    the English one.
``title_key``
    ``title`` without spaces (for blocking).
``surnames``
    Author surname keys (:func:`slrflow.records.author_key`), in order.
``name_tokens``
    Every word of 2+ letters in the author field: survives swapped surname/given names.
``journal``
    Lower-case words, ``&`` as ``and``, without ``[Electronic Resource]`` and leading ``the``.
``journal_forms``
    The other names in one journal cell (parallel titles after ``=``, the name without its
    subtitle, a place in parentheses or a leading acronym); see :func:`journal_forms`.
``volume``, ``issue``, ``page``, ``page_end``
    Leading number of volume and issue (an issue merged into the volume, ``28(3)``, counts as
    the issue); first and last page (``e24083``, ``S78`` as written).
``doi``, ``doi_family``
    The DOI; for Cochrane reviews also the DOI without its ``.pubN`` version suffix.
``notice``
    ``erratum``, ``retraction``, ``reply``, ``comment`` or ``""``: notices about another article
    are never the article itself.
``form``
    ``conference``, ``preprint``, ``journal`` (any other named source) or ``""`` (no source).
``form_by_type``
    The form as the document type and DOI alone tell it (``""`` when only the venue's name
    would): what is left of the form in a review whose venue names cannot be trusted.
``generic``
    True for titles that recur across unrelated works (``Editorial``, ``Introduction``...).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd

from slrflow.records import ascii_fold as _ascii_fold
from slrflow.records import parse_year


def ascii_fold(text: str) -> str:
    """:func:`slrflow.records.ascii_fold` with a fast path for text that is ASCII already."""
    return text.lower() if text.isascii() else _ascii_fold(text)


_REVIEW_TAG = re.compile(
    r"\s*[\[(](?:review|\d+\s*refs?\.?|[a-z]+(?: [a-z]+)?|brief record|author'?s transl)"
    r"[\])]\s*\.?\s*$",
    re.I,
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
#: ASCII letters and digits kept, every other ASCII character a space (see :func:`alnum_words`)
_ALNUM_TABLE = {
    c: (c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32) for c in range(128)
}


def alnum_words(text: str) -> str:
    """The words of lower-case ``text``: runs of anything but ``a-z0-9`` as one space, none at
    the ends (a translation table for ASCII text, which is quicker than the pattern)."""
    if text.isascii():
        return " ".join(text.translate(_ALNUM_TABLE).split())
    return _NON_ALNUM.sub(" ", text).strip()


_TRAILING_BRACKET = re.compile(r"^(.{20,}?)[.\s]*\[[^\[\]]{10,}\]\s*\.?\s*$")

#: languages MEDLINE appends in brackets; only these single words are dropped
_LANGUAGES = {
    "afrikaans",
    "arabic",
    "bulgarian",
    "catalan",
    "chinese",
    "croatian",
    "czech",
    "danish",
    "dutch",
    "english",
    "estonian",
    "finnish",
    "french",
    "german",
    "greek",
    "hebrew",
    "hungarian",
    "icelandic",
    "italian",
    "japanese",
    "korean",
    "latvian",
    "lithuanian",
    "norwegian",
    "persian",
    "polish",
    "portuguese",
    "romanian",
    "russian",
    "serbian",
    "slovak",
    "slovenian",
    "spanish",
    "swedish",
    "turkish",
    "ukrainian",
    "review",
    "abstract",
    "brief record",
    "authors transl",
    "author's transl",
    "editorial",
    "letter",
    "comment",
}


def title_words(title: str, *, limit: int = 1000) -> str:
    """The comparable form of a title (see the module docstring)."""
    text = ascii_fold(title[:limit]).strip()
    for _ in range(6):  # several tags may follow one another: [Review] [16 refs] [Romanian]
        if text.rstrip(" .\t\n\r\f\v")[-1:] not in ("]", ")"):
            break  # no tag can end the title (checked before the pattern, which is slower)
        match = _REVIEW_TAG.search(text)
        if not match:
            break
        inner = match.group(0).strip(" .[]()")
        if not (re.fullmatch(r"\d+\s*refs?\.?", inner) or inner in _LANGUAGES):
            break
        text = text[: match.start()].rstrip()
    text = text.strip()
    if text.startswith("[") and text.rstrip(".").endswith("]"):
        text = text.rstrip(".")[1:-1]  # MEDLINE's translated title
    match = _TRAILING_BRACKET.match(text)
    if match:  # "English title [Original-language title]"
        text = match.group(1)
    return alnum_words(text)


_NOTICE_PATTERNS = [
    ("retraction", re.compile(r"^(retraction|retracted|withdrawn|notice of retraction)\b")),
    (
        "erratum",
        re.compile(
            r"^(erratum|errata|corrigendum|corrigenda|correction|publisher s note|"
            r"expression of concern)\b|\b(erratum|corrigendum|correction) (to|for|in|on)\b"
        ),
    ),
    (
        "reply",
        re.compile(
            r"^(reply|response|author s reply|authors reply|in reply)\b|^re\b|"
            r"\b(reply|authors reply|author s reply|response to comments?)$|"
            # "... - Reply to Buddles et al": the reply names the letter's authors
            r"\breply to\b"
        ),
    ),
    (
        "comment",
        re.compile(r"^(comment|commentary|letter|invited commentary) (on|to|regarding|re)\b"),
    ),
]

_GENERIC = re.compile(
    r"^(editorial|introduction|preface|foreword|editor s note|editors note|letter|"
    r"letter to the editor|correspondence|in this issue|erratum|corrigendum|correction|"
    r"reply|response|comment|commentary|news|book review|book reviews|abstracts|"
    r"conference abstracts|index|contents|table of contents|announcement|obituary|"
    r"acknowledgement|acknowledgements|acknowledgment|reviewers|guest editorial|"
    r"from the editor|editor s introduction|introduction to the special issue|"
    r"special issue introduction|untitled|no title|notes|discussion|editor s comments|"
    r"editors comments|editorial comment|issues and opinions|research notes)( \d+)?$"
)


#: a notice's title starts with one of these words or holds one of the others somewhere
#: (every pattern above needs one): most titles hold none, and a set tells that quickest
_NOTICE_FIRST = frozenset(
    [
        "retraction",
        "retracted",
        "withdrawn",
        "notice",
        "erratum",
        "errata",
        "corrigendum",
        "corrigenda",
        "correction",
        "publisher",
        "expression",
        "reply",
        "response",
        "author",
        "authors",
        "in",
        "re",
        "comment",
        "commentary",
        "letter",
        "invited",
    ]
)
_NOTICE_ANYWHERE = frozenset(["erratum", "corrigendum", "correction", "reply", "response"])


def notice_kind(title: str) -> str:
    """``erratum``, ``retraction``, ``reply``, ``comment`` or ``""`` from a title's words."""
    words = title.split()
    if not words or (words[0] not in _NOTICE_FIRST and _NOTICE_ANYWHERE.isdisjoint(words)):
        return ""
    for kind, pattern in _NOTICE_PATTERNS:
        if pattern.search(title):
            return kind
    return ""


_PREPRINT_DOI = re.compile(r"^10\.(1101|48550|2139|21203|20944|31234|31219|31235|22541|36227)/")
_PREPRINT_VENUE = re.compile(
    r"\b(arxiv|biorxiv|medrxiv|psyarxiv|socarxiv|ssrn|research square|preprints|"
    r"osf preprints|chemrxiv|edarxiv)\b"
)
_CONFERENCE_TYPE = re.compile(
    r"inproceedings|proceedings|conference|congress|meeting|abstract|symposium|cpaper|conf",
    re.I,
)
_CONFERENCE_VENUE = re.compile(
    r"\b(conference|congress|proceedings|symposium|meeting|workshop|abstracts"
    # their ISO 4 abbreviations (``Annu Sci Meet``, ``Congr``); not ``proc``, which opens the
    # abbreviated names of journals (``Proc Natl Acad Sci``)
    r"|conf|congr|meet|symp)\b"
)
#: journals whose names sound like proceedings
_JOURNAL_PROCEEDINGS = re.compile(
    r"proceedings of the (national academy|royal society|american (philosophical|thoracic)|"
    r"ieee|nutrition society|institution)|proceedings of the vldb|mayo clinic proceedings|"
    r"proceedings in applied mathematics"
)
_COCHRANE = re.compile(r"^(10\.1002/14651858\.[a-z]{2}\d+)(?:\.pub(\d+))?")


_PARALLEL = re.compile(r"\s+=\s+|\s*:\s+")
_PARENTHESES = re.compile(r"\([^()]*\)")
_LEADING_ACRONYM = re.compile(r"^([A-Za-z]{3,8})\.\s+(\S+\s+\S+\s+\S.*)$")


def journal_forms(journal: str) -> tuple[str, ...]:
    """The names one journal goes by in one cell, besides the whole: each of the parallel
    titles (``Zhonghua jie he ... za zhi = Chinese journal of tuberculosis``), the title without
    its subtitle or a leading acronym (``JPEN. Journal of parenteral...``), without a place in
    parentheses (``Lung cancer (Amsterdam, Netherlands)``)."""
    raw = journal[:500]
    parts = [raw, _PARENTHESES.sub(" ", raw)]
    parts += [p for p in _PARALLEL.split(parts[1]) if len(p.split()) >= 2]
    acronym = _LEADING_ACRONYM.match(parts[1].strip())
    if acronym:
        parts += [acronym.group(1), acronym.group(2)]
    forms = dict.fromkeys(journal_words(p) for p in parts)
    return tuple(f for f in forms if f)


def journal_words(journal: str) -> str:
    text = ascii_fold(journal[:500]).replace("&", " and ")
    text = re.sub(r"\[electronic resource\]|\(online\)|\(print\)", " ", text)
    text = alnum_words(text)
    return text[4:] if text.startswith("the ") else text


def first_page(pages: str) -> str:
    match = re.match(r"\s*([A-Za-z]{0,3}\d+[A-Za-z]?|[ivxlcIVXLC]+)\b", pages)
    return match.group(1).lower().lstrip("0") if match else ""  # roman: editorials, prefaces


def last_page(pages: str) -> str:
    match = re.search(r"-\s*([A-Za-z]{0,3}\d+|[ivxlcIVXLC]+)\s*$", pages)
    return match.group(1).lower().lstrip("0") if match else ""


_MERGED_ISSUE = re.compile(r"^\s*\d+\s*\(\s*(\d+)")


def leading_number(value: str) -> str:
    match = re.match(r"\s*(\d+)", value)
    return match.group(1).lstrip("0") if match else ""


def form_of(doc_type: str, journal: str, doi: str, volume: str) -> str:
    """``preprint``, ``conference``, ``journal`` or ``""`` from document type, venue and DOI."""
    if _PREPRINT_DOI.match(doi):
        return "preprint"
    return _form_of_source(doc_type, journal, volume)


@functools.lru_cache(maxsize=100_000)
def _form_of_source(doc_type: str, journal: str, volume: str) -> str:
    # venues and document types recur: each combination is worked out once
    if _PREPRINT_VENUE.search(journal) or re.search(r"preprint|posted.content", doc_type, re.I):
        return "preprint"
    if _CONFERENCE_TYPE.search(doc_type) or (
        _CONFERENCE_VENUE.search(journal) and not _JOURNAL_PROCEEDINGS.search(journal)
    ):
        return "conference"
    if re.search(r"suppl", volume, re.I) and re.search(r"abstract|meeting", doc_type, re.I):
        return "conference"
    return "journal" if journal else ""


_VENUE_NOISE = re.compile(
    r"\b(proceedings|proc|annual|the|of|on|and|in|for|\d+(st|nd|rd|th)|\d{4}|\d+"
    # an ordinal in words (``sixteenth``, ``twenty-first``) numbers the meeting, as 16th does
    r"|[a-z]*-?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh"
    r"|twelfth|teenth|tieth))\b"
)


def venue_acronym(journal: str) -> str:
    """Initials of a venue's words without numbers and filler (``international conference on
    information systems`` -> ``icis``), to match a conference's long and short names."""
    words = _VENUE_NOISE.sub(" ", journal).split()
    return "".join(w[0] for w in words)


@dataclass
class Keys:
    """The comparison keys of all records, one list entry per record (see module docstring)."""

    record_id: list[str]
    search_id: list[str]
    title: list[str]
    title_key: list[str]
    surnames: list[tuple[str, ...]]
    name_tokens: list[frozenset[str]]
    authors_text: list[str]
    year: list[int | None]
    journal: list[str]
    journal_forms: list[tuple[str, ...]]
    venue_acronym: list[str]
    volume: list[str]
    issue: list[str]
    page: list[str]
    page_end: list[str]
    doi: list[str]
    doi_family: list[str]
    doi_version: list[int]
    pmid: list[str]
    abstract: list[str]
    notice: list[str]
    form: list[str]
    form_by_type: list[str]
    generic: list[bool]
    position: dict[str, int]

    def __len__(self) -> int:
        return len(self.record_id)


#: a name run together with the next (``Adeli K.Lewis G. F.``): a dot, then a capital and a
#: small letter (or an apostrophe: ``O'Donnell``)
RUN_TOGETHER = re.compile(r"(?<=\.)(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'])")
_INITIAL = re.compile(r"^(?:[A-ZÀ-Þ][a-z]?\.?-?){1,3}$")


def split_run_together(author: str) -> list[str]:
    """One author cell that holds several names without separators, as the names."""
    return [p.strip() for p in RUN_TOGETHER.split(author) if p.strip()]


def surname_key(author: str) -> str:
    """The surname of one name written any way: ``Zuna, R E``, ``Zuna R. E.``, ``R. E. Zuna``
    all give ``zuna`` (initials after or before the surname are dropped)."""
    if "," in author:
        words = author.split(",", 1)[0].split()
    else:
        words = author.split()
        while len(words) > 1 and _INITIAL.match(words[-1]):
            words.pop()
        while len(words) > 1 and _INITIAL.match(words[0]):
            words.pop(0)
        if len(words) > 1 and not any(_INITIAL.match(w) for w in words):
            words = words[-1:]  # "Anna de Vries" is hard to tell from "Vries Anna": the last word
    return _NON_ALNUM.sub("", ascii_fold(" ".join(words)))


def _each_once(function, values: list) -> list:
    """``[function(v) for v in values]``, computing each distinct value once."""
    done: dict = {}
    out = []
    for value in values:
        found = done.get(value)
        if found is None:
            found = done[value] = function(value)
        out.append(found)
    return out


@functools.lru_cache(maxsize=200_000)
def _surname(name: str) -> str:
    return surname_key(name)


@functools.lru_cache(maxsize=200_000)
def _surnames_of(author: str) -> tuple[str, ...]:
    """The surname keys of one author cell (several when names run together)."""
    return tuple(k for k in (_surname(n) for n in split_run_together(author)) if k)


def _surnames(keys: str, authors: str) -> tuple[str, ...]:
    """Surname keys in order; from the names themselves, so that names run together or
    written with initials first or last give the same keys."""
    found = tuple(k for a in authors[:20000].split("; ") for k in _surnames_of(a))
    if found:
        return found
    return tuple(k for k in keys.split("; ") if k)


def _name_tokens(authors: str) -> frozenset[str]:
    words = alnum_words(ascii_fold(authors[:20000])).split()
    return frozenset(w for w in words if len(w) >= 2 and w != "and")


def prepare(table: pd.DataFrame) -> Keys:
    """Comparison keys for every row of a record table (columns of :data:`load.FIELDS`)."""
    col = {c: table[c].fillna("").astype(str).tolist() for c in table.columns}
    titles = [title_words(t) for t in col["title"]]
    journals = _each_once(journal_words, col["journal"])
    dois = [d.strip().lower() for d in col["doi"]]
    families, versions = [], []
    for doi in dois:
        match = _COCHRANE.match(doi)
        families.append(match.group(1) if match else "")
        versions.append(int(match.group(2) or 1) if match else 0)
    years = [parse_year(y) for y in col["year"]]  # also "2015.0" from a float column
    # journals and names recur across records: each distinct value is worked out once
    journal_names = _each_once(journal_forms, col["journal"])
    tokens = _each_once(_name_tokens, col["authors"])
    return Keys(
        record_id=col["record_id"],
        search_id=col["search_id"],
        title=titles,
        title_key=[t.replace(" ", "") for t in titles],
        surnames=[_surnames(k, a) for k, a in zip(col["author_keys"], col["authors"], strict=True)],
        name_tokens=tokens,
        authors_text=_each_once(lambda t: " ".join(sorted(t)), tokens),
        year=years,
        journal=journals,
        journal_forms=journal_names,
        venue_acronym=_each_once(venue_acronym, journals),
        # a volume that is the year ("2016") says nothing about the place in the journal
        volume=[
            "" if v == str(y) else v
            for v, y in zip((leading_number(v) for v in col["volume"]), years, strict=True)
        ],
        # "28(3)" in the volume and nothing in the issue: the issue is 3
        issue=[
            leading_number(i) or "".join(_MERGED_ISSUE.findall(v)[:1]).lstrip("0")
            for i, v in zip(col["issue"], col["volume"], strict=True)
        ],
        page=[first_page(p) for p in col["pages"]],
        page_end=[last_page(p) for p in col["pages"]],
        doi=dois,
        doi_family=families,
        doi_version=versions,
        pmid=[p.strip() for p in col["pmid"]],
        abstract=[alnum_words(ascii_fold(a[:2000]))[:1000] for a in col["abstract"]],
        notice=[notice_kind(t) for t in titles],
        form=[
            form_of(t, j, d, v)
            for t, j, d, v in zip(col["doc_type"], journals, dois, col["volume"], strict=True)
        ],
        form_by_type=[
            form_of(t, "", d, v)
            for t, d, v in zip(col["doc_type"], dois, col["volume"], strict=True)
        ],
        generic=[bool(_GENERIC.match(t)) or len(t.split()) <= 2 for t in titles],
        position={r: i for i, r in enumerate(col["record_id"])},
    )
