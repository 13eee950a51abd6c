"""``slrflow dedup``: group records into references, from the command line.

``slrflow dedup RECORDS.csv -o clusters.csv`` reads the ingest table (``record_id`` + the record
columns) or a benchmark CSV (``ID``, ``author``, ``title``...) and writes one row per record. With
``--outdir`` it also writes the references, the evidence, the review queue, related pairs,
counts per search, the overlap table and figure, and the log.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from slrflow import settings
from slrflow.dedup import counts as count_tables
from slrflow.dedup import outputs
from slrflow.dedup.decisions import read_decisions
from slrflow.dedup.load import Problem, load
from slrflow.dedup.merge import references
from slrflow.dedup.options import Options
from slrflow.dedup.run import Result, deduplicate, without_cycle_collection
from slrflow.errors import ConfigError
from slrflow.tables import write_csv


def add_arguments_dedup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("records", type=Path, help="record table (ingest table or benchmark CSV)")
    parser.add_argument("-o", "--output", type=Path, help="clusters: one row per record (CSV)")
    parser.add_argument(
        "--outdir",
        type=Path,
        help="write every dedup table and the overlap figure into this folder",
    )
    parser.add_argument("--decisions", type=Path, help="a person's verdicts (dedup_decisions.csv)")
    # --settings (the config's dedup section, as the workflow passes it), --config, and one
    # flag per setting (--title-same ...), all from the config schema
    settings.add_flags(parser, "dedup")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--threads",
        type=int,
        default=-1,
        help="threads that compare titles (default: every core; the workflow passes its job's)",
    )


def _options(args: argparse.Namespace) -> Options:
    values = settings.section_from_arguments("dedup", args)
    return Options.from_mapping(values)


def dedup(args: argparse.Namespace) -> int:
    """Run the dedup stage on one record table; warnings go to stderr and the log."""
    if not args.output and not args.outdir:
        raise ConfigError("give -o CLUSTERS.csv, --outdir FOLDER or both")
    options = _options(args)
    with without_cycle_collection():
        return _dedup(args, options)


def _dedup(args: argparse.Namespace, options: Options) -> int:
    table, problems = load(args.records)
    decided = {}
    if args.decisions:
        decided, decision_problems = read_decisions(args.decisions, set(table["record_id"]))
        problems.extend(decision_problems)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    result = deduplicate(
        table, options=options, decisions=decided, quiet=args.quiet, threads=args.threads
    )
    clusters = outputs.clusters(table, result)
    if args.output:
        write_csv(clusters, args.output)
    if args.outdir:
        out = args.outdir
        write_csv(clusters, out / "clusters.csv")
        write_csv(references(table, result), out / "references.csv")
        write_csv(outputs.evidence(table, result), out / "evidence.csv")
        write_csv(outputs.field_weights(result), out / "field_weights.csv")
        write_csv(outputs.pairs_to_review(table, result), out / "pairs_to_review.csv")
        write_csv(outputs.related(table, result), out / "related.csv")
        counts = count_tables.counts(table, result)
        overlap = count_tables.overlap(table, result)
        write_csv(counts, out / "counts.csv")
        write_csv(overlap, out / "overlap.csv")
        from slrflow.dedup.figure import overlap_figure

        overlap_figure(overlap, counts, out / "overlap.svg", out / "overlap.png")
        write_csv(_log_table(problems, result, options), out / "log.csv")
    n_refs = len(set(result.label))
    print(
        f"{len(table)} records -> {n_refs} references ({len(table) - n_refs} duplicates removed), "
        f"{len(result.queue)} pairs to review",
        file=sys.stderr,
    )
    return 0


def _log_row(kind: str, message: str, *, file: str = "", row="", field: str = "") -> dict:
    return {"kind": kind, "file": file, "row": row, "field": field, "message": message}


def _log_table(problems: list[Problem], result: Result, options: Options) -> pd.DataFrame:
    """The dedup log: settings, input warnings, decisions a person made, refused links."""
    rows = [
        _log_row("setting", str(value), field=name) for name, value in sorted(vars(options).items())
    ]
    rows += [
        _log_row(
            "field_weight",
            f"{w.role}: {w.certain_pairs} certain pairs, {w.disagreeing} disagreeing; weight "
            + ", ".join(f"{k} {v:+.1f}" for k, v in w.weight.items()),
            field=w.name,
        )
        for w in result.weights.fields.values()
    ]
    rows += [
        _log_row("warning", p.message, file=p.file, row=p.row or "", field=p.field or "")
        for p in problems
    ]
    for (a, b), decision in sorted(result.decided.items()):
        verdict = f"{a} / {b}: {decision.verdict} ({decision.reviewer} {decision.date})".strip()
        rows.append(_log_row("decision", verdict, row=decision.row))
    ids = result.keys.record_id
    rows += [
        _log_row("kept_apart", f"{ids[i]} / {ids[j]}: {reason}")
        for i, j, reason in sorted(result.refused)
        if "person" in reason
    ]
    rows += [
        _log_row("summary", text)
        for text in (
            f"records: {len(result.label)}",
            f"references: {len(set(result.label))}",
            f"pairs compared in detail: {result.pairs_compared}",
            f"pairs to review: {len(result.queue)}",
        )
    ]
    return pd.DataFrame(rows, columns=["kind", "file", "row", "field", "message"])
