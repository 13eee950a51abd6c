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

The benchmark prints four tables (and a second view of the third):

1. ``sets``: each tool on each set as it is, with its default settings. slrflow runs as
   ``slrflow dedup RECORDS -o CLUSTERS`` (a fresh process, start-up included); bib-dedupe runs
   ``prep``, ``block``, ``match`` and ``cluster`` through its Python API in a fresh process of
   its own virtual environment (its "maybe" pairs are counted, not merged, like slrflow's
   review queue). Seconds are wall-clock time of each process, CPU seconds user + system.
   bib-dedupe is found through ``--bib-dedupe PYTHON`` or the environment variable
   ``SLRFLOW_BIB_DEDUPE`` (the ``python`` of a virtual environment with ``bib-dedupe==0.11.0``,
   or the environment's folder); without it, its rows are taken from the cache file
   (``--bib-dedupe-cache``, written by an earlier run on the same files) or skipped.
2. ``leave one set out``: the one setting tuned here (``match_odds``, the log2 odds from the
   learned field weights from which a pair is the same work although a field not proved
   reliable in the review disagrees or something is missing) is chosen for each set from the
   *other* sets only (highest pooled sensitivity with every other set's precision >= 0.999
   and review queue <= 1% of records; ties to the smaller queue, then to the value nearest
   the default of 10 bits, fixed beforehand as odds of 1,000 to 1), then that set is scored
   with it. Pooled and per-set sensitivity and precision.
3. ``corrupted copies``: each set with one field corrupted at a time (issue numbers replaced
   by sequence numbers, authors' separators removed, initials before the surname, journals
   abbreviated, titles with a language tag or in brackets, page ranges shortened, volume and
   issue swapped or merged, and each of author, year, journal, volume, issue and pages blanked
   in half the records or shuffled across all of them), run with that set's left-out setting;
   sensitivity against the clean set (target: at most 0.01 lost). Which records are blanked
   or how a column is shuffled depends on a seed; each cell shows the worst of the copies made
   with ``--corruption-seeds`` (default four), since one seed can be a lucky draw. Titles are
   never corrupted: without a title or identifier no tool can tell two works apart. Table 3b
   shows the same losses once a person has decided the review queue (every queued pair of one
   true work merged, the rest kept apart), against the clean set's queue decided alike: what
   a corruption costs a review in the end, not only in the automatic links.
4. ``scale``: records of the three large sets are turned into N distinct works (10k, 50k,
   100k, 250k) by recombining real title words, author names, journals, years, volumes and
   pages; a third of the works get one or two noisy duplicates (typos, case changes, dropped
   DOI, pages or abstract, abbreviated or missing journal, swapped author-name order,
   truncated author lists, a year one off), and 5% get a *trap*, a distinct work that looks
   like them (its erratum, a reply, its part 2, or the same title by other authors years
   later). Each size runs in its own process; seconds and peak memory (maximum resident set
   size) of that process, with sensitivity and precision against the generated truth. The
   largest size runs again with the year blanked in half the records and with the years
   shuffled (``--scale-corruptions``): a column a review cannot trust sends the engine down
   other paths (blocking without the year, rules asked without a field).

For ``bibdedupe_testdata`` slrflow is told that ``old_search`` was deduplicated before
(``--deduplicated-searches old_search``), as that set's truth assumes.

Usage::

    nice python benchmarks/dedup.py --bib-dedupe ../venv-bibdedupe/bin/python --no-scale
    nice python benchmarks/dedup.py --no-scale           # bib-dedupe's figures from the cache
    nice python benchmarks/dedup.py --only sets,loso --no-scale
    nice python benchmarks/dedup.py --scale-only --sizes 10000,250000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SLRFLOW_SHARED_DATA", ROOT.parent / "shared" / "data")) / "dedup"
CACHE = Path.home() / ".cache" / "slrflow-bench" / "bib-dedupe-0.11.0.json"
SETS = [
    "bibdedupe_cytology_screening",
    "bibdedupe_haematology",
    "bibdedupe_digital_work",
    "bibdedupe_special_cases",
    "bibdedupe_testdata",
]
SLRFLOW_OPTIONS = {"bibdedupe_testdata": ["--deduplicated-searches", "old_search"]}
SEARCHES_DONE = {"bibdedupe_testdata": ("old_search",)}
#: the values of ``match_odds`` the leave-one-set-out evaluation chooses from
GRID = [5.0, 7.5, 10.0, 12.5, 15.0, 1000.0]
DEFAULT_ODDS = 10.0
MIN_PRECISION = 0.999
MAX_QUEUE = 0.01

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
        "positives": positives,
        "sensitivity": tp / positives if positives else 1.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "specificity": tn / negatives if negatives else 1.0,
    }


def pooled(scores: list[dict]) -> dict:
    tp = sum(s["TP"] for s in scores)
    fp = sum(s["FP"] for s in scores)
    positives = sum(s["positives"] for s in scores)
    return {
        "sensitivity": tp / positives if positives else 1.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
    }


def truth_of(folder: Path) -> list[list[str]]:
    column = pd.read_csv(folder / "merged_record_ids.csv", dtype=str)["merged_ids"]
    return [row.split(";") for row in column]


def read_set(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / "records_pre_merged.csv", dtype=str, keep_default_na=False)
    return frame[frame["ID"] != ""].reset_index(drop=True)


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
        command = [sys.executable, "-m", "slrflow.cli", "dedup", str(records)]
        seconds, cpu = _timed(
            [*command, "-o", str(out), "--quiet", *options], stderr=subprocess.DEVNULL
        )
        # the review queue from a second, untimed run that writes every table
        subprocess.run(
            [*command, "--outdir", str(outdir), "--quiet", *options],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        clusters = pd.read_csv(out, dtype=str, keep_default_na=False)
        queue = len(pd.read_csv(outdir / "pairs_to_review.csv", dtype=str))
    groups = [list(g["record_id"]) for _, g in clusters.groupby("reference_id") if len(g) > 1]
    return {"clusters": groups, "seconds": seconds, "cpu": cpu, "queue": queue}


def bib_dedupe_python(given: str | None) -> Path | None:
    """bib-dedupe's interpreter from ``--bib-dedupe`` or ``SLRFLOW_BIB_DEDUPE`` (a python or
    the virtual environment's folder); ``None`` when not given or not there."""
    value = given or os.environ.get("SLRFLOW_BIB_DEDUPE")
    if not value:
        return None
    path = Path(value)
    if path.is_dir():
        path = path / "bin" / "python"
    return path if path.exists() else None


def run_bib_dedupe(python: Path, records: Path) -> dict:
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


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def bib_dedupe_row(python: Path | None, records: Path, cache: Path) -> dict | None:
    """bib-dedupe's figures on ``records``: run when its interpreter is given (and cached),
    else from the cache of an earlier run on the same file; ``None`` when neither."""
    stored = json.loads(cache.read_text()) if cache.exists() else {}
    key = f"{records.parent.name}:{_digest(records)}"
    if python is None:
        return stored.get(key)
    run = run_bib_dedupe(python, records)
    stored[key] = run
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(stored, indent=1, sort_keys=True))
    return run


def sets_table(python: Path | None, cache: Path, tools: list[str]) -> dict[str, dict]:
    """Table 1; returns bib-dedupe's scores per set (for the comparison in table 2)."""
    header = (
        f"{'set':30} {'tool':10} {'records':>7} {'TP':>5} {'FP':>4} {'FN':>4} "
        f"{'sens':>6} {'prec':>6} {'spec':>6} {'seconds':>8} {'cpu s':>6} {'queue':>6}"
    )
    print("\n1. each set with default settings\n" + header)
    print("-" * len(header))
    theirs: dict[str, dict] = {}
    for name in SETS:
        folder = SHARED / name
        records = folder / "records_pre_merged.csv"
        if not records.exists():
            print(f"{name}: not found at {folder}", file=sys.stderr)
            continue
        ids = read_set(folder)["ID"].tolist()
        truth = truth_of(folder)
        for tool in tools:
            if tool == "slrflow":
                run = run_slrflow(records, SLRFLOW_OPTIONS.get(name, []))
            else:
                run = bib_dedupe_row(python, records, cache)
                if run is None:
                    print(f"{name:30} {tool:10} (not installed and not cached: skipped)")
                    continue
            s = score(ids, run["clusters"], truth)
            if tool != "slrflow":
                theirs[name] = {**s, "seconds": run["seconds"]}
            print(
                f"{name:30} {tool:10} {len(ids):7d} {s['TP']:5d} {s['FP']:4d} {s['FN']:4d} "
                f"{s['sensitivity']:6.3f} {s['precision']:6.3f} {s['specificity']:6.3f} "
                f"{run['seconds']:8.1f} {run['cpu']:6.1f} {run['queue']:6d}",
                flush=True,
            )
    return theirs


# --- leave one set out and corrupted copies (in this process) --------------------------------


def run_engine(frame: pd.DataFrame, name: str, match_odds: float) -> dict:
    """slrflow's engine on a benchmark-form table; the clusters, the queue and seconds."""
    from slrflow.dedup import Options, deduplicate
    from slrflow.dedup.load import prepare_table

    start = time.perf_counter()
    table, _ = prepare_table(frame.astype(str))
    options = Options(match_odds=match_odds, deduplicated_searches=SEARCHES_DONE.get(name, ()))
    result = deduplicate(table, options=options, quiet=True)
    ids = table["record_id"].tolist()
    found: dict[int, list[str]] = {}
    for position, label in enumerate(result.label):
        found.setdefault(label, []).append(ids[position])
    return {
        "clusters": [g for g in found.values() if len(g) > 1],
        "queue": len(result.queue),
        "queue_pairs": [(ids[c.i], ids[c.j]) for c in result.queue],
        "seconds": time.perf_counter() - start,
        "roles": {f.name: f.role for f in result.weights.fields.values()},
    }


def after_review(run: dict, truth: list[list[str]]) -> list[list[str]]:
    """The clusters once a person has decided every pair in the review queue by the truth:
    each queued pair of one true work merges its two clusters, the others stay apart."""
    work = {r: n for n, group in enumerate(truth) for r in group}
    parent: dict[str, str] = {}

    def root(r: str) -> str:
        while parent.get(r, r) != r:
            r = parent[r]
        return r

    links = [(g[0], r) for g in run["clusters"] for r in g[1:]]
    links += [(a, b) for a, b in run["queue_pairs"] if a in work and work[a] == work.get(b)]
    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    groups: dict[str, list[str]] = {}
    for r in {r for pair in links for r in pair}:
        groups.setdefault(root(r), []).append(r)
    return [g for g in groups.values() if len(g) > 1]


def _acceptable(runs: dict[str, dict], sizes: dict[str, int]) -> bool:
    return all(
        r["precision"] >= MIN_PRECISION and r["queue"] <= max(1, MAX_QUEUE * sizes[n])
        for n, r in runs.items()
    )


def loso(theirs: dict[str, dict]) -> dict[str, float]:
    """Table 2; returns the setting chosen for each set without it."""
    data = {n: (read_set(SHARED / n), truth_of(SHARED / n)) for n in SETS if (SHARED / n).is_dir()}
    sizes = {n: len(f) for n, (f, _) in data.items()}
    runs: dict[tuple[str, float], dict] = {}
    for n, (frame, truth) in data.items():
        for value in GRID:
            run = run_engine(frame, n, value)
            runs[(n, value)] = {**score(frame["ID"].tolist(), run["clusters"], truth), **run}
    chosen = {}
    for held in data:
        best = None
        for value in GRID:
            others = {n: runs[(n, value)] for n in data if n != held}
            if not _acceptable(others, sizes):
                continue
            sens = pooled(list(others.values()))["sensitivity"]
            queue = sum(r["queue"] for r in others.values())
            # ties to the smaller review queue, then to the value nearest the default
            key = (sens, -queue, -abs(value - DEFAULT_ODDS))
            if best is None or key > best[0]:
                best = (key, value)
        chosen[held] = best[1] if best else GRID[-1]
    header = (
        f"{'set (scored without tuning on it)':34} {'odds':>6} {'TP':>5} {'FP':>4} {'FN':>4} "
        f"{'sens':>6} {'prec':>6} {'queue':>6} {'q %':>5} {'bib sens':>8} {'seconds':>7}"
    )
    print("\n2. leave one set out (match_odds chosen on the other sets)\n" + header)
    print("-" * len(header))
    scored = []
    for n in data:
        r = runs[(n, chosen[n])]
        scored.append(r)
        bib = theirs.get(n)
        print(
            f"{n:34} {chosen[n]:6.1f} {r['TP']:5d} {r['FP']:4d} {r['FN']:4d} "
            f"{r['sensitivity']:6.3f} {r['precision']:6.3f} {r['queue']:6d} "
            f"{100 * r['queue'] / sizes[n]:5.2f} "
            f"{bib['sensitivity'] if bib else float('nan'):8.3f} {r['seconds']:7.1f}"
        )
    total = pooled(scored)
    print(
        f"{'pooled':34} {'':6} {'':5} {'':4} {'':4} {total['sensitivity']:6.3f} "
        f"{total['precision']:6.3f}"
    )
    roles = {n: runs[(n, chosen[n])]["roles"] for n in data}
    print("\nfield roles learned per set:")
    for n, r in roles.items():
        print(f"  {n:30} " + ", ".join(f"{k} {v}" for k, v in r.items()))
    return chosen


def _names(cell: str) -> list[tuple[str, str]]:
    """``(surname, initials)`` of each author of an ``" and "``-joined cell."""
    out = []
    for name in cell.split(" and "):
        surname, _, given = name.partition(",")
        initials = " ".join(f"{w[0]}." for w in re.split(r"[\s.]+", given) if w)
        out.append((surname.strip(), initials))
    return out


def _run_together(cell: str) -> str:
    """``Zuna, R E and Wang, S S`` -> ``Zuna R. E.Wang S. S.`` (separators lost)."""
    if not cell:
        return cell
    return "".join(f"{s} {i}".strip() for s, i in _names(cell))


def _initials_first(cell: str) -> str:
    if not cell:
        return cell
    return " and ".join(f"{i} {s}".strip() for s, i in _names(cell))


def _short_pages(pages: str) -> str:
    match = re.fullmatch(r"(\d+)-(\d+)", pages)
    if not match or len(match.group(1)) != len(match.group(2)):
        return pages
    first, last = match.groups()
    k = 0
    while k < len(first) - 1 and first[k] == last[k]:
        k += 1
    return f"{first}-{last[k:]}"


def _issue_column(frame: pd.DataFrame) -> str:
    return "number" if "number" in frame.columns or "issue" not in frame.columns else "issue"


def corrupt(frame: pd.DataFrame, kind: str, seed: int = 11) -> pd.DataFrame:
    """A copy of ``frame`` with one field corrupted (see table 3 in the module docstring)."""
    rng = random.Random(seed)
    out = frame.copy()
    issue = _issue_column(out)
    for column in ("author", "journal", "volume", issue, "pages", "year", "title"):
        if column not in out.columns:
            out[column] = ""
    half = [rng.random() < 0.5 for _ in range(len(out))]

    def on_half(column: str, change) -> None:
        out[column] = [change(v) if h else v for v, h in zip(out[column], half, strict=True)]

    if kind == "issue_sequence":
        out[issue] = [str(1000 + k) for k in range(len(out))]
    elif kind == "authors_run_together":
        out["author"] = out["author"].map(_run_together)
    elif kind == "initials_first":
        on_half("author", _initials_first)
    elif kind == "journal_abbreviated":
        on_half("journal", _abbreviate)
    elif kind == "title_tagged":
        on_half("title", lambda t: f"[{t}]" if rng.random() < 0.5 else f"{t} [Chinese]")
    elif kind == "pages_short":
        out["pages"] = out["pages"].map(_short_pages)
    elif kind == "volume_issue_swapped":
        swapped = out[[issue, "volume"]].to_numpy()
        out["volume"] = [b if h else a for (b, a), h in zip(swapped, half, strict=True)]
        out[issue] = [a if h else b for (b, a), h in zip(swapped, half, strict=True)]
    elif kind == "volume_issue_merged":
        merged = [
            f"{v}({i})" if v and i and h else v
            for v, i, h in zip(out["volume"], out[issue], half, strict=True)
        ]
        out[issue] = ["" if h else i for i, h in zip(out[issue], half, strict=True)]
        out["volume"] = merged
    elif kind.startswith("blank_"):
        column = issue if kind == "blank_issue" else kind[len("blank_") :]
        on_half(column, lambda v: "")
    elif kind.startswith("shuffle_"):
        column = issue if kind == "shuffle_issue" else kind[len("shuffle_") :]
        values = out[column].tolist()
        rng.shuffle(values)
        out[column] = values
    else:
        raise ValueError(kind)
    return out


CORRUPTIONS = [
    "issue_sequence",
    "authors_run_together",
    "initials_first",
    "journal_abbreviated",
    "title_tagged",
    "pages_short",
    "volume_issue_swapped",
    "volume_issue_merged",
    *(
        f"{how}_{f}"
        for f in ("author", "year", "journal", "volume", "issue", "pages")
        for how in ("blank", "shuffle")
    ),
]


def corrupted(chosen: dict[str, float], kinds: list[str], seeds: tuple[int, ...] = (11,)) -> None:
    """Table 3: for each corruption and set, the largest loss over the copies made with
    ``seeds`` (each seed scrambles or blanks other records), marked when any copy's precision
    falls below the floor."""
    data = {n: (read_set(SHARED / n), truth_of(SHARED / n)) for n in SETS if (SHARED / n).is_dir()}
    names = list(data)
    short = {n: n.replace("bibdedupe_", "")[:10] for n in names}
    print(
        "\n3. sensitivity on corrupted copies minus the clean set's (same setting; the worst of "
        f"the copies made with seeds {', '.join(map(str, seeds))}); precision below 0.999 in "
        "any copy marked *"
    )
    print(f"{'corruption':24} " + " ".join(f"{short[n]:>11}" for n in names))
    clean, clean_reviewed = {}, {}
    for n, (frame, truth) in data.items():
        run = run_engine(frame, n, chosen.get(n, DEFAULT_ODDS))
        clean[n] = score(frame["ID"].tolist(), run["clusters"], truth)
        clean_reviewed[n] = score(frame["ID"].tolist(), after_review(run, truth), truth)
    print(
        f"{'(clean sensitivity)':24} " + " ".join(f"{clean[n]['sensitivity']:11.3f}" for n in names)
    )
    worst = worst_reviewed = 0.0
    reviewed_rows = []
    for kind in kinds:
        cells, reviewed_cells = [], []
        for n, (frame, truth) in data.items():
            deltas, reviewed, precise = [], [], True
            for seed in seeds:
                run = run_engine(corrupt(frame, kind, seed), n, chosen.get(n, DEFAULT_ODDS))
                s = score(frame["ID"].tolist(), run["clusters"], truth)
                deltas.append(s["sensitivity"] - clean[n]["sensitivity"])
                precise = precise and s["precision"] >= MIN_PRECISION
                r = score(frame["ID"].tolist(), after_review(run, truth), truth)
                reviewed.append(r["sensitivity"] - clean_reviewed[n]["sensitivity"])
            delta = min(deltas)
            worst = min(worst, delta)
            worst_reviewed = min(worst_reviewed, min(reviewed))
            cells.append(f"{delta:+10.3f}{' ' if precise else '*'}")
            reviewed_cells.append(f"{min(reviewed):+10.3f} ")
        print(f"{kind:24} " + " ".join(cells), flush=True)
        reviewed_rows.append(f"{kind:24} " + " ".join(reviewed_cells))
    print(f"largest loss of sensitivity: {-worst:.3f}")
    print(
        "\n3b. the same once a person has decided the review queue (each queued pair by the "
        "truth), against the clean set's queue decided alike"
    )
    print(f"{'corruption':24} " + " ".join(f"{short[n]:>11}" for n in names))
    print(
        f"{'(clean, queue decided)':24} "
        + " ".join(f"{clean_reviewed[n]['sensitivity']:11.3f}" for n in names)
    )
    print("\n".join(reviewed_rows))
    print(f"largest loss of sensitivity once the queue is decided: {-worst_reviewed:.3f}")


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


def _scale_row(records: Path, out: Path, truth: list[list[str]], label: str) -> None:
    """Run ``slrflow dedup`` on ``records`` in a process of its own; print one row."""
    done = subprocess.run(
        [sys.executable, __file__, "--child-run", str(records), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    clusters = pd.read_csv(out, dtype=str, keep_default_na=False)
    groups = [list(g["record_id"]) for _, g in clusters.groupby("reference_id") if len(g) > 1]
    s = score(clusters["record_id"].tolist(), groups, truth)
    print(
        f"{len(clusters):8d} {measured['seconds']:8.1f} {measured['cpu']:6.1f} "
        f"{measured['peak_mib']:9.0f} {s['sensitivity']:6.3f} {s['precision']:6.3f}  {label}",
        flush=True,
    )


def scale(sizes: list[int], corruptions: list[str]) -> None:
    """The scale rows; the largest size also with each of ``corruptions`` (a field blanked in
    half the records or scrambled, as in table 3), since a review whose column cannot be
    trusted takes other paths (blocking without the year, rules without a field)."""
    print(
        f"\n{'records':>8} {'seconds':>8} {'cpu s':>6} {'peak MiB':>9} {'sens':>6} {'prec':>6}"
        "  (slrflow, scale run)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            records = Path(tmp) / f"scale_{n}.csv"
            truth = make_scale_set(n, records)
            out = Path(tmp) / f"clusters_{n}.csv"
            _scale_row(records, out, truth, "")
            if n != max(sizes):
                continue
            clean = pd.read_csv(records, dtype=str, keep_default_na=False)
            for kind in corruptions:
                copy = Path(tmp) / f"scale_{n}_{kind}.csv"
                corrupt(clean, kind).to_csv(copy, index=False)
                _scale_row(copy, out, truth, kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", choices=["both", "slrflow", "bib-dedupe"], default="both")
    parser.add_argument("--bib-dedupe", help="python of a virtual environment with bib-dedupe")
    parser.add_argument("--bib-dedupe-cache", type=Path, default=CACHE)
    parser.add_argument(
        "--only", default="sets,loso,corrupted", help="tables to print: sets,loso,corrupted"
    )
    parser.add_argument("--corruptions", default=",".join(CORRUPTIONS))
    parser.add_argument(
        "--corruption-seeds",
        default="11,1,2,3",
        help="seeds of the corrupted copies, comma-separated; each cell shows the worst copy",
    )
    parser.add_argument("--no-scale", action="store_true", help="skip the scale run")
    parser.add_argument("--scale-only", action="store_true", help="only the scale run")
    parser.add_argument("--sizes", default="10000,50000,100000,250000")
    parser.add_argument(
        "--scale-corruptions",
        default="blank_year,shuffle_year",
        help="corrupted copies of the largest scale set (comma-separated, '' for none)",
    )
    parser.add_argument("--child-run", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_run:
        child_run(*args.child_run)
        return
    if not SHARED.is_dir():
        print(f"no dedup sets at {SHARED}: skipped", file=sys.stderr)
        return
    if not args.scale_only:
        only = set(args.only.split(","))
        theirs: dict[str, dict] = {}
        if "sets" in only:
            tools = ["slrflow", "bib-dedupe"] if args.tool == "both" else [args.tool]
            theirs = sets_table(bib_dedupe_python(args.bib_dedupe), args.bib_dedupe_cache, tools)
        chosen: dict[str, float] = {}
        if "loso" in only:
            chosen = loso(theirs)
        if "corrupted" in only:
            seeds = tuple(int(seed) for seed in args.corruption_seeds.split(","))
            corrupted(chosen, args.corruptions.split(","), seeds)
    if not args.no_scale:
        scale(
            [int(s) for s in args.sizes.split(",")],
            [k for k in args.scale_corruptions.split(",") if k],
        )


if __name__ == "__main__":
    main()
