"""From the decisions read to a status per reference and stage, its conflicts and settlements.

A reference reaches ``title_abstract`` unless an automation rule removed it, ``retrieval`` when
title/abstract screening passed it (include, or maybe when config ``maybe: include``), and
``full_text`` when its report was retrieved. At each stage reached, the reviewers' decisions on
any of its records are combined:

- reviewers who disagree (include vs exclude; retrieved vs not_retrieved), a ``maybe`` that needs
  a resolution (``maybe: resolve``, or any maybe at full text), or full-text exclusions naming
  different criteria make a **conflict**;
- fewer reviewers than the policy needs leave it **pending** (with the reviewers still to judge);
- otherwise the agreed decision holds (the criteria of agreeing title/abstract exclusions are
  joined; at full text the reviewers must name the same ones, as PRISMA reports each excluded
  report with its reasons).

A resolution for the reference and stage replaces all that, and the log says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from slrflow.screening import STAGES
from slrflow.screening.automation import Marked
from slrflow.screening.criteria import Criteria
from slrflow.screening.decisions import Decision
from slrflow.screening.policy import Policy

#: Statuses a reference can have at a stage.
STATUSES = (
    "not_reached",  # the reference did not get to this stage
    "automation",  # removed by an automation rule before screening (title_abstract only)
    "pending",  # fewer reviewers than the policy needs have judged it
    "conflict",  # reviewers disagree, or a maybe needs a resolution, and nothing settles it
    "include",
    "exclude",
    "maybe",  # every reviewer said maybe, and maybe passes at this stage
    "retrieved",
    "not_retrieved",
)


@dataclass
class StageStatus:
    """Where one reference stands at one stage.

    ``decided_by`` is ``reviewers``, ``resolution`` or ``automation``; ``votes`` shows each
    reviewer's answer; ``needed`` is how many reviewers the policy asks for; ``awaiting`` lists
    the reviewers still to judge it (their screening sheets hold it); ``conflict`` says why the
    reviewers' decisions could not stand alone (kept after a resolution settles it).
    """

    reference_id: str
    stage: str
    status: str
    criteria: tuple[str, ...] = ()
    decided_by: str = ""
    votes: str = ""
    reviewers: tuple[str, ...] = ()
    needed: int = 0
    awaiting: tuple[str, ...] = ()
    conflict: str = ""
    resolution: Decision | None = None
    decisions: list[Decision] = field(default_factory=list)

    def passes(self, policy: Policy) -> bool:
        """Whether the reference goes on to the next stage."""
        if self.status in ("include", "retrieved"):
            return True
        return self.status == "maybe" and policy.maybe_passes(self.stage)


def effective_decision(d: Decision, policy: Policy) -> str:
    """The decision as the policy reads it (a passing maybe counts as include)."""
    return "include" if d.decision == "maybe" and policy.maybe_passes(d.stage) else d.decision


def _combine(
    ref: str, stage: str, found: list[Decision], policy: Policy, criteria: Criteria
) -> StageStatus:
    by_reviewer: dict[str, list[Decision]] = defaultdict(list)
    for d in found:
        by_reviewer[d.reviewer].append(d)
    reviewers = tuple(r for r in policy.reviewers if r in by_reviewer) + tuple(
        sorted(r for r in by_reviewer if r not in policy.reviewers)
    )
    votes = "; ".join(f"{r}: {', '.join(d.answer for d in by_reviewer[r])}" for r in reviewers)
    needed = policy.needed(ref, stage)
    effective = {effective_decision(d, policy) for d in found}
    conflict = ""
    if len(effective) > 1:
        split = [
            r for r in reviewers if len({effective_decision(d, policy) for d in by_reviewer[r]}) > 1
        ]
        conflict = " vs ".join(sorted(effective))
        if split:
            conflict += f" (decisions of {', '.join(split)} on records now merged disagree)"
    elif "maybe" in effective:
        conflict = "maybe needs a resolution"
    elif effective == {"exclude"} and stage == "full_text":
        reasons = {d.criteria for d in found}
        if len(reasons) > 1:
            conflict = "exclusion reasons differ: " + " vs ".join(
                "; ".join(r) for r in sorted(reasons)
            )
    status = StageStatus(
        reference_id=ref,
        stage=stage,
        status="",
        votes=votes,
        reviewers=reviewers,
        needed=needed,
        decisions=found,
    )
    if conflict:
        status.status, status.conflict = "conflict", conflict
    elif len(reviewers) < needed or not found:
        status.status = "pending"
        assigned = policy.assigned(ref, stage, set(reviewers))
        status.awaiting = tuple(r for r in assigned if r not in by_reviewer)
    else:
        (value,) = effective
        if value == "include" and all(d.decision == "maybe" for d in found):
            value = "maybe"
        status.status = value
        status.decided_by = "reviewers"
        if value in ("exclude", "not_retrieved"):
            status.criteria = criteria.order([c for d in found for c in d.criteria])
    return status


def build_status(
    reference_ids: list[str],
    decisions: list[Decision],
    resolutions: list[Decision],
    marked: dict[str, Marked],
    policy: Policy,
    criteria: Criteria,
) -> dict[tuple[str, str], StageStatus]:
    """The status of every reference at every stage, keyed by (reference_id, stage)."""
    grouped: dict[tuple[str, str], list[Decision]] = defaultdict(list)
    for d in decisions:
        if not d.repeat_of:
            grouped[(d.reference_id, d.stage)].append(d)
    settled = {(r.reference_id, r.stage): r for r in resolutions if not r.repeat_of}
    out: dict[tuple[str, str], StageStatus] = {}
    for ref in reference_ids:
        previous: StageStatus | None = None
        for stage in STAGES:
            key = (ref, stage)
            found = grouped.get(key, [])
            if stage == STAGES[0] and ref in marked:
                m = marked[ref]
                status = StageStatus(
                    ref,
                    stage,
                    "automation",
                    criteria=(m.rule,),
                    decided_by="automation",
                    votes=f"{m.rule}: {m.detail}",
                    decisions=found,
                )
            elif previous is not None and not previous.passes(policy):
                status = StageStatus(ref, stage, "not_reached", decisions=found)
            else:
                status = _combine(ref, stage, found, policy, criteria)
                resolution = settled.get(key)
                if resolution is not None:
                    status.resolution = resolution
                    status.status = resolution.decision
                    status.criteria = resolution.criteria
                    status.decided_by = "resolution"
                    status.awaiting = ()
            if status.status in ("automation", "not_reached") and key in settled:
                status.resolution = settled[key]
            out[key] = status
            previous = status
    return out


def explain(d: Decision, status: StageStatus, previous: StageStatus | None) -> str:
    """How a decision was used, for the screening log's ``resolution`` column."""
    prefix = f"repeat of {d.repeat_of} (same answer); " if d.repeat_of else ""
    if status.status == "automation":
        return prefix + f"not used: removed by automation rule {status.criteria[0]}"
    if status.status == "not_reached":
        before = f"{previous.stage}: {previous.status}" if previous else "earlier stage"
        return prefix + f"not used: the reference did not reach {status.stage} ({before})"
    res = status.resolution
    if d.source == "resolution":
        if d.repeat_of:
            return prefix.rstrip("; ")
        if status.conflict:
            return f"settles conflict ({status.conflict}): {d.answer}"
        return f"override without conflict: {d.answer}"
    if res is not None:
        return (
            prefix
            + f"settled by {res.reviewer} ({res.where}, {res.date or 'no date'}): {res.answer}"
        )
    if status.status == "conflict":
        return prefix + (
            f"conflict open ({status.conflict}); settle it in screening/resolutions.csv"
        )
    if status.status == "pending":
        waiting = ", ".join(status.awaiting) or "another reviewer"
        return prefix + f"awaiting {waiting} ({len(status.reviewers)} of {status.needed} reviewers)"
    final = status.status + (f" ({'; '.join(status.criteria)})" if status.criteria else "")
    if len(status.reviewers) > 1:
        return prefix + f"agreed: {final}"
    return prefix + f"final: {final} (one reviewer needed)"
