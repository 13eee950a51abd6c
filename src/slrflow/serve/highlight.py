"""The criteria's key terms found in a reference's text, per criterion.

Text is returned as segments ``[text, criterion_id or ""]`` for the page to build as text nodes
and marks: nothing from an export is ever put into the page as HTML. Terms are matched as the
screening sheets match them (:meth:`~slrflow.screening.criteria.Criteria.term_pattern`: whole
words, any case, ``evaluat*`` for every word starting so); where the terms of two criteria
overlap, the longer match wins and then the criterion listed first.
"""

from __future__ import annotations

import re

from slrflow.screening.criteria import Criteria


def term_patterns(criteria: Criteria) -> list[tuple[str, re.Pattern[str]]]:
    """(criterion id, pattern of its key terms) for every criterion that has terms."""
    out = []
    for item in criteria.items:
        pattern = Criteria((item,), file=criteria.file).term_pattern()
        if pattern is not None:
            out.append((item.id, pattern))
    return out


def segments(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> list[list[str]]:
    """``text`` cut into ``[part, criterion_id]`` pieces; ``""`` for text matching no term."""
    text = text or ""
    spans: list[tuple[int, int, int, str]] = []
    for order, (cid, pattern) in enumerate(patterns):
        spans.extend(
            (m.start(), -(m.end() - m.start()), order, cid) for m in pattern.finditer(text)
        )
    spans.sort()
    out: list[list[str]] = []
    at = 0
    for start, negative_length, _, cid in spans:
        if start < at:
            continue  # overlaps a longer or earlier match
        if start > at:
            out.append([text[at:start], ""])
        end = start - negative_length
        out.append([text[start:end], cid])
        at = end
    if at < len(text) or not out:
        out.append([text[at:], ""])
    return out
