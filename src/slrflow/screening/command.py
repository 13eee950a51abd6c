"""``slrflow screen``: the screening stage's tables from the command line.

``screen`` reads the run's records and references, every decision file and the resolutions,
and writes under ``--out-dir``:

``log.csv``
    every decision read (reviewers, resolutions, automation) with its file and row, the
    reference it attached to, the reference's status at that stage and how it was resolved;
``status.csv``
    one row per reference and stage;
``conflicts.csv``
    every conflict, open or settled, with the votes and the settlement;
``agreement.csv``
    agreement per stage and reviewer pair, with the number of references behind each figure;
``counts.csv``
    PRISMA 2020 numbers as ``node, detail, n`` (the PRISMA2020 R package's node names, see
    :mod:`slrflow.prisma`); the updated-review template's when the search log
    (``--report``, column ``update``) has update rounds;
``flow.csv``
    every box of the accounting, awaiting boxes included, with reasons per criterion;
``boxes.csv``
    the box each record of each export ended in (the accounting invariant, checked), and its
    PRISMA box (``prisma``: the node it is counted in last; ``prisma_detail``: the part);
``progress.csv``
    each reviewer's progress per stage: done, to do, open conflicts (:mod:`.workload`), also
    printed on the console;
``included.ris``, ``included.bib``
    the references still in the review at the furthest stage they reached (:mod:`.included`).

Files are named relative to the review folder (``--review``). All problems of the decision
files and the resolution files are reported together. With ``--ledger`` (what the previous
run read), decisions that are gone from the decision files stop the run (:mod:`.ledger`).

The other screening commands parse their arguments here too and call the module that does the
work: ``slrflow screening-sheets`` (:mod:`.worklists`: each reviewer's sheet of references
still owed), ``slrflow stopping`` (:mod:`.progress`), ``slrflow simulate`` (:mod:`.simulate`) and
``slrflow simulation-report`` (:mod:`.curves`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from slrflow import settings
from slrflow.records import LIST_SEPARATOR
from slrflow.screening import STAGES, ScreeningError, ledger, progress, worklists
from slrflow.screening import automation as automation_rules
from slrflow.screening.agreement import COLUMNS as AGREEMENT_COLUMNS
from slrflow.screening.agreement import agreement_table
from slrflow.screening.attach import ReferenceIndex
from slrflow.screening.counts import account, flow_counts, prisma_counts
from slrflow.screening.criteria import Criteria, load_criteria
from slrflow.screening.decisions import (
    Decision,
    collect_files,
    read_decisions,
    read_resolutions,
)
from slrflow.screening.included import write_included
from slrflow.screening.policy import Policy, load_policy
from slrflow.screening.status import StageStatus, build_status, explain
from slrflow.screening.workload import format_table, progress_table
from slrflow.tables import read_csv, write_csv

LOG_COLUMNS = [
    "source", "stage", "reviewer", "file", "row", "id_given", "record_id", "reference_id",
    "decision", "criteria", "note", "date", "status", "resolution",
]  # fmt: skip
STATUS_COLUMNS = [
    "reference_id", "stage", "status", "criteria", "decided_by", "votes", "reviewers",
    "needed", "awaiting", "conflict", "resolved_by", "resolution_file", "resolution_row",
]  # fmt: skip
CONFLICT_COLUMNS = [
    "reference_id", "stage", "state", "conflict", "votes", "resolved_decision", "resolved_by",
    "resolution_file", "resolution_row", "title", "year", "doi",
]  # fmt: skip

#: Lists in a cell are joined as the record table joins them.
_joined = LIST_SEPARATOR.join


def add_arguments_screen(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=Path, required=True, help="results/ingest/records.csv")
    parser.add_argument("--clusters", type=Path, required=True, help="results/dedup/clusters.csv")
    parser.add_argument(
        "--references", type=Path, required=True, help="results/dedup/references.csv"
    )
    parser.add_argument("--report", type=Path, help="results/ingest/report.csv (source types)")
    parser.add_argument("--review", type=Path, help="review folder: read <review>/screening/")
    parser.add_argument("--decisions", type=Path, nargs="*", default=None, help="decision files")
    parser.add_argument("--resolutions", type=Path, nargs="*", default=None, help="resolutions")
    parser.add_argument(
        "--ledger", type=Path,
        help="what the previous run read from the decision files (results/screening/"
        "decisions_read.csv): checked that no decision was lost, then rewritten",
    )  # fmt: skip
    add_policy_arguments(parser)
    parser.add_argument("-o", "--out-dir", type=Path, required=True, help="results/screening")


#: What screening reads of the record table (the accounting and decisions that give a DOI), and
#: what of the reference table it never reads (automation looks at years, languages and types).
_RECORD_COLUMNS = {"record_id", "search_id", "doi"}
_UNUSED_REFERENCE_COLUMNS = {"abstract", "keywords", "url"}


def screen(args: argparse.Namespace) -> int:
    """Build the screening log, status, conflicts, agreement and PRISMA counts."""
    policy, criteria = policy_from_arguments(args)
    # Only the columns the stage uses: the record table of a large review is gigabytes.
    records = read_csv(args.records, usecols=lambda c: c in _RECORD_COLUMNS)
    clusters = read_csv(args.clusters)
    references = read_csv(args.references, usecols=lambda c: c not in _UNUSED_REFERENCE_COLUMNS)
    index = ReferenceIndex.build(clusters, records=records, references=references)
    decision_files, resolution_files = [], []
    if args.review is not None:
        decision_files, resolution_files = collect_files(args.review / "screening")
    if args.decisions is not None:
        decision_files = args.decisions
    if args.resolutions is not None:
        resolution_files = args.resolutions
    print(
        f"screening: {len(references)} reference(s); reading {len(decision_files)} decision "
        f"file(s) and {len(resolution_files)} resolution file(s)",
        file=sys.stderr,
    )
    decisions, blank, resolutions = _read_inputs(
        decision_files, resolution_files, policy=policy, criteria=criteria, index=index,
        review=args.review,
    )  # fmt: skip
    if args.ledger is not None:
        ledger.check(args.ledger, decisions, out_dir=args.out_dir)
    for file, n in blank.items():
        if n:
            print(f"{file}: {n} row(s) without a decision (not yet judged)", file=sys.stderr)
    marked, warnings = automation_rules.apply(policy.automation, references, index)
    judged = {d.reference_id for d in decisions + resolutions if d.stage == STAGES[0]}
    marked |= automation_rules.mark_unscreened(
        policy.automation, sorted(references["reference_id"]), judged, marked
    )
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    reference_ids = sorted(references["reference_id"])
    status = build_status(reference_ids, decisions, resolutions, marked, policy, criteria)
    boxes = account(records, clusters, status)
    out = args.out_dir
    log = _log_frame(decisions + resolutions, status, marked, index)
    unused = log[log["resolution"].str.contains("not used: ", regex=False)]
    if len(unused):
        print(
            f"warning: {len(unused)} decision(s) not used because their reference was removed "
            "by automation or did not reach that stage (log.csv, column resolution): "
            + ", ".join(
                f"{f} row {r}" for f, r in zip(unused["file"][:10], unused["row"][:10], strict=True)
            ),
            file=sys.stderr,
        )
    write_csv(log, out / "log.csv")
    write_csv(_status_frame(status), out / "status.csv")
    write_csv(_conflict_frame(status, references), out / "conflicts.csv")
    write_csv(
        pd.DataFrame(agreement_table(decisions, policy), columns=AGREEMENT_COLUMNS),
        out / "agreement.csv",
    )
    source_types, databases, rounds = _searches(args.report)
    rules = [r["name"] for r in policy.automation]
    write_csv(
        pd.DataFrame(flow_counts(boxes, criteria, source_types=source_types, rules=rules)),
        out / "flow.csv",
    )
    # PRISMA's automation box names a stopping rule's method, target, confidence and the
    # includes it estimated unfound.
    rule_labels = {
        r["name"]: f"{r['name']} {automation_rules.stopping_statement(r['unscreened'])}"
        for r in policy.automation
        if "unscreened" in r
    }
    counts, placed = prisma_counts(
        boxes, criteria, source_types=source_types, databases=databases, rules=rules,
        rounds=rounds, rule_labels=rule_labels,
    )  # fmt: skip
    write_csv(counts.to_frame(), out / "counts.csv")
    write_csv(
        pd.DataFrame(
            [(b.record_id, b.search_id, b.reference_id, b.box, b.reason, _joined(b.reasons),
              p.node, p.detail) for b, p in zip(boxes, placed, strict=True)],
            columns=["record_id", "search_id", "reference_id", "box", "reason", "reasons",
                     "prisma", "prisma_detail"],
        ),
        out / "boxes.csv",
    )  # fmt: skip
    progress = progress_table(status, decisions, policy.reviewers)
    write_csv(progress, out / "progress.csv")
    n_included = write_included(
        references, status, policy, ris=out / "included.ris", bib=out / "included.bib",
        references_file=args.references,
    )  # fmt: skip
    if args.ledger is not None:
        ledger.write(args.ledger, decisions)
    # On stdout, which the workflow's rule leaves on the console, and in the log.
    table = "screening progress per reviewer:\n" + format_table(progress)
    print(table, flush=True)
    print(table, file=sys.stderr)
    print(
        f"screening: {n_included} reference(s) still in the review "
        f"({out / 'included.ris'}, {out / 'included.bib'})",
        file=sys.stderr,
    )
    tally = Counter(s.status for (_, stage), s in status.items() if stage == STAGES[0])
    print(
        f"screening: {len(decisions)} decision(s), {len(resolutions)} resolution(s), "
        f"{len(reference_ids)} reference(s); title/abstract: "
        + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())),
        file=sys.stderr,
    )
    return 0


def _read_inputs(decision_files, resolution_files, *, policy, criteria, index, review):
    """Decisions, rows not yet judged and resolutions; the problems of every file in one
    :class:`ScreeningError`."""
    problems: list[str] = []
    decisions, blank, resolutions = [], {}, []
    try:
        decisions, blank = read_decisions(
            decision_files, policy=policy, criteria=criteria, index=index, review=review
        )
    except ScreeningError as exc:
        problems.extend(exc.problems)
    try:
        resolutions = read_resolutions(
            resolution_files, policy=policy, criteria=criteria, index=index, review=review
        )
    except ScreeningError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ScreeningError(problems, heading="decision and resolution files")
    return decisions, blank, resolutions


def _searches(report: Path | None) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """Per search: source type, database name and update round (the search log's ``update``)."""
    if report is None or not Path(report).is_file():
        return {}, {}, {}
    frame = read_csv(report)
    types = dict(zip(frame["search_id"], frame.get("source_type", "database"), strict=True))
    names = dict(zip(frame["search_id"], frame.get("database", frame["search_id"]), strict=True))
    rounds = {}
    if "update" in frame:
        rounds = {s: int(u or 0) for s, u in zip(frame["search_id"], frame["update"], strict=True)}
    return types, names, rounds


def _log_frame(decisions, status, marked, index) -> pd.DataFrame:
    rows = []
    for d in decisions:
        s = status[(d.reference_id, d.stage)]
        previous = None
        if d.stage != STAGES[0]:
            previous = status[(d.reference_id, STAGES[STAGES.index(d.stage) - 1])]
        rows.append(_log_row(d, s.status, explain(d, s, previous)))
    for ref in sorted(marked):
        m = marked[ref]
        auto = Decision(
            source="automation",
            stage=STAGES[0],
            reviewer="automation",
            file="config screening.automation",
            row=0,
            id_given=ref,
            record_id=ref,
            reference_id=ref,
            decision="exclude",
            criteria=(m.rule,),
            note=m.detail,
        )
        rows.append(_log_row(auto, "automation", f"marked ineligible by rule {m.rule}"))
    frame = pd.DataFrame(rows, columns=LOG_COLUMNS)
    order = {"reviewer": 0, "resolution": 1, "automation": 2}
    frame["_o"] = frame["source"].map(order)
    frame["_s"] = frame["stage"].map(STAGES.index)
    frame = frame.sort_values(["_o", "_s", "file", "row", "reference_id"], kind="stable")
    frame["row"] = frame["row"].map(lambda r: "" if r == 0 else r)
    return frame.drop(columns=["_o", "_s"])


def _log_row(d: Decision, status: str, how: str) -> dict:
    return {
        "source": d.source, "stage": d.stage, "reviewer": d.reviewer, "file": d.file,
        "row": d.row, "id_given": d.id_given, "record_id": d.record_id,
        "reference_id": d.reference_id, "decision": d.decision, "criteria": _joined(d.criteria),
        "note": d.note, "date": d.date, "status": status, "resolution": how,
    }  # fmt: skip


def _status_frame(status: dict[tuple[str, str], StageStatus]) -> pd.DataFrame:
    rows = []
    for (ref, stage), s in status.items():
        res = s.resolution if s.decided_by == "resolution" else None
        rows.append(
            {
                "reference_id": ref, "stage": stage, "status": s.status,
                "criteria": _joined(s.criteria), "decided_by": s.decided_by, "votes": s.votes,
                "reviewers": _joined(s.reviewers), "needed": s.needed or "",
                "awaiting": _joined(s.awaiting), "conflict": s.conflict,
                "resolved_by": res.reviewer if res else "",
                "resolution_file": res.file if res else "",
                "resolution_row": res.row if res else "",
            }
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    frame["_stage"] = frame["stage"].map(STAGES.index)
    return frame.sort_values(["reference_id", "_stage"], kind="stable").drop(columns="_stage")


def _conflict_frame(status, references: pd.DataFrame) -> pd.DataFrame:
    info = references.set_index("reference_id")
    rows = []
    for (ref, stage), s in sorted(
        status.items(), key=lambda kv: (STAGES.index(kv[0][1]), kv[0][0])
    ):
        if not s.conflict:
            continue
        res = s.resolution
        rows.append(
            {
                "reference_id": ref, "stage": stage, "state": "settled" if res else "open",
                "conflict": s.conflict, "votes": s.votes,
                "resolved_decision": res.answer if res else "",
                "resolved_by": res.reviewer if res else "",
                "resolution_file": res.file if res else "",
                "resolution_row": res.row if res else "",
                "title": info.at[ref, "title"] if "title" in info else "",
                "year": info.at[ref, "year"] if "year" in info else "",
                "doi": info.at[ref, "doi"] if "doi" in info else "",
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a screening command that say where its policy and criteria are."""
    parser.add_argument("--config", type=Path, help="config.yaml holding a screening: section")
    parser.add_argument("--policy", help="the screening section as JSON (instead of --config)")
    parser.add_argument("--criteria", type=Path, help="criteria.yaml (default: from the policy)")


def policy_from_arguments(args: argparse.Namespace) -> tuple[Policy, Criteria]:
    """The policy and criteria named by the options of :func:`add_policy_arguments`."""
    policy = load_policy(config=args.config, policy_json=args.policy)
    return policy, load_criteria(args.criteria or policy.criteria)


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
    """``slrflow screening-sheets``: every reviewer's sheet per stage."""
    policy, criteria = policy_from_arguments(args)
    worklists.write_sheets(
        status=args.status,
        references=args.references,
        policy=policy,
        criteria=criteria,
        criteria_file=args.criteria or policy.criteria,
        ranking=args.ranking,
        out_dir=args.out_dir,
    )
    return 0


def add_arguments_stopping(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", type=Path, required=True, help="results/screening/status.csv")
    parser.add_argument("--log", type=Path, required=True, help="results/screening/log.csv")
    parser.add_argument(
        "--references", type=Path, required=True, help="results/dedup/references.csv"
    )
    parser.add_argument("--config", type=Path, help="config.yaml holding a screening: section")
    parser.add_argument("--policy", help="the screening section as JSON (instead of --config)")
    parser.add_argument("-o", "--out-dir", type=Path, required=True, help="results/screening")


def _settings(args: argparse.Namespace) -> tuple[str, float, float, dict[str, Any] | None]:
    if args.policy is None and args.config is None:
        section = settings.defaults("screening")
    else:
        section = load_policy(config=args.config, policy_json=args.policy).raw
    rule = next((r for r in section["automation"] if "unscreened" in r), None)
    stopping = section["stopping"]
    return str(stopping["method"]), float(stopping["recall"]), float(stopping["confidence"]), rule


def stopping(args: argparse.Namespace) -> int:
    """``slrflow stopping``: the stopping estimate for title/abstract screening."""
    method, recall, confidence, rule = _settings(args)
    advice = progress.write_stopping(
        status=args.status,
        log=args.log,
        references=args.references,
        out_dir=args.out_dir,
        method=method,
        recall=recall,
        confidence=confidence,
        rule=rule,
    )
    print(f"stopping: {advice}", file=sys.stderr)
    return 0


def add_arguments_simulation_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orders", type=Path, nargs="+", required=True, metavar="CSV")
    parser.add_argument("--metrics", type=Path, nargs="+", required=True, metavar="CSV")
    parser.add_argument("--svg", type=Path, help="recall curves as SVG")
    parser.add_argument("--png", type=Path, help="recall curves as PNG")
    parser.add_argument("--summary", type=Path, help="every run's figures and the means")


def simulation_report(args: argparse.Namespace) -> int:
    """``slrflow simulation-report``: recall curves and the summary of simulations."""
    from slrflow.screening import curves

    curves.report(
        orders=args.orders, metrics=args.metrics, svg=args.svg, png=args.png, summary=args.summary
    )
    return 0


def add_arguments_check_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--review", type=Path, required=True, help="the review folder")
    add_policy_arguments(parser)
    parser.add_argument("--out", type=Path, required=True, help="results/checks/inputs.csv")


def check_inputs(args: argparse.Namespace) -> int:
    """Check every file a person wrote (:mod:`.inputcheck`); write the list of files checked."""
    from slrflow.screening.inputcheck import check

    policy, criteria = policy_from_arguments(args)
    checked = check(args.review, policy=policy, criteria=criteria)
    write_csv(checked, args.out)
    print(f"check-inputs: {len(checked)} file(s) written by people, no problem", file=sys.stderr)
    return 0
