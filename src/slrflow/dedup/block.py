"""Blocking: which pairs of records are worth comparing at all.

Comparing every record with every other grows with the square of the number of records. Each
record instead gets a few *blocking keys*; only records sharing a key are compared:

- its DOI, its PMID, and for Cochrane reviews the DOI without the version suffix;
- the first and the last 24 letters of its title (a typo at one end still leaves the other);
- first author's surname with the year, and with the year + 1 (online vs print year);
- year, volume and first page (finds translated or heavily abbreviated titles); for a record
  without a volume (proceedings) the year and first page, which pair a title with the same
  title and a subtitle when one record names no authors or other authors;
- for a record without a year (left blank, or not a year the export could give), the volume
  and first page alone, shared with the records of any year at that place: the keys above all
  hold the year, so without this an undated record meets only records with its title's first
  or last letters, never its translated or subtitled twin.

A block with more than ``max_block`` records (a generic title, a journal page shared by a
supplement) is not compared all-with-all: its records are sorted by title and each is compared
with its ``window`` nearest neighbours, so the number of pairs stays linear in the number of
records. A first author's surname with a year is a weaker key, and its blocks grow with the
review (at a million records most of them hold 13-40 records: 20 million pairs, against 6
million with the smaller limits), so it has its own, smaller ``max_author_block`` and
``author_window``; on the labelled duplicate sets these keep every true pair the larger limits
find.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from slrflow.dedup.prepare import Keys


def _all_blocking_keys(keys: Keys) -> tuple[list[str], list[int]]:
    """The blocking keys (the module docstring's list) of every record, built one field at a
    time: the keys and the record each belongs to."""
    names: list[str] = []
    owners: list[int] = []

    def add(found: list[tuple[str, int]]) -> None:
        names.extend(k for k, _ in found)
        owners.extend(i for _, i in found)

    add([("d:" + d, i) for i, d in enumerate(keys.doi) if d])
    add([("c:" + d, i) for i, d in enumerate(keys.doi_family) if d])
    add([("p:" + p, i) for i, p in enumerate(keys.pmid) if p])
    titles = [(t, i) for i, t in enumerate(keys.title_key) if len(t) >= 12]
    add([("t:" + t[:24], i) for t, i in titles])
    add([("e:" + t[-24:], i) for t, i in titles])
    firsts = [(s[0], i) for i, s in enumerate(keys.surnames) if s and s[0]]
    year = keys.year
    add([(f"a:{first}:{year[i]}", i) for first, i in firsts])
    add([(f"a:{first}:{year[i] + 1}", i) for first, i in firsts if year[i] is not None])
    volume, page = keys.volume, keys.page
    add([(f"v:{year[i]}:{v or '-'}:{page[i]}", i) for i, v in enumerate(volume) if page[i]])
    # the place without the year, only where an undated and a dated record share it: a place
    # key for every record would compare every two records at one volume and page across the
    # years, and two undated records already share the key above
    places = [(f"n:{v or '-'}:{page[i]}", i) for i, v in enumerate(volume) if page[i]]
    undated = {place for place, i in places if year[i] is None}
    shared = undated & {place for place, i in places if year[i] is not None}
    if shared:
        add([(place, i) for place, i in places if place in shared])
    return names, owners


def candidate_pairs(
    keys: Keys,
    *,
    max_block: int = 40,
    window: int = 8,
    max_author_block: int = 12,
    author_window: int = 4,
) -> np.ndarray:
    """Unique pairs ``(i, j)`` with ``i < j`` of records sharing a blocking key, as an
    ``(n, 2)`` integer array sorted by ``i`` then ``j``.

    ``max_block`` / ``window``: the largest block compared all-with-all, and how many neighbours
    in title order each record of a larger block is compared with; ``max_author_block`` /
    ``author_window``: the same for the first-author-and-year blocks.
    """
    n = len(keys)
    names, owners = _all_blocking_keys(keys)
    if not names:
        return np.empty((0, 2), dtype=np.int64)
    block, kinds = pd.factorize(pd.Series(names, dtype=object))
    by_author = pd.Series(kinds).str.startswith("a:").to_numpy()
    record = np.asarray(owners, dtype=np.int64)
    order = np.lexsort((record, block))  # by block, members in increasing order
    block, record = block[order], record[order]
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    sizes = np.diff(np.r_[starts, len(block)])
    author = by_author[block[starts]]
    limit = np.where(author, max_author_block, max_block)
    neighbours = np.where(author, author_window, window)
    codes: list[np.ndarray] = []
    # the blocks of one size as rows of a matrix: all their pairs at once
    small = (sizes >= 2) & (sizes <= limit)
    for size in np.unique(sizes[small]).tolist():
        first = starts[small & (sizes == size)]
        members = record[first[:, None] + np.arange(size)]
        x, y = np.triu_indices(size, k=1)
        codes.append((members[:, x] * n + members[:, y]).ravel())
    # a large block: each record with its nearest neighbours in title order (all such blocks
    # at once: their members sorted by block, then by the records' places in title order)
    large = np.repeat(sizes > limit, sizes)
    if large.any():
        by_title = np.argsort(np.asarray(keys.title_key, dtype=object), kind="stable")
        title_place = np.empty(n, dtype=np.int64)
        title_place[by_title] = np.arange(n)
        members, within = record[large], block[large]
        reach = np.repeat(neighbours, sizes)[large]
        ordered = np.lexsort((title_place[members], within))
        members, within, reach = members[ordered], within[ordered], reach[ordered]
        for step in range(1, int(reach.max()) + 1):
            x, y = members[:-step], members[step:]
            keep = (within[:-step] == within[step:]) & (reach[:-step] >= step)
            x, y = x[keep], y[keep]
            codes.append(np.minimum(x, y) * n + np.maximum(x, y))
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    # sorted, then each code once (quicker than np.unique's hashing on millions of pairs)
    every = np.sort(np.concatenate(codes))
    unique = every[np.r_[True, every[1:] != every[:-1]]]
    return np.stack([unique // n, unique % n], axis=1)
