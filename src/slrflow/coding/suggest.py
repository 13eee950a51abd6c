"""Suggested codes: the codebook's key terms found in a report's title, abstract and full text.

A suggestion names the study, report, dimension and code, the term(s) that matched, where
(``title``, ``abstract`` or ``fulltext`` with its page) and the sentence, so a coder can judge it
in seconds. Suggestions only help: they are shown in the coding sheet but never counted as a
coder's decision.

Full texts are optional: ``<review>/fulltext/<id>.txt`` or ``.pdf`` where ``<id>`` is the
report's reference_id or any of its record_ids. Pages of a text file are separated by form feeds
(``\\f``, as ``pdftotext`` writes them); PDF text is extracted with pypdf.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from slrflow.coding import problems as P
from slrflow.coding.codebook import Code, Codebook
from slrflow.coding.studies import Report, Studies

COLUMNS = [
    "intervention_id",
    "reference_id",
    "dimension",
    "code",
    "code_label",
    "terms",
    "source",
    "page",
    "sentence",
]
#: At most this many sentences per report, code and source (the first ones in the text).
MAX_PER_SOURCE = 3
_MAX_SENTENCE = 400
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9À-Ý])")


def term_pattern(term: str) -> str:
    """A key term as a regular expression: whole words, case-insensitive; ``*`` = any ending.

    >>> bool(re.search(term_pattern("radicali*"), "radicalisation", re.I))
    True
    >>> bool(re.search(term_pattern("exit"), "exits", re.I))
    False
    """
    stem = term.rstrip("*")
    body = r"\s+".join(re.escape(word) for word in stem.split())
    tail = r"\w*" if term.endswith("*") else ""
    return rf"(?<!\w){body}{tail}(?!\w)"


@dataclass(frozen=True)
class Matcher:
    """One code's key terms compiled once."""

    dimension: str
    code: Code
    patterns: tuple[tuple[str, re.Pattern], ...]

    def terms_in(self, sentence: str) -> list[str]:
        return [term for term, pattern in self.patterns if pattern.search(sentence)]


def matchers(codebook: Codebook) -> list[Matcher]:
    """A matcher for each code with key terms, in codebook order."""
    found = []
    for dimension in codebook.dimensions:
        for code in dimension.codes:
            terms = dict.fromkeys(code.terms)  # English then Dutch, duplicates once
            patterns = tuple((t, re.compile(term_pattern(t), re.IGNORECASE)) for t in terms)
            if patterns:
                found.append(Matcher(dimension.id, code, patterns))
    return found


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, whitespace collapsed, long ones shortened.

    Blank lines end a sentence too (a heading has no full stop); single line breaks do not
    (PDF text breaks lines mid-sentence).
    """
    out = []
    for paragraph in re.split(r"\n\s*\n", text or ""):
        out.extend(_split(re.sub(r"\s+", " ", paragraph).strip()))
    return out


def _split(text: str) -> list[str]:
    out = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if len(sentence) > _MAX_SENTENCE:
            sentence = sentence[: _MAX_SENTENCE - 3].rstrip() + "..."
        if sentence:
            out.append(sentence)
    return out


def fulltext_file(report: Report, folder: Path) -> Path | None:
    """The report's full text in ``folder`` (txt preferred over pdf), or None."""
    for name in (report.reference_id, *report.record_ids):
        for suffix in (".txt", ".pdf"):
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return path
    return None


def fulltext_pages(path: Path) -> list[str]:
    """The text of each page: PDF pages via pypdf, a text file split at form feeds."""
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader  # imported here: only needed when a PDF is present
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(str(path))
            return [page.extract_text() or "" for page in reader.pages]
        except (PdfReadError, ValueError, OSError) as exc:
            message = f"cannot read the PDF ({exc}); replace it or remove it"
            raise P.input_error(message, file=path) from exc
    try:
        return path.read_text(encoding="utf-8-sig").split("\f")
    except UnicodeDecodeError as exc:
        raise P.input_error(
            f"not UTF-8 text (byte {exc.start}); save the full text as UTF-8", file=path
        ) from exc


def _sources(report: Report, folder: Path | None) -> Iterator[tuple[str, str, str]]:
    """(source, page, text) for the report's title, abstract and full-text pages."""
    yield "title", "", report.title
    yield "abstract", "", report.abstract
    path = fulltext_file(report, folder) if folder is not None else None
    if path is not None:
        for number, page in enumerate(fulltext_pages(path), start=1):
            yield "fulltext", str(number), page


def suggest(
    studies: Studies, codebook: Codebook, *, fulltext: Path | None = None, progress: bool = False
) -> pd.DataFrame:
    """Every key-term match in every included report, one row per sentence and code."""
    compiled = matchers(codebook)
    rows = []
    pairs = [(s, ref) for s in studies.studies for ref in s.reports]
    for number, (study, ref) in enumerate(pairs, start=1):
        report = studies.reports[ref]
        counts: dict[tuple[str, str, str], int] = {}
        for source, page, text in _sources(report, fulltext):
            for sentence in sentences(text):
                for matcher in compiled:
                    key = (matcher.dimension, matcher.code.id, source)
                    if counts.get(key, 0) >= MAX_PER_SOURCE:
                        continue
                    terms = matcher.terms_in(sentence)
                    if terms:
                        counts[key] = counts.get(key, 0) + 1
                        rows.append(
                            [
                                study.intervention_id,
                                ref,
                                matcher.dimension,
                                matcher.code.id,
                                matcher.code.label,
                                "; ".join(terms),
                                source,
                                page,
                                sentence,
                            ]
                        )
        if progress:
            print(f"suggest: {number}/{len(pairs)} reports", file=sys.stderr)
    return pd.DataFrame(rows, columns=COLUMNS)


def by_code(suggestions: pd.DataFrame) -> dict[tuple[str, str, str], list[dict]]:
    """Suggestions grouped by (intervention_id, dimension, code), in their table order."""
    grouped: dict[tuple[str, str, str], list[dict]] = {}
    for row in suggestions.to_dict(orient="records"):
        key = (row["intervention_id"], row["dimension"], row["code"])
        grouped.setdefault(key, []).append(row)
    return grouped


def describe(rows: Iterable[dict], *, limit: int = 2) -> str:
    """``[abstract] term: sentence`` lines for a sheet cell (the first ``limit`` rows)."""
    lines = []
    for row in list(rows)[:limit]:
        where = row["source"] + (f" p. {row['page']}" if row["page"] else "")
        lines.append(f"[{where}] {row['terms']}: {row['sentence']}")
    return "\n".join(lines)
