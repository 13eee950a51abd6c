"""Automation rules: references marked ineligible before anyone screens them.

PRISMA 2020 counts these apart from human exclusions ("records marked as ineligible by
automation tools"), per rule. A rule looks at the reference's merged fields (results/dedup/
references.csv): ``years`` (keep ``min``..``max``; no year is kept), ``languages`` (keep these;
no language is kept), ``document_types`` (remove these), or ``ids`` (remove the references
holding these records). The first rule that matches, in config order, is the one counted.

A rule acts only on values of the kind it expects (:func:`unexpected`): a language that is not a
language code or name (an id shifted into the column, a stray number), a year cell without a
year, a document type that is a number or an identifier. Such a reference is left for people to
screen, and the run warns, naming the rule, the references and their values.

A rule with ``unscreened`` records that the review stopped screening on a stopping rule: the
references no reviewer has judged at title/abstract are removed under its name, with the recall
the rule stated (:func:`mark_unscreened`).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
import pycountry

from slrflow import tables
from slrflow.messages import some_of
from slrflow.records import parse_year
from slrflow.screening import STOPPING_METHODS
from slrflow.screening.attach import ReferenceIndex


@dataclass(frozen=True)
class Marked:
    """A reference an automation rule removed: the rule's name and why, in words."""

    reference_id: str
    rule: str
    detail: str


def _fold(text: str) -> str:
    return " ".join(str(text).lower().replace("_", " ").split())


def _values(text: str) -> list[str]:
    # merged fields may hold several values ("English; Dutch")
    return [_fold(v) for v in str(text or "").split(";") if v.strip()]


def is_language(value: str) -> bool:
    """Whether the folded ``value`` is a language code or name (:func:`language_names`; the
    names in the languages' own tongue are loaded only when needed)."""
    return value in language_names() or value in language_names(native=True)


@cache
def language_names(*, native: bool = False) -> frozenset[str]:
    """Every ISO 639 code and English name (pycountry), folded; with ``native``, the
    languages' names in their own language where pycountry has them (Nederlands, Deutsch...)."""
    names: set[str] = set()
    if native:
        for language in pycountry.languages:
            code = getattr(language, "alpha_2", None)
            if not code:
                continue
            try:
                own = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[code])
            except OSError:
                continue
            names.add(_fold(re.sub(r"\s*\(.*?\)", "", own.gettext(language.name))))
        return frozenset(names)
    for language in pycountry.languages:
        for attribute in ("alpha_2", "alpha_3", "bibliographic", "name", "common_name",
                          "inverted_name"):  # fmt: skip
            value = getattr(language, attribute, None)
            if not value:
                continue
            names.add(_fold(value))
            # "Greek, Modern (1453-)" -> "greek", "modern greek"; "Dutch; Flemish" -> both
            bare = re.sub(r"\s*\(.*?\)", "", value)
            for part in re.split(r"[;,]", bare):
                names.add(_fold(part))
            names.add(_fold(" ".join(reversed([p.strip() for p in bare.split(",")]))))
    names.discard("")
    return frozenset(names)


def _not_a_year(text: str) -> bool:
    return bool(text.strip()) and parse_year(text) is None


def unexpected(rule: dict[str, Any], reference: dict[str, Any]) -> str | None:
    """The value ``rule`` would judge when it is not of the kind the rule expects (so the rule
    must leave the reference alone), else None."""
    if "years" in rule:
        text = str(reference.get("year", "") or "")
        return f"year {text!r}" if _not_a_year(text) else None
    if "languages" in rule:
        kept = {_fold(v) for v in rule["languages"]}
        given = _values(reference.get("language", ""))
        if any(v in kept for v in given):
            return None
        odd = [v for v in given if not is_language(v)]
        return f"language {reference.get('language')!r}" if odd else None
    if "document_types" in rule:
        given = _values(reference.get("doc_type", ""))
        # a number, a DOI or a link is not a document type (a shifted cell)
        odd = [v for v in given if re.fullmatch(r"[\d\W]+", v) or "/" in v]
        return f"document type {reference.get('doc_type')!r}" if odd else None
    return None


def match(rule: dict[str, Any], reference: dict[str, Any], index: ReferenceIndex) -> str | None:
    """Why ``rule`` removes ``reference`` (a row of references.csv), or None when it does not."""
    if "years" in rule:
        year = parse_year(reference.get("year", ""))
        if year is None:
            return None
        low, high = rule["years"].get("min"), rule["years"].get("max")
        if low is not None and year < low:
            return f"year {year} before {low}"
        if high is not None and year > high:
            return f"year {year} after {high}"
        return None
    if "languages" in rule:
        kept = {_fold(v) for v in rule["languages"]}
        given = _values(reference.get("language", ""))
        if given and not any(v in kept for v in given):
            return f"language {reference.get('language')}"
        return None
    if "document_types" in rule:
        removed = {_fold(v) for v in rule["document_types"]}
        given = _values(reference.get("doc_type", ""))
        if given and all(v in removed for v in given):
            return f"document type {reference.get('doc_type')}"
        return None
    if "ids" in rule:
        listed = {index.lookup(i) for i in rule["ids"]}
        if reference["reference_id"] in listed:
            return "listed by id"
    return None


def stopping_statement(stop: dict[str, Any]) -> str:
    """What an ``unscreened`` rule states, in words: the stopping method, recall target,
    confidence and the includes estimated still unfound, as far as the config gives them."""
    method = STOPPING_METHODS.get(stop.get("method", ""), stop.get("method", ""))
    detail = "screening stopped"
    if method:
        detail += f" by the {method}"
    detail += f" at a recall target of {stop['recall']:.0%}"
    extra = []
    if stop.get("confidence"):
        extra.append(f"{stop['confidence']:.0%} confidence")
    if stop.get("unfound") is not None:
        extra.append(f"{stop['unfound']:g} include(s) estimated unfound")
    return detail + (f" ({'; '.join(extra)})" if extra else "")


def mark_unscreened(
    rules: tuple[dict[str, Any], ...] | list[dict[str, Any]],
    reference_ids: list[str],
    judged: set[str],
    marked: dict[str, Marked],
) -> dict[str, Marked]:
    """References no one judged at title/abstract (``judged`` holds the others), removed by the
    ``unscreened`` rule when the config has one; references other rules removed stay theirs."""
    rule = next((r for r in rules if "unscreened" in r), None)
    if rule is None:
        return {}
    detail = stopping_statement(rule["unscreened"])
    return {
        ref: Marked(ref, rule["name"], detail)
        for ref in reference_ids
        if ref not in judged and ref not in marked
    }


def apply(
    rules: tuple[dict[str, Any], ...] | list[dict[str, Any]],
    references: pd.DataFrame,
    index: ReferenceIndex,
) -> tuple[dict[str, Marked], list[str]]:
    """References each rule removes (first matching rule wins) and warnings: stale ids, and
    references a rule left for people because a value was not of the kind it expects."""
    warnings = []
    for rule in rules:
        for rid in rule.get("ids", []):
            if index.lookup(rid) is None:
                warnings.append(
                    f"automation rule {rule['name']}: id {rid!r} is not a record of this run"
                )
    marked: dict[str, Marked] = {}
    if not rules:
        return marked, warnings
    left: dict[str, list[str]] = {}
    for reference in tables.rows(references):
        for rule in rules:
            odd = unexpected(rule, reference)
            if odd:
                left.setdefault(rule["name"], []).append(f"{reference['reference_id']} ({odd})")
                continue
            why = match(rule, reference, index)
            if why:
                rid = reference["reference_id"]
                marked[rid] = Marked(rid, rule["name"], why)
                break
    for name, refs in left.items():
        warnings.append(
            f"automation rule {name}: {len(refs)} reference(s) left for people to screen, as "
            f"their value is not of the kind the rule judges: {some_of(refs, 10)}; check these "
            "fields in the export (a cell shifted into the wrong column?)"
        )
    return marked, warnings
