"""Score ranker settings quickly on every labelled set, choosing leaving one set out.

Replays each candidate setting (:data:`CANDIDATES`: ranker :class:`Settings` and the share of
records screened between retrainings) in this process, on every set of the shared screening
folder and the first ``--seeds`` seeds, from the same priors as ``benchmarks/screening.py``
(1 included and 1 excluded record, ``choose_priors(labels, 1, 1, seed=S)``). A set's text
features are built once per feature setting and reused by every candidate sharing it, so a
candidate costs only its retrainings. Each finished replay (WSS@95, recall@10%, ATD, CPU
seconds, retrainings) is kept in ``--cache``, keyed by the candidate's settings, so adding a
candidate replays only that one.

Prints, per candidate, the means over sets and the CPU seconds of a replay; then, leaving one
set out: for every set the candidate with the best mean of WSS@95 and recall@10% over the
other 15 sets, and that set's figures under it (the figures a new review can expect from the
choice); then the same choice by the one-standard-error rule (of the candidates within one
standard error of the best on the other sets, the one that retrains least: how the retraining
batch was chosen). ``--only`` names candidates to run (default: all).

Usage::

    nice -n 19 python benchmarks/ranking_grid.py --seeds 1
    nice -n 19 python benchmarks/ranking_grid.py --seeds 2 --only previous,chars
    nice -n 19 python benchmarks/ranking_grid.py --seeds 5 \
        --only svm-until10%,svm-until10%-batch3%,svm-until10%-batch5%,svm-until10%-batch8%
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

# The same sets, found the same way, as the benchmark against ASReview.
from screening import DATA, datasets
from slrflow.screening import metrics, rank
from slrflow.screening.rank import Settings
from slrflow.screening.simulate import choose_priors, load_dataset, replay

CACHE = Path.home() / ".cache" / "slrflow-bench" / "ranker-grid.json"

#: The ranker as the previous benchmark measured it (its SVM throughout); the candidates below
#: change one or two of its settings.
PREVIOUS = Settings(svm_until_share=0.0)
#: name -> (ranker settings, share of the records screened so far screened between retrainings,
#: or that share and the fewest records between retrainings as a share of all records)
CANDIDATES: dict[str, tuple[Settings, float | tuple[float, float]]] = {
    "previous": (PREVIOUS, 0.02),
    "batch1%": (PREVIOUS, 0.01),
    "batch5%": (PREVIOUS, 0.05),
    "chars": (replace(PREVIOUS, char_weight=1.0), 0.02),
    "chars0.5": (replace(PREVIOUS, char_weight=0.5), 0.02),
    "no-pseudo": (replace(PREVIOUS, n_pseudo_excluded=0), 0.02),
    "pseudo300": (replace(PREVIOUS, n_pseudo_excluded=300), 0.02),
    "ratio1": (replace(PREVIOUS, include_ratio=1.0), 0.02),
    "ratio6": (replace(PREVIOUS, include_ratio=6.0), 0.02),
    "svm0": (replace(PREVIOUS, svm_weight=0.0), 0.02),
    "svm4": (replace(PREVIOUS, svm_weight=4.0), 0.02),
    "nb0": (replace(PREVIOUS, nb_weight=0.0), 0.02),
    "nb2": (replace(PREVIOUS, nb_weight=2.0), 0.02),
    "C0.3": (replace(PREVIOUS, C=0.3), 0.02),
    "C3": (replace(PREVIOUS, C=3.0), 0.02),
    "min_df1": (replace(PREVIOUS, min_df=1), 0.02),
    "trigrams": (replace(PREVIOUS, ngram_range=(1, 3)), 0.02),
    "svm0-batch5%": (replace(PREVIOUS, svm_weight=0.0), 0.05),
    "svm-until10inc": (replace(PREVIOUS, svm_until_includes=10), 0.02),
    "svm-until20inc": (replace(PREVIOUS, svm_until_includes=20), 0.02),
    "svm-until5%": (Settings(svm_until_share=0.05), 0.02),
    "svm-until10%": (Settings(svm_until_share=0.10), 0.02),
    "svm-until5%-batch3%": (Settings(svm_until_share=0.05), 0.03),
    "svm-until5%-batch5%": (Settings(svm_until_share=0.05), 0.05),
    "svm0-pseudo300": (replace(PREVIOUS, svm_weight=0.0, n_pseudo_excluded=300), 0.02),
    "svm0-ratio6": (replace(PREVIOUS, svm_weight=0.0, include_ratio=6.0), 0.02),
    "svm0-ratio1": (replace(PREVIOUS, svm_weight=0.0, include_ratio=1.0), 0.02),
    "svm0-nb0": (replace(PREVIOUS, svm_weight=0.0, nb_weight=0.0), 0.02),
    "svm0-nb0.5": (replace(PREVIOUS, svm_weight=0.0, nb_weight=0.5), 0.02),
    "svm1": (replace(PREVIOUS, svm_weight=1.0), 0.02),
    "svm0-C3": (replace(PREVIOUS, svm_weight=0.0, C=3.0), 0.02),
    "svm0-C0.3": (replace(PREVIOUS, svm_weight=0.0, C=0.3), 0.02),
    "svm-until10%-batch3%": (Settings(), 0.03),
    "svm-until10%-batch5%": (Settings(), 0.05),
    "svm-until10%-batch8%": (Settings(), 0.08),
    "svm-until10%-batch10%": (Settings(), 0.10),
    "batch5%-max_df0.5": (Settings(max_df=0.5), 0.05),
    "batch5%-C0.3": (Settings(C=0.3), 0.05),
    "batch5%-C3": (Settings(C=3.0), 0.05),
    "batch5%-pseudo300": (Settings(n_pseudo_excluded=300), 0.05),
    "batch5%-svm-until20%": (Settings(svm_until_share=0.20), 0.05),
    "batch5%-nb0.5": (Settings(nb_weight=0.5), 0.05),
    "batch5%-nb2": (Settings(nb_weight=2.0), 0.05),
    "svm-until10%-batch5%-least0.1%": (Settings(), (0.05, 0.001)),
    "svm-until10%-batch5%-least0.2%": (Settings(), (0.05, 0.002)),
}

_FEATURE_FIELDS = ("ngram_range", "max_df", "min_df", "char_weight", "char_ngram_range")


def _key(settings: Settings, share: float) -> str:
    """The cache key of a candidate: every setting that changes a replay."""
    return json.dumps([dataclasses.asdict(settings), share], sort_keys=True)


class FeatureCache:
    """Reuses a set's features across candidates that build them the same way."""

    def __init__(self) -> None:
        self.built: dict[tuple, tuple] = {}
        self.seconds: dict[tuple, float] = {}
        self._build = rank.build_features

    def __call__(self, texts, settings):
        key = (id(texts), *(getattr(settings, f) for f in _FEATURE_FIELDS))
        if key not in self.built:
            start = time.process_time()
            self.built[key] = self._build(texts, settings)
            self.seconds[key] = time.process_time() - start
        return self.built[key]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--only", help="comma-separated candidate names (default: all)")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no labelled sets at {args.data}: nothing to measure", file=sys.stderr)
        return 0
    names = args.only.split(",") if args.only else list(CANDIDATES)
    unknown = set(names) - set(CANDIDATES)
    if unknown:
        parser.error(f"unknown candidate(s): {', '.join(sorted(unknown))}")
    cache = json.loads(args.cache.read_text()) if args.cache.exists() else {}
    features = FeatureCache()
    rank.build_features = features
    rows = []
    for name, csv in datasets(args.data, None):
        data = load_dataset(csv)
        for seed in range(args.seeds):
            priors = choose_priors(data.labels, 1, 1, seed=seed)
            for candidate in names:
                settings, share = CANDIDATES[candidate]
                # a share, or (share, fewest records between retrainings as a share of all)
                share_of_screened, least = share if isinstance(share, tuple) else (share, 0.0)
                key = f"{_key(settings, share)}|{name}|{seed}"
                if key not in cache:
                    start = time.process_time()
                    result = replay(
                        data.texts, data.labels, priors, seed=seed, settings=settings,
                        batch_share=share_of_screened, min_batch_share=least,
                    )  # fmt: skip
                    y = result.screened_labels
                    cache[key] = {
                        "wss@95": metrics.wss(y, 0.95),
                        "recall@10%": metrics.recall_at(y, 0.10),
                        "atd": metrics.atd(y),
                        "cpu_s": time.process_time() - start,
                        "retrainings": result.retrainings,
                    }
                    args.cache.parent.mkdir(parents=True, exist_ok=True)
                    tmp = args.cache.with_suffix(".tmp")
                    tmp.write_text(json.dumps(cache, sort_keys=True))
                    tmp.replace(args.cache)
                    print(
                        f"{name} seed {seed} {candidate}: WSS@95 {cache[key]['wss@95']:.3f} "
                        f"recall@10% {cache[key]['recall@10%']:.3f} "
                        f"{cache[key]['cpu_s']:.1f} CPU s",
                        file=sys.stderr,
                        flush=True,
                    )
                rows.append({"set": name, "seed": seed, "candidate": candidate, **cache[key]})
    if features.seconds:
        print(f"features built: {sum(features.seconds.values()):.1f} CPU s in all (not counted)")
    report(pd.DataFrame(rows))
    return 0


def report(runs: pd.DataFrame) -> None:
    runs = runs.assign(score=(runs["wss@95"] + runs["recall@10%"]) / 2)
    columns = ["wss@95", "recall@10%", "atd", "cpu_s", "retrainings"]
    per_set = runs.groupby(["candidate", "set"])[[*columns, "score"]].mean()
    overall = per_set.groupby("candidate").mean().sort_values("score", ascending=False)
    head = ("WSS@95", "rec@10%", "ATD", "CPU s", "fits")
    print(f"{'candidate':20s} " + " ".join(f"{h:>7s}" for h in head))
    for candidate, v in overall.iterrows():
        print(
            f"{candidate:20s} {v['wss@95']:7.3f} {v['recall@10%']:7.3f} {v['atd']:7.3f} "
            f"{v['cpu_s']:7.1f} {v['retrainings']:7.0f}"
        )
    score = per_set["score"].unstack("candidate")
    picks = []
    for name in score.index:
        best = score.drop(index=name).mean().idxmax()
        picks.append({"set": name, "chosen": best, **per_set.loc[(best, name)].to_dict()})
    held = pd.DataFrame(picks)
    print("\nleft one set out (candidate chosen on the other sets, scored on this one):")
    for _, row in held.iterrows():
        print(
            f"  {row['set']:38s} {row['chosen']:20s} WSS@95 {row['wss@95']:.3f} "
            f"recall@10% {row['recall@10%']:.3f} ATD {row['atd']:.3f}"
        )
    print(
        f"  MEAN: WSS@95 {held['wss@95'].mean():.3f} recall@10% {held['recall@10%'].mean():.3f} "
        f"ATD {held['atd'].mean():.3f}  chosen: {held['chosen'].value_counts().to_dict()}"
    )
    # The same, choosing by the one-standard-error rule: of the candidates whose mean score on
    # the other sets is within one standard error of the best one's (paired over those sets'
    # runs), the one that retrains least. Candidates that differ by less than the seeds' noise
    # are not told apart by the score, so the cheaper one is taken.
    fits = per_set["retrainings"].unstack("candidate")
    picks = []
    for name in score.index:
        paired = runs[runs["set"] != name].pivot_table(
            index=["set", "seed"], columns="candidate", values="score"
        )
        means = paired.mean()
        best = means.idxmax()
        error = paired.rsub(paired[best], axis=0).std() / len(paired) ** 0.5
        close = means.index[means[best] - means <= error.fillna(0)]
        cheapest = fits.drop(index=name)[close].mean().idxmin()
        picks.append({"set": name, "chosen": cheapest, **per_set.loc[(cheapest, name)].to_dict()})
    held = pd.DataFrame(picks)
    print(
        f"\nleft one set out, one-standard-error rule (fewest retrainings within one standard "
        f"error of the best):\n  MEAN: WSS@95 {held['wss@95'].mean():.3f} recall@10% "
        f"{held['recall@10%'].mean():.3f} ATD {held['atd'].mean():.3f}  "
        f"chosen: {held['chosen'].value_counts().to_dict()}"
    )
    per_seed = runs.groupby(["candidate", "seed"])[["wss@95", "recall@10%"]].mean()
    print("\nper seed (mean over sets):")
    print(per_seed.unstack("seed").round(3).to_string())


if __name__ == "__main__":
    sys.exit(main())
