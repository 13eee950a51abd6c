"""Replay a labelled screening dataset with the ranker and the stopping rule.

``slrflow simulate DATA.csv --seed S --n-prior-included 1 --n-prior-excluded 1 -o order.csv``

Protocol (the field's standard one, as ASReview's ``simulate``):

1. Priors: ``--n-prior-included`` random included and ``--n-prior-excluded`` random excluded
   records, drawn with ``--seed`` (:func:`choose_priors`), or given by row with
   ``--prior-rows``. Their labels are known from the start; they are left out of the metrics.
2. Loop: train the ranker (:class:`slrflow.screening.rank.Ranker`, the same model the
   workflow uses) on every label revealed so far, screen the best-ranked batch of unscreened
   records by revealing their labels. The batch is 1 record at first and grows with the
   number screened (:func:`batch_size`: 5% of them, ``--batch-share``, and at least one
   record per 500 in the set), so a replay retrains about a hundred times, not once per
   record.
3. Stopping rule (``--stopping-method``, default the counting-process estimate; see
   :mod:`slrflow.screening.stopping`), tested after every decision using only the labels
   revealed up to it. The first decision after which the recall target (``--recall-target``,
   default 95%) is met at the stated confidence (``--confidence``, default 95%) is where the rule
   stops; the recall it had then is computed afterwards from the true labels.
4. Once every include is found, the records left are all excludes: their order can change
   neither the metrics nor the stopping point, so the model is not retrained any more; they
   follow the last model's order (ASReview's simulation stops at the last include).

Writes the screening order (one row per record) and prints recall@10%, WSS@95, ATD, ERF@10%
and the stopping rule's result. Input: a CSV with ``title``, ``abstract`` (may be empty or
missing: the title is used), optionally ``keywords`` and ``mesh``/``mesh_terms`` (subject
terms, ranked on too), and a 0/1 label column (``label_included``, ``included``, or
``--label-column``).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from slrflow.errors import InputError
from slrflow.screening import metrics, stopping
from slrflow.screening.datasets import find_datasets  # noqa: F401  (part of this API)
from slrflow.screening.rank import Ranker, Settings, load_criteria_text, record_text
from slrflow.tables import write_csv

LABEL_COLUMNS = ("label_included", "included")
#: Columns of subject terms added to a record's text when present.
KEYWORD_COLUMNS = ("keywords", "mesh", "mesh_terms")


class DatasetError(InputError):
    """A labelled dataset that cannot be simulated; the message says why and what to do."""


@dataclass
class Dataset:
    """A labelled screening set: one text and one 0/1 label per record, in file order."""

    path: Path
    texts: list[str]
    labels: np.ndarray
    #: the file's ``record_id`` column when it has one, else the row number (0 = first row)
    record_ids: list[str]
    label_column: str


def load_dataset(path: str | Path, *, label_column: str | None = None) -> Dataset:
    """Read a labelled CSV; raise :class:`DatasetError` naming file, row and column."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DatasetError(f"{path}: not a readable CSV table ({exc})") from None
    columns = {c.strip().lower(): c for c in frame.columns}
    if label_column is None:
        found = next((columns[c] for c in LABEL_COLUMNS if c in columns), None)
        if found is None:
            raise DatasetError(
                f"{path}: no label column (looked for {', '.join(LABEL_COLUMNS)}; "
                f"columns are {', '.join(frame.columns)}); name it with --label-column"
            )
        label_column = found
    elif label_column not in frame.columns:
        raise DatasetError(
            f"{path}: no column {label_column!r} (columns are {', '.join(frame.columns)})"
        )
    if "title" not in columns:
        raise DatasetError(f"{path}: no title column; a simulation ranks on title and abstract")
    if frame.empty:
        raise DatasetError(f"{path}: no records")
    raw = frame[label_column].str.strip()
    labels = np.zeros(len(frame), dtype=int)
    for row, value in enumerate(raw):
        if value in ("1", "1.0"):
            labels[row] = 1
        elif value not in ("0", "0.0"):
            shown = repr(value) if value else "empty"
            raise DatasetError(
                f"{path}: line {row + 2}, column {label_column}: label {shown}; "
                "labels must be 0 (excluded) or 1 (included)"
            )
    if labels.min() == labels.max():
        kind = "included (1)" if labels[0] else "excluded (0)"
        raise DatasetError(
            f"{path}: all {len(labels)} records are {kind} in {label_column}; "
            "a simulation needs both included and excluded records"
        )
    titles = frame[columns["title"]]
    abstracts = frame[columns["abstract"]] if "abstract" in columns else [""] * len(frame)
    # Keywords and MeSH-like subject terms, when the file has them, are ranked on too.
    extra = [columns[c] for c in KEYWORD_COLUMNS if c in columns]
    keywords = [
        "; ".join(v.strip() for v in row if v.strip())
        for row in (frame[extra].itertuples(index=False) if extra else [()] * len(frame))
    ]
    texts = [record_text(t, a, k) for t, a, k in zip(titles, abstracts, keywords, strict=True)]
    if "record_id" in columns:
        ids = frame[columns["record_id"]].tolist()
    else:
        ids = [str(i) for i in range(len(frame))]
    return Dataset(path, texts, labels, ids, label_column)


def choose_priors(
    labels: np.ndarray, n_included: int = 1, n_excluded: int = 1, *, seed: int = 0
) -> np.ndarray:
    """Rows of the prior records: random includes and excludes drawn with ``seed``."""
    labels = np.asarray(labels)
    if n_included < 0 or n_excluded < 0:
        raise DatasetError("the number of prior records cannot be negative")
    rng = np.random.default_rng(seed)
    picked = []
    for value, count, name in ((1, n_included, "included"), (0, n_excluded, "excluded")):
        pool = np.flatnonzero(labels == value)
        if count > pool.size:
            raise DatasetError(
                f"asked for {count} prior {name} records but the dataset has only "
                f"{pool.size} {name} record(s)"
            )
        picked.append(rng.choice(pool, size=count, replace=False))
    return np.sort(np.concatenate(picked)).astype(int)


#: Records screened between retrainings, as a share of the records screened so far, and never
#: fewer than :data:`MIN_BATCH_SHARE` of all records (one per 500: a large search does not
#: retrain after every one of its first records). Chosen on the 16 labelled sets leaving each out
#: (``benchmarks/ranking_grid.py``, 5 seeds, the one-standard-error rule): 2%, 3% and 5%, with
#: or without the floor, rank equally well within the seeds' noise, 8% worse; 5% with the
#: floor retrains 2.5 times less often than 2% without.
BATCH_SHARE = 0.05


#: The fewest records screened between retrainings, as a share of all records.
MIN_BATCH_SHARE = 0.002


def batch_size(n_screened: int, share: float = BATCH_SHARE, least: int = 1) -> int:
    """Records to screen before the next retraining: ``share`` of those screened, at least
    ``least``."""
    return max(least, math.floor(share * n_screened))


@dataclass
class Replay:
    """The outcome of one simulation."""

    #: rows in the order screened; the priors first
    order: np.ndarray
    #: true labels in that order
    labels: np.ndarray
    n_priors: int
    #: records screened (priors included) when the stopping rule stopped; None: never
    stop_at: int | None
    #: p-value of the stopping test at that point
    stop_p: float | None
    #: the rule's verdict where it stopped (or after the last decision): method, target,
    #: confidence and the includes it estimated unfound
    verdict: stopping.StoppingEstimate | None = None
    seconds: float = 0.0
    retrainings: int = 0

    @property
    def screened_labels(self) -> np.ndarray:
        """Labels in screening order without the priors: what the metrics are computed on."""
        return self.labels[self.n_priors :]

    def metrics(self) -> dict[str, float]:
        return metrics.summary(self.screened_labels)

    @property
    def stop_recall(self) -> float | None:
        """Share of the (non-prior) includes found when the rule stopped."""
        if self.stop_at is None:
            return None
        y = self.screened_labels
        return float(y[: self.stop_at - self.n_priors].sum() / y.sum())

    @property
    def stop_saved(self) -> float:
        """Share of all records the rule left unscreened (0 when it never stopped)."""
        if self.stop_at is None:
            return 0.0
        return 1 - self.stop_at / self.labels.size


def replay(
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    priors: Sequence[int] | np.ndarray,
    *,
    seed: int = 0,
    criteria_text: str = "",
    settings: Settings | None = None,
    batch_share: float = BATCH_SHARE,
    min_batch_share: float = MIN_BATCH_SHARE,
    stopping_method: str = stopping.DEFAULT_METHOD,
    recall_target: float = 0.95,
    confidence: float = 0.95,
    progress: Callable[[int, int, int, int], None] | None = None,
) -> Replay:
    """Simulate screening ``texts`` whose true ``labels`` are known; see the module docstring."""
    start = time.perf_counter()
    labels = np.asarray(labels, dtype=int)
    n = labels.size
    total_included = int(labels.sum())
    ranker = Ranker(texts, criteria_text=criteria_text, seed=seed, settings=settings)
    order = [int(i) for i in priors]
    is_screened = np.zeros(n, dtype=bool)
    is_screened[order] = True
    found = int(labels[order].sum())
    retrainings = 0
    least = max(1, math.floor(min_batch_share * n))
    while len(order) < n:
        ranker.fit(order, labels[order])
        retrainings += 1
        candidates = np.flatnonzero(~is_screened)
        take = ranker.best(candidates, batch_size(len(order) - len(priors), batch_share, least))
        order.extend(int(i) for i in take)
        is_screened[take] = True
        found += int(labels[take].sum())
        if progress is not None:
            progress(len(order), n, found, total_included)
        if found == total_included:
            # Every record left is an exclude, whatever order it comes in, so retraining can
            # change neither the metrics nor where a stopping rule stops: the rest follows the
            # last model's order.
            order.extend(int(i) for i in ranker.order(candidates)[take.size :])
            break
    order_array = np.asarray(order, dtype=int)
    in_order = labels[order_array]
    # A rule sees only the decisions before each point, so testing it after every decision
    # along the finished order finds the point it would have stopped at while screening.
    stop = stopping.stop_point(
        in_order,
        n,
        method=stopping_method,
        recall_target=recall_target,
        confidence=confidence,
        n_priors=len(priors),
    )
    stop_at, stop_p = stop if stop is not None else (None, None)
    verdict = stopping.estimate(
        in_order[: stop_at or n],
        n,
        method=stopping_method,
        recall_target=recall_target,
        confidence=confidence,
        n_priors=len(priors),
    )
    return Replay(
        order=order_array,
        labels=in_order,
        n_priors=len(priors),
        stop_at=stop_at,
        stop_p=stop_p,
        verdict=verdict,
        seconds=time.perf_counter() - start,
        retrainings=retrainings,
    )


def order_table(result: Replay, dataset: Dataset) -> pd.DataFrame:
    """The screening order as written to ``-o``: one row per record.

    Columns: ``position`` (1 = screened first; priors first), ``row`` (0-based row in the
    dataset), ``record_id`` (the dataset's ``record_id``, else the row), ``label``, ``prior``
    (1 for a prior record), ``before_stop`` (1 when the record was screened before the stopping
    rule stopped).
    """
    positions = np.arange(1, result.order.size + 1)
    stop = result.stop_at if result.stop_at is not None else result.order.size
    return pd.DataFrame(
        {
            "position": positions,
            "row": result.order,
            "record_id": [dataset.record_ids[i] for i in result.order],
            "label": result.labels,
            "prior": (positions <= result.n_priors).astype(int),
            "before_stop": (positions <= stop).astype(int),
        }
    )


def summary_row(result: Replay, dataset: Dataset, seed: int) -> dict:
    """One line of figures for a simulation (the ``--metrics`` file)."""
    figures = result.metrics()
    return {
        "dataset": dataset.path.stem,
        "seed": seed,
        "records": int(result.labels.size),
        "included": int(result.labels.sum()),
        "priors": result.n_priors,
        **{k: round(v, 6) for k, v in figures.items()},
        "stop_at": result.stop_at if result.stop_at is not None else "",
        "stop_recall": "" if result.stop_recall is None else round(result.stop_recall, 6),
        "stop_saved": round(result.stop_saved, 6),
        "stop_method": result.verdict.method if result.verdict else "",
        "recall_target": result.verdict.recall_target if result.verdict else "",
        "confidence": result.verdict.confidence if result.verdict else "",
        "unfound_estimate": result.verdict.unfound_estimate if result.verdict else "",
    }


class _Progress:
    """Progress lines on stderr, at most one per second (none for quick runs)."""

    def __init__(self, name: str, stream=sys.stderr) -> None:
        self.name = name
        self.stream = stream
        self.last = time.monotonic()

    def __call__(self, screened: int, total: int, found: int, included: int) -> None:
        now = time.monotonic()
        if now - self.last >= 1.0:
            self.last = now
            print(
                f"simulate {self.name}: {screened}/{total} screened, "
                f"{found}/{included} includes found",
                file=self.stream,
                flush=True,
            )


def simulate(
    *,
    dataset: Path,
    output: Path,
    seed: int = 0,
    n_prior_included: int = 1,
    n_prior_excluded: int = 1,
    prior_rows: Sequence[int] | None = None,
    label_column: str | None = None,
    criteria: Path | None = None,
    stopping_method: str = stopping.DEFAULT_METHOD,
    recall_target: float = 0.95,
    confidence: float = 0.95,
    metrics: Path | None = None,
    batch_share: float = BATCH_SHARE,
) -> None:
    """Replay the labelled ``dataset`` with the ranker and the stopping rule; write the
    screening order to ``output`` (and the figures as one row to ``metrics``); print a summary.

    ``prior_rows`` (0 = first record) are the records known before screening; without them
    ``n_prior_included`` included and ``n_prior_excluded`` excluded records are drawn with
    ``seed``. ``criteria`` is criteria.yaml for the ranker's cold start; ``stopping_method`` the
    stopping rule replayed (counting or buscar); ``batch_share`` the records screened between
    retrainings, as a share of those screened so far (at least one, and at least
    :data:`MIN_BATCH_SHARE` of all records)."""
    path = dataset
    dataset = load_dataset(path, label_column=label_column)
    if prior_rows:
        rows = np.asarray(sorted(set(prior_rows)), dtype=int)
        if rows.min() < 0 or rows.max() >= dataset.labels.size:
            raise DatasetError(
                f"--prior-rows: rows must be 0..{dataset.labels.size - 1} for {dataset.path}"
            )
        priors = rows
    else:
        priors = choose_priors(dataset.labels, n_prior_included, n_prior_excluded, seed=seed)
    if dataset.labels[priors].sum() == dataset.labels.sum():
        raise DatasetError(
            f"{dataset.path}: the priors hold every included record; nothing left to find"
        )
    for name, value in (("--recall-target", recall_target), ("--confidence", confidence)):
        if not 0 < value < 1:
            raise DatasetError(f"{name} must be between 0 and 1, got {value}")
    if not 0 <= batch_share <= 1:
        raise DatasetError(f"--batch-share must be between 0 and 1, got {batch_share}")
    criteria_text = load_criteria_text(criteria) if criteria else ""
    result = replay(
        dataset.texts,
        dataset.labels,
        priors,
        seed=seed,
        criteria_text=criteria_text,
        stopping_method=stopping_method,
        recall_target=recall_target,
        confidence=confidence,
        batch_share=batch_share,
        progress=_Progress(dataset.path.name),
    )
    write_csv(order_table(result, dataset), output)
    row = summary_row(result, dataset, seed)
    if metrics:
        write_csv(pd.DataFrame([row]), metrics)
    n = result.labels.size
    print(f"dataset       {dataset.path} ({n} records, {int(dataset.labels.sum())} included)")
    print(f"priors        rows {' '.join(str(i) for i in priors)}")
    print(f"recall@10%    {row['recall@10%']:.3f}")
    print(f"WSS@95        {row['wss@95']:.3f}")
    print(f"ATD           {row['atd']:.3f}")
    print(f"ERF@10%       {row['erf@10%']:.3f}")
    if result.stop_at is None:
        print(f"stopping rule ({result.verdict.statement}) did not stop before every record")
    else:
        print(
            f"stopping rule stopped after {result.stop_at} of {n} records "
            f"(saved {result.stop_saved:.1%}, chance of a missed target {result.stop_p:.4f}) "
            f"with recall {result.stop_recall:.3f}; {result.verdict.statement}"
        )
