"""``slrflow stopping``: after every run, may the reviewers stop screening at title/abstract?

Reads the screening stage's ``status.csv`` and ``log.csv`` and applies the stopping rule the
config chooses (``screening.stopping.method``: the counting-process estimate or buscar's test;
:func:`slrflow.screening.stopping.estimate`) to the title/abstract decisions in the order they
were made. Writes under ``--out-dir``:

``stopping.csv``
    one row (columns :data:`COLUMNS`): how many references there are, how many were screened and
    included, the method, recall target and confidence (config ``screening.stopping``), the
    chance that the recall target was missed (buscar: its p-value), whether the target is met,
    the includes probably still unfound, how many random unscreened references to screen next
    (buscar), and the advice in one sentence;
``stopping_sample.csv``
    the references to screen next when buscar's test asks for a random sample (columns
    :data:`SAMPLE_COLUMNS`; only a header otherwise). The reviewers screen them like any other.

Which references count, at title/abstract:

- **references**: every reference that reached the stage, less those an automation rule removed
  before screening. References the ``unscreened`` rule removed (the review chose to stop) count
  as unscreened: the estimate is what that rule's stated recall rests on.
- **screened**: status include, maybe or exclude; a conflict counts as screened and as an include
  until it is settled (a possible include the test must not overlook).
- **unscreened**: the rest (pending, or removed by the ``unscreened`` rule).

The screening order: references by the earliest date of any reviewer's decision on them at
title/abstract (log.csv; a resolution only for a reference no reviewer decided, since settling
a conflict comes after the screening it settles); decisions without a date count as made after
every dated one. Within a day (and among the undated) references keep the order of the rows in the
decision files, which is the order of the screening sheets or of the screening page: the
counting rule reads where along the ranking the includes were met, so an order by anything
else (the reference id) would scatter them. Rows from different files are taken row number by
row number (two reviewers screening one sheet side by side), then by file name, then by
reference id, so the order is stable from run to run.

The random sample is a stable draw: every reference gets a fixed number from a hash of its id,
and the sample is the unscreened references with the smallest numbers. Screening it and running
again updates the estimate; the sample's decisions, made last, are the final part of the
screening order the test weighs.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import pandas as pd

from slrflow import settings
from slrflow.screening import STAGES, ScreeningError
from slrflow.screening.counting import CHECKED_RECALL
from slrflow.screening.stopping import DEFAULT_METHOD, METHOD_NAMES, estimate
from slrflow.tables import read_csv, write_csv

#: Columns of stopping.csv.
COLUMNS = [
    "stage", "references", "screened", "includes_found", "unscreened", "recall_target",
    "confidence", "method", "p_value", "target_met", "missing_estimate", "missing_upper",
    "random_sample_size", "advice",
]  # fmt: skip
#: Columns of stopping_sample.csv: draw position, the reference and what identifies it.
SAMPLE_COLUMNS = ["position", "reference_id", "title", "authors", "year", "journal", "doi"]
#: Defaults of config ``screening.stopping``.
DEFAULT_RECALL = settings.defaults("screening")["stopping"]["recall"]
DEFAULT_CONFIDENCE = settings.defaults("screening")["stopping"]["confidence"]

_INCLUDED = {"include", "maybe", "conflict"}
_SCREENED = _INCLUDED | {"exclude"}


def _draw(reference_id: str) -> int:
    """A fixed pseudo-random number per reference: the random sample's order."""
    return int(hashlib.sha256(f"stopping:{reference_id}".encode()).hexdigest()[:16], 16)


def screening_order(status: pd.DataFrame, log: pd.DataFrame, *, stage: str = STAGES[0]):
    """References of ``stage`` split into (screened in order, with labels) and unscreened.

    Returns ``(order, labels, unscreened)``: screened reference ids in the order they were
    screened, their labels (1 include, 0 exclude) and the unscreened reference ids, sorted.
    ``unscreened_rule``-removed references are passed in ``status`` as status ``unscreened``.
    """
    rows = status[status["stage"] == stage]
    screened = rows[rows["status"].isin(_SCREENED)]
    unscreened = sorted(rows.loc[rows["status"].isin(["pending", "unscreened"]), "reference_id"])
    decided = log[(log["stage"] == stage) & (log["source"].isin(["reviewer", "resolution"]))]
    # "~" sorts after any ISO date: undated decisions count as the latest
    when = ["_date", "_row", "file", "reference_id"]
    first = (
        decided.assign(
            _resolution=decided["source"] == "resolution",
            _date=decided["date"].replace("", "~"),
            _row=pd.to_numeric(decided["row"], errors="coerce").fillna(0),
        )
        # each reference's earliest reviewer decision, else its earliest resolution
        .sort_values(["_resolution", *when], kind="stable")
        .drop_duplicates("reference_id")
        .sort_values(when, kind="stable")
    )
    position = {ref: i for i, ref in enumerate(first["reference_id"])}
    order = sorted(
        screened["reference_id"], key=lambda ref: (position.get(ref, len(position)), ref)
    )
    label = dict(zip(screened["reference_id"], screened["status"], strict=True))
    labels = [1 if label[ref] in _INCLUDED else 0 for ref in order]
    return order, labels, unscreened


def stopping_estimate(
    status: pd.DataFrame,
    log: pd.DataFrame,
    *,
    method: str = DEFAULT_METHOD,
    recall_target: float = DEFAULT_RECALL,
    confidence: float = DEFAULT_CONFIDENCE,
    unscreened_rule: str | None = None,
    stopped_rule: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The row of stopping.csv and the random sample to screen next (reference ids, in order).

    ``method``: the stopping rule (:data:`slrflow.screening.stopping.METHODS`).
    ``unscreened_rule``: the name of the config's ``unscreened`` automation rule, whose
    references count as unscreened; ``stopped_rule``: that rule's settings (for the advice).
    """
    stage = STAGES[0]
    status = status.copy()
    if unscreened_rule:
        stopped = (status["status"] == "automation") & (status["criteria"] == unscreened_rule)
        status.loc[stopped, "status"] = "unscreened"
    order, labels, unscreened = screening_order(status, log, stage=stage)
    n_screened, n_unscreened = len(order), len(unscreened)
    n_refs = n_screened + n_unscreened
    found = sum(labels)
    row: dict[str, Any] = {
        "stage": stage, "references": n_refs, "screened": n_screened, "includes_found": found,
        "unscreened": n_unscreened, "recall_target": recall_target, "confidence": confidence,
        "method": method, "p_value": "", "target_met": "no", "missing_estimate": "",
        "missing_upper": "", "random_sample_size": 0, "advice": "",
    }  # fmt: skip
    goal = (
        f"recall of {recall_target:.0%} with {confidence:.0%} confidence "
        f"({METHOD_NAMES.get(method, method)})"
    )
    if n_refs == 0:
        row["advice"] = "No reference has reached title/abstract screening: nothing to estimate."
        return row, []
    if n_unscreened == 0:
        row.update(p_value=0.0, target_met="yes", missing_estimate=0, missing_upper=0)
        row["advice"] = (
            "Every reference has been screened at title/abstract: recall at this stage is complete."
        )
        return row, []
    if n_screened == 0:
        row["advice"] = (
            "No reference has been screened at title/abstract yet: screen in the order of the "
            "screening sheets; the stopping estimate needs decisions."
        )
        return row, []
    est = estimate(
        labels, n_refs, method=method, recall_target=recall_target, confidence=confidence
    )
    row.update(
        method=est.method,
        p_value=est.p_value,
        missing_estimate="" if math.isnan(est.unfound_estimate) else est.unfound_estimate,
        missing_upper=est.unfound_upper,
    )
    if found == 0:
        # Recall is undefined without an include: there is nothing to stop on yet.
        row["advice"] = (
            "No include found yet: recall cannot be estimated; keep screening in the order of the "
            "screening sheets."
        )
        return row, []
    met = est.target_met
    row["target_met"] = "yes" if met else "no"
    sample: list[str] = []
    if met:
        row["advice"] = (
            f"{goal[0].upper()}{goal[1:]} is reached (p = {est.p_value:.4f}; about "
            f"{est.unfound_estimate:.1f} include(s) estimated unfound): you may stop "
            f"screening; the {n_unscreened} unscreened reference(s) then count as excluded by "
            "the config's unscreened automation rule."
        )
        if method == "counting" and recall_target < CHECKED_RECALL:
            row["advice"] += (
                f" Below a {CHECKED_RECALL:.0%} target the counting rule has stopped short of "
                "its target more often than its confidence says (includes returning far down "
                "the ranking); buscar keeps its confidence at any target."
            )
    elif method == "counting":
        # The counting rule learns from the ranked order itself: the next decisions are best
        # spent on the references ranked highest, not on a random sample.
        row["advice"] = (
            f"{goal[0].upper()}{goal[1:]} is not shown yet (p = {est.p_value:.4f}; about "
            f"{est.unfound_estimate:.1f} include(s) estimated unfound, at most "
            f"{est.unfound_upper}): keep screening in the order of the screening sheets and run "
            "again."
        )
    else:
        size = min(est.screen_next, n_unscreened)
        sample = sorted(unscreened, key=lambda ref: (_draw(ref), ref))[:size]
        row["random_sample_size"] = size
        row["advice"] = (
            f"{goal[0].upper()}{goal[1:]} is not shown yet (p = {est.p_value:.4f}): screen the "
            f"{size} reference(s) in stopping_sample.csv (drawn at random from the "
            f"{n_unscreened} unscreened) and run again; each include found there raises the "
            "number needed."
        )
    if stopped_rule is not None:
        stated = stopped_rule.get("unscreened", {}).get("recall")
        verdict = "" if met else ", which this estimate does not support"
        row["advice"] += (
            f" Screening was stopped under rule {stopped_rule.get('name')} "
            f"(stated recall {stated:.0%}){verdict}."
        )
    return row, sample


def _read(path: Path, needed: list[str]) -> pd.DataFrame:
    frame = read_csv(path)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ScreeningError(
            [f"{path}: column(s) {', '.join(missing)} missing; run `slrflow screen` again"],
            heading="stopping input",
        )
    return frame


def write_stopping(
    *,
    status: Path,
    log: Path,
    references: Path,
    out_dir: Path,
    method: str = DEFAULT_METHOD,
    recall: float = DEFAULT_RECALL,
    confidence: float = DEFAULT_CONFIDENCE,
    rule: dict[str, Any] | None = None,
) -> str:
    """Write stopping.csv and stopping_sample.csv for the title/abstract stage into ``out_dir``
    from the screening stage's ``status`` and ``log`` tables; ``rule`` is the automation rule
    ``unscreened`` when the review stopped on it; ``method`` the stopping rule (counting or
    buscar). Returns the advice."""
    status = _read(status, ["reference_id", "stage", "status", "criteria"])
    log = _read(log, ["source", "stage", "file", "row", "reference_id", "date"])
    references = _read(references, ["reference_id"])
    row, sample = stopping_estimate(
        status,
        log,
        method=method,
        recall_target=recall,
        confidence=confidence,
        unscreened_rule=rule["name"] if rule else None,
        stopped_rule=rule,
    )
    info = references.set_index("reference_id")
    rows = []
    for position, ref in enumerate(sample, start=1):
        known = info.loc[ref] if ref in info.index else {}
        rows.append(
            {"position": position, "reference_id": ref}
            | {c: known.get(c, "") for c in SAMPLE_COLUMNS[2:]}
        )
    write_csv(pd.DataFrame([row], columns=COLUMNS), out_dir / "stopping.csv")
    write_csv(pd.DataFrame(rows, columns=SAMPLE_COLUMNS), out_dir / "stopping_sample.csv")
    return row["advice"]
