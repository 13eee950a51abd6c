"""The ranker's fast TF-IDF, its partial ordering and the start-up a simulation pays.

The bulk word n-gram count must give scikit-learn's matrix bit for bit: the rankings of the
benchmark depend on it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import nbinom
from sklearn.feature_extraction.text import TfidfVectorizer

from slrflow.screening import counting
from slrflow.screening.features import AccentStripper, WordTfidf
from slrflow.screening.rank import Ranker, Settings, build_features
from slrflow.screening.simulate import load_dataset

# Accents, a ligature, full-width letters, a final sigma, a dotted capital I, a one-letter
# word, an empty record, repeats, digits and underscores.
TEXTS = [
    "Café résumé: the ﬁnal naïve ΣΟΦΙΑΣ test, x²y and İstanbul",
    "",
    "a b c",
    "ÉCOLE école Ecole ecole, straße STRASSE",
    "café café café résumé",
    "Ｆｕｌｌ ｗｉｄｔｈ words and the test",
    "snake_case and 2020 data; data data",
    "the final test of the naive cafe",
]
OPTIONS = {
    "sublinear_tf": True,
    "strip_accents": "unicode",
    "lowercase": True,
    "dtype": np.float64,
    "token_pattern": r"(?u)\b\w\w+\b",
}


def identical(a, b) -> bool:
    a, b = a.tocsr(), b.tocsr()
    return (
        type(a) is type(b)
        and a.shape == b.shape
        and a.indices.dtype == b.indices.dtype
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2), (1, 3)])
@pytest.mark.parametrize(("min_df", "max_df"), [(1, 1.0), (2, 1.0), (1, 0.5), (2, 0.95)])
def test_bulk_count_gives_scikit_learns_matrix_bit_for_bit(ngram_range, min_df, max_df):
    options = {**OPTIONS, "ngram_range": ngram_range, "min_df": min_df, "max_df": max_df}
    plain = TfidfVectorizer(**options)
    fast = WordTfidf(**options)
    assert identical(plain.fit_transform(TEXTS * 3), fast.fit_transform(TEXTS * 3))
    assert plain.vocabulary_ == fast.vocabulary_
    assert np.array_equal(plain.idf_, fast.idf_)
    query = ["naïve café test", "nothing known"]
    assert identical(plain.transform(query), fast.transform(query))


def test_bulk_count_by_hand():
    # Raw counts (no idf, no normalising): "b a b" has b twice, a, the pairs "b a", "a b";
    # "a c" has a, c, "a c". Terms are numbered in sorted order.
    fast = WordTfidf(ngram_range=(1, 2), token_pattern=r"\w+", use_idf=False, norm=None)
    counts = fast.fit_transform(["b a b", "a c"]).toarray()
    assert fast.vocabulary_ == {"a": 0, "a b": 1, "a c": 2, "b": 3, "b a": 4, "c": 5}
    assert counts.tolist() == [[1, 1, 0, 2, 1, 0], [1, 0, 1, 0, 0, 1]]


def test_nothing_to_count_is_the_same_error():
    for texts in (["", "!!"], ["a", "b"]):
        with pytest.raises(ValueError, match="empty vocabulary"):
            WordTfidf(**OPTIONS).fit_transform(texts)
    with pytest.raises(ValueError, match="no terms remain"):
        WordTfidf(**OPTIONS, min_df=2).fit_transform(["one two", "three four"])


def test_other_tokenising_falls_back_to_scikit_learns_count():
    options = {**OPTIONS, "analyzer": "char_wb", "ngram_range": (2, 3)}
    options.pop("token_pattern")
    assert identical(
        TfidfVectorizer(**options).fit_transform(TEXTS), WordTfidf(**options).fit_transform(TEXTS)
    )


def test_more_text_than_the_bulk_limit_is_counted_by_scikit_learn(monkeypatch):
    from slrflow.screening import features

    def refuse(*args, **kwargs):
        raise AssertionError("counted in bulk")

    monkeypatch.setattr(features, "_count_ngrams", refuse)
    monkeypatch.setattr(features, "MAX_BULK_CHARACTERS", sum(map(len, TEXTS)) - 1)
    options = {**OPTIONS, "ngram_range": (1, 2)}
    assert identical(
        TfidfVectorizer(**options).fit_transform(TEXTS), WordTfidf(**options).fit_transform(TEXTS)
    )
    monkeypatch.setattr(features, "MAX_BULK_CHARACTERS", sum(map(len, TEXTS)))
    with pytest.raises(AssertionError, match="counted in bulk"):
        WordTfidf(**options).fit_transform(TEXTS)


def test_accents_are_stripped_as_scikit_learn_strips_them():
    strip = AccentStripper()
    assert strip("Crème Brûlée, ﬁne") == "creme brulee, fine"
    assert strip("plain ascii") == "plain ascii"


def test_ranker_features_on_a_real_set_match_scikit_learn(shared_data: Path):
    path = shared_data / "screening" / "Donners_2021" / "Donners_2021.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    texts = load_dataset(path).texts
    _, features, terms = build_features(texts, Settings())
    plain = TfidfVectorizer(**OPTIONS, ngram_range=(1, 2), min_df=2, max_df=0.95)
    expected = plain.fit_transform(texts).tocsr()
    expected.sort_indices()
    assert identical(features, expected)
    assert list(terms) == list(plain.get_feature_names_out())


def test_best_is_the_head_of_the_full_order_even_with_ties():
    # Records 0-3 are the same text, so they tie; the seeded tie-break orders them.
    texts = ["alpha beta"] * 4 + ["gamma delta", "alpha gamma", "delta epsilon", "beta zeta"]
    ranker = Ranker(texts, seed=3).fit([4, 7], [1, 0])
    candidates = np.array([0, 1, 2, 3, 5, 6])
    full = ranker.order(candidates)
    for k in range(1, 8):
        assert ranker.best(candidates, k).tolist() == full[:k].tolist()


def test_negative_binomial_without_scipy_stats_has_the_same_values():
    k = np.array([[0.0], [3.0], [7.5], [40.0]])
    n = np.array([1.0, 2.0, 11.0, 60.0])
    p = np.array([0.01, 0.3, 0.9, 1.0])
    assert np.array_equal(counting._nbinom("sf", k, n, p), nbinom.sf(k, n, p))
    assert np.array_equal(counting._nbinom("cdf", k, n, p), nbinom.cdf(k, n, p))
    # Outside the support scipy.stats answers itself: P(X <= -1) = 0, P(X > -1) = 1.
    assert counting._nbinom("cdf", -1, 2, 0.5) == 0.0
    assert counting._nbinom("sf", -1, 2, 0.5) == 1.0


def test_the_screening_commands_and_a_simulation_import_only_what_they_need():
    # A simulation skips the other screening stages (their spreadsheets); those stages skip
    # scipy.stats (about a second), which only buscar's test needs.
    checks = {
        "slrflow.screening.simulation.command": "openpyxl",
        "slrflow.screening.command": "scipy.stats",
    }
    for module, heavy in checks.items():
        code = f"import sys, {module}; assert {heavy!r} not in sys.modules"
        subprocess.run([sys.executable, "-c", code], check=True)
