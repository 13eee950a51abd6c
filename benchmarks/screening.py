"""Benchmark prioritised screening and the stopping rules: slrflow against ASReview LAB 3.0.8.

For every set in the shared screening folder and every seed, both tools replay the review from
the SAME priors: 1 included and 1 excluded record drawn by ``slrflow.screening.simulate.
choose_priors(labels, 1, 1, seed=S)``, passed to ASReview as ``--prior-idx`` (row numbers) and
to slrflow as ``--prior-rows``; both also get ``--seed S``. Each simulation runs as its own
command (``asreview simulate`` with its default model ELAS u4; ``slrflow simulate`` with its
default settings), timed from start to exit, so both pay their start-up. Both stop learning
at the last include: ASReview's run ends there; slrflow's orders the records left by its last
model, then replays its stopping rule along the whole order and writes it. Metrics (WSS@95,
recall@10%, ATD) are computed by the same code for both from the screening order, priors left
out; records ASReview never reached (it stops at the last include) hold no include.

Nothing is tuned on the set it is scored on (leave one set out):

- ranking: the default settings were chosen among candidates with
  ``benchmarks/ranking_grid.py``, leaving each set out in turn. ``--grid`` adds other ranker
  settings (:data:`GRID`), replayed in this process on every set and seed. For each set, the
  settings with the best mean of WSS@95 and recall@10% over the OTHER sets are chosen, and
  that set is scored with them. The retraining batch of ``slrflow simulate`` (5% of the
  records screened so far, at least one per 500 records) was chosen there by the
  one-standard-error rule: the fewest retrainings among the candidates within one standard
  error of the best on the other sets.
- stopping: each rule's free setting (the counting rule's prior over the share of includes
  scattered at random, :data:`SCATTERED_GRID`: one share assumed outright, or the share
  learned from the order between none and one share) is chosen per set on the other sets: the
  largest mean work saved among the settings that reached the recall target in every run of
  the other sets (:data:`HOLD`; the one reaching it most often when none did), and, for
  comparison, among those reaching it in at least 95% of them. buscar has none. The counting
  rule is scored as shipped (with its run test) and without the run test. Stopping points
  are found on the screening orders of the chosen ranker settings, testing after every
  decision (:func:`slrflow.screening.stopping.stop_point`).

ASReview is run from its own virtual environment (``--asreview``, default
``../venv-asreview/bin/asreview`` or ``$SLRFLOW_ASREVIEW``) in a temporary working
directory (it writes ``synergy_cache.sqlite`` there); when it is absent and nothing is cached,
it is skipped. Its runs are slow, so each is cached in one JSON file (``--asreview-cache``),
keyed by set, seed and priors, with the seconds measured when it ran; ``--recompute-asreview``
runs them again.

Usage::

    nice python benchmarks/screening.py --grid                 # every set, 5 seeds, both tools
    python benchmarks/screening.py --seeds 1 --sets Donners_2021,Nelson_2002   # quick look
    python benchmarks/screening.py --tool slrflow              # slrflow only

Prints per set and averaged over sets: WSS@95, recall@10%, ATD and seconds per simulation for
both tools (and the time ratio on every set of 1,000+ records), then for each stopping rule:
the share of runs whose recall at the stop reached the target, the lowest and mean recall at
the stop, and the mean share of records left unscreened (work saved).
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

from slrflow.screening import metrics, stopping
from slrflow.screening.rank import Settings
from slrflow.screening.simulate import choose_priors, load_dataset, replay

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SLRFLOW_SHARED_DATA", ROOT.parent / "shared" / "data")) / "screening"
ASREVIEW = Path(
    os.environ.get("SLRFLOW_ASREVIEW", ROOT.parent / "venv-asreview" / "bin" / "asreview")
)
CACHE = Path.home() / ".cache" / "slrflow-bench" / "asreview-3.0.8-runs.json"
SLRFLOW_RUNS = Path.home() / ".cache" / "slrflow-bench" / "slrflow-runs.json"
ASREVIEW_VERSION = "3.0.8"
RECALL_TARGET = 0.95
CONFIDENCE = 0.95

#: Other ranker settings tried with ``--grid`` (the default settings are always run).
GRID = {
    "no-svm": Settings(svm_weight=0.0),
    "words-only": Settings(ngram_range=(1, 1)),
}
#: Priors over the share of includes scattered at random tried for the counting rule, by
#: name: one share assumed outright, or the share learned from the order between none and one
#: share (``"0.8x0+0.2x0.02"``: prior weight 0.8 on none, 0.2 on 2%).
FIXED_SHARES = {f"{share:g}": share for share in (0.0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04)}
SCATTERED_GRID = FIXED_SHARES | {
    f"{weight:g}x0+{1 - weight:g}x{share:g}": ((0.0, weight), (share, 1 - weight))
    for share in (0.01, 0.02, 0.03, 0.05, 0.1)
    for weight in (0.5, 0.8, 0.9)
}
#: A stopping setting is chosen among those reaching the recall target in this share of the
#: other sets' runs (the second is reported for comparison).
HOLD = (1.0, 0.95)
#: The stopping rules scored: name -> (method, options, scattered priors tried); the counting
#: rules once per prior (without the run test, for comparison, only the fixed shares).
RULES = {
    "buscar": ("buscar", {}, {}),
    "counting": ("counting", {}, SCATTERED_GRID),
    "counting-alone": ("counting", {"recent": 0}, FIXED_SHARES),
}


def datasets(folder: Path, names: list[str] | None) -> list[tuple[str, Path]]:
    """(set name, CSV) for every set folder holding one CSV."""
    found = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        csvs = sorted(sub.glob("*.csv"))
        if csvs and (not names or sub.name in names):
            found.append((sub.name, csvs[0]))
    return found


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
    """One slrflow simulation (default settings) through its command line, as a user runs it."""
    exe = Path(sys.executable).with_name("slrflow")
    with tempfile.TemporaryDirectory(prefix="slrflow-") as tmp:
        order = Path(tmp) / "order.csv"
        command = [str(exe), "simulate", str(csv), "--prior-rows", *map(str, priors)]
        wall, cpu = timed([*command, "--seed", str(seed), "-o", str(order)], Path(tmp))
        table = pd.read_csv(order)
    return {
        "rows": table["row"].tolist(),
        "labels": table["label"].tolist(),
        "wall": wall,
        "cpu": cpu,
    }


def run_settings(data, priors: np.ndarray, seed: int, settings: Settings) -> dict:
    """One replay with other ranker settings, in this process (timed without start-up)."""
    start = time.perf_counter()
    result = replay(data.texts, data.labels, priors, seed=seed, settings=settings)
    wall = time.perf_counter() - start
    return {
        "rows": result.order.tolist(),
        "labels": result.labels.tolist(),
        "wall": wall,
        "cpu": wall,
    }


def screened_labels(run: dict, labels: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """Labels in screening order, priors left out; records never reached appended as excludes."""
    if [labels[r] for r in run["rows"]] != run["labels"]:
        raise RuntimeError("a tool's labels differ from the dataset's: wrong label column?")
    prior_rows = set(priors.tolist())
    y = [labels[r] for r in run["rows"] if r not in prior_rows]
    if sum(y) != labels.sum() - labels[priors].sum():
        raise RuntimeError("a run stopped before every include was found")
    return np.asarray(y + [0] * (labels.size - priors.size - len(y)), dtype=int)


def figures(y: np.ndarray) -> dict:
    return {
        "wss@95": metrics.wss(y, 0.95),
        "recall@10%": metrics.recall_at(y, 0.10),
        "atd": metrics.atd(y),
    }


def stops(
    y: np.ndarray,
    priors_labels: np.ndarray,
    *,
    target: float = RECALL_TARGET,
    confidence: float = CONFIDENCE,
) -> dict:
    """Recall and work saved at the stop of every rule and setting, for one screening order."""
    order = np.concatenate([priors_labels, y])
    n, n_priors = order.size, priors_labels.size
    found_total = y.sum()
    out = {}
    settings = []
    for rule, (method, options, priors) in RULES.items():
        if method == "counting":
            settings += [
                (f"{rule}@{name}", method, options | {"scattered": prior})
                for name, prior in priors.items()
            ]
        else:
            settings.append((rule, method, options))
    for name, method, options in settings:
        stop = stopping.stop_point(
            order,
            n,
            method=method,
            recall_target=target,
            confidence=confidence,
            n_priors=n_priors,
            **options,
        )
        at = stop[0] if stop else n
        out[name] = {
            "recall": float(y[: at - n_priors].sum() / found_total),
            "saved": 1 - at / n,
        }
    return out


def load_cache(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def save_cache(path: Path, cache: dict) -> None:
    """Add ``cache`` to the runs saved in ``path`` (another process may be adding to it too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = load_cache(path) | cache
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(merged, sort_keys=True))
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of labelled sets")
    parser.add_argument("--sets", help="comma-separated set names (default: all)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per set (default 5)")
    parser.add_argument("--tool", choices=("both", "slrflow", "asreview"), default="both")
    parser.add_argument("--asreview", type=Path, default=ASREVIEW, help="asreview command")
    parser.add_argument("--asreview-cache", type=Path, default=CACHE, help="cached ASReview runs")
    parser.add_argument(
        "--recompute-asreview", action="store_true", help="run ASReview again, ignoring its cache"
    )
    parser.add_argument(
        "--grid", action="store_true", help="also replay the other ranker settings (GRID)"
    )
    parser.add_argument(
        "--slrflow-runs",
        type=Path,
        default=SLRFLOW_RUNS,
        help="file every slrflow run (order, seconds) is saved to",
    )
    parser.add_argument(
        "--reuse-slrflow",
        action="store_true",
        help="report on the saved slrflow runs and cached ASReview runs, running nothing (e.g. "
        "to compare stopping rules on the same orders)",
    )
    parser.add_argument("--runs", type=Path, help="also write every run's figures to this CSV")
    parser.add_argument(
        "--recall-target",
        type=float,
        default=RECALL_TARGET,
        help=f"recall target the stopping rules are tested at (default {RECALL_TARGET})",
    )
    parser.add_argument(
        "--confidence",
        type=float,
        default=CONFIDENCE,
        help=f"confidence the stopping rules are tested at (default {CONFIDENCE})",
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no labelled sets at {args.data}: nothing to measure", file=sys.stderr)
        return 0
    names = args.sets.split(",") if args.sets else None
    want_asreview = args.tool in ("both", "asreview")
    cache = load_cache(args.asreview_cache) if want_asreview else {}
    if args.recompute_asreview:
        cache = {}
    # Reporting on saved runs runs nothing new.
    can_run_asreview = want_asreview and args.asreview.exists() and not args.reuse_slrflow
    if want_asreview and not can_run_asreview:
        print(
            f"ASReview not found at {args.asreview}: using its {len(cache)} cached run(s) only",
            file=sys.stderr,
        )
    # A fresh run replaces the saved slrflow runs; --reuse-slrflow reports on them.
    saved = load_cache(args.slrflow_runs) if args.reuse_slrflow else {}
    records = []
    sets = [(name, load_dataset(csv), csv) for name, csv in datasets(args.data, names)]
    # Seed by seed over all sets, so an interrupted run still covers every set.
    for seed in range(args.seeds):
        for name, data, csv in sets:
            priors = choose_priors(data.labels, 1, 1, seed=seed)
            runs: dict[str, dict] = {}
            key = f"{name}|{seed}|{'_'.join(map(str, priors))}"
            if want_asreview:
                if key in cache:
                    runs["asreview"] = cache[key]
                elif can_run_asreview:
                    runs["asreview"] = run_asreview(args.asreview, csv, priors, seed)
                    cache[key] = runs["asreview"]
                    save_cache(args.asreview_cache, cache)
            if args.tool != "asreview":
                for label, settings in [("", None), *(GRID.items() if args.grid else ())]:
                    tool = f"slrflow:{label}" if label else "slrflow"
                    if f"{tool}|{key}" in saved:
                        runs[tool] = saved[f"{tool}|{key}"]
                    elif args.reuse_slrflow:
                        continue
                    else:
                        runs[tool] = (
                            run_slrflow(csv, priors, seed)
                            if settings is None
                            else run_settings(data, priors, seed, settings)
                        )
                        saved[f"{tool}|{key}"] = runs[tool]
                        save_cache(args.slrflow_runs, saved)
            for tool, run in runs.items():
                y = screened_labels(run, data.labels, priors)
                row = {"set": name, "records": data.labels.size, "seed": seed, "tool": tool}
                row.update(wall_s=run["wall"], cpu_s=run["cpu"], **figures(y))
                if tool.startswith("slrflow"):
                    for rule, result in stops(
                        y,
                        data.labels[priors],
                        target=args.recall_target,
                        confidence=args.confidence,
                    ).items():
                        row[f"{rule}:recall"] = result["recall"]
                        row[f"{rule}:saved"] = result["saved"]
                records.append(row)
                print(
                    f"{name} seed {seed} {tool}: WSS@95 {row['wss@95']:.3f} "
                    f"recall@10% {row['recall@10%']:.3f} {row['wall_s']:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
    runs_table = pd.DataFrame(records)
    if args.runs:
        runs_table.to_csv(args.runs, index=False)
    report(runs_table, target=args.recall_target, confidence=args.confidence)
    return 0


def choose_ranker(runs: pd.DataFrame) -> pd.DataFrame:
    """slrflow's runs with, for every set, the ranker settings chosen on the other sets."""
    ours = runs[runs["tool"].str.startswith("slrflow")]
    candidates = sorted(ours["tool"].unique())
    if len(candidates) <= 1:  # nothing to choose between (or only ASReview's runs)
        return ours.assign(chosen=candidates[0] if candidates else "")
    score = ours.assign(score=(ours["wss@95"] + ours["recall@10%"]) / 2)
    per_set = score.groupby(["tool", "set"])["score"].mean().unstack("tool")
    chosen = []
    for name in per_set.index:
        others = per_set.drop(index=name).mean()
        best = others.idxmax()
        chosen.append(ours[(ours["set"] == name) & (ours["tool"] == best)].assign(chosen=best))
    return pd.concat(chosen)


def choose_stopping(
    ours: pd.DataFrame, rule: str, hold: float, *, target: float = RECALL_TARGET
) -> pd.DataFrame:
    """Per set, the setting of a rule chosen on the other sets: (set, setting, recall, saved).

    ``hold``: share of the other sets' runs a setting must reach the recall target in.
    """
    settings = sorted({
        c.split(":")[0] for c in ours.columns if c.split(":")[0].split("@")[0] == rule
    })  # fmt: skip
    rows = []
    for name in sorted(ours["set"].unique()):
        others, held = ours[ours["set"] != name], ours[ours["set"] == name]
        viable = []
        for setting in settings:
            reached = (others[f"{setting}:recall"] >= target - 1e-9).mean()
            saved = others[f"{setting}:saved"].mean()
            ok = reached >= hold - 1e-9
            viable.append((ok, saved if ok else reached, setting))
        # Among settings that held the target on the other sets the one saving most; if none
        # did, the one that came closest.
        best = max(viable)[2]
        for _, run in held.iterrows():
            rows.append(
                {
                    "set": name,
                    "seed": run["seed"],
                    "setting": best,
                    "recall": run[f"{best}:recall"],
                    "saved": run[f"{best}:saved"],
                }
            )
    return pd.DataFrame(rows)


def report(
    runs: pd.DataFrame, *, target: float = RECALL_TARGET, confidence: float = CONFIDENCE
) -> None:
    if runs.empty:
        print("no runs")
        return
    ours = choose_ranker(runs)
    table = pd.concat([ours.assign(tool="slrflow"), runs[runs["tool"] == "asreview"]])
    tools = [t for t in ("slrflow", "asreview") if t in set(table["tool"])]
    if len(tools) == 2:
        both = table.groupby(["set", "seed"])["tool"].transform("nunique") == 2
        table = table[both]
        print(f"paired runs (same set, seed and priors for both tools): {len(table) // 2}")
    if runs["tool"].str.startswith("slrflow:").any():
        picks = ours.groupby("set")["chosen"].first()
        print("ranker settings chosen on the other sets: " + ", ".join(
            f"{k} {v.removeprefix('slrflow').lstrip(':') or 'default'}" for k, v in picks.items()
        ))  # fmt: skip
    columns = ["wss@95", "recall@10%", "atd", "wall_s"]
    per_set = table.groupby(["set", "tool"])[columns].mean().unstack("tool")
    records = table.groupby("set")["records"].first()
    seeds = table.groupby("set")["seed"].nunique()
    header = f"{'set':38s} {'N':>5s} {'seeds':>5s}"
    for column in columns:
        for tool in tools:
            header += f" {column[:7] + '/' + tool[:4]:>13s}"
    if len(tools) == 2:
        header += f" {'speed-up':>9s}"
    print(header)
    for name, values in per_set.iterrows():
        line = f"{name:38s} {records[name]:5d} {seeds[name]:5d}"
        for column in columns:
            for tool in tools:
                line += f" {values[(column, tool)]:13.3f}"
        if len(tools) == 2:
            line += f" {values[('wall_s', 'asreview')] / values[('wall_s', 'slrflow')]:8.2f}x"
        print(line)
    mean = per_set.mean()
    line = f"{'MEAN over sets':38s} {'':5s} {'':5s}"
    for column in columns:
        for tool in tools:
            line += f" {mean[(column, tool)]:13.3f}"
    print(line)
    if len(tools) == 2:
        big = per_set[records.reindex(per_set.index) >= 1000]
        ratio = big[("wall_s", "asreview")] / big[("wall_s", "slrflow")]
        if len(ratio):
            print(
                f"speed-up (ASReview seconds / slrflow seconds) on the {len(ratio)} sets of "
                f"1,000+ records: lowest {ratio.min():.2f}x ({ratio.idxmin()}), "
                f"mean {ratio.mean():.2f}x"
            )
        wins = (
            table.pivot_table(index=["set", "seed"], columns="tool", values="wss@95")
            .eval("slrflow > asreview")
            .mean()
        )
        print(f"runs where slrflow's WSS@95 beats ASReview's: {wins:.1%}")
    if ours.empty:  # the stopping rules are scored on slrflow's orders only
        return
    print(
        f"\nstopping rules (recall target {target:.0%}, confidence {confidence:.0%}, "
        f"tested after every decision) over {len(ours)} slrflow runs:"
    )
    rules = [(rule, hold) for rule in RULES for hold in (HOLD if rule != "buscar" else HOLD[:1])]
    for rule, hold in rules:
        chosen = choose_stopping(ours, rule, hold, target=target)
        reached = (chosen["recall"] >= target - 1e-9).mean()
        settings = chosen.groupby("set")["setting"].first().value_counts().to_dict()
        label = rule if rule == "buscar" else f"{rule} (setting reaching it in {hold:.0%})"
        print(
            f"  {label}: target reached in {reached:.1%} of runs; recall at stop min "
            f"{chosen['recall'].min():.3f} mean {chosen['recall'].mean():.3f}; work saved mean "
            f"{chosen['saved'].mean():.3f}  (settings chosen: {settings})"
        )
        missed = chosen[chosen["recall"] < target - 1e-9]
        if len(missed):
            print(
                "    missed: "
                + ", ".join(f"{r.set} seed {r.seed} {r.recall:.3f}" for r in missed.itertuples())
            )
        per_set_saved = chosen.groupby("set")[["recall", "saved"]].agg(["min", "mean"])
        print(
            "    per set (recall min / saved mean): "
            + ", ".join(
                f"{k} {v[('recall', 'min')]:.2f}/{v[('saved', 'mean')]:.2f}"
                for k, v in per_set_saved.iterrows()
            )
        )
    fixed = [c for c in ours.columns if "@" in c and c.endswith(":recall")]
    for column in fixed:
        setting = column.split(":")[0]
        print(
            f"  ({setting} on every set: target reached in "
            f"{(ours[column] >= target - 1e-9).mean():.1%}, work saved mean "
            f"{ours[f'{setting}:saved'].mean():.3f})"
        )


if __name__ == "__main__":
    sys.exit(main())
