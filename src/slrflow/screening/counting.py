"""How many includes are still unfound? A counting-process estimate from the screening order.

After Stevenson and Bin-Hezam (2023, "Stopping methods for technology assisted reviews based on
point processes", ACM TOIS 42(3)): the includes met along a prioritised screening order are
modelled as a Poisson process whose rate falls with the rank, so the includes among the
unscreened records are Poisson distributed with mean the rate summed over the unscreened ranks,
and screening may stop once an upper bound on that count keeps the recall above the target.

The rate here has two parts, because prioritised screening finds most includes early and a few
late, scattered through the ranking (the ones unlike everything found before):

    lambda(x) = A * [(1 - s) * f(x) + s / M]        (x = rank, 1 = first)

- a falling part ``f`` holding the share ``1 - s`` of the includes, normalised over the ``M``
  ranked records: an exponential ``exp(-b x)`` (decay ``b``) or a power law ``x ** -k`` (the
  shape Stevenson and Bin-Hezam found to fit rankings best; it falls fast at first and keeps
  a long tail);
- a flat part holding the share ``s``: includes the ranking cannot tell from excludes, spread
  evenly over all ranks. This is what keeps the estimate honest after a long run of excludes:
  a few includes may still come, at the rate of a random order. How large that share is
  differs between reviews (in some the ranking finds nearly every include early, in others a
  few keep turning up far down), so it is not fixed but learned from the order: ``s`` has a
  prior over a few values (:data:`SCATTERED`: none, or 2% of the includes, half the prior
  weight each), and each value is weighted by how well it explains the ranks at which the
  includes were met, like the shapes below.

``A`` (the expected includes in all) has a vague prior and is integrated out; the shape is
uncertain too and is averaged over both families (half the prior weight each) and a grid of
each (:data:`DECAYS`, :data:`POWERS`), each shape weighted by how well it explains the ranks
at which the includes were met, so an order whose includes keep trickling in leans on the
long-tailed shapes. Given the shape, with ``m`` includes among the ranked decisions so far
and ``S`` the share of the rate over the screened ranks, the includes still unfound, ``U``,
follow a negative binomial with ``m + 1`` successes and probability ``S``; mixing over the
shapes gives the distribution of ``U``. The recall target ``tau`` is missed when
``m / (m + U) < tau``, that is when ``U`` exceeds ``floor(m * (1 - tau) / tau)``; the chance
of that (:attr:`Curve.p_missed`) is compared with ``1 - confidence``. Rates are integrated
over ``[first - 1/2, last + 1/2]``. Prior records (known before the ranking began) have no
rank and are left out of the recall, as the field's measures leave them out.

The run test. The fitted decay speaks for the whole order; when a fresh group of includes
starts to turn up late (the ranking has found a new kind of include) it still predicts that
few remain. So the rule also asks the order itself whether the includes have thinned out:
the last ``j`` includes (:data:`RECENT`) were found over ``d`` ranks (from the include before
them, or the first rank), a pace of ``j / d``; had includes kept coming at that pace, a run of
``g`` excludes since the last include has chance ``exp(-g * j / d)`` (:func:`run_p`). Screening
may stop only when both chances, the estimate's and the run test's, are below
``1 - confidence`` (for ``j = 3`` at 95%: a run of excludes as long as the span of the last
three includes, ``ln 20 / 3 = 1.0`` times it). The run test is a floor in the spirit of SAFE's
run of irrelevant records (Boetje and van de Schoot 2024), scaled to the pace the ranking has
shown instead of a fixed count; with it the share ``s`` can be smaller.

The guarantee rests on those models (the share ``s`` above all), not on random sampling; how
often it holds is measured in ``benchmarks/screening.py``, where ``s`` is chosen leaving out
the set scored.

Pure functions of the labels in screening order (1 included, 0 excluded); every prefix of an
order is scored at once by :func:`curve`, so a replay finds its stopping point after any
decision in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

try:
    # The negative binomial functions scipy.stats' nbinom calls, reached without importing
    # scipy.stats, which takes about a second (a simulation's whole start-up budget).
    from scipy.special._ufuncs import _nbinom_cdf, _nbinom_sf
except ImportError:  # another scipy: nbinom itself, imported when first needed
    _nbinom_cdf = _nbinom_sf = None

#: Prior over the share of the includes scattered evenly through the ranking (the flat part):
#: (share, prior weight) pairs. Chosen with the run test on, at a 95% target, on the labelled
#: sets (``benchmarks/screening.py`` scores it, and the prior chosen leaving each set out).
SCATTERED = ((0.0, 0.5), (0.02, 0.5))
#: The lowest recall target at which the rule has kept its confidence on the labelled sets (80
#: replays: a 95% target reached in 100% of them, 90% in 96%, but 80% in only 91%, whatever the
#: scattered share: reviews whose includes come back in a second wave far down the ranking).
#: Below it a stop says so.
CHECKED_RECALL = 0.9
#: Includes whose pace the run of excludes is tested against (the run test).
RECENT = 3
#: Decays ``b`` tried: includes thinning out over about 3 to 10,000 ranks (``1 / b``).
DECAYS = np.geomspace(1e-4, 0.3, 30)
#: Powers ``k`` tried for the power-law shape ``x ** -k`` (1 left out: its integral is a log).
POWERS = np.array([0.2, 0.4, 0.6, 0.8, 0.9, 1.1, 1.2, 1.4, 1.7, 2.0, 2.5])


def _nbinom(kind: str, k, n, p) -> np.ndarray:
    """``scipy.stats.nbinom.<kind>(k, n, p)`` (kind ``sf`` or ``cdf``), same values; without
    importing scipy.stats when every argument is inside the distribution's support."""
    k, n, p = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (k, n, p)))
    fast = {"sf": _nbinom_sf, "cdf": _nbinom_cdf}[kind]
    inside = np.isfinite(k) & (k >= 0) & (n > 0) & (p > 0) & (p <= 1)
    if fast is None or not inside.all():
        from scipy.stats import nbinom

        return getattr(nbinom, kind)(k, n, p)
    return fast(np.floor(k), n, p)


@dataclass(frozen=True)
class Curve:
    """The estimate after every prefix of a screening order (element i: after the priors and
    i + 1 ranked decisions)."""

    #: chance that the recall target has been missed, by the fitted rate
    p_missed: np.ndarray
    #: chance of the current run of excludes had includes kept their recent pace (the run
    #: test, :func:`run_p`; 0 when it is off)
    p_run: np.ndarray
    #: includes expected among the unscreened records (posterior mean of U)
    unfound_mean: np.ndarray
    #: includes found so far by screening (priors left out)
    found: np.ndarray

    @property
    def p_stop(self) -> np.ndarray:
        """The rule's chance of a missed target: the larger of the two; stop below
        ``1 - confidence``."""
        return np.maximum(self.p_missed, self.p_run)


def _shapes(
    ranks: np.ndarray, low: float, high: float, decays: np.ndarray, powers: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The falling part's shapes, each normalised over ``[low, high]``: density at ``ranks``
    (rows) for every shape (columns), its share up to each rank + 1/2, and each shape's log
    prior (the families weigh the same, each spread evenly over its grid)."""
    density, share, families = [], [], []
    if decays.size:
        b = decays[None, :]
        total = (np.exp(-b * low) - np.exp(-b * high)) / b
        density.append(np.exp(-b * ranks[:, None]) / total)
        share.append((np.exp(-b * low) - np.exp(-b * (ranks[:, None] + 0.5))) / b / total)
        families.append(decays.size)
    if powers.size:
        k = powers[None, :]
        total = (high ** (1 - k) - low ** (1 - k)) / (1 - k)
        density.append(ranks[:, None] ** -k / total)
        share.append(((ranks[:, None] + 0.5) ** (1 - k) - low ** (1 - k)) / (1 - k) / total)
        families.append(powers.size)
    log_prior = np.concatenate([np.full(n, -np.log(n * len(families))) for n in families])
    return np.hstack(density), np.hstack(share), log_prior


def _scattered_prior(scattered: float | Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """``scattered`` as (share, log prior weight) pairs: one share (a number) has all the
    weight; (share, weight) pairs have their weights normalised to sum to 1."""
    pairs = [(scattered, 1.0)] if np.isscalar(scattered) else list(scattered)
    if not pairs:
        raise ValueError("the scattered share needs at least one value")
    for share, weight in pairs:
        if not 0 <= share < 1:
            raise ValueError(f"the scattered share must be in [0, 1), got {share}")
        if not weight > 0:
            raise ValueError(f"a scattered share's prior weight must be positive, got {weight}")
    total = sum(weight for _, weight in pairs)
    return [(float(share), float(np.log(weight / total))) for share, weight in pairs]


def _posterior(
    labels: np.ndarray,
    ranked_total: int,
    scattered: float | Sequence[tuple[float, float]],
    decays: np.ndarray,
    powers: np.ndarray = POWERS,
    *,
    end_only: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every prefix (rows) and every scattered share and shape of the falling part
    (columns): their weight, and the share ``S`` of the rate over the screened ranks; and the
    includes found in each prefix. ``end_only``: only the whole of ``labels`` (one row),
    reading the includes' ranks alone, so one verdict on a long order costs little."""
    prior = _scattered_prior(scattered)
    decays = np.asarray(decays, dtype=float)
    powers = np.asarray(powers, dtype=float)
    if (decays <= 0).any():
        raise ValueError("decays must be positive")
    if (powers <= 0).any() or np.isclose(powers, 1).any():
        raise ValueError("powers must be positive and not 1")
    if decays.size + powers.size == 0:
        raise ValueError("the falling part needs at least one decay or power")
    low, high = 0.5, ranked_total + 0.5
    if end_only:
        ranks = np.flatnonzero(labels) + 1.0  # the includes' ranks
        shape, _, log_prior = _shapes(ranks, low, high, decays, powers)
        end = np.array([float(labels.size)])
        falling = _shapes(end, low, high, decays, powers)[1]
        found = np.array([int(labels.sum())])
        flat = (end[:, None] + 0.5 - low) / (high - low)
    else:
        ranks = np.arange(1, labels.size + 1, dtype=float)
        shape, falling, log_prior = _shapes(ranks, low, high, decays, powers)
        found = np.cumsum(labels)
        flat = (ranks[:, None] + 0.5 - low) / (high - low)
    log_weights, screened_shares = [], []
    for share, log_share_prior in prior:
        density = (1 - share) * shape + share / (high - low)
        screened = np.clip((1 - share) * falling + share * flat, 1e-300, 1.0)
        log_density = np.log(np.maximum(density, 1e-300))
        if end_only:
            log_likelihood = log_density.sum(axis=0)[None, :]
        else:
            log_likelihood = np.cumsum(log_density * labels[:, None], axis=0)
        log_weights.append(
            log_likelihood - (found[:, None] + 1) * np.log(screened) + log_prior + log_share_prior
        )
        screened_shares.append(screened)
    log_weight = np.hstack(log_weights)
    weight = np.exp(log_weight - logsumexp(log_weight, axis=1, keepdims=True))
    return weight, np.hstack(screened_shares), found


def _check_order(labels, n_records: int, n_priors: int, recall_target: float) -> None:
    if not 0 < recall_target < 1:
        raise ValueError(f"recall target must be between 0 and 1, got {recall_target}")
    size = len(labels)
    if size > n_records:
        raise ValueError(f"{size} decisions but only {n_records} records")
    if not 0 <= n_priors <= size:
        raise ValueError(f"{n_priors} prior records but {size} decisions")


def curve(
    labels: Sequence[int] | np.ndarray,
    n_records: int,
    *,
    n_priors: int = 0,
    recall_target: float = 0.95,
    scattered: float | Sequence[tuple[float, float]] = SCATTERED,
    decays: Sequence[float] | np.ndarray = DECAYS,
    powers: Sequence[float] | np.ndarray = POWERS,
    recent: int = RECENT,
) -> Curve:
    """The counting-process estimate after each ranked decision of ``labels``.

    ``labels``: decisions in screening order, the ``n_priors`` prior records first;
    ``n_records``: records in the whole review (screened or not); ``recent``: includes the
    run test compares with (0: no run test).
    """
    _check_order(labels, n_records, n_priors, recall_target)
    z = np.asarray(labels, dtype=int)[n_priors:]
    if z.size == 0:
        empty = np.empty(0)
        return Curve(empty, empty, empty, empty.astype(int))
    weight, screened, found = _posterior(
        z, n_records - n_priors, scattered, np.asarray(decays), np.asarray(powers)
    )
    allowed = np.floor(found * (1 - recall_target) / recall_target + 1e-9)
    exceed = _nbinom("sf", allowed[:, None], found[:, None] + 1, screened)
    p = np.clip((weight * exceed).sum(axis=1), 0.0, 1.0)
    mean = (weight * (found[:, None] + 1) * (1 - screened) / screened).sum(axis=1)
    run = run_p(z, recent=recent) if recent else np.zeros(z.size)
    return Curve(p_missed=p, p_run=run, unfound_mean=mean, found=found)


def run_p(labels: Sequence[int] | np.ndarray, *, recent: int = RECENT) -> np.ndarray:
    """After every decision of ``labels`` (ranked, priors left out): the chance of a run of
    excludes at least as long as the current one, had includes kept the pace of the last
    ``recent`` (fewer while fewer are found); 1.0 before the first include.

    The pace is ``j / d``: ``j`` includes over the ``d`` ranks from the include before them
    (rank 0 when there is none) to the last; the chance of ``g`` excludes since is
    ``exp(-g * j / d)``.
    """
    if recent < 1:
        raise ValueError(f"the run test needs at least one include, got {recent}")
    z = np.asarray(labels, dtype=int)
    ranks = np.arange(1, z.size + 1)
    at = np.concatenate([[0], np.flatnonzero(z) + 1])  # rank 0, then the includes' ranks
    found = np.cumsum(z)
    last = at[found]
    before = at[np.maximum(found - recent, 0)]
    pace = np.minimum(found, recent) / np.maximum(last - before, 1)
    return np.where(found > 0, np.exp(-(ranks - last) * pace), 1.0)


def p_missed(
    labels: Sequence[int] | np.ndarray,
    n_records: int,
    *,
    n_priors: int = 0,
    recall_target: float = 0.95,
    scattered: float | Sequence[tuple[float, float]] = SCATTERED,
    recent: int = RECENT,
) -> float:
    """The rule's chance that the recall target has been missed after all of ``labels``
    (:attr:`Curve.p_stop` of its last decision; 1.0 before any ranked decision)."""
    _check_order(labels, n_records, n_priors, recall_target)
    z = np.asarray(labels, dtype=int)[n_priors:]
    if z.size == 0:
        return 1.0
    weight, screened, found = _posterior(
        z, n_records - n_priors, scattered, DECAYS, POWERS, end_only=True
    )
    allowed = np.floor(found * (1 - recall_target) / recall_target + 1e-9)
    exceed = _nbinom("sf", allowed[:, None], found[:, None] + 1, screened)
    p = float(np.clip((weight * exceed).sum(), 0.0, 1.0))
    return max(p, float(run_p(z, recent=recent)[-1])) if recent else p


def unfound(
    labels: Sequence[int] | np.ndarray,
    n_records: int,
    *,
    n_priors: int = 0,
    confidence: float = 0.95,
    scattered: float | Sequence[tuple[float, float]] = SCATTERED,
    decays: Sequence[float] | np.ndarray = DECAYS,
    powers: Sequence[float] | np.ndarray = POWERS,
) -> tuple[float, int]:
    """Includes still unfound after ``labels``: (expected number, upper bound at ``confidence``,
    never more than the records left)."""
    y = np.asarray(labels, dtype=int)
    remaining = n_records - y.size
    z = y[n_priors:]
    if remaining == 0:
        return 0.0, 0
    if z.size == 0:
        return float("nan"), remaining
    weight, screened, found = _posterior(
        z, n_records - n_priors, scattered, np.asarray(decays), np.asarray(powers), end_only=True
    )
    weight, screened, m = weight[-1], screened[-1], int(found[-1])
    mean = float((weight * (m + 1) * (1 - screened) / screened).sum())
    # The smallest u with P(U <= u) >= confidence.
    low, high = 0, remaining
    while low < high:
        mid = (low + high) // 2
        if float((weight * _nbinom("cdf", mid, m + 1, screened)).sum()) >= confidence:
            high = mid
        else:
            low = mid + 1
    return min(mean, float(remaining)), low
