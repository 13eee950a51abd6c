"""Small helpers the tagged-format readers share to pick record fields out of tag values.

Tag values arrive as lists of strings (one per tag line). These helpers choose among tags that
carry the same thing in different exports, and tell ISSNs from ISBNs and DOIs from the text
around them. They never clean a value; :func:`slrflow.records.normalise` does that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

Tags = Mapping[str, list[str]]


def first(tags: Tags, *names: str) -> str:
    """The first non-empty value of the first of ``names`` that has one, else ``""``."""
    for name in names:
        for value in tags.get(name, ()):
            if value and value.strip():
                return value
    return ""


def values(tags: Tags, *names: str) -> list[str]:
    """All non-empty values of ``names``, in that order."""
    return [v for name in names for v in tags.get(name, ()) if v and v.strip()]


_DOI_IN_TEXT = re.compile(r"(?i)(?:\bdoi\b\s*:?\s*|doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)")
_BARE_DOI = re.compile(r"^\s*(10\.\d{4,9}/\S+)")


def find_doi(texts: Iterable[str]) -> str:
    """A DOI written in free text (``DOI: 10.1/x``, ``https://doi.org/10.1/x``) or a value that
    is a bare DOI. Publisher URLs that merely contain a DOI-like path are not trusted."""
    for text in texts:
        match = _BARE_DOI.match(text) or _DOI_IN_TEXT.search(text)
        if match:
            return match.group(1).rstrip(".,;)]")
    return ""


_PMID_IN_TEXT = re.compile(
    r"(?i)(?:\bPMID\b|\bPubMed ID\b)\s*:?\s*(\d{1,9})\b|\b(\d{1,9})\s*\[PMID\]"
)


def find_pmid(texts: Iterable[str]) -> str:
    """A PubMed id written as ``PMID: 123``, ``PubMed ID: 123`` or ``123 [PMID]``."""
    for text in texts:
        match = _PMID_IN_TEXT.search(text)
        if match:
            return match.group(1) or match.group(2)
    return ""


_NUMBER_SEPARATORS = re.compile(r"[\s;,()]+")
_NOT_NUMBER = re.compile(r"[^0-9Xx]")
_NUMBER = re.compile(r"[0-9]+[Xx]?")


def split_standard_numbers(texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """Tell ISSNs (8 characters) from ISBNs (10 or 13) in fields that hold either (RIS ``SN``).

    ``"1660-4601 1661-7827"`` -> two ISSNs; ``"978-1-4020-6754-9"`` -> one ISBN; labels such as
    ``(ISSN)`` or ``(Print)`` are ignored.
    """
    issns: list[str] = []
    isbns: list[str] = []
    for text in texts:
        for token in _NUMBER_SEPARATORS.split(text):
            compact = _NOT_NUMBER.sub("", token)
            if not _NUMBER.fullmatch(compact or "-"):
                continue
            if len(compact) == 8:
                issns.append(token)
            elif len(compact) in (10, 13):
                isbns.append(token)
    return issns, isbns
