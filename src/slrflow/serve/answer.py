"""What a person may answer on the page, checked as the workflow will check it when it reads
the file, so that the page never writes a row the next run refuses."""

from __future__ import annotations

from slrflow.errors import InputError
from slrflow.records import LIST_SEPARATOR
from slrflow.screening import DECISIONS, NEEDS_REASON
from slrflow.screening.criteria import Criteria


class DecisionRefused(InputError):
    """An answer the page cannot record as asked; the message says why and what to do."""


def check_answer(
    criteria: Criteria, *, stage: str, decision: str, given: list[str], allowed: tuple[str, ...]
) -> str:
    """The criteria cell for ``decision`` with the ``given`` criteria ids, or DecisionRefused.

    ``allowed`` are the decisions the page offers here (a subset of the stage's decisions).
    """
    if decision not in allowed or decision not in DECISIONS[stage]:
        raise DecisionRefused(f"{decision!r} is not an answer here ({', '.join(allowed)})")
    usable = {c.id for c in criteria.for_stage(stage)}
    unknown = [c for c in given if c not in usable]
    if unknown:
        raise DecisionRefused(f"{', '.join(unknown)}: not a criterion of stage {stage}")
    if decision in NEEDS_REASON and not given:
        raise DecisionRefused("an exclusion names the criteria it fails: choose at least one")
    if decision not in NEEDS_REASON and given:
        raise DecisionRefused("criteria are for exclusions only: clear them or exclude")
    return LIST_SEPARATOR.join(criteria.order(given))


def tidy_note(note: str, *, limit: int = 2000) -> str:
    """A note on one line (a decision file row stays one line), at most ``limit`` characters."""
    return " ".join((note or "").split())[:limit]
