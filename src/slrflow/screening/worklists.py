"""``slrflow screening-sheets``: each reviewer's worklist for every stage, as a screening sheet.

A reviewer's worklist holds the references awaiting their decision at a stage
(``results/screening/status.csv``, column ``awaiting``), in priority order: at title/abstract
the ranker's (or a given ranking's), elsewhere by reference id. Each list is written as
``<out-dir>/<stage>/<reviewer>.xlsx`` (:mod:`.sheets`); the open conflicts of each stage as
``<out-dir>/<stage>/resolutions.xlsx`` (:mod:`.resolution_sheet`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from slrflow import tables
from slrflow.records import LIST_SEPARATOR
from slrflow.screening import STAGES, ScreeningError
from slrflow.screening.policy import add_policy_arguments, policy_from_arguments
from slrflow.screening.resolution_sheet import write_resolution_sheet
from slrflow.screening.sheets import write_sheet
from slrflow.tables import read_csv


def add_arguments_screening_sheets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", type=Path, required=True, help="results/screening/status.csv")
    parser.add_argument(
        "--references", type=Path, required=True, help="results/dedup/references.csv"
    )
    add_policy_arguments(parser)
    parser.add_argument(
        "--ranking", type=Path,
        help="CSV with reference_id and rank (1 = first) for title/abstract; default: the ranker",
    )  # fmt: skip
    parser.add_argument(
        "-o", "--out-dir", type=Path, required=True, help="results/screening/sheets"
    )


def screening_sheets(args: argparse.Namespace) -> int:
    """Write one sheet per stage and reviewer with the references that reviewer still owes."""
    policy, criteria = policy_from_arguments(args)
    status = read_csv(args.status)
    references = read_csv(args.references)
    by_id = {r["reference_id"]: r for r in tables.rows(references)}
    for stage in STAGES:
        waiting = status[(status["stage"] == stage) & (status["awaiting"] != "")]
        order, terms = priority_order(
            stage,
            waiting["reference_id"].tolist(),
            references,
            status,
            ranking=args.ranking,
            criteria_file=args.criteria or policy.criteria,
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
                for i, ref in enumerate(mine, start=1)
            ]
            path = args.out_dir / stage / f"{reviewer}.xlsx"
            write_sheet(path, rows, stage=stage, reviewer=reviewer, criteria=criteria)
            print(f"{path}: {len(rows)} reference(s) to judge", file=sys.stderr)
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
        path = args.out_dir / stage / "resolutions.xlsx"
        write_resolution_sheet(path, rows, stage=stage, policy=policy, criteria=criteria)
        print(f"{path}: {len(rows)} open conflict(s) to settle", file=sys.stderr)
    return 0


def priority_order(
    stage: str,
    waiting: list[str],
    references: pd.DataFrame,
    status: pd.DataFrame,
    *,
    ranking: Path | None,
    criteria_file: str | Path,
) -> tuple[list[str], dict[str, str]]:
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
            ranked = _rank(rank, stage, waiting, references, status, criteria_file)
        terms = ranked["top_terms"] if "top_terms" in ranked else [""] * len(ranked)
        return ranked["reference_id"].tolist(), dict(
            zip(ranked["reference_id"], terms, strict=True)
        )
    return sorted(waiting), {}


def _rank(rank, stage, waiting, references, status, criteria_file) -> pd.DataFrame:
    """The ranker trained on the title/abstract decisions so far, over the waiting references."""
    ta = status[status["stage"] == stage]
    known = {
        ref: s for ref, s in zip(ta["reference_id"], ta["status"], strict=True)
        if s in ("include", "exclude")
    }  # fmt: skip
    criteria_text = rank.load_criteria_text(criteria_file)
    pool = references[references["reference_id"].isin(set(waiting) | set(known))]
    return rank.rank(pool.reset_index(drop=True), known, criteria_text=criteria_text)
