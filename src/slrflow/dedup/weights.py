"""Field reliability in this review: how much each field's agreement and disagreement weigh.

A field is only as good as the exports it comes from. In one review the ``issue`` column holds
the issue; in another it holds a running sequence number, so true duplicates "disagree" on it
all the time. The weights are therefore learned from each review's own records (the
Fellegi-Sunter model, with its probabilities counted rather than assumed):

``m``  how often the field agrees (or disagrees) among pairs that are *certainly* the same work;
``u``  how often it agrees (or disagrees) among random pairs of records (strangers).

The weight of an outcome is ``log2(m / u)`` in bits: agreement on a field that agrees among
duplicates far more often than among strangers weighs a lot; a field that disagrees among
certain duplicates as often as among strangers weighs nothing either way.

Certain pairs, for the field being measured, are pairs compared by blocking that share a DOI or
PMID under a similar title, or have near-identical titles (not generic, at least four words)
and agree on at least two *other* fields (so a field never vouches for itself). For the title,
the shared identifier or the same authors, year and first page. Close titles are too rare for
a random sample to count, so the title's ``u`` counts the close-title pairs blocking compares
(it compares them all) that are not certain, over all pairs of records. The review's prior odds
of a duplicate pair are its certain pairs over all pairs; a pair's *match odds* are its match
weight (the sum of its fields' weights) on top of them.

From the counts each field gets a role in this review:

``veto``      reliable (duplicates disagree on it at least four times less often than
              strangers, and enough certain pairs show it): its disagreement says two
              different works;
``weighed``   informative but not reliable enough to decide alone: its agreement supports a
              match, its disagreement counts against the match weight and sends an otherwise
              matching pair to a person unless the other fields outweigh it;
``ignored``   agreement no more telling among duplicates than among strangers: treated as
              missing;
``unproven``  too few certain pairs to tell: agreement supports a match, disagreement sends an
              otherwise matching pair to a person.

An ignored field can tell two records neither apart nor together. The rules that need it
(the same place in the journal, the same authors) are then asked as if it agreed, and the
pair's match odds must make up for it: they get no more than the field's *stand-in* weight,
what its agreement weighs before anything is learned (:func:`prior_weights`, about 4 bits, far
below what a reliable field earns in a review: 7-13 bits for authors or pages).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

#: fields with a learned weight, in the order shown
FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "abstract", "doi")
#: fields that corroborate a title (and so may make a pair certain for another field)
CORROBORATING = ("authors", "year", "journal", "volume", "issue", "pages")
LEVELS = ("agree", "partial", "disagree")

#: m before any certain pair is seen (typical of bibliographic exports); weighs as PRIOR_PAIRS
PRIOR_M = {
    "title": (0.9, 0.08, 0.02),
    "authors": (0.9, 0.07, 0.03),
    "year": (0.9, 0.07, 0.03),
    "journal": (0.8, 0.12, 0.08),
    "volume": (0.95, 0.0, 0.05),
    "issue": (0.9, 0.0, 0.1),
    "pages": (0.9, 0.05, 0.05),
    "abstract": (0.85, 0.1, 0.05),
    "doi": (0.95, 0.0, 0.05),
}
PRIOR_PAIRS = 4.0
#: a field with fewer certain pairs than this (both sides present) is ``unproven``
MIN_PAIRS = 10
#: a field vetoes when its disagreement weighs at most this (bits; with the upper 95% bound
#: of how often certain duplicates disagree on it): disagreement at least four times rarer
#: among duplicates than among strangers
VETO_BITS = -2.0
#: a field whose agreement is worth less than this (bits) is ``ignored``
SUPPORT_BITS = 1.0
#: ... and so is one whose disagreement weighs more than this (bits): duplicates disagree on
#: it more than half as often as strangers
IGNORE_BITS = -1.0
#: random pairs drawn for ``u``
RANDOM_PAIRS = 2500


def level(name: str, sim: float | None) -> str | None:
    """The outcome of comparing field ``name`` with similarity ``sim`` (``None``: missing)."""
    if sim is None:
        return None
    if name in ("title", "abstract"):
        return "agree" if sim >= 0.93 else ("disagree" if sim < 0.8 else "partial")
    if name == "authors":
        return "agree" if sim >= 0.75 else ("disagree" if sim < 0.5 else "partial")
    if name == "journal":
        return "agree" if sim >= 0.8 else ("disagree" if sim < 0.5 else "partial")
    return "agree" if sim >= 1.0 else ("disagree" if sim <= 0.0 else "partial")


def _upper(successes: float, n: float, z: float = 1.645) -> float:
    """Wilson upper bound of a proportion."""
    if n <= 0:
        return 1.0
    p = successes / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return min(1.0, (centre + margin) / (1 + z * z / n))


@dataclass
class FieldWeight:
    """What one field is worth in this review (probabilities per outcome, weights in bits)."""

    name: str
    certain_pairs: int
    m: dict[str, float]
    u: dict[str, float]
    weight: dict[str, float]
    role: str
    #: disagreement count among the certain pairs (for the report)
    disagreeing: int = 0

    def of(self, sim: float | None) -> float:
        """The weight this field adds to a pair with similarity ``sim`` (0 when missing)."""
        outcome = level(self.name, sim)
        if outcome is None or self.role == "ignored":
            return 0.0
        return self.weight[outcome]


@dataclass
class FieldWeights:
    """The weights of every field in one review."""

    fields: dict[str, FieldWeight] = field(default_factory=dict)
    #: log2 of the prior odds that a random pair of this review is one work: the certain
    #: pairs found against all pairs of records (the share of duplicates in the review)
    prior_bits: float = 0.0

    def role(self, name: str) -> str:
        found = self.fields.get(name)
        return found.role if found else "unproven"

    def vetoes(self, name: str) -> bool:
        return self.role(name) == "veto"

    def ignored(self, name: str) -> bool:
        return self.role(name) == "ignored"

    @functools.cached_property
    def ignored_corroborating(self) -> tuple[str, ...]:
        """The corroborating fields ignored in this review (usually none); read once the
        weights are learned, as every pair asks."""
        return tuple(name for name in CORROBORATING if self.ignored(name))

    def pair_weights(self, sims: dict[str, float | None]) -> dict[str, float]:
        """Each present field's weight for one pair."""
        return {
            name: self.fields[name].of(sims.get(name))
            for name in FIELDS
            if name in self.fields and sims.get(name) is not None
        }

    def match_weight(self, sims: dict[str, float | None]) -> float:
        """The sum of the present fields' weights (bits)."""
        return round(sum(self.pair_weights(sims).values()), 2)

    def match_odds(self, sims: dict[str, float | None]) -> float:
        """log2 of the odds that the pair is one work: its match weight on top of the
        review's prior odds (10 bits: 1,000 to 1)."""
        return round(self.match_weight(sims) + self.prior_bits, 2)

    def stand_in(self, names: tuple[str, ...]) -> float:
        """The bits that agreement on the ignored fields ``names`` would add before anything
        is learned about them (their prior weight, the same in every review)."""
        return round(sum(_PRIOR_AGREE[name] for name in names), 2)

    def explain(self, sims: dict[str, float | None]) -> str:
        """The fields of one pair with their weights in this review, heaviest first:
        ``title +13.2; pages +8.9; issue 0 (ignored here)``."""
        parts = []
        weights = self.pair_weights(sims)
        for name, value in sorted(weights.items(), key=lambda kv: (-abs(kv[1]), kv[0])):
            role = self.fields[name].role
            if role == "ignored":
                parts.append(f"{name} 0 (ignored here)")
            else:
                parts.append(f"{name} {value:+.1f}")
        return "; ".join(parts)


#: u before anything is counted: strangers agree on a field one time in twenty
PRIOR_U = {"agree": 0.05, "partial": 0.05, "disagree": 0.9}


def _prior(name: str) -> FieldWeight:
    m = dict(zip(LEVELS, PRIOR_M[name], strict=True))
    return FieldWeight(name, 0, m, {}, {}, "unproven")


def prior_weights() -> FieldWeights:
    """Weights before anything is learned (every field ``unproven``, no weights)."""
    out = FieldWeights()
    for name in FIELDS:
        weight = _prior(name)
        weight.u = dict(PRIOR_U)
        # a level the field cannot take (a volume agrees or not: no "partial") weighs nothing
        weight.weight = {
            k: round(math.log2(weight.m[k] / weight.u[k]), 2) if weight.m[k] else 0.0
            for k in LEVELS
        }
        out.fields[name] = weight
    return out


#: the prior weight of agreement on each field (bits): what an ignored field stands in for
_PRIOR_AGREE = {
    name: math.log2(dict(zip(LEVELS, PRIOR_M[name], strict=True))["agree"] / PRIOR_U["agree"])
    for name in FIELDS
}


def _counts(outcomes: list[str | None]) -> tuple[dict[str, int], int]:
    counts = dict.fromkeys(LEVELS, 0)
    for outcome in outcomes:
        if outcome is not None:
            counts[outcome] += 1
    return counts, sum(counts.values())


def estimate(
    pair_sims: list[dict[str, float | None]],
    identifier: list[bool],
    generic: list[bool],
    random_sims: list[dict[str, float | None]],
    *,
    records: int = 0,
    every: int = 1,
    min_pairs: int = MIN_PAIRS,
    veto_bits: float = VETO_BITS,
) -> FieldWeights:
    """Learn every field's weight from the compared pairs and random pairs of one review.

    ``pair_sims`` are the similarities of the pairs compared (:func:`compare.similarities`),
    ``identifier[k]`` says pair ``k`` shares a DOI or PMID, ``generic[k]`` that one of its
    titles is generic or short; ``random_sims`` are the similarities of random pairs;
    ``records`` the number of records (for the prior odds); ``every``: the pairs given are
    every k-th of those compared (a large review), so that pair counts scale by k."""
    outcome = {name: [level(name, s.get(name)) for s in pair_sims] for name in FIELDS}
    title = [s.get("title") for s in pair_sims]
    agreeing = np.zeros(len(pair_sims), dtype=np.int64)
    for name in CORROBORATING:
        agreeing += np.array([o == "agree" for o in outcome[name]], dtype=np.int64)
    near_identical = np.array(
        [t is not None and t >= 0.97 and not g for t, g in zip(title, generic, strict=True)],
        dtype=bool,
    )
    by_identifier = np.array(
        [ident and (t is None or t >= 0.9) for ident, t in zip(identifier, title, strict=True)],
        dtype=bool,
    )
    out = FieldWeights()
    certain_pair = by_identifier | (near_identical & (agreeing >= 2))
    certain_any = int(certain_pair.sum()) * every
    all_pairs = records * (records - 1) / 2
    if all_pairs > 0:
        out.prior_bits = round(math.log2(max(certain_any, 1) / all_pairs), 2)
    for name in FIELDS:
        if name == "title":
            locators = [
                outcome["authors"][k] == "agree"
                and outcome["year"][k] == "agree"
                and outcome["pages"][k] == "agree"
                for k in range(len(pair_sims))
            ]
            certain = np.array(identifier, dtype=bool) | np.array(locators, dtype=bool)
        else:
            own = np.array([o == "agree" for o in outcome[name]], dtype=np.int64)
            others = agreeing - own if name in CORROBORATING else agreeing
            certain = by_identifier | (near_identical & (others >= 2))
        observed = [outcome[name][k] for k in np.flatnonzero(certain)]
        counts, n = _counts(observed)
        prior = dict(zip(LEVELS, PRIOR_M[name], strict=True))
        m = {k: (counts[k] + PRIOR_PAIRS * prior[k]) / (n + PRIOR_PAIRS) for k in LEVELS}
        random_counts, n_random = _counts([level(name, s.get(name)) for s in random_sims])
        u = {k: (random_counts[k] + 0.5) / (n_random + 1.5) for k in LEVELS}
        if name == "title" and all_pairs > n_random:
            # Close titles are too rare for a sample of random pairs to count, but blocking
            # compares every pair of close titles: count those not certainly one work among
            # all pairs of records.
            close = [outcome["title"][k] for k in np.flatnonzero(~certain_pair)]
            close_counts, _ = _counts(close)
            for k in ("agree", "partial"):
                u[k] = (close_counts[k] * every + 0.5) / all_pairs
            u["disagree"] = 1 - u["agree"] - u["partial"]
        # a level never seen among duplicates and strangers alike carries no information
        weight = {
            k: round(math.log2(max(m[k], 1e-6) / u[k]), 2)
            if counts[k] or random_counts[k] or prior[k]
            else 0.0
            for k in LEVELS
        }
        # how often duplicates disagree against strangers, as counted (no prior)
        plain = math.log2(max(counts["disagree"] / n, 1e-6) / u["disagree"]) if n else 0.0
        if n < min_pairs:
            role = "unproven"
        elif plain > IGNORE_BITS or weight["agree"] < SUPPORT_BITS:
            role = "ignored"
        elif math.log2(_upper(counts["disagree"], n) / u["disagree"]) <= veto_bits:
            role = "veto"
        else:
            role = "weighed"
        if role == "ignored":
            weight = dict.fromkeys(LEVELS, 0.0)
        out.fields[name] = FieldWeight(
            name,
            n,
            {k: round(v, 4) for k, v in m.items()},
            {k: round(v, 4) for k, v in u.items()},
            weight,
            role,
            counts["disagree"],
        )
    return out


def random_pairs(n: int, *, limit: int = RANDOM_PAIRS, seed: int = 13) -> np.ndarray:
    """Up to ``limit`` distinct random pairs ``(i, j)``, ``i < j`` (all pairs of a small
    review); the same records give the same pairs."""
    total = n * (n - 1) // 2
    if total <= limit:
        i, j = np.triu_indices(n, k=1)
        return np.stack([i, j], axis=1)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, size=limit * 2)
    j = rng.integers(0, n, size=limit * 2)
    keep = i != j
    pairs = np.stack([np.minimum(i, j)[keep], np.maximum(i, j)[keep]], axis=1)
    pairs = np.unique(pairs, axis=0)[:limit]
    return pairs
