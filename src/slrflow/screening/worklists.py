"""``slrflow screening-sheets``: each reviewer's worklist for every stage, as a screening sheet.

A reviewer's worklist holds the references awaiting their decision at a stage
(``results/screening/status.csv``, column ``awaiting``), in priority order: at title/abstract
the ranker's (or a given ranking's), elsewhere by reference id. Each list is written as
``<out-dir>/<stage>/<reviewer>.xlsx`` (:mod:`.sheets`); the open conflicts of each stage as
``<out-dir>/<stage>/resolutions.xlsx`` (:mod:`.resolution_sheet`). The command line is in
:mod:`.command`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from slrflow.records import LIST_SEPARATOR
from slrflow.screening import STAGES, ScreeningError
from slrflow.screening.criteria import Criteria
from slrflow.screening.policy import Policy
from slrflow.screening.resolution_sheet import write_resolution_sheet
from slrflow.screening.sheets import write_sheet
from slrflow.tables import RowsById, read_csv


def write_sheets(
    *,
    status: Path,
    references: Path,
    policy: Policy,
    criteria: Criteria,
    criteria_file: str | Path,
    out_dir: Path,
    ranking: Path | None = None,
) -> None:
    """Write one sheet per stage and reviewer with the references that reviewer still owes
    (``status`` and ``references``: the screening status and the references tables; the
    ranker's cold start reads ``criteria_file``)."""
    status = read_csv(status)
    references = read_csv(references)
    by_id = RowsById(references, key="reference_id")
    for stage in STAGES:
        waiting = status[(status["stage"] == stage) & (status["awaiting"] != "")]
        order, terms = priority_order(
            stage,
            waiting["reference_id"].tolist(),
            references,
            status,
            ranking=ranking,
            criteria_file=criteria_file,
        )
        position = {ref: i for i, ref in enumerate(order)}
        for reviewer in policy.reviewers:
            mine = [
                ref
                for ref, awaiting in zip(waiting["reference_id"], waiting["awaiting"], strict=True)
                if reviewer in awaiting.split(LIST_SEPARATOR)
            ]
            mine.sort(key=lambda ref: (position.get(ref, len(position)), ref))
            rows = [
                dict(by_id[ref], priority=i, rank_terms=terms.get(ref, ""))
                for i, ref in enumerate(mine[: policy.sheet_size], start=1)
            ]
            later = len(mine) - len(rows)
            path = out_dir / stage / f"{reviewer}.xlsx"
            write_sheet(path, rows, stage=stage, reviewer=reviewer, criteria=criteria, later=later)
            more = f" ({later} more in later sheets)" if later else ""
            print(f"{path}: {len(rows)} reference(s) to judge{more}", file=sys.stderr)
        open_conflicts = status[(status["stage"] == stage) & (status["status"] == "conflict")]
        rows = [
            dict(by_id[ref], votes=votes, conflict=why)
            for ref, votes, why in sorted(
                zip(
                    open_conflicts["reference_id"], open_conflicts["votes"],
                    open_conflicts["conflict"], strict=True,
                )
            )
        ]  # fmt: skip
        path = out_dir / stage / "resolutions.xlsx"
        write_resolution_sheet(path, rows, stage=stage, policy=policy, criteria=criteria)
        print(f"{path}: {len(rows)} open conflict(s) to settle", file=sys.stderr)


def priority_order(
    stage: str,
    waiting: list[str],
    references: pd.DataFrame,
    status: pd.DataFrame,
    *,
    ranking: Path | None,
    criteria_file: str | Path,
) -> tuple[list[str], Mapping[str, str]]:
    """The order to screen ``waiting`` in, and the terms that ranked each reference there.

    Title/abstract: the ``ranking`` table (reference_id, rank) when given, else the ranker of
    :mod:`slrflow.screening.rank` trained on the decisions so far (its cold start uses the
    text of ``criteria_file``). Other stages, or without a ranker: reference id order.
    """
    if not waiting:
        return [], {}
    if stage == "title_abstract":
        if ranking is not None:
            table = read_csv(ranking)
            if not {"reference_id", "rank"} <= set(table.columns):
                raise ScreeningError([f"{ranking}: needs columns reference_id and rank"])
            ranked = table.assign(_r=pd.to_numeric(table["rank"])).sort_values("_r")
        else:
            try:
                from slrflow.screening import rank
            except ImportError:  # the ranker is optional: fall back to a stable order
                return sorted(waiting), {}
            return _rank(rank, stage, waiting, references, status, criteria_file)
        terms = ranked["top_terms"] if "top_terms" in ranked else [""] * len(ranked)
        return ranked["reference_id"].tolist(), dict(
            zip(ranked["reference_id"], terms, strict=True)
        )
    return sorted(waiting), {}


def _rank(
    rank, stage, waiting, references, status, criteria_file
) -> tuple[list[str], Mapping[str, str]]:
    """The ranker trained on the title/abstract decisions so far, over the waiting references:
    their order, and the terms that ranked each (worked out for the references a sheet shows)."""
    ta = status[status["stage"] == stage]
    known = {
        ref: s for ref, s in zip(ta["reference_id"], ta["status"], strict=True)
        if s in ("include", "exclude")
    }  # fmt: skip
    criteria_text = rank.load_criteria_text(criteria_file)
    pool = references[references["reference_id"].isin(set(waiting) | set(known))]
    ranker, ids, unscreened = rank.fitted(
        pool.reset_index(drop=True), known, criteria_text=criteria_text
    )
    order = ranker.order(unscreened)
    return [ids[i] for i in order], _RankTerms(ranker, {ids[i]: int(i) for i in order})


class _RankTerms(Mapping):
    """reference_id -> the terms that ranked it (``"; "``-joined), each worked out when asked
    for: a sheet shows a few thousand references of a waiting list that may hold a million."""

    def __init__(self, ranker, position: dict[str, int]) -> None:
        self._ranker = ranker
        self._position = position

    def __getitem__(self, reference_id: str) -> str:
        return "; ".join(self._ranker.top_terms(self._position[reference_id], 5))

    def __iter__(self):
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)
