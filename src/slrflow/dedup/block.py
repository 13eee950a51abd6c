"""Blocking: which pairs of records are worth comparing at all.

Comparing every record with every other grows with the square of the number of records. Each
record instead gets a few *blocking keys*; only records sharing a key are compared:

- its DOI, its PMID, and for Cochrane reviews the DOI without the version suffix;
- the first and the last 24 letters of its title (a typo at one end still leaves the other);
- first author's surname with the year, and with the year + 1 (online vs print year);
- year, volume and first page (finds translated or heavily abbreviated titles).

A block with more than ``max_block`` records (a common surname in a big year, a generic title)
is not compared all-with-all: its records are sorted by title and each is compared with its
``window`` nearest neighbours, so the number of pairs stays linear in the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np

from slrflow.dedup.prepare import Keys


def blocking_keys(keys: Keys, i: int) -> list[str]:
    """The blocking keys of record ``i``."""
    out = []
    if keys.doi[i]:
        out.append("d:" + keys.doi[i])
    if keys.doi_family[i]:
        out.append("c:" + keys.doi_family[i])
    if keys.pmid[i]:
        out.append("p:" + keys.pmid[i])
    title = keys.title_key[i]
    if len(title) >= 12:
        out.append("t:" + title[:24])
        out.append("e:" + title[-24:])
    year = keys.year[i]
    if keys.surnames[i] and keys.surnames[i][0]:
        first = keys.surnames[i][0]
        out.append(f"a:{first}:{year}")
        if year is not None:
            out.append(f"a:{first}:{year + 1}")
    if keys.volume[i] and keys.page[i]:
        out.append(f"v:{year}:{keys.volume[i]}:{keys.page[i]}")
    return out


def candidate_pairs(keys: Keys, *, max_block: int = 40, window: int = 8) -> np.ndarray:
    """Unique pairs ``(i, j)`` with ``i < j`` of records sharing a blocking key, as an
    ``(n, 2)`` integer array sorted by ``i`` then ``j``."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        for key in blocking_keys(keys, i):
            blocks[key].append(i)
    n = len(keys)
    codes: list[int] = []
    add = codes.append
    for members in blocks.values():
        size = len(members)
        if size < 2:
            continue
        if size <= max_block:
            for x, y in combinations(members, 2):  # members are in increasing order
                add(x * n + y)
        else:
            order = sorted(members, key=lambda m: (keys.title_key[m], m))
            for step in range(1, window + 1):
                for x, y in zip(order, order[step:], strict=False):
                    add(min(x, y) * n + max(x, y))
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    unique = np.unique(np.asarray(codes, dtype=np.int64))
    return np.stack([unique // n, unique % n], axis=1)
