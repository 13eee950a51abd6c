"""TF-IDF of word n-grams, counted in bulk: the same matrix as scikit-learn's, built faster.

scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfVectorizer` joins every word pair
of every record into a string and looks it up in a dictionary one at a time; for a search of a
few thousand records that is most of a simulation's time. :class:`WordTfidf` is that vectoriser
with only the counting step replaced: each record is lower-cased, stripped of accents and split
into words exactly as scikit-learn does, but the word n-grams are then numbered with array
operations, and only those in enough records to survive ``min_df`` are ever spelt out as
strings. Everything after the counting (``min_df``/``max_df``, sorting the terms, the TF-IDF
weighting and normalisation) is scikit-learn's own, and the counts and term numbers it is given
are the ones its own counting gives, so the matrix and vocabulary are identical, bit for bit
(checked in the tests against the plain vectoriser).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import chain
from numbers import Integral

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

# scikit-learn's default word pattern, and one that finds the same words faster: a maximal run
# of two or more word characters starts and ends at a word boundary, and any other match would
# need a boundary inside a run.
_SAME_TOKENS = {r"(?u)\b\w\w+\b": re.compile(r"\w\w+").findall}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class AccentStripper:
    """Lower-case text stripped of accents, as scikit-learn's ``strip_accents="unicode"``.

    Decomposing (NFKD) and dropping combining marks acts on each character alone (the only
    reordering NFKD does is among combining marks, which are all dropped), so the result is a
    character-by-character translation, done here on each run of non-ASCII characters, each
    distinct run worked out once.
    """

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def _strip(self, match: re.Match) -> str:
        found = match.group()
        stripped = self._seen.get(found)
        if stripped is None:
            decomposed = unicodedata.normalize("NFKD", found)
            stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
            self._seen[found] = stripped
        return stripped

    def __call__(self, text: str) -> str:
        text = text.lower()
        return text if text.isascii() else _NON_ASCII.sub(self._strip, text)


#: The most characters counted in bulk. The bulk count holds every word and word pair of every
#: record at once (about 28 bytes per character of text: 3.2 GB for a review of 64k references);
#: scikit-learn's own count goes record by record and needs memory for the vocabulary only. A
#: simulation's search (a few thousand records, under 10M characters) is counted in bulk; a
#: large review's references by scikit-learn.
MAX_BULK_CHARACTERS = 32_000_000


class WordTfidf(TfidfVectorizer):
    """:class:`~sklearn.feature_extraction.text.TfidfVectorizer` with a bulk word n-gram count.

    The fast count is used when fitting word n-grams with the default tokenising (a
    ``token_pattern``, no custom preprocessor, tokenizer or stop words) on up to
    :data:`MAX_BULK_CHARACTERS` characters of text; anything else falls back to scikit-learn's
    own counting.
    """

    def _count_vocab(self, raw_documents: Iterable[str], fixed_vocab: bool):
        plain = (
            self.analyzer == "word"
            and self.preprocessor is None
            and self.tokenizer is None
            and self.stop_words is None
            and self.input == "content"
        )
        if fixed_vocab or not plain:
            return super()._count_vocab(raw_documents, fixed_vocab)
        documents = list(raw_documents)
        if sum(map(len, documents)) > MAX_BULK_CHARACTERS:
            return super()._count_vocab(documents, fixed_vocab)
        if self.lowercase and self.strip_accents == "unicode":
            prepare = AccentStripper()
        else:
            prepare = self.build_preprocessor()
        tokenize = _SAME_TOKENS.get(self.token_pattern) or self.build_tokenizer()
        words = [tokenize(prepare(self.decode(doc))) for doc in documents]
        n_docs = len(documents)
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_docs
        vocabulary, counts = _count_ngrams(words, self.ngram_range, low=low, dtype=self.dtype)
        return vocabulary, _same_sparse_kind(counts)


def _same_sparse_kind(matrix: sparse.csr_array):
    """The sparse type scikit-learn's own counting returns (matrix or array, by its config)."""
    from sklearn.utils._sparse import _align_api_if_sparse

    return _align_api_if_sparse(matrix)


def _count_ngrams(
    words: list[list[str]], ngram_range: tuple[int, int], *, low: float, dtype
) -> tuple[dict[str, int], sparse.csr_array]:
    """(term -> column, records x terms counts) for the word n-grams of ``words``.

    Columns are numbered in the order scikit-learn numbers them (first occurrence, reading
    each record's words, then its word pairs, ...), restricted to the terms found in at least
    ``low`` records (the rest would be pruned by ``min_df`` anyway, and numbering the kept
    ones in the same order leaves the pruned result unchanged).
    """
    n_docs = len(words)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=n_docs)
    flat = list(chain.from_iterable(words))
    word_codes, uniques = pd.factorize(np.array(flat, dtype=object))
    word_codes = word_codes.astype(np.int64)
    n_words = max(len(uniques), 1)
    doc_of_token = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    token_start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    min_n, max_n = ngram_range
    keys, docs, starts, sizes = [], [], [], []
    # n-grams of size n per record (scikit-learn makes them only for records of n+ words)
    per_doc = []
    offset = 0
    gram = word_codes
    for n in range(1, max_n + 1):
        if n > 1:
            # An n-gram is an (n-1)-gram followed by a word of the same record; its key is
            # unique to that sequence of words (renumbered past pairs to stay small).
            same = doc_of_token[n - 1 :] == doc_of_token[: doc_of_token.size - n + 1]
            gram = gram[: same.size]
            if n > 2:
                gram = pd.factorize(gram)[0].astype(np.int64)
            gram = np.where(same, gram * n_words + word_codes[n - 1 :], -1)
        if n < min_n:
            continue
        valid = np.flatnonzero(gram >= 0)
        keys.append(gram[valid] + offset)
        offset += int(gram.max(initial=-1)) + 1
        docs.append(doc_of_token[valid])
        starts.append(valid)
        sizes.append(np.full(valid.size, n, dtype=np.int64))
        per_doc.append(np.maximum(lengths - n + 1, 0))
    key = np.concatenate(keys)
    if not key.size:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    # scikit-learn reads a record's words, then its pairs, ...: each record's n-grams of each
    # size in turn, in text order. Where each one falls in that reading:
    per_doc = np.column_stack(per_doc)
    doc_start = np.concatenate([[0], np.cumsum(per_doc.sum(axis=1))[:-1]])
    size_start = doc_start[:, None] + np.cumsum(per_doc, axis=1) - per_doc
    reading = np.concatenate(
        [
            size_start[d, j] + (s - token_start[d])
            for j, (d, s) in enumerate(zip(docs, starts, strict=True))
        ]
    )
    stream = np.empty_like(reading)
    stream[reading] = np.arange(reading.size)
    column, _ = pd.factorize(key[stream])
    entries = np.bincount(np.concatenate(docs), minlength=n_docs)
    indptr = np.concatenate([[0], np.cumsum(entries)])
    index_dtype = np.int32 if max(indptr[-1], column.size) <= np.iinfo(np.int32).max else np.int64
    counts = sparse.csr_array(
        (np.ones(column.size, dtype=dtype), column.astype(index_dtype), indptr.astype(index_dtype)),
        shape=(n_docs, int(column.max()) + 1),
    )
    # Repeats of a term in a record add up; indices come out sorted within each record.
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = df >= low
    if not kept.any():
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    if not kept.all():
        counts = counts[:, np.flatnonzero(kept)]
    # Each kept term spelt out once, from its first occurrence (where the numbering rises).
    first = np.flatnonzero(np.diff(np.maximum.accumulate(column), prepend=-1) > 0)
    first = stream[first[kept]]
    start = np.concatenate(starts)[first].tolist()
    size = np.concatenate(sizes)[first].tolist()
    vocabulary = {
        " ".join(flat[s : s + k]): i for i, (s, k) in enumerate(zip(start, size, strict=True))
    }
    return vocabulary, counts
