"""Benchmark prioritised screening: slrflow against ASReview LAB 3.0.8 on labelled reviews.

For every set in the shared screening folder and every seed, both tools replay the review from
the SAME priors: 1 included and 1 excluded record drawn by ``slrflow.screening.simulate.
choose_priors(labels, 1, 1, seed=S)``, passed to ASReview as ``--prior-idx`` (row numbers) and
to slrflow as ``--prior-rows``; both also get ``--seed S``. Each simulation runs as its own
command (``asreview simulate`` with its default model ELAS u4, ``slrflow simulate``), timed
from start to exit, so both pay their start-up. ASReview stops once the last include is found
(its default); slrflow goes on until its stopping rule has also stopped, so its time covers
more work. Metrics (WSS@95, recall@10%, ATD, ERF@10%) are computed by the same code for both
from the screening order, priors left out; records ASReview never reached hold no include.

ASReview is installed by this script into its own virtual environment
(``~/.cache/slrflow-bench/asreview``) and run in a temporary working directory (it writes
``synergy_cache.sqlite`` there). Its runs are cached under ``~/.cache/slrflow-bench/runs``,
keyed by set, seed and priors (``--no-cache`` runs them again); cached runs keep the seconds
measured when they ran.

Usage::

    nice python benchmarks/screening.py                  # every set, 5 seeds, both tools
    python benchmarks/screening.py --seeds 1 --sets Donners_2021,Nelson_2002   # quick look
    python benchmarks/screening.py --tool slrflow        # slrflow only

Prints per set and averaged over sets: WSS@95, recall@10%, ATD and seconds per simulation for
both tools, then the stopping rule over all runs: share of runs whose recall at the stop
reached 95%, mean and lowest recall at the stop, and mean share of records it saved.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from slrflow.screening import metrics
from slrflow.screening.simulate import choose_priors, load_dataset

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SLRFLOW_SHARED_DATA", ROOT.parent / "shared" / "data")) / "screening"
CACHE = Path.home() / ".cache" / "slrflow-bench"
ASREVIEW_VERSION = "3.0.8"


def datasets(folder: Path, names: list[str] | None) -> list[tuple[str, Path]]:
    """(set name, CSV) for every set folder holding one CSV."""
    found = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        csvs = sorted(sub.glob("*.csv"))
        if csvs and (not names or sub.name in names):
            found.append((sub.name, csvs[0]))
    return found


def asreview_executable(venv: Path) -> Path:
    """The ``asreview`` command of its own environment, installing it on first use."""
    exe = venv / "bin" / "asreview"
    if exe.exists():
        return exe
    print(f"installing asreview=={ASREVIEW_VERSION} into {venv} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", f"asreview=={ASREVIEW_VERSION}"], check=True
    )
    return exe


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``command``; return (wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run_asreview(exe: Path, csv: Path, priors: np.ndarray, seed: int) -> dict:
    """One ASReview simulation; the rows in the order screened, with their labels."""
    with tempfile.TemporaryDirectory(prefix="asreview-") as tmp:
        out = Path(tmp) / "run.asreview"
        command = [str(exe), "simulate", str(csv), "--prior-idx", *map(str, priors)]
        wall, cpu = timed([*command, "--seed", str(seed), "-o", str(out)], Path(tmp))
        with zipfile.ZipFile(out) as archive:
            archive.extract("results.db", tmp)
        db = sqlite3.connect(Path(tmp) / "results.db")
        try:
            rows = db.execute(
                "SELECT record.dataset_row, results.label FROM results "
                "JOIN record ON record.record_id = results.record_id ORDER BY results.rowid"
            ).fetchall()
        finally:
            db.close()
    return {
        "rows": [int(r) for r, _ in rows],
        "labels": [int(label) for _, label in rows],
        "wall": wall,
        "cpu": cpu,
    }


def run_slrflow(csv: Path, priors: np.ndarray, seed: int) -> dict:
    """One slrflow simulation through its command line, as a user runs it."""
    exe = Path(sys.executable).with_name("slrflow")
    with tempfile.TemporaryDirectory(prefix="slrflow-") as tmp:
        order, figures = Path(tmp) / "order.csv", Path(tmp) / "metrics.csv"
        command = [str(exe), "simulate", str(csv), "--prior-rows", *map(str, priors)]
        command += ["--seed", str(seed), "-o", str(order), "--metrics", str(figures)]
        wall, cpu = timed(command, Path(tmp))
        table = pd.read_csv(order)
        stop = pd.read_csv(figures, keep_default_na=False).iloc[0]
    return {
        "rows": table["row"].tolist(),
        "labels": table["label"].tolist(),
        "wall": wall,
        "cpu": cpu,
        "stop_at": int(stop["stop_at"]) if str(stop["stop_at"]) != "" else None,
        "stop_recall": float(stop["stop_recall"]) if str(stop["stop_recall"]) != "" else None,
        "stop_saved": float(stop["stop_saved"]),
    }


def figures(run: dict, labels: np.ndarray, priors: np.ndarray) -> dict:
    """Metrics of one run, priors left out; records never reached are appended as excludes."""
    order = [r for r in run["rows"] if r not in set(priors.tolist())]
    if [labels[r] for r in run["rows"]] != run["labels"]:
        raise RuntimeError("a tool's labels differ from the dataset's: wrong label column?")
    y = labels[order].tolist()
    missing = labels.size - priors.size - len(y)
    if sum(y) != labels.sum() - labels[priors].sum():
        raise RuntimeError("a run stopped before every include was found")
    y = np.asarray(y + [0] * missing)
    return {
        "wss@95": metrics.wss(y, 0.95),
        "recall@10%": metrics.recall_at(y, 0.10),
        "atd": metrics.atd(y),
        "erf@10%": metrics.erf(y, 0.10),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of labelled sets")
    parser.add_argument("--sets", help="comma-separated set names (default: all)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per set (default 5)")
    parser.add_argument("--tool", choices=("both", "slrflow", "asreview"), default="both")
    parser.add_argument("--asreview-venv", type=Path, default=CACHE / "asreview")
    parser.add_argument("--no-cache", action="store_true", help="rerun cached ASReview runs")
    parser.add_argument(
        "--asreview-cached-only",
        action="store_true",
        help="compare only on runs ASReview has already made (cached); run no new ones",
    )
    parser.add_argument("--runs", type=Path, help="also write every run's figures to this CSV")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no labelled sets at {args.data}", file=sys.stderr)
        return 1
    names = args.sets.split(",") if args.sets else None
    tools = ["slrflow", "asreview"] if args.tool == "both" else [args.tool]
    exe = asreview_executable(args.asreview_venv) if "asreview" in tools else None
    cache = CACHE / "runs"
    cache.mkdir(parents=True, exist_ok=True)
    records = []
    sets = [(name, csv, load_dataset(csv)) for name, csv in datasets(args.data, names)]
    # Seed by seed over all sets, so an interrupted run still covers every set.
    for seed in range(args.seeds):
        for name, csv, data in sets:
            priors = choose_priors(data.labels, 1, 1, seed=seed)
            for tool in tools:
                key = (
                    cache
                    / f"{tool}-{ASREVIEW_VERSION}-{name}-{seed}-{'_'.join(map(str, priors))}.json"
                )
                if tool == "asreview" and key.exists() and not args.no_cache:
                    run = json.loads(key.read_text())
                elif tool == "asreview" and args.asreview_cached_only:
                    continue
                elif tool == "asreview":
                    run = run_asreview(exe, csv, priors, seed)
                    key.write_text(json.dumps(run))
                else:
                    run = run_slrflow(csv, priors, seed)
                row = {"set": name, "seed": seed, "tool": tool, "wall_s": run["wall"]}
                row["cpu_s"] = run["cpu"]
                row.update(figures(run, data.labels, priors))
                for field in ("stop_recall", "stop_saved"):
                    row[field] = run.get(field)
                records.append(row)
                print(
                    f"{name} seed {seed} {tool}: WSS@95 {row['wss@95']:.3f} "
                    f"recall@10% {row['recall@10%']:.3f} {row['wall_s']:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
    runs = pd.DataFrame(records)
    if args.runs:
        runs.to_csv(args.runs, index=False)
    report(runs, tools)
    return 0


def report(runs: pd.DataFrame, tools: list[str]) -> None:
    columns = ["wss@95", "recall@10%", "atd", "wall_s", "cpu_s"]
    all_runs = runs
    if len(tools) == 2:
        # Compare on the same runs only: a (set, seed) both tools have made.
        both = runs.groupby(["set", "seed"])["tool"].transform("nunique") == 2
        runs = runs[both]
        print(f"paired runs (same set, seed and priors for both tools): {len(runs) // 2}")
    per_set = runs.groupby(["set", "tool"])[columns].mean().unstack("tool")
    seeds = runs.groupby("set")["seed"].nunique()
    header = f"{'set':38s} {'seeds':>5s}"
    for column in columns:
        for tool in tools:
            header += f" {column[:10] + '/' + tool[:4]:>16s}"
    print(header)
    for name, values in per_set.iterrows():
        line = f"{name:38s} {seeds[name]:5d}"
        for column in columns:
            for tool in tools:
                line += f" {values[(column, tool)]:16.3f}"
        print(line)
    mean = per_set.mean()
    line = f"{'MEAN over sets':38s} {'':5s}"
    for column in columns:
        for tool in tools:
            line += f" {mean[(column, tool)]:16.3f}"
    print(line)
    if "asreview" in tools and "slrflow" in tools:
        wall = mean[("wall_s", "asreview")] / mean[("wall_s", "slrflow")]
        cpu = mean[("cpu_s", "asreview")] / mean[("cpu_s", "slrflow")]
        print(f"time per simulation, ASReview / slrflow: wall {wall:.2f}x, CPU {cpu:.2f}x")
    ours = all_runs[all_runs.tool == "slrflow"]
    if len(tools) == 2 and len(ours):
        mean_ours = ours.groupby("set")[columns].mean().mean()
        print(
            f"slrflow over all its {len(ours)} runs (mean over sets): "
            + ", ".join(f"{c} {mean_ours[c]:.3f}" for c in columns)
        )
    if len(ours):
        stopped = ours["stop_recall"].notna()
        recall = ours["stop_recall"].fillna(1.0)
        print(
            f"stopping rule (buscar, target 95%, confidence 95%) over {len(ours)} runs: "
            f"stopped in {stopped.sum()}, recall >= 95% in {(recall >= 0.95 - 1e-9).mean():.1%} "
            f"of runs, recall at stop mean {recall.mean():.3f} min {recall.min():.3f}, "
            f"records saved mean {ours['stop_saved'].mean():.1%}"
        )
        saved = ours.groupby("set")["stop_saved"].mean()
        print("records saved per set: " + ", ".join(f"{k} {v:.0%}" for k, v in saved.items()))


if __name__ == "__main__":
    sys.exit(main())
