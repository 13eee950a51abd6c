"""How many includes are still unfound? A counting-process estimate from the screening order.

Stevenson and Bin-Hezam (2023, "Stopping methods for technology assisted reviews based on point
processes", ACM TOIS 42(3)) model the includes met along a prioritised screening order as a
Poisson process whose rate falls with the rank: early records are often included, late ones
rarely. The includes still unscreened are then Poisson distributed with mean the rate summed
over the unscreened ranks, and screening may stop once the includes found reach the recall
target of that count's upper bound.

This module uses their power-law rate ``lambda(x) = a * x**k`` (``x`` = rank in the prioritised
order, 1 = screened first, ``k <= 0``), and keeps the uncertainty of the fitted rate in the
bound instead of plugging in one fitted curve (with a handful of includes the fit alone is far
too sure of itself):

- for every ``k`` on a grid from ``k_min`` to 0 (0 is a flat rate: the order is no better than
  random) and a vague prior on ``a``, the chance of the includes seen at the ranks they were seen
  gives ``k`` a weight (its marginal likelihood: ``exp(k * sum(log x_i)) / S_k ** (m + 1)``,
  ``S_k`` the rate summed over the ``n`` screened ranks, ``m`` the includes among them);
- given ``k``, the includes among the unscreened ranks follow a negative binomial with ``m + 1``
  successes and probability ``S_k / (S_k + C_k)``, ``C_k`` the rate summed over the unscreened
  ranks (a Poisson count whose mean is uncertain);
- mixing the ``k`` by weight gives the distribution of the includes still unfound, ``U``.

The recall target ``tau`` is missed when ``found / (found + U) < tau``, that is when ``U``
exceeds ``floor(found * (1 - tau) / tau)``; the chance of that (:func:`p_missed`) is what is
compared with ``1 - confidence``. Sums of ``x**k`` over ranks are taken as integrals over
``[first - 1/2, last + 1/2]``. Prior records (known before the ranking began) count as found but
have no rank.

Pure functions of the labels in screening order (1 included, 0 excluded); every prefix of an
order is scored at once by :func:`curve`, so a replay finds its stopping point after any
decision in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp
from scipy.stats import nbinom

#: Steepest power-law rate tried (``x ** k_min``): steeper rates promise that nothing is left
#: sooner.
K_MIN = -2.0
#: Points on each family's grid of rates.
GRID = 41
#: Exponential rates tried, ``exp(-b * x)``: decay lengths ``1 / b`` from 3 to 100,000 records.
B_RANGE = (1e-5, 0.3)
#: Prior share of the exponential rates (the power-law rates have the rest).
EXPONENTIAL_SHARE = 0.5


@dataclass(frozen=True)
class Rates:
    """The grid of rate shapes the estimate mixes: power laws ``x ** k`` and exponentials
    ``exp(-b x)``, each family with its prior share spread evenly over its points."""

    k: np.ndarray
    b: np.ndarray
    log_prior: np.ndarray


def rate_grid(
    k_min: float = K_MIN, points: int = GRID, exponential_share: float = EXPONENTIAL_SHARE
) -> Rates:
    """The rates tried: ``k`` from ``k_min`` to 0 (-1, a logarithm, nudged off the grid) and,
    when ``exponential_share`` > 0, ``b`` spread evenly on a log scale over :data:`B_RANGE`."""
    if not k_min < 0:
        raise ValueError(f"k_min must be below 0, got {k_min}")
    if not 0 <= exponential_share < 1:
        raise ValueError(f"exponential share must be in [0, 1), got {exponential_share}")
    ks = np.linspace(k_min, 0.0, max(2, points))
    ks[np.abs(ks + 1) < 1e-6] = -1 + 1e-3
    bs = np.geomspace(*B_RANGE, max(2, points)) if exponential_share > 0 else np.empty(0)
    log_prior = np.concatenate(
        [
            np.full(ks.size, np.log((1 - exponential_share) / ks.size)),
            np.full(bs.size, np.log(exponential_share / bs.size) if bs.size else 0.0),
        ]
    )
    return Rates(k=ks, b=bs, log_prior=log_prior)


def _sums(rates: Rates, ranks: np.ndarray, labels: np.ndarray, ranked_total: int):
    """For every prefix (rows) and rate (columns): the log of the rate shape at the includes'
    ranks summed, the rate summed over the screened ranks (S) and over the unscreened (C)."""
    edge = ranks + 0.5
    # power laws: integral of x**k is x**(k+1)/(k+1)
    k = rates.k[None, :]
    power = lambda u: u ** (k + 1) / (k + 1)  # noqa: E731
    log_shape = [np.cumsum(labels * np.log(ranks))[:, None] * k]
    screened = [power(edge[:, None]) - power(np.array([[0.5]]))]
    unscreened = [power(np.array([[ranked_total + 0.5]])) - power(edge[:, None])]
    if rates.b.size:
        b = rates.b[None, :]
        # exponentials: integral of exp(-b x) is -exp(-b x) / b
        log_shape.append(-np.cumsum(labels * ranks)[:, None] * b)
        screened.append((np.exp(-0.5 * b) - np.exp(-edge[:, None] * b)) / b)
        unscreened.append((np.exp(-edge[:, None] * b) - np.exp(-(ranked_total + 0.5) * b)) / b)
    return (
        np.concatenate(log_shape, axis=1),
        np.concatenate(screened, axis=1),
        np.maximum(np.concatenate(unscreened, axis=1), 0.0),
    )


@dataclass(frozen=True)
class Curve:
    """The estimate after every prefix of a screening order (element i: after the priors and
    i + 1 ranked decisions)."""

    #: chance that the recall target has been missed
    p_missed: np.ndarray
    #: includes expected among the unscreened records (posterior mean of U)
    unfound_mean: np.ndarray
    #: includes found so far, priors included
    found: np.ndarray


def curve(
    labels: Sequence[int] | np.ndarray,
    n_records: int,
    *,
    n_priors: int = 0,
    recall_target: float = 0.95,
    k_min: float = K_MIN,
    grid: int = GRID,
    exponential_share: float = EXPONENTIAL_SHARE,
) -> Curve:
    """The counting-process estimate after each ranked decision of ``labels``.

    ``labels``: decisions in screening order, the ``n_priors`` prior records first;
    ``n_records``: records in the whole review (screened or not).
    """
    if not 0 < recall_target < 1:
        raise ValueError(f"recall target must be between 0 and 1, got {recall_target}")
    y = np.asarray(labels, dtype=int)
    if y.size > n_records:
        raise ValueError(f"{y.size} decisions but only {n_records} records")
    if not 0 <= n_priors <= y.size:
        raise ValueError(f"{n_priors} prior records but {y.size} decisions")
    z = y[n_priors:]
    if z.size == 0:
        empty = np.empty(0)
        return Curve(empty, empty, empty.astype(int))
    ranked_total = n_records - n_priors
    ranks = np.arange(1, z.size + 1, dtype=float)
    rates = rate_grid(k_min, grid, exponential_share)
    m = np.cumsum(z)
    log_shape, screened_rate, unscreened_rate = _sums(rates, ranks, z, ranked_total)
    log_weight = rates.log_prior + log_shape - (m[:, None] + 1) * np.log(screened_rate)
    weight = np.exp(log_weight - logsumexp(log_weight, axis=1, keepdims=True))
    found = int(y[:n_priors].sum()) + m
    allowed = np.floor(found * (1 - recall_target) / recall_target + 1e-9)
    success = np.clip(screened_rate / (screened_rate + unscreened_rate), 1e-300, 1.0)
    exceed = nbinom.sf(allowed[:, None], m[:, None] + 1, success)
    p = np.clip((weight * exceed).sum(axis=1), 0.0, 1.0)
    mean = (weight * (m[:, None] + 1) * unscreened_rate / screened_rate).sum(axis=1)
    return Curve(p_missed=p, unfound_mean=mean, found=found)


def p_missed(
    labels: Sequence[int] | np.ndarray,
    n_records: int,
    *,
    n_priors: int = 0,
    recall_target: float = 0.95,
    k_min: float = K_MIN,
    exponential_share: float = EXPONENTIAL_SHARE,
) -> float:
    """Chance that the recall target has been missed after all of ``labels`` (1.0 before any
    ranked decision)."""
    result = curve(
        labels,
        n_records,
        n_priors=n_priors,
        recall_target=recall_target,
        k_min=k_min,
        exponential_share=exponential_share,
    )
    return float(result.p_missed[-1]) if result.p_missed.size else 1.0


def unfound(
    labels: Sequence[int] | np.ndarray,
    n_records: int,
    *,
    n_priors: int = 0,
    confidence: float = 0.95,
    k_min: float = K_MIN,
    grid: int = GRID,
    exponential_share: float = EXPONENTIAL_SHARE,
) -> tuple[float, int]:
    """Includes still unfound after ``labels``: (expected number, upper bound at ``confidence``)."""
    y = np.asarray(labels, dtype=int)
    remaining = n_records - y.size
    z = y[n_priors:]
    if z.size == 0 or remaining == 0:
        return (0.0, 0) if remaining == 0 else (float("nan"), remaining)
    ranks = np.arange(1, z.size + 1, dtype=float)
    rates = rate_grid(k_min, grid, exponential_share)
    m = int(z.sum())
    log_shape, screened_all, unscreened_all = _sums(rates, ranks, z, n_records - n_priors)
    log_shape, screened_rate, unscreened_rate = log_shape[-1], screened_all[-1], unscreened_all[-1]
    log_weight = rates.log_prior + log_shape - (m + 1) * np.log(screened_rate)
    weight = np.exp(log_weight - logsumexp(log_weight))
    success = np.clip(screened_rate / (screened_rate + unscreened_rate), 1e-300, 1.0)
    mean = float((weight * (m + 1) * unscreened_rate / screened_rate).sum())
    # The smallest u with P(U <= u) >= confidence, never more than the records left.
    low, high = 0, remaining
    while low < high:
        mid = (low + high) // 2
        if float((weight * nbinom.cdf(mid, m + 1, success)).sum()) >= confidence:
            high = mid
        else:
            low = mid + 1
    return min(mean, float(remaining)), low
