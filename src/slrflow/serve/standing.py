"""Where the review stands now: every decision file read again, combined as ``slrflow screen``
combines them, with the title/abstract stopping estimate.

The page shows its reviewer only their own decisions (blind mode); everyone's decisions are
still read here because they decide who owes which reference (double screening, conflicts) and
what the ranker learns from, exactly as for the screening sheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from slrflow.records import LIST_SEPARATOR
from slrflow.screening import STAGES
from slrflow.screening import automation as automation_rules
from slrflow.screening.attach import ReferenceIndex
from slrflow.screening.automation import Marked
from slrflow.screening.decisions import Decision, collect_files, read_decisions, read_resolutions
from slrflow.screening.progress import DEFAULT_CONFIDENCE, DEFAULT_RECALL, stopping_estimate
from slrflow.screening.status import StageStatus, build_status
from slrflow.screening.stopping import DEFAULT_METHOD
from slrflow.serve.review import Review


@dataclass
class Standing:
    """The status of every reference at every stage, with the decisions behind it.

    ``status`` is keyed by (reference_id, stage); ``decisions`` holds every reviewer decision
    and settlement read; ``stopping`` is the row of ``stopping.csv`` for title/abstract and
    ``sample`` the random references it asks to screen next (empty when it asks for none).
    """

    status: dict[tuple[str, str], StageStatus]
    decisions: list[Decision]
    stopping: dict[str, Any] = field(default_factory=dict)
    sample: list[str] = field(default_factory=list)

    def awaiting(self, stage: str, reviewer: str) -> list[str]:
        """References at ``stage`` that still wait for ``reviewer``, by reference id."""
        return sorted(
            ref for (ref, st), s in self.status.items() if st == stage and reviewer in s.awaiting
        )

    def known(self, stage: str = STAGES[0]) -> dict[str, int]:
        """Title/abstract labels to learn from (include 1, exclude 0), as the sheets' ranker."""
        return {
            ref: int(s.status == "include")
            for (ref, st), s in self.status.items()
            if st == stage and s.status in ("include", "exclude")
        }


def marked_by_rules(review: Review, references: pd.DataFrame, index: ReferenceIndex):
    """References the config's automation rules remove before screening (do not change)."""
    marked, _ = automation_rules.apply(review.policy.automation, references, index)
    return marked


def read_standing(
    review: Review,
    *,
    references: pd.DataFrame,
    index: ReferenceIndex,
    marked: dict[str, Marked],
) -> Standing:
    """Read every decision and resolution file of the review now and combine them.

    Raises :class:`~slrflow.screening.ScreeningError` when a file has problems, as
    ``slrflow screen`` would.
    """
    policy, criteria = review.policy, review.criteria
    decision_files, resolution_files = collect_files(review.screening_dir)
    decisions, _ = read_decisions(decision_files, policy=policy, criteria=criteria, index=index)
    resolutions = read_resolutions(resolution_files, policy=policy, criteria=criteria, index=index)
    reference_ids = sorted(references["reference_id"])
    judged = {d.reference_id for d in decisions + resolutions if d.stage == STAGES[0]}
    marked = dict(marked) | automation_rules.mark_unscreened(
        policy.automation, reference_ids, judged, marked
    )
    status = build_status(reference_ids, decisions, resolutions, marked, policy, criteria)
    standing = Standing(status=status, decisions=decisions + resolutions)
    standing.stopping, standing.sample = _stopping(review, standing)
    return standing


def _stopping(review: Review, standing: Standing) -> tuple[dict[str, Any], list[str]]:
    """The stopping estimate as ``slrflow stopping`` makes it after a run."""
    stage = STAGES[0]
    rows = [
        (ref, st, s.status, LIST_SEPARATOR.join(s.criteria))
        for (ref, st), s in standing.status.items()
        if st == stage
    ]
    status = pd.DataFrame(rows, columns=["reference_id", "stage", "status", "criteria"])
    log = pd.DataFrame(
        [
            (d.source, d.stage, d.file, d.row, d.reference_id, d.date)
            for d in standing.decisions
            if d.stage == stage
        ],
        columns=["source", "stage", "file", "row", "reference_id", "date"],
    )
    # the settings `slrflow stopping` uses (the policy's, defaults filled in)
    given = review.policy.raw.get("stopping") or {}
    rule = next((r for r in review.policy.automation if "unscreened" in r), None)
    return stopping_estimate(
        status,
        log,
        method=str(given.get("method", DEFAULT_METHOD)),
        recall_target=float(given.get("recall", DEFAULT_RECALL)),
        confidence=float(given.get("confidence", DEFAULT_CONFIDENCE)),
        unscreened_rule=rule["name"] if rule else None,
        stopped_rule=rule,
    )
