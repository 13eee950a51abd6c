"""How much reading a screening order saves: recall@x, WSS@95, ATD, ERF@x.

Every function takes the labels of the records *in the order they were screened*
(1 = included, 0 = excluded), with the prior records already left out, as the field's
definitions ask. ``N`` below is the number of those records, ``R`` the number of includes
among them, and "after screening x%" means after the first ``ceil(x * N)`` records.

- recall@x: share of the ``R`` includes found after screening x% of the records.
- WSS@r (work saved over sampling, Cohen 2006): records not yet screened when recall first
  reaches ``r``, divided by ``N``, minus ``1 - r``.
- ATD (average time to discovery): mean over the includes of the share of records screened
  (the include itself counted) when it was found; lower is better.
- ERF@x (extra relevant found): includes found after x% minus the number a random order is
  expected to find after the same number of records, divided by ``R``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def _labels(labels: Sequence[int] | np.ndarray) -> np.ndarray:
    array = np.asarray(labels, dtype=int)
    if array.ndim != 1:
        raise ValueError("labels must be a flat sequence of 0/1 in screening order")
    if array.size and not np.isin(array, (0, 1)).all():
        raise ValueError("labels must be 0 (excluded) or 1 (included)")
    if array.sum() == 0:
        raise ValueError("the screening order holds no included record: recall is undefined")
    return array


def n_screened_at(share: float, n_records: int) -> int:
    """Records screened "after x%": the smallest count whose share reaches ``share``."""
    if not 0 <= share <= 1:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    # The small tolerance keeps 10% of 250 at 25, not 26 through float rounding.
    return min(n_records, math.ceil(share * n_records - 1e-9))


def recall_at(labels: Sequence[int] | np.ndarray, share: float) -> float:
    """Share of the includes found after screening ``share`` (0-1) of the records."""
    y = _labels(labels)
    n = n_screened_at(share, y.size)
    return float(y[:n].sum() / y.sum())


def records_to_recall(labels: Sequence[int] | np.ndarray, recall: float) -> int:
    """Records screened when the share of includes found first reaches ``recall``."""
    y = _labels(labels)
    needed = math.ceil(recall * y.sum() - 1e-9)
    return int(np.searchsorted(np.cumsum(y), max(needed, 1)) + 1)


def wss(labels: Sequence[int] | np.ndarray, recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall``: (N - screened at recall) / N - (1 - recall)."""
    y = _labels(labels)
    return float((y.size - records_to_recall(y, recall)) / y.size - (1 - recall))


def atd(labels: Sequence[int] | np.ndarray) -> float:
    """Average time to discovery: mean share of records screened when each include was found."""
    y = _labels(labels)
    positions = np.flatnonzero(y) + 1
    return float(positions.mean() / y.size)


def erf(labels: Sequence[int] | np.ndarray, share: float = 0.10) -> float:
    """Extra relevant found after ``share``, over what a random order finds, per include."""
    y = _labels(labels)
    n = n_screened_at(share, y.size)
    expected = y.sum() * n / y.size
    return float((y[:n].sum() - expected) / y.sum())


def recall_curve(labels: Sequence[int] | np.ndarray) -> np.ndarray:
    """Recall after each screened record (element i: after i + 1 records)."""
    y = _labels(labels)
    return np.cumsum(y) / y.sum()


def summary(labels: Sequence[int] | np.ndarray) -> dict[str, float]:
    """The standard figures for one screening order."""
    return {
        "recall@10%": recall_at(labels, 0.10),
        "wss@95": wss(labels, 0.95),
        "atd": atd(labels),
        "erf@10%": erf(labels, 0.10),
    }
