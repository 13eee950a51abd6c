"""When is it safe to stop screening? The stopping rules, and buscar's hypergeometric test.

Every rule answers the same question after any decision: has the recall target ``tau`` been
reached at the stated confidence? Each verdict names its method, the target, the confidence and
the includes probably still unfound (:class:`StoppingEstimate`). Methods (:data:`METHODS`,
config ``screening.stopping.method``):

``counting``
    the counting-process estimate (:mod:`slrflow.screening.counting`, after Stevenson and
    Bin-Hezam 2023): includes turn up along the prioritised order at a rate that falls, plus a
    small share scattered at random (itself learned from the order); the rate is fitted to the
    order so far, and screening may stop once the chance that more includes remain than the
    target allows is below ``1 - confidence`` AND the run of excludes since the last include
    is too long to be chance had includes kept the pace of the last three (the run test, a
    floor in the spirit of SAFE).
    It uses how the ranking thins out, so it stops near where the target is really reached;
    its guarantee rests on those models (measured in ``benchmarks/screening.py``: the share of
    runs reaching the target, on sets it was not tuned on), not on random sampling.
``buscar``
    the hypergeometric test below (Callaghan and Müller-Hansen 2020): conservative, and exact
    once records are drawn at random; it stops late when there are few includes.

Not offered, and why. The target method (Cormack and Grossman 2016) and the quantile binomial
coefficient bound (Lewis, Yang et al. 2021) hold their guarantee through a random sample of the
whole review screened beside the ranking: stopping once all ``r`` sampled includes are found
misses a recall of ``tau`` with chance up to ``tau ** r``, so 95% recall at 95% confidence
needs ``r >= log(0.05) / log(0.95)``, 59 sampled includes. Most reviews hold fewer includes in
all (a review of 2,000 records with 40 includes would need every record screened), so neither
saves work at that target. SAFE (Boetje and van de Schoot 2024) is a heuristic (stop after a
run of excludes, a share of the records and a switch of model) that states no confidence; its
run of excludes lives on in the counting rule's run test, scaled to the pace of the ranking.

buscar. Callaghan and Müller-Hansen (2020, "Statistical stopping criteria for automated
screening in systematic reviews", Systematic Reviews 9:273) test the null hypothesis "the
recall target has been missed". Suppose ``r_seen`` includes have been found so far. If the
recall of what was screened were below the target ``tau``, the review would hold more than
``r_seen / tau`` includes, so a set of ``N`` unscreened records (an "urn") drawn from after
``r_before`` includes were known would hold at least

    K = floor(r_seen / tau - r_before) + 1

includes. Having screened ``n`` records of that urn at random and found ``k`` includes, the
chance of seeing so few under the null hypothesis is the hypergeometric ``P(X <= k)`` with
``X ~ Hypergeom(N, K, n)``. When it falls below ``1 - confidence`` the null hypothesis is
rejected: the recall target is met at the stated confidence.

Two uses:

- **random sample** (the guarantee): after prioritised screening, draw records at random from
  the remainder and screen them; :func:`p_missed_target` with that one urn is exact.
  :func:`random_sample_size` says how many random records to screen to reach a decision if
  they turn out to hold no include.
- **ranked screening** (buscar's ``calculate_h0``): every suffix of the screening order is
  treated as a sample of the records that were unscreened when it began, and the smallest
  p-value is taken (:func:`buscar_p`). Prioritised records are more likely to be included
  than random ones, so few includes among them is stronger evidence than in a random sample;
  the paper shows the test stays conservative in simulations, but the guarantee is then
  empirical, not exact.

All functions are pure: labels are 1 (included) and 0 (excluded) in screening order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from slrflow.screening import STOPPING_METHODS, counting

#: The stopping rules a review may choose (config ``screening.stopping.method``).
METHODS = tuple(STOPPING_METHODS)
#: The rule used when the config names none.
DEFAULT_METHOD = "counting"
#: How each rule is named in reports and the PRISMA diagram.
METHOD_NAMES = STOPPING_METHODS


def _hypergeom():
    """scipy.stats' hypergeometric distribution, imported when buscar's test first needs it
    (importing scipy.stats takes about a second; the default rule does without it)."""
    from scipy.stats import hypergeom

    return hypergeom


def k_target(r_seen: int, r_before: int, recall_target: float = 0.95) -> int:
    """Fewest includes an urn must hold for the recall of ``r_seen`` to miss the target.

    ``r_before``: includes already found when the urn was drawn.
    """
    if not 0 < recall_target < 1:
        raise ValueError(f"recall target must be between 0 and 1, got {recall_target}")
    # The small tolerance keeps 19 / 0.95 at 20 exactly (recall 19/20 meets 95%).
    return int(math.floor(r_seen / recall_target - r_before + 1e-9)) + 1


def p_missed_target(
    n_sample: int,
    k_sample: int,
    n_urn: int,
    r_seen: int,
    r_before: int,
    recall_target: float = 0.95,
) -> float:
    """p-value of "recall target missed" after screening ``n_sample`` of ``n_urn`` at random.

    ``k_sample`` includes were found in the sample; ``r_seen`` includes in total so far,
    ``r_before`` of them before the urn was drawn.
    """
    if not 0 <= k_sample <= n_sample <= n_urn:
        raise ValueError("need 0 <= includes in sample <= sample size <= urn size")
    k_hat = k_target(r_seen, r_before, recall_target)
    if k_hat > n_urn:
        return 0.0  # that many includes cannot fit in the urn: the target cannot be missed
    return float(_hypergeom().cdf(k_sample, n_urn, k_hat, n_sample))


def buscar_p(
    labels: Sequence[int] | np.ndarray, n_total: int, recall_target: float = 0.95
) -> tuple[float, int]:
    """buscar's test on a screening order: (smallest p-value over all suffixes, its length).

    ``labels``: decisions in the order made; ``n_total``: records in the whole review. The
    suffix of the last ``m`` decisions is treated as a sample of the ``n_total - (n - m)``
    records that were unscreened when it began. Returns ``(1.0, 0)`` before any decision.
    """
    y = np.asarray(labels, dtype=int)
    n = y.size
    if n == 0:
        return 1.0, 0
    if n > n_total:
        raise ValueError(f"{n} decisions but only {n_total} records")
    r_seen = int(y.sum())
    # Among suffixes holding the same includes, the longest has the smallest p-value (one
    # more exclude drawn from a population one larger only adds evidence), so only suffixes
    # that start at the beginning or right after an include need testing.
    starts = np.concatenate([[0], np.flatnonzero(y) + 1])
    starts = starts[starts < n]
    if starts.size == 0:
        starts = np.array([n - 1])  # the last decision was an include: test it alone
    sizes = n - starts
    k_urn = np.cumsum(y[::-1])[sizes - 1]  # includes in each suffix
    urn = n_total - starts
    k_hat = np.floor(r_seen / recall_target - (r_seen - k_urn) + 1e-9).astype(int) + 1
    p = np.zeros(starts.size)
    fits = k_hat <= urn
    p[fits] = _hypergeom().cdf(k_urn[fits], urn[fits], k_hat[fits], sizes[fits])
    best = int(np.argmin(p))
    return float(p[best]), int(sizes[best])


def random_sample_size(
    n_remaining: int, r_seen: int, recall_target: float = 0.95, confidence: float = 0.95
) -> int:
    """Random records to screen from ``n_remaining`` to show the target met if none is included.

    The smallest ``n`` with ``P(X = 0) < 1 - confidence`` for ``X ~ Hypergeom(n_remaining, K,
    n)``, ``K = k_target(r_seen, r_seen)``. Each include found in the sample raises the
    number needed; compute again after screening it.
    """
    if n_remaining <= 0:
        return 0
    k_hat = k_target(r_seen, r_seen, recall_target)
    if k_hat > n_remaining:
        return 0
    alpha = 1 - confidence
    low, high = 1, n_remaining  # P(X = 0) is 0 at n = n_remaining, and falls as n grows
    while low < high:
        mid = (low + high) // 2
        if _hypergeom().pmf(0, n_remaining, k_hat, mid) < alpha:
            high = mid
        else:
            low = mid + 1
    return low


def unfound_upper(n_sample: int, k_sample: int, n_urn: int, confidence: float = 0.95) -> int:
    """Most includes the unscreened part of an urn can still hold, at ``confidence``.

    The largest ``K`` (includes in the urn) with ``P(X <= k_sample) >= 1 - confidence``, minus
    the ``k_sample`` already found.
    """
    alpha = 1 - confidence
    low = k_sample
    high = n_urn - (n_sample - k_sample)  # excludes found cannot be includes
    while low < high:
        mid = (low + high + 1) // 2
        if _hypergeom().cdf(k_sample, n_urn, mid, n_sample) >= alpha:
            low = mid
        else:
            high = mid - 1
    return low - k_sample


@dataclass(frozen=True)
class StoppingEstimate:
    """A stopping rule's verdict after some decisions; the fields are the report's columns."""

    #: records in the review / screened so far / includes found so far
    n_records: int
    n_screened: int
    n_included: int
    #: the recall target and the confidence it is tested at
    recall_target: float
    confidence: float
    #: chance that the recall target has been missed (counting: the larger of the estimate's
    #: and the run test's; buscar: the p-value); stop below 1 - confidence
    p_value: float
    #: True when the recall target is met at the stated confidence
    target_met: bool
    #: decisions the verdict rests on (buscar: the sample or best suffix; counting: the
    #: ranked decisions)
    sample_size: int
    #: includes probably still unfound: expected number and upper bound at ``confidence``
    unfound_estimate: float
    unfound_upper: int
    #: random records to screen next to reach a decision if they hold no include (buscar
    #: only; 0 if met, and for the counting rule, which asks to go on in ranked order)
    screen_next: int
    #: "counting" or "buscar", and how the verdict was reached: "ranked" screening order or
    #: "random sample"
    method: str
    basis: str = "ranked"

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def statement(self) -> str:
        """The verdict in one line, naming method, target, confidence and includes unfound."""
        unfound = (
            "unknown"
            if math.isnan(self.unfound_estimate)
            else f"{self.unfound_estimate:.1f} (at most {self.unfound_upper})"
        )
        return (
            f"{METHOD_NAMES.get(self.method, self.method)}: recall target "
            f"{self.recall_target:.0%}, confidence {self.confidence:.0%}, "
            f"includes estimated unfound {unfound}"
        )


def _check(method: str, recall_target: float, confidence: float) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown stopping method {method!r}; choose one of {', '.join(METHODS)}")
    if not 0 < recall_target < 1:
        raise ValueError(f"recall target must be between 0 and 1, got {recall_target}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")


def estimate(
    labels: Sequence[int] | np.ndarray,
    n_records: int,
    *,
    method: str = "buscar",
    recall_target: float = 0.95,
    confidence: float = 0.95,
    sample_start: int | None = None,
    n_priors: int = 0,
) -> StoppingEstimate:
    """The stopping estimate for decisions ``labels`` (screening order) of ``n_records``.

    ``method``: one of :data:`METHODS`. ``sample_start`` (buscar): position in ``labels`` from
    which records were drawn at random from the unscreened; from there on the test is exact.
    ``n_priors`` (counting): decisions at the start known before the ranking began.
    """
    _check(method, recall_target, confidence)
    y = np.asarray(labels, dtype=int)
    n = y.size
    r_seen = int(y.sum())
    remaining = n_records - n
    if method == "counting":
        p = counting.p_missed(y, n_records, n_priors=n_priors, recall_target=recall_target)
        mean, upper = counting.unfound(y, n_records, n_priors=n_priors, confidence=confidence)
        met = p < 1 - confidence and r_seen > int(y[:n_priors].sum())
        return StoppingEstimate(
            n_records=n_records,
            n_screened=n,
            n_included=r_seen,
            recall_target=recall_target,
            confidence=confidence,
            p_value=round(p, 6),
            target_met=bool(met),
            sample_size=n - n_priors,
            unfound_estimate=round(mean, 3),
            unfound_upper=int(upper),
            screen_next=0,
            method="counting",
        )
    if sample_start is not None:
        if not 0 <= sample_start <= n:
            raise ValueError(f"sample start {sample_start} outside 0..{n}")
        sample = y[sample_start:]
        size = sample.size
        p = (
            p_missed_target(
                size,
                int(sample.sum()),
                n_records - sample_start,
                r_seen,
                r_seen - int(sample.sum()),
                recall_target,
            )
            if size
            else 1.0
        )
        basis = "random sample"
    else:
        p, size = buscar_p(y, n_records, recall_target)
        basis = "ranked"
    k_sample = int(y[n - size :].sum()) if size else 0
    urn = n_records - (n - size)
    point = (k_sample / size) * remaining if size else float("nan")
    upper = unfound_upper(size, k_sample, urn, confidence) if size else remaining
    met = p < 1 - confidence
    return StoppingEstimate(
        n_records=n_records,
        n_screened=n,
        n_included=r_seen,
        recall_target=recall_target,
        confidence=confidence,
        p_value=round(p, 6),
        target_met=bool(met),
        sample_size=size,
        unfound_estimate=round(point, 3),
        unfound_upper=int(upper),
        screen_next=0 if met else random_sample_size(remaining, r_seen, recall_target, confidence),
        method="buscar",
        basis=basis,
    )


def stop_point(
    labels: Sequence[int] | np.ndarray,
    n_records: int,
    *,
    method: str = DEFAULT_METHOD,
    recall_target: float = 0.95,
    confidence: float = 0.95,
    n_priors: int = 0,
    every: int = 1,
    scattered: float | Sequence[tuple[float, float]] = counting.SCATTERED,
    recent: int = counting.RECENT,
) -> tuple[int, float] | None:
    """Where a rule first stops along a screening order, tested after every ``every``
    decisions: (decisions made then, priors included; the chance of a missed target), or None.

    The rule sees only the labels up to each point, so computing it afterwards on a whole
    order gives the same point as testing while screening. ``scattered``: the counting rule's
    share of includes assumed spread at random, or a prior over shares as (share, weight)
    pairs (:data:`slrflow.screening.counting.SCATTERED`);
    ``recent``: includes its run test compares with (0: estimate alone).
    """
    _check(method, recall_target, confidence)
    if every < 1:
        raise ValueError(f"every must be at least 1, got {every}")
    y = np.asarray(labels, dtype=int)
    alpha = 1 - confidence
    found_before = int(y[:n_priors].sum())
    if method == "counting":
        result = counting.curve(
            y,
            n_records,
            n_priors=n_priors,
            recall_target=recall_target,
            scattered=scattered,
            recent=recent,
        )
        p = result.p_stop
        tested = np.arange(p.size)
        tested = tested[(tested + 1) % every == 0]
        hits = tested[(p[tested] < alpha) & (result.found[tested] > 0)]
        if hits.size == 0:
            return None
        first = int(hits[0])
        return n_priors + first + 1, float(p[first])
    for end in range(n_priors + every, y.size + 1, every):
        if found_before or y[n_priors:end].any():
            p, _ = buscar_p(y[:end], n_records, recall_target)
            if p < alpha:
                return end, p
    return None
