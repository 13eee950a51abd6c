"""Agreement between reviewers: percent agreement, Cohen's kappa, PABAK, Krippendorff's alpha.

Computed per stage on the decisions as the policy reads them (a maybe that passes at
title/abstract counts as include, since that is what decides a conflict), over the references
both reviewers judged. Only the decision counts: two exclusions naming different criteria agree
here (conflicts.csv still lists them at full text). ``k``, the number of categories PABAK
assumes, is the number of answers possible at the stage under the policy (2 for
include/exclude, 3 when maybe stands apart).

The statistics are those of :mod:`slrflow.agreement`: percent agreement, Cohen's kappa and
PABAK for each pair of reviewers, Krippendorff's alpha (nominal) over all reviewers of a stage
when more than two judged it.
"""

from __future__ import annotations

import math
from itertools import combinations

from slrflow.agreement import (
    cohen_kappa,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    statistic_text,
)
from slrflow.screening import DECISIONS, STAGES
from slrflow.screening.decisions import Decision
from slrflow.screening.policy import Policy
from slrflow.screening.status import effective_decision

#: Columns of agreement.csv.
COLUMNS = [
    "stage", "reviewer_a", "reviewer_b", "measure", "n", "n_agree", "percent_agreement",
    "cohen_kappa", "pabak", "krippendorff_alpha", "categories", "note",
]  # fmt: skip


def categories(stage: str, policy: Policy) -> int:
    """Answers possible at a stage as the policy reads them (PABAK's k)."""
    answers = set(DECISIONS[stage])
    if policy.maybe_passes(stage):
        answers.discard("maybe")
    return len(answers)


def agreement_table(decisions: list[Decision], policy: Policy) -> list[dict[str, object]]:
    """One row per stage and reviewer pair (and one per stage for alpha with >2 reviewers).

    ``n`` is the number of references behind each figure; a reviewer whose decisions on the
    records of one reference disagree is left out for that reference.
    """
    rows: list[dict[str, object]] = []
    for stage in STAGES:
        votes: dict[str, dict[str, str]] = {}
        for d in decisions:
            if d.stage != stage or d.source != "reviewer" or d.repeat_of:
                continue
            mine = votes.setdefault(d.reviewer, {})
            value = effective_decision(d, policy)
            if mine.get(d.reference_id, value) != value:
                value = "?"  # this reviewer's records of one reference got different answers
            mine[d.reference_id] = value
        for reviewer in votes:
            votes[reviewer] = {r: v for r, v in votes[reviewer].items() if v != "?"}
        k = categories(stage, policy)
        names = [r for r in policy.reviewers if r in votes] + sorted(
            r for r in votes if r not in policy.reviewers
        )
        for first, second in combinations(names, 2):
            shared = sorted(set(votes[first]) & set(votes[second]))
            row: dict[str, object] = {
                "stage": stage,
                "reviewer_a": first,
                "reviewer_b": second,
                "measure": "pair",
                "n": len(shared),
                "n_agree": "",
                "percent_agreement": "",
                "cohen_kappa": "",
                "pabak": "",
                "krippendorff_alpha": "",
                "categories": k,
                "note": "",
            }
            if shared:
                a = [votes[first][r] for r in shared]
                b = [votes[second][r] for r in shared]
                kappa = cohen_kappa(a, b)
                row.update(
                    n_agree=sum(x == y for x, y in zip(a, b, strict=True)),
                    percent_agreement=statistic_text(percent_agreement(a, b)),
                    cohen_kappa=statistic_text(kappa),
                    pabak=statistic_text(pabak(a, b, k=k)),
                )
                if math.isnan(kappa):
                    row["note"] = "kappa undefined: both reviewers used a single category"
            else:
                row["note"] = "no reference judged by both"
            rows.append(row)
        if len(names) > 2:
            units = sorted({r for name in names for r in votes[name]})
            units = [u for u in units if sum(u in votes[n] for n in names) >= 2]
            alpha = krippendorff_alpha([[votes[n].get(u) for u in units] for n in names])
            rows.append(
                {
                    "stage": stage,
                    "reviewer_a": "all",
                    "reviewer_b": "",
                    "measure": "all reviewers",
                    "n": len(units),
                    "n_agree": "",
                    "percent_agreement": "",
                    "cohen_kappa": "",
                    "pabak": "",
                    "krippendorff_alpha": statistic_text(alpha) if units else "",
                    "categories": k,
                    "note": f"{len(names)} reviewers; references judged by at least two",
                }
            )
    return rows
