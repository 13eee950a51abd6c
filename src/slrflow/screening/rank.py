"""Prioritised screening: order the unscreened references by their chance of inclusion.

The ranker learns from the title/abstract decisions made so far. Its text features (TF-IDF of
words and word pairs, sublinear term frequency) are built once for all references; each
retraining only fits a cheap linear model on them, so replaying a whole review is fast.

Model (the same for every review; :class:`Settings` holds it, chosen on the labelled sets of
the benchmark leaving each set out in turn, never per set). Linear models, each score put on
one scale (divided by its spread over all references) and added:

- logistic regression on the screened references plus a random sample of 100 unscreened ones
  treated as excluded. In a search result most records are irrelevant, so "unscreened" is a
  fair guess for "excluded"; the sample keeps pulling the model away from the typical
  unscreened record, towards includes unlike those found so far (Cormack and Grossman's
  continuous active learning does the same). Includes weigh 3 times the excludes in total.
- complement naive Bayes on the same rows (it ranks rare, telling terms higher).
- while less than 10% of the references are screened: a strongly regularised linear SVM on
  the screened references only, includes weighing 9.8 times the excludes (ASReview's ELAS u4
  model): "like the includes found so far", the sharpest guide while few decisions exist.
  Later it narrows the search onto includes like those already found, and the last, unlike
  includes come later (16 labelled sets, 2 seeds: WSS@95 0.503 with it throughout, 0.532
  when it stops at 10%; recall@10% 0.598 and 0.592).

The sum is linear in the features, so the terms that raised a reference's score are its
largest ``weight x tf-idf`` products (:meth:`Ranker.top_terms`). Cold start (no inclusion
yet): similarity to the criteria text and terms (``evaluat*`` matches every word starting
so), so references that speak the criteria's language come first; without criteria text, a
seeded random order.

Public API: :func:`rank` for the workflow, :class:`Ranker` for simulations and explanations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn import config_context
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from slrflow.screening.features import WordTfidf


@dataclass(frozen=True)
class Settings:
    """The ranker's settings; the defaults are the ones the benchmark measures."""

    #: word n-grams used as features (1-2: words and word pairs)
    ngram_range: tuple[int, int] = (1, 2)
    #: terms in more than this share of references say nothing about relevance
    max_df: float = 0.95
    #: a term must occur in at least this many references to become a feature
    min_df: int = 2
    #: inverse regularisation strength of the logistic regression
    C: float = 1.0
    #: unscreened references drawn per step as presumed excludes (0: none)
    n_pseudo_excluded: int = 100
    #: weight of one presumed exclude relative to one screened exclude
    pseudo_weight: float = 1.0
    #: total weight of the includes over that of the excludes in training
    include_ratio: float = 3.0
    #: "lr" (logistic regression) or "svm" (linear support vector machine)
    model: str = "lr"
    #: weight of a complement naive Bayes model added to the linear model (0: none)
    nb_weight: float = 1.0
    #: smoothing of the naive Bayes model
    nb_alpha: float = 0.1
    #: weight of a linear SVM trained on the screened references only (0: none)
    svm_weight: float = 2.0
    svm_C: float = 0.11
    svm_include_ratio: float = 9.8
    #: the SVM joins only while fewer includes than this have been found (0: always)
    svm_until_includes: int = 0
    #: the SVM joins only while less than this share of the references is screened (0: always)
    svm_until_share: float = 0.10
    #: weight of the character n-grams (within words) beside the word features (0: none)
    char_weight: float = 0.0
    char_ngram_range: tuple[int, int] = (3, 5)


_WORD_PATTERN = r"(?u)\b\w\w+\b"


def build_features(
    texts: Sequence[str], settings: Settings
) -> tuple[TfidfVectorizer | None, sparse.csr_matrix, np.ndarray]:
    """(word vectoriser, feature matrix, word and word-pair terms) for ``texts``.

    The matrix holds the TF-IDF of words and word pairs, then (``settings.char_weight`` > 0)
    that of character n-grams within words, scaled by ``char_weight``; rows sorted. The
    vectoriser is None when no text has a single word (every score is then 0).
    """
    texts = list(texts)
    n = len(texts)
    # Both vectorisers weigh and filter terms alike; tiny sets (tests, a first search) keep
    # every term.
    shared = {
        "sublinear_tf": True,
        "strip_accents": "unicode",
        "lowercase": True,
        "max_df": settings.max_df if n >= 20 else 1.0,
        "min_df": settings.min_df if n >= 20 else 1,
        "dtype": np.float64,
    }
    vectorizer = WordTfidf(ngram_range=settings.ngram_range, token_pattern=_WORD_PATTERN, **shared)
    try:
        features = vectorizer.fit_transform(texts).tocsr()
    except ValueError:
        return None, sparse.csr_matrix((n, 1)), np.array([""], dtype=object)
    terms = vectorizer.get_feature_names_out()
    if settings.char_weight:
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngram_range, **shared)
        try:
            extra = chars.fit_transform(texts)
        except ValueError:
            extra = sparse.csr_matrix((n, 0))
        features = sparse.hstack([features, settings.char_weight * extra], format="csr")
    # Sorted once here, so the row slices each retraining takes need no sorting.
    features.sort_indices()
    return vectorizer, features, terms


def record_text(title: Any, abstract: Any, keywords: Any = "") -> str:
    """The text a reference is ranked on: title, abstract and keywords (missing parts empty)."""
    parts = []
    for value in (title, abstract, keywords):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        text = str(value).strip()
        if text:
            parts.append(text)
    return " ".join(parts)


class Ranker:
    """Scores references by their chance of inclusion, given the decisions made so far.

    ``texts`` holds one text per reference (see :func:`record_text`); references are then
    addressed by their position in ``texts``. The features are built here, once.
    """

    def __init__(
        self,
        texts: Sequence[str],
        *,
        criteria_text: str = "",
        seed: int = 0,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.seed = seed
        self.n = len(texts)
        self.vectorizer, self.features, self.terms = build_features(texts, self.settings)
        #: features that are words or word pairs (the rest are character n-grams, which
        #: score but do not explain)
        self.n_word_features = self.terms.size
        self.criteria_text = criteria_text or ""
        self.weights = np.zeros(self.features.shape[1])
        self.intercept = 0.0
        self.mode = "none"
        #: the scores of the current weights, kept once computed
        self._scores: np.ndarray | None = None
        self._tiebreak = np.random.default_rng(seed).random(self.n)

    # -- training ---------------------------------------------------------------------------
    def fit(
        self, indices: Sequence[int] | np.ndarray, labels: Sequence[int] | np.ndarray
    ) -> Ranker:
        """Learn from the references at ``indices`` screened with ``labels`` (1 in, 0 out)."""
        indices = np.asarray(indices, dtype=int)
        labels = np.asarray(labels, dtype=int)
        self._scores = None
        if labels.sum() == 0:
            self._fit_criteria()
            return self
        s = self.settings
        rng = np.random.default_rng([self.seed, indices.size])
        unscreened = np.ones(self.n, dtype=bool)
        unscreened[indices] = False
        unscreened = np.flatnonzero(unscreened)
        pseudo = np.empty(0, dtype=int)
        if s.n_pseudo_excluded and unscreened.size:
            size = min(s.n_pseudo_excluded, unscreened.size)
            pseudo = rng.choice(unscreened, size=size, replace=False)
        rows = np.concatenate([indices, pseudo])
        y = np.concatenate([labels, np.zeros(pseudo.size, dtype=int)])
        if (y == 0).sum() == 0:
            # Only includes and nothing to contrast: rank by similarity to what was included.
            self.weights = np.asarray(self.features[indices[labels == 1]].mean(axis=0)).ravel()
            self.intercept = 0.0
            self.mode = "similarity"
            return self
        weight = np.concatenate([np.ones(labels.size), np.full(pseudo.size, s.pseudo_weight)])
        # Weigh the classes: all includes together weigh include_ratio times all excludes, so
        # the few includes are not drowned (balanced weighting is include_ratio = 1).
        pos = weight[y == 1].sum()
        neg = weight[y == 0].sum()
        scale = np.where(y == 1, s.include_ratio / pos, 1 / neg)
        weight = weight * scale * y.size / (s.include_ratio + 1)
        matrix = self.features[rows]
        # Inputs are built here and known to be finite: skipping sklearn's checks on every one
        # of the few hundred retrainings of a replay saves about a fifth of its time.
        columns = []
        with config_context(assume_finite=True, skip_parameter_validation=True):
            if s.model == "svm":
                model = LinearSVC(C=s.C, dual=True, max_iter=2000, random_state=self.seed)
            else:
                model = LogisticRegression(
                    C=s.C, solver="liblinear", dual=True, max_iter=500, random_state=self.seed
                )
            # The dual solver's cost grows with the training rows, not the vocabulary.
            model.fit(matrix, y, sample_weight=weight)
            columns.append((1.0, model.coef_.ravel()))
            if s.nb_weight:
                # Naive Bayes sees the same rows.
                nb = ComplementNB(alpha=s.nb_alpha)
                nb.fit(matrix, y, sample_weight=weight)
                # Terms no training row has carry no evidence; smoothing would give them a
                # weight.
                seen = np.bincount(matrix.indices, minlength=matrix.shape[1]) > 0
                nb_weights = np.where(seen, nb.feature_log_prob_[1] - nb.feature_log_prob_[0], 0.0)
                columns.append((s.nb_weight, nb_weights))
            early = (not s.svm_until_includes or labels.sum() < s.svm_until_includes) and (
                not s.svm_until_share or indices.size < s.svm_until_share * self.n
            )
            if s.svm_weight and early and 0 < labels.sum() < labels.size:
                # A strongly regularised SVM on the screened references only, includes
                # weighing svm_include_ratio times the excludes: close to "like the includes
                # found so far", the sharpest guide while few decisions exist.
                labelled = matrix[: indices.size]  # the screened rows come first
                pos, neg = labels.sum(), labels.size - labels.sum()
                w = np.where(labels == 1, s.svm_include_ratio / pos, 1 / neg)
                svm = LinearSVC(C=s.svm_C, dual=True, max_iter=2000, random_state=self.seed)
                svm.fit(labelled, labels, sample_weight=w * labels.size / (s.svm_include_ratio + 1))
                columns.append((s.svm_weight, svm.coef_.ravel()))
        # Each model's scores are put on one scale (divided by their spread over all
        # references) before adding, so the sum stays linear in the features. One product
        # per model: scipy's single-vector product is faster than its many-vector one (same
        # sums, in the same order).
        stacked = [w for _, w in columns]
        all_scores = np.column_stack([self.features @ w for w in stacked])
        spreads = all_scores.std(axis=0)
        spreads[spreads == 0] = 1.0
        mix = np.array([m for m, _ in columns])
        if len(columns) > 1 and s.nb_weight:
            # The logistic regression and naive Bayes pair is put on one scale before the
            # SVM is added (the tuned mix).
            pair = all_scores[:, :2] @ (mix[:2] / spreads[:2])
            pair_spread = float(pair.std()) or 1.0
            mix[:2] = mix[:2] / pair_spread
        coef = mix / spreads
        scores = all_scores @ coef
        # The summed weights only explain a score (top_terms); a simulation never asks, so
        # they are added up when first needed.
        self._weight_parts = (stacked, coef)
        self._weights = None
        self.intercept = 0.0
        self._scores = scores
        self.mode = "model"
        return self

    def _fit_criteria(self) -> None:
        """Cold start: weight the features by the criteria text's TF-IDF vector."""
        self.intercept = 0.0
        if self.vectorizer is None or not self.criteria_text.strip():
            self.weights = np.zeros(self.features.shape[1])
            self.mode = "none"
            return
        vector = self.vectorizer.transform([self.criteria_text])
        self.weights = np.zeros(self.features.shape[1])
        self.weights[: self.n_word_features] = vector.toarray().ravel()
        # A term with a trailing * (evaluat*) stands for every word that starts with it.
        prefixes = {p.lower() for p in re.findall(r"(\w{3,})\*", self.criteria_text)}
        if prefixes:
            words = self.terms.astype(str)
            single = np.char.find(words, " ") < 0
            for prefix in sorted(prefixes):
                hits = single & np.char.startswith(words, prefix)
                self.weights[hits] = np.maximum(self.weights[hits], self.weights.max() or 1.0)
        self.mode = "criteria" if self.weights.any() else "none"

    @property
    def weights(self) -> np.ndarray:
        """Weight of every feature in the score (``scores = features @ weights``)."""
        if self._weights is None:
            stacked, coef = self._weight_parts
            self._weights = np.column_stack(stacked) @ coef
        return self._weights

    @weights.setter
    def weights(self, value: np.ndarray) -> None:
        self._weights = value

    # -- using the model --------------------------------------------------------------------
    def scores(self) -> np.ndarray:
        """Score of every reference (higher: more likely included)."""
        if self._scores is None:
            self._scores = self.features @ self.weights + self.intercept
        return self._scores

    def order(self, candidates: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """``candidates`` (default: all) sorted best first; ties in a fixed, seeded order."""
        scores = self.scores()
        if candidates is None:
            candidates = np.arange(self.n)
        candidates = np.asarray(candidates, dtype=int)
        keys = np.lexsort((self._tiebreak[candidates], -scores[candidates]))
        return candidates[keys]

    def best(self, candidates: Sequence[int] | np.ndarray, k: int) -> np.ndarray:
        """The first ``k`` of ``order(candidates)``, without sorting the rest."""
        candidates = np.asarray(candidates, dtype=int)
        if k >= candidates.size:
            return self.order(candidates)
        negated = -self.scores()[candidates]
        # Every candidate scoring at least the k-th best score, in the same order as order().
        kth = np.partition(negated, k - 1)[k - 1]
        return self.order(candidates[negated <= kth])[:k]

    def top_terms(self, index: int, k: int = 5) -> list[str]:
        """The ``k`` terms that raised this reference's score most (weight x tf-idf > 0)."""
        row = self.features.getrow(index)
        if row.nnz == 0:
            return []
        contributions = row.data * self.weights[row.indices]
        # Character n-grams score too, but only words and word pairs explain.
        keep = (contributions > 0) & (row.indices < self.n_word_features)
        if not keep.any():
            return []
        idx = row.indices[keep]
        contributions = contributions[keep]
        # Sort by contribution, then by term so equal weights come out in a stable order.
        picked = sorted(zip(-contributions, self.terms[idx], strict=True))[:k]
        return [str(term) for _, term in picked]


# -- the workflow's entry point ---------------------------------------------------------------
_INCLUDE_WORDS = {"include", "included", "1", "true", "yes", "in"}
_EXCLUDE_WORDS = {"exclude", "excluded", "0", "false", "no", "out"}


def _decision_value(value: Any) -> int | None:
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer) and value in (0, 1):
        return int(value)
    text = str(value).strip().lower()
    if text in _INCLUDE_WORDS:
        return 1
    if text in _EXCLUDE_WORDS:
        return 0
    return None  # undecided, maybe, conflict: not something to learn from


def _decisions_mapping(decisions: Any) -> dict[str, int]:
    """reference_id -> 1/0 from a mapping or a table with reference_id and decision/included."""
    if decisions is None:
        return {}
    if isinstance(decisions, pd.DataFrame):
        column = next(
            (c for c in ("included", "label_included", "decision", "label") if c in decisions),
            None,
        )
        if "reference_id" not in decisions or column is None:
            raise ValueError(
                "decisions table needs a reference_id column and one of "
                "included/decision/label_included"
            )
        items: Iterable[tuple[Any, Any]] = zip(
            decisions["reference_id"], decisions[column], strict=True
        )
    elif isinstance(decisions, Mapping):
        items = decisions.items()
    else:
        raise TypeError("decisions must be a mapping or a DataFrame")
    result = {}
    for reference_id, value in items:
        label = _decision_value(value)
        if label is not None:
            result[str(reference_id)] = label
    return result


def fitted(
    references: pd.DataFrame,
    decisions: Any = None,
    *,
    criteria_text: str = "",
    seed: int = 0,
    settings: Settings | None = None,
) -> tuple[Ranker, list[str], np.ndarray]:
    """The ranker trained on ``decisions`` over ``references`` (see :func:`rank`), the
    references' ids in table order, and the positions of the unscreened ones."""
    for column in ("reference_id", "title"):
        if column not in references:
            raise ValueError(f"references table has no {column} column")
    ids = references["reference_id"].astype(str).tolist()
    texts = [
        record_text(t, a, k)
        for t, a, k in zip(
            references["title"],
            references["abstract"] if "abstract" in references else [""] * len(ids),
            references["keywords"] if "keywords" in references else [""] * len(ids),
            strict=True,
        )
    ]
    known = _decisions_mapping(decisions)
    position = {rid: i for i, rid in enumerate(ids)}
    screened = sorted(position[rid] for rid in known if rid in position)
    labels = [known[ids[i]] for i in screened]
    ranker = Ranker(texts, criteria_text=criteria_text, seed=seed, settings=settings)
    ranker.fit(screened, labels)
    unscreened = np.setdiff1d(np.arange(len(ids)), np.asarray(screened, dtype=int))
    return ranker, ids, unscreened


def rank(
    references: pd.DataFrame,
    decisions: Any = None,
    *,
    criteria_text: str = "",
    seed: int = 0,
    n_terms: int = 5,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Order the unscreened references by their chance of inclusion.

    ``references`` has ``reference_id``, ``title`` and ``abstract`` (``keywords`` is used when
    present). ``decisions`` maps reference_id to the title/abstract decision so far (include /
    exclude, 1/0, True/False), as a dict or a table with ``reference_id`` and ``decision`` or
    ``included``; other values (maybe, conflict) are not learnt from. Returns one row per
    unscreened reference: ``reference_id``, ``rank`` (1 = screen first), ``score`` (the model's
    score, rounded), ``top_terms`` (the terms that raised it, ``"; "``-joined) and ``basis``
    (``model``, ``similarity`` to the includes, ``criteria`` text, or ``none``: seeded order).
    """
    ranker, ids, unscreened = fitted(
        references, decisions, criteria_text=criteria_text, seed=seed, settings=settings
    )
    ordered = ranker.order(unscreened)
    scores = ranker.scores()
    return pd.DataFrame(
        {
            "reference_id": [ids[i] for i in ordered],
            "rank": np.arange(1, ordered.size + 1),
            "score": [round(float(scores[i]), 6) for i in ordered],
            "top_terms": ["; ".join(ranker.top_terms(i, n_terms)) for i in ordered],
            "basis": ranker.mode,
        }
    )


# -- criteria text ----------------------------------------------------------------------------
_CRITERIA_KEYS = re.compile(
    r"^(text|description|criterion|label|name|terms|key_?terms|keywords)(_[a-z]{2})?$"
)


def criteria_text_from(data: Any) -> str:
    """Text to rank on from a parsed ``criteria.yaml``: every criterion's text and terms.

    Only the ``criteria`` section is read when there is one (named exclusion reasons such as
    "duplicate" say nothing about relevance). Keeps the strings under keys such as ``label``,
    ``text``, ``description`` (also ``text_nl`` and other language variants) and everything
    under ``terms``/``key_terms``/``keywords`` (any nesting, e.g. per language); bare strings
    in lists count too; ids like ``C1`` are skipped. Terms keep a trailing ``*`` (prefix).
    """
    if isinstance(data, Mapping) and "criteria" in data:
        data = data["criteria"]
    found: list[str] = []

    def walk(node: Any, key: str | None, in_terms: bool) -> None:
        if isinstance(node, Mapping):
            for k, v in node.items():
                name = str(k).lower()
                walk(v, name, in_terms or name.endswith(("terms", "keywords")))
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item, key, in_terms)
        elif isinstance(node, str):
            wanted = in_terms or key is None or _CRITERIA_KEYS.match(key)
            if wanted and not re.fullmatch(r"[A-Z]\d+", node.strip()):
                found.append(node.strip())

    walk(data, None, False)
    return "\n".join(found)


def load_criteria_text(path: str | Path) -> str:
    """The criteria text of a ``criteria.yaml`` file (see :func:`criteria_text_from`)."""
    from slrflow import yamlfiles

    return criteria_text_from(yamlfiles.load(path))
