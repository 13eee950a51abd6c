"""Automation rules: references marked ineligible before anyone screens them.

PRISMA 2020 counts these apart from human exclusions ("records marked as ineligible by
automation tools"), per rule. A rule looks at the reference's merged fields (results/dedup/
references.csv): ``years`` (keep ``min``..``max``; no year is kept), ``languages`` (keep these;
no language is kept), ``document_types`` (remove these), or ``ids`` (remove the references
holding these records). The first rule that matches, in config order, is the one counted.

A rule with ``unscreened`` records that the review stopped screening on a stopping rule: the
references no reviewer has judged at title/abstract are removed under its name, with the recall
the rule stated (:func:`mark_unscreened`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from slrflow import tables
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
    """References each rule removes (first matching rule wins) and warnings for stale ids."""
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
    for reference in tables.rows(references):
        for rule in rules:
            why = match(rule, reference, index)
            if why:
                rid = reference["reference_id"]
                marked[rid] = Marked(rid, rule["name"], why)
                break
    return marked, warnings
