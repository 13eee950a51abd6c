"""Agreement statistics between raters (reviewers at screening, coders at coding).

- percent agreement ``po`` = items on which the two raters agree / items both rated;
- Cohen's kappa = (po - pe) / (1 - pe), ``pe`` = sum over categories of the product of the two
  raters' shares (undefined when pe = 1: both used one category only); written out here
  rather than imported from scikit-learn, whose import alone takes seconds;
- PABAK (prevalence- and bias-adjusted kappa) = (k * po - 1) / (k - 1) for ``k`` categories;
- Krippendorff's alpha (nominal) for any number of raters, from the ``krippendorff`` package.

:func:`statistic_text` is how the agreement tables write a statistic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import krippendorff
import numpy as np


def percent_agreement(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of items on which the two raters give the same category."""
    if len(a) != len(b) or not a:
        raise ValueError("two equally long, non-empty rating lists are needed")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def cohen_kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa; NaN when chance agreement is 1 (both raters used one same category)."""
    po = percent_agreement(a, b)
    n = len(a)
    pe = sum((a.count(c) / n) * (b.count(c) / n) for c in set(a) | set(b))
    if pe >= 1:
        return math.nan
    return (po - pe) / (1 - pe)


def pabak(a: Sequence[str], b: Sequence[str], *, k: int = 2) -> float:
    """Prevalence- and bias-adjusted kappa for ``k`` categories: (k * po - 1) / (k - 1)."""
    return (k * percent_agreement(a, b) - 1) / (k - 1)


def krippendorff_alpha(units: Sequence[Sequence[str | None]]) -> float:
    """Nominal alpha; ``units[i][j]`` is rater i's category for unit j (None when missing)."""
    categories = sorted({v for rater in units for v in rater if v is not None})
    if len(categories) < 2:
        return math.nan
    code = {c: i for i, c in enumerate(categories)}
    data = np.array(
        [[np.nan if v is None else code[v] for v in rater] for rater in units], dtype=float
    )
    return float(
        krippendorff.alpha(
            reliability_data=data,
            level_of_measurement="nominal",
            value_domain=list(range(len(categories))),
        )
    )


def statistic_text(value: float | None) -> str:
    """A statistic as the agreement tables write it: three decimals, empty when undefined."""
    return "" if value is None or math.isnan(value) else f"{value:.3f}"
