"""The dedup stage in one call: records in, references and their evidence out.

:func:`deduplicate` prepares comparison keys, blocks, compares the candidate pairs, applies a
person's decisions and clusters. The returned :class:`Result` holds, by record position:

``label``      the cluster of each record (its first member's position)
``attached``   for each record, the applied link ``(other, rule, score)`` that tied it into its
               cluster (``None`` for the cluster's first member)
``queue``      the ``maybe`` comparisons between records left in different clusters, and the
               ``same`` matches that complete linkage refused (rule ``<rule>_blocked``)
``related``    the ``link`` comparisons (related versions kept apart under the ``link`` policy)
``evidence``   every applied link as a :class:`compare.Comparison` (``rule`` ``person`` for a
               person's ``same``)
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import sys
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from slrflow.dedup.block import candidate_pairs
from slrflow.dedup.cluster import cluster
from slrflow.dedup.compare import Comparison, classify, similarities
from slrflow.dedup.decisions import Decision
from slrflow.dedup.options import Options
from slrflow.dedup.prepare import Keys, prepare
from slrflow.dedup.weights import FieldWeights, estimate, prior_weights, random_pairs

#: pairs whose titles are less alike than this are not compared further (unless an identifier,
#: a Cochrane review or the first page agree, one title contains the other, or one is missing)
PREFILTER_TITLE = 0.6
#: compared pairs counted for the field weights at most (every k-th of a larger review)
MAX_COUNTED = 100_000


@dataclass
class Result:
    keys: Keys
    label: list[int]
    attached: list[tuple[int, str, float] | None]
    queue: list[Comparison] = field(default_factory=list)
    related: list[Comparison] = field(default_factory=list)
    evidence: list[Comparison] = field(default_factory=list)
    decided: dict[tuple[str, str], Decision] = field(default_factory=dict)
    refused: list[tuple[int, int, str]] = field(default_factory=list)
    pairs_compared: int = 0
    weights: FieldWeights = field(default_factory=prior_weights)


def _log(message: str, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def title_similarities(keys: Keys, pairs: np.ndarray, *, threads: int = -1) -> np.ndarray:
    """rapidfuzz ``ratio`` (0-1) of the titles of each pair, computed in one batch on
    ``threads`` threads (-1: every core)."""
    if not len(pairs):
        return np.empty(0)
    first = [keys.title[i] for i in pairs[:, 0]]
    second = [keys.title[j] for j in pairs[:, 1]]
    return process.cpdist(first, second, scorer=fuzz.ratio, workers=threads) / 100


def _codes(values: list[str]) -> np.ndarray:
    """An integer per distinct value, -1 for an empty one (equal codes: equal values)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    empty = np.flatnonzero(uniques == "")
    if len(empty):
        codes[codes == empty[0]] = -1
    return codes


def worth_comparing(keys: Keys, pairs: np.ndarray, title_sim: np.ndarray) -> np.ndarray:
    """Which candidate pairs are compared in detail (a boolean per pair): titles at least
    :data:`PREFILTER_TITLE` alike or missing on one side, or the same DOI, PMID, Cochrane review
    or first page, or one title the beginning or the end of the other."""
    if not len(pairs):
        return np.zeros(0, dtype=bool)
    first, second = pairs[:, 0], pairs[:, 1]
    length = np.fromiter((len(t) for t in keys.title), dtype=np.int64, count=len(keys))
    la, lb = length[first], length[second]
    worth = (la == 0) | (lb == 0) | (title_sim >= PREFILTER_TITLE)
    for values in (keys.doi, keys.pmid, keys.doi_family, keys.page):
        codes = _codes(values)
        worth |= (codes[first] >= 0) & (codes[first] == codes[second])
    # One title inside the other at an end has a ratio of 2 * short / (short + long): below
    # PREFILTER_TITLE only when the short one is under half as long, so only those are looked at.
    titles = keys.title
    for k in np.flatnonzero(~worth & (2 * np.minimum(la, lb) < np.maximum(la, lb))).tolist():
        a, b = titles[first[k]], titles[second[k]]
        short, long = (a, b) if len(a) <= len(b) else (b, a)
        worth[k] = long.startswith(short) or long.endswith(short)
    return worth


def learn_weights(
    keys: Keys, compared: list[tuple[int, int, dict]], *, threads: int = -1
) -> FieldWeights:
    """The field weights of this review from its compared pairs and random pairs."""
    sample = random_pairs(len(keys))
    titles = keys.title
    title_sim = title_similarities(keys, sample, threads=threads)
    random_sims = [
        similarities(keys, i, j, t if titles[i] and titles[j] else None)
        for (i, j), t in zip(sample.tolist(), title_sim.tolist(), strict=True)
    ]
    # a large review has certain pairs to spare: every k-th compared pair is enough to count
    step = max(1, len(compared) // MAX_COUNTED)
    counted = compared[::step]
    identifier = [
        bool(
            (keys.doi[i] and keys.doi[i] == keys.doi[j])
            or (keys.pmid[i] and keys.pmid[i] == keys.pmid[j])
        )
        for i, j, _ in counted
    ]
    weak_title = [
        bool(keys.generic[i] or keys.generic[j] or keys.notice[i] or keys.notice[j])
        or min(len(titles[i].split()), len(titles[j].split())) < 4
        for i, j, _ in counted
    ]
    return estimate(
        [s for _, _, s in counted],
        identifier,
        weak_title,
        random_sims,
        records=len(keys),
        every=step,
    )


def _compared_again(
    keys: Keys, pairs: np.ndarray, *, threads: int, without: tuple[str, ...]
) -> list[tuple[int, int, dict]]:
    """The pairs that blocking finds once the fields ``without`` (``year``, ``authors``),
    ignored in this review, are left out of its keys, not among ``pairs``, compared. Blocking
    leans on the year and the first author; a review whose years cannot be trusted would never
    pair a translated title with its original by the place in the journal (without the year:
    the first author alone, the volume and first page alone), and one whose authors cannot be
    trusted would never pair a title with the same title and a subtitle in proceedings without
    volumes (without the authors: the year and first page of records that have no volume)."""
    changed: dict[str, list] = {}
    if "year" in without:
        changed["year"] = [None] * len(keys)
    if "authors" in without:
        changed["surnames"] = [()] * len(keys)
        changed["volume"] = [v or "-" for v in keys.volume]
    found = candidate_pairs(dataclasses.replace(keys, **changed))
    if len(found) == 0:
        return []
    n = np.int64(len(keys))
    seen = pairs[:, 0].astype(np.int64) * n + pairs[:, 1] if len(pairs) else np.empty(0, np.int64)
    new = found[~np.isin(found[:, 0].astype(np.int64) * n + found[:, 1], seen)]
    return compare(keys, new, threads=threads)


def compare(keys: Keys, pairs: np.ndarray, *, threads: int = -1) -> list[tuple[int, int, dict]]:
    """The candidate ``pairs`` worth comparing (:func:`worth_comparing`), each with the
    similarities of its fields: ``(i, j, sims)``."""
    title_sim = title_similarities(keys, pairs, threads=threads)
    worth = worth_comparing(keys, pairs, title_sim)
    titles = keys.title
    return [
        (i, j, similarities(keys, i, j, t if titles[i] and titles[j] else None))
        for (i, j), t in zip(pairs[worth].tolist(), title_sim[worth].tolist(), strict=True)
    ]


@contextlib.contextmanager
def without_cycle_collection():
    """Python's cycle collector paused: the stage makes millions of small objects (keys, pairs,
    similarities) and none of them in cycles, so the collector would only walk them over and
    over (a quarter of the time of a large review); memory is still freed as it is let go."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def deduplicate(
    table: pd.DataFrame,
    *,
    options: Options | None = None,
    decisions: dict[tuple[str, str], Decision] | None = None,
    quiet: bool = False,
    threads: int = -1,
) -> Result:
    """Group the records of ``table`` (columns of :data:`slrflow.dedup.load.FIELDS`).

    ``threads``: how many threads compare titles (-1: every core; a workflow job passes the
    threads it was given, so that it does not take a whole cluster node's cores).
    """
    with without_cycle_collection():
        return _deduplicate(
            table, options=options, decisions=decisions, quiet=quiet, threads=threads
        )


def _deduplicate(
    table: pd.DataFrame,
    *,
    options: Options | None,
    decisions: dict[tuple[str, str], Decision] | None,
    quiet: bool,
    threads: int,
) -> Result:
    options = options or Options()
    decisions = decisions or {}
    started = time.perf_counter()
    keys = prepare(table)
    n = len(keys)
    pairs = candidate_pairs(keys)
    _log(
        f"dedup: {n} records, {len(pairs)} candidate pairs ({time.perf_counter() - started:.1f} s)",
        quiet,
    )
    compared = compare(keys, pairs, threads=threads)
    weights = learn_weights(keys, compared, threads=threads)
    unkeyed = tuple(name for name in ("year", "authors") if weights.ignored(name))
    if unkeyed:
        compared += _compared_again(keys, pairs, threads=threads, without=unkeyed)
    _log(
        "dedup: field weights in this review: "
        + ", ".join(f"{f.name} {f.role}" for f in weights.fields.values())
        + f" ({time.perf_counter() - started:.1f} s)",
        quiet,
    )
    cache: dict[tuple[int, int], Comparison] = {}
    edges: list[Comparison] = []
    for i, j, sims in compared:
        comparison = classify(keys, i, j, options, weights=weights, sims=sims)
        cache[(i, j)] = comparison
        if comparison.verdict == "same":
            edges.append(comparison)

    def verdict_of(i: int, j: int) -> Comparison:
        found = cache.get((i, j))
        if found is None:
            found = cache[(i, j)] = classify(keys, i, j, options, weights=weights)
        return found

    position = keys.position
    person_same, person_different = [], set()
    for (a, b), decision in decisions.items():
        if a not in position or b not in position:
            continue
        pa, pb = sorted((position[a], position[b]))
        if decision.verdict == "same":
            person_same.append((pa, pb))
        else:
            person_different.add((pa, pb))
    closed = set(options.deduplicated_searches)
    search = keys.search_id

    def cannot_link(i: int, j: int) -> bool:
        return (i, j) in person_different or (search[i] in closed and search[i] == search[j])

    clustering = cluster(n, edges, verdict_of, person_same=person_same, cannot_link=cannot_link)
    label = clustering.label
    # Attach each record to its cluster through the applied links (a tree rooted at the first
    # member), so that every record names the link and rule that brought it in.
    neighbours: dict[int, list[tuple[int, str, float]]] = {}
    evidence = []
    for a, b, rule, score in clustering.links:
        neighbours.setdefault(a, []).append((b, rule, score))
        neighbours.setdefault(b, []).append((a, rule, score))
        comparison = verdict_of(a, b)
        if rule == "person":
            comparison = Comparison(
                a, b, "same", "person", comparison.score, comparison.sims, comparison.weight
            )
        evidence.append(comparison)
    attached: list[tuple[int, str, float] | None] = [None] * n
    seen = set()
    for start in sorted(set(label)):
        if start in seen or start not in neighbours:
            continue
        seen.add(start)
        todo = deque([start])
        while todo:
            node = todo.popleft()
            for other, rule, score in sorted(neighbours.get(node, [])):
                if other not in seen:
                    seen.add(other)
                    attached[other] = (node, rule, score)
                    todo.append(other)
    decided_pairs = {
        tuple(sorted((position[a], position[b])))
        for a, b in decisions
        if a in position and b in position
    }
    waiting = [
        c
        for key, c in cache.items()
        if c.verdict == "maybe" and label[c.i] != label[c.j] and key not in decided_pairs
    ]
    # A match the clustering refused because another pair of the two clusters is not the same:
    # a person should see it (complete linkage errs on the side of keeping records apart).
    for i, j, reason in clustering.refused:
        if "not the same" in reason and label[i] != label[j] and (i, j) not in decided_pairs:
            c = verdict_of(i, j)
            waiting.append(
                Comparison(i, j, "maybe", f"{c.rule}_blocked", c.score, c.sims, c.weight)
            )
    queue = sorted(waiting, key=lambda c: (-c.weight, -c.score, c.i, c.j))
    related = sorted(
        (c for c in cache.values() if c.verdict == "link" and label[c.i] != label[c.j]),
        key=lambda c: (c.i, c.j),
    )
    _log(
        f"dedup: {n - len(set(label))} duplicates, {len(set(label))} references, "
        f"{len(queue)} pairs to review ({time.perf_counter() - started:.1f} s)",
        quiet,
    )
    return Result(
        keys=keys,
        label=label,
        attached=attached,
        queue=queue,
        related=related,
        evidence=sorted(evidence, key=lambda c: (c.i, c.j)),
        decided=decisions,
        refused=clustering.refused,
        pairs_compared=len(cache),
        weights=weights,
    )
