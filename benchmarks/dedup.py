"""Benchmark deduplication: slrflow against bib-dedupe 0.11.0 on labelled sets, and at scale.

Quality. For every set in the shared ``dedup`` folder (``records_pre_merged.csv`` and the truth
``merged_record_ids.csv``) both tools group the same records, and the same code scores both
with a record-level metric in which *a record that should be removed is a positive*:

- the truth removes, from each true cluster of n records, n - 1 records (the positives);
- a tool removes, from each of its clusters of m records, m - 1 records. Split one of its
  clusters by true work: if it holds k different works, m - k of its removals are true
  positives (duplicates of a work that is kept) and k - 1 are false positives (a distinct work
  merged away, i.e. a study that would be lost);
- false negatives = positives - true positives; true negatives = records that should be kept
  and were (unique works kept once);
- sensitivity = TP / (TP + FN), precision = TP / (TP + FP), specificity = TN / (TN + FP).

slrflow runs as ``slrflow dedup RECORDS -o CLUSTERS`` (a fresh process, start-up included).
bib-dedupe runs ``prep``, ``block``, ``match`` and ``cluster`` through its Python API in a
fresh process of its own virtual environment, created by this script with ``pip install
bib-dedupe==0.11.0`` under ``~/.cache/slrflow-bench`` (offline afterwards); its "maybe" pairs
are counted, not merged, like slrflow's review queue. Seconds are wall-clock time of each
process, and CPU seconds (user + system, the process and its children; fairer on a shared
machine). For ``bibdedupe_testdata`` slrflow is told that ``old_search`` was deduplicated
before (``--deduplicated-searches old_search``), as that set's truth assumes.

Scale. Records of the three large sets are turned into N distinct works (10k, 50k, 100k,
250k) by recombining real title words, author names, journals, years, volumes and pages; a
third of the works get one or two noisy duplicates (typos, case changes, dropped DOI, pages
or abstract, abbreviated or missing journal, swapped author-name order, truncated author
lists, a year one off), and 5% get a *trap*, a distinct work that looks like them (its
erratum, a reply, its part 2, or the same title by other authors years later). Each size runs
in its own process; seconds and peak memory (maximum
resident set size) of that process are printed, with sensitivity and precision against the
generated truth. CPU seconds include the process's start-up (imports).

Usage::

    nice python benchmarks/dedup.py                     # both tools, every set, scale run
    python benchmarks/dedup.py --tool slrflow --no-scale
    python benchmarks/dedup.py --scale-only --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SLRFLOW_SHARED_DATA", ROOT.parent / "shared" / "data")) / "dedup"
CACHE = Path.home() / ".cache" / "slrflow-bench"
BIB_DEDUPE = "bib-dedupe==0.11.0"
BIB_VENV = CACHE / "venv-bib-dedupe-0.11.0"
SETS = [
    "bibdedupe_cytology_screening",
    "bibdedupe_haematology",
    "bibdedupe_digital_work",
    "bibdedupe_special_cases",
    "bibdedupe_testdata",
]
SLRFLOW_OPTIONS = {"bibdedupe_testdata": ["--deduplicated-searches", "old_search"]}

BIB_RUNNER = r"""
import json, sys, time
import pandas as pd
import bib_dedupe.bib_dedupe as bd
from bib_dedupe.cluster import get_connected_components
records = pd.read_csv(sys.argv[1], dtype=str)
records = records[records["ID"].notna()]
start = time.perf_counter()
prepared = bd.prep(records, verbosity_level=0, cpu=2)
pairs = bd.block(prepared, verbosity_level=0, cpu=2)
matched = bd.match(pairs, verbosity_level=0, cpu=2)
clusters = get_connected_components(matched)
maybe = int((matched["duplicate_label"] == "maybe").sum()) if len(matched) else 0
json.dump({"clusters": [sorted(c) for c in clusters], "maybe": maybe,
           "inner_seconds": time.perf_counter() - start}, open(sys.argv[2], "w"))
"""


#: Fields of the labelled sets that the scale run keeps and perturbs.
SCALE_FIELDS = [
    "title",
    "author",
    "year",
    "journal",
    "volume",
    "number",
    "pages",
    "doi",
    "abstract",
]


# --- scoring ---------------------------------------------------------------------------------


def score(ids: list[str], clusters: list[list[str]], truth: list[list[str]]) -> dict:
    """The record-level metric of the module docstring."""
    true_work = {r: f"u:{r}" for r in ids}
    for n, group in enumerate(truth):
        for r in group:
            true_work[r] = f"t:{n}"
    positives = sum(len(g) - 1 for g in truth)
    tp = fp = 0
    for group in clusters:
        works = {true_work.get(r, f"u:{r}") for r in group}
        tp += len(group) - len(works)
        fp += len(works) - 1
    fn = positives - tp
    negatives = len(ids) - positives
    tn = negatives - fp
    return {
        "TP": tp,
        "FP": fp,
        "FN": fn,
        "sensitivity": tp / positives if positives else 1.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "specificity": tn / negatives if negatives else 1.0,
    }


def truth_of(folder: Path) -> list[list[str]]:
    column = pd.read_csv(folder / "merged_record_ids.csv", dtype=str)["merged_ids"]
    return [row.split(";") for row in column]


def record_ids(path: Path) -> list[str]:
    frame = pd.read_csv(path, dtype=str)
    return frame["ID"].dropna().tolist()


# --- the two tools ---------------------------------------------------------------------------


def _timed(command: list[str], **kwargs) -> tuple[float, float]:
    """Run ``command``; return its wall-clock seconds and CPU seconds (it and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run_slrflow(records: Path, options: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clusters.csv"
        outdir = Path(tmp) / "all"
        seconds, cpu = _timed(
            [
                sys.executable,
                "-m",
                "slrflow.cli",
                "dedup",
                str(records),
                "-o",
                str(out),
                "--quiet",
                *options,
            ],
            stderr=subprocess.DEVNULL,
        )
        # the review queue from a second, untimed run that writes every table
        subprocess.run(
            [
                sys.executable,
                "-m",
                "slrflow.cli",
                "dedup",
                str(records),
                "--outdir",
                str(outdir),
                "--quiet",
                *options,
            ],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        clusters = pd.read_csv(out, dtype=str, keep_default_na=False)
        queue = len(pd.read_csv(outdir / "pairs_to_review.csv", dtype=str))
    groups = [list(g["record_id"]) for _, g in clusters.groupby("reference_id") if len(g) > 1]
    return {"clusters": groups, "seconds": seconds, "cpu": cpu, "queue": queue}


def ensure_bib_dedupe() -> Path:
    python = BIB_VENV / "bin" / "python"
    marker = BIB_VENV / ".installed"
    if not marker.exists():
        print(f"installing {BIB_DEDUPE} into {BIB_VENV} ...", file=sys.stderr)
        venv.create(BIB_VENV, with_pip=True, clear=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", BIB_DEDUPE], check=True)
        marker.write_text(BIB_DEDUPE + "\n")
    return python


def run_bib_dedupe(records: Path) -> dict:
    python = ensure_bib_dedupe()
    with tempfile.TemporaryDirectory() as tmp:
        runner = Path(tmp) / "run.py"
        runner.write_text(BIB_RUNNER)
        out = Path(tmp) / "out.json"
        seconds, cpu = _timed(
            [str(python), str(runner), str(records), str(out)],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        result = json.loads(out.read_text())
    return {
        "clusters": result["clusters"],
        "seconds": seconds,
        "cpu": cpu,
        "queue": result["maybe"],
    }


def quality(tools: list[str]) -> None:
    header = (
        f"{'set':30} {'tool':10} {'records':>7} {'TP':>5} {'FP':>4} {'FN':>4} "
        f"{'sens':>6} {'prec':>6} {'spec':>6} {'seconds':>8} {'cpu s':>6} {'queue':>6}"
    )
    print(header)
    print("-" * len(header))
    for name in SETS:
        folder = SHARED / name
        records = folder / "records_pre_merged.csv"
        if not records.exists():
            print(f"{name}: not found at {folder}", file=sys.stderr)
            continue
        ids = record_ids(records)
        truth = truth_of(folder)
        for tool in tools:
            if tool == "slrflow":
                run = run_slrflow(records, SLRFLOW_OPTIONS.get(name, []))
            else:
                run = run_bib_dedupe(records)
            s = score(ids, run["clusters"], truth)
            print(
                f"{name:30} {tool:10} {len(ids):7d} {s['TP']:5d} {s['FP']:4d} {s['FN']:4d} "
                f"{s['sensitivity']:6.3f} {s['precision']:6.3f} {s['specificity']:6.3f} "
                f"{run['seconds']:8.1f} {run['cpu']:6.1f} {run['queue']:6d}",
                flush=True,
            )


# --- scale -----------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")


def _pool() -> pd.DataFrame:
    frames = []
    for name in SETS[:3]:
        frame = pd.read_csv(SHARED / name / "records_pre_merged.csv", dtype=str)
        frames.append(frame.reindex(columns=SCALE_FIELDS))
    return pd.concat(frames, ignore_index=True).fillna("")


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 8:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.33:
        return text[:i] + text[i + 1 :]
    if kind < 0.66:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiourstn") + text[i:]


def _abbreviate(journal: str) -> str:
    words = [w for w in journal.split() if w.lower() not in {"of", "the", "and", "&", "for"}]
    return " ".join(w[:4] if len(w) > 5 else w for w in words)


def _noisy(row: dict, rng: random.Random) -> dict:
    dup = dict(row)
    if rng.random() < 0.3:
        dup["title"] = _typo(dup["title"], rng)
    if rng.random() < 0.2:
        dup["title"] = dup["title"].upper()
    elif rng.random() < 0.2:
        dup["title"] = dup["title"].lower() + "."
    if rng.random() < 0.5:
        dup["doi"] = ""
    if rng.random() < 0.2:
        dup["pages"] = ""
    if rng.random() < 0.5:
        dup["abstract"] = ""
    if rng.random() < 0.3:
        dup["journal"] = _abbreviate(dup["journal"])
    elif rng.random() < 0.1:
        dup["journal"] = ""
    authors = dup["author"].split(" and ")
    if rng.random() < 0.2 and len(authors) > 3:
        authors = authors[:3]
    if rng.random() < 0.2:
        authors = [re.sub(r"^([^,]+), (.+)$", r"\2 \1", a) for a in authors]
    dup["author"] = " and ".join(authors)
    if rng.random() < 0.1 and dup["year"].isdigit():
        dup["year"] = str(int(dup["year"]) + 1)
    return dup


def _trap(base: dict, rng: random.Random, number: int) -> dict:
    """A distinct work that a careless deduplicator would merge with ``base``: its erratum, a
    reply to it, its second part, or the same title by other authors years later."""
    trap = dict(base, doi=f"10.9999/trap.{number}" if rng.random() < 0.5 else "", abstract="")
    kind = rng.randrange(4)
    if kind == 0:
        trap["title"] = "Erratum: " + base["title"]
        trap["pages"] = str(rng.randint(2001, 3000))
    elif kind == 1:
        trap["title"] = base["title"] + " - Reply"
        trap["pages"] = str(rng.randint(2001, 3000))
    elif kind == 2:
        trap["title"] = base["title"] + ": Part 2"
        first = rng.randint(2001, 3000)
        trap["pages"] = f"{first}-{first + 9}"
    else:
        trap["author"] = "Other, A. and Else, B."
        trap["year"] = str(int(base["year"]) + rng.randint(2, 6))
        trap["volume"] = str(int(base["volume"]) + 3)
    return trap


def make_scale_set(n: int, path: Path, seed: int = 7) -> list[list[str]]:
    """Write about ``n`` records to ``path`` (benchmark CSV form); return the true clusters."""
    rng = random.Random(seed)
    pool = _pool().to_dict(orient="records")
    words = [w for r in pool for w in _WORD.findall(r["title"])]
    surnames = [a.strip() for r in pool for a in r["author"].split(" and ") if a.strip()]
    rows, truth = [], []
    number = 0
    while len(rows) < n:
        base = dict(rng.choice(pool))
        title = base["title"].split()
        for _ in range(max(2, len(title) // 3)):  # a new work: several words replaced
            if title:
                title[rng.randrange(len(title))] = rng.choice(words)
        base["title"] = " ".join(title)
        base["author"] = " and ".join(rng.sample(surnames, rng.randint(1, 6)))
        base["year"] = str(rng.randint(1990, 2024))
        base["volume"] = str(rng.randint(1, 120))
        first = rng.randint(1, 2000)
        base["pages"] = f"{first}-{first + rng.randint(3, 20)}"
        base["doi"] = f"10.9999/bench.{number}" if rng.random() < 0.6 else ""
        work = [base]
        if rng.random() < 0.33:
            work += [_noisy(base, rng) for _ in range(rng.choice([1, 1, 2]))]
        ids = []
        for record in work:
            record = dict(record, ID=f"r{len(rows):07d}")
            rows.append(record)
            ids.append(record["ID"])
        if len(ids) > 1:
            truth.append(ids)
        if rng.random() < 0.05:  # a trap: a different work that looks like this one
            rows.append(dict(_trap(base, rng, number), ID=f"r{len(rows):07d}"))
        number += 1
    pd.DataFrame(rows, columns=["ID", *SCALE_FIELDS]).to_csv(path, index=False)
    return truth


def child_run(records: str, out: str) -> None:
    """Run ``slrflow dedup`` in this process; print seconds and peak memory as JSON."""
    from slrflow.cli import main

    start = time.perf_counter()
    main(["dedup", records, "-o", out, "--quiet"])
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": usage.ru_maxrss / 1024}))


def scale(sizes: list[int]) -> None:
    print(
        f"\n{'records':>8} {'seconds':>8} {'cpu s':>6} {'peak MiB':>9} {'sens':>6} {'prec':>6}"
        "  (slrflow, scale run)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            records = Path(tmp) / f"scale_{n}.csv"
            truth = make_scale_set(n, records)
            out = Path(tmp) / f"clusters_{n}.csv"
            done = subprocess.run(
                [sys.executable, __file__, "--child-run", str(records), str(out)],
                check=True,
                capture_output=True,
                text=True,
            )
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            clusters = pd.read_csv(out, dtype=str, keep_default_na=False)
            groups = [
                list(g["record_id"]) for _, g in clusters.groupby("reference_id") if len(g) > 1
            ]
            s = score(clusters["record_id"].tolist(), groups, truth)
            print(
                f"{len(clusters):8d} {measured['seconds']:8.1f} {measured['cpu']:6.1f} "
                f"{measured['peak_mib']:9.0f} "
                f"{s['sensitivity']:6.3f} {s['precision']:6.3f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", choices=["both", "slrflow", "bib-dedupe"], default="both")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale run")
    parser.add_argument("--scale-only", action="store_true", help="only the scale run")
    parser.add_argument("--sizes", default="10000,50000,100000,250000")
    parser.add_argument("--child-run", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_run:
        child_run(*args.child_run)
        return
    if not SHARED.is_dir():
        sys.exit(f"no dedup sets at {SHARED}")
    if not args.scale_only:
        tools = ["slrflow", "bib-dedupe"] if args.tool == "both" else [args.tool]
        quality(tools)
    if not args.no_scale:
        scale([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
