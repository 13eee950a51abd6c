"""Clustering: records into references without chaining different works together.

Pairwise verdicts are not transitive: A may look like B and B like C while A and C are two
different works (a conference abstract, its journal article and that article's erratum). So
clusters are grown by *complete linkage*: two clusters are joined only when every record of one
is ``same`` as every record of the other. A link on a shared identifier (DOI, PMID) is the one
exception: it tolerates an undecided (``maybe``) pair between the clusters, never a
``different`` one. Pairs that blocking never compared are compared on
demand. The strongest links (highest score) are tried first, so an ambiguous record joins the
cluster it matches best.

A person's verdicts come first: ``same`` pairs are joined whatever the rules say, ``different``
pairs (and records of one already-deduplicated search) are never in one cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from slrflow.dedup.compare import Comparison

#: rules that matched on a shared identifier (DOI, PMID, Cochrane review number)
IDENTIFIER_RULES = frozenset({"doi", "pmid", "doi_only", "pmid_only", "cochrane_version"})
#: clusters bigger than this are not grown further by rules (a person can still join them)
MAX_CLUSTER = 200


@dataclass
class Clustering:
    """``label[i]`` is the cluster (its smallest position) of record ``i``; ``links`` holds the
    applied edges ``(i, j, rule, score)`` that built each cluster."""

    label: list[int]
    links: list[tuple[int, int, str, float]] = field(default_factory=list)
    refused: list[tuple[int, int, str]] = field(default_factory=list)


def cluster(
    n: int,
    edges: Iterable[Comparison],
    verdict_of: Callable[[int, int], Comparison],
    *,
    person_same: Iterable[tuple[int, int]] = (),
    cannot_link: Callable[[int, int], bool] = lambda i, j: False,
) -> Clustering:
    """Group ``n`` records. ``edges`` are the ``same`` comparisons; ``verdict_of(i, j)``
    compares any other pair on demand (it is cached by the caller); ``cannot_link(i, j)`` (with
    ``i < j``) is true for pairs that may never share a cluster."""
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    root = list(range(n))
    person = {(min(a, b), max(a, b)) for a, b in person_same}
    result = Clustering(label=root)

    def join(a: int, b: int) -> None:
        ra, rb = root[a], root[b]
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        for m in members[gone]:
            root[m] = keep
        members[keep].extend(members.pop(gone))

    def allowed(a: int, b: int, *, by_person: bool, strong: bool = False) -> str:
        ma, mb = members[root[a]], members[root[b]]
        for x in ma:
            for y in mb:
                if cannot_link(min(x, y), max(x, y)):
                    return "a person or a deduplicated search says different"
        if by_person:
            return ""
        if len(ma) + len(mb) > MAX_CLUSTER:
            return f"cluster would exceed {MAX_CLUSTER} records"
        for x in ma:
            for y in mb:
                pair = (min(x, y), max(x, y))
                if pair in person:
                    continue
                verdict = verdict_of(*pair).verdict
                # an identifier link tolerates an undecided pair, never a "different" one
                if verdict == "different" or (verdict != "same" and not strong):
                    return f"{pair[0]}~{pair[1]} not the same"  # run.py reads "not the same"
        return ""

    for a, b in sorted(person):
        if root[a] == root[b]:
            continue
        reason = allowed(a, b, by_person=True)
        if reason:
            result.refused.append((a, b, reason))
            continue
        join(a, b)
        result.links.append((a, b, "person", 1.0))
    # Identifier links first: they are the surest, and a cluster they build is not blocked by a
    # weaker record that happened to join one of its members earlier.
    ordered = sorted(edges, key=lambda e: (e.rule not in IDENTIFIER_RULES, -e.score, e.i, e.j))
    for edge in ordered:
        if root[edge.i] == root[edge.j]:
            continue
        reason = allowed(edge.i, edge.j, by_person=False, strong=edge.rule in IDENTIFIER_RULES)
        if reason:
            result.refused.append((edge.i, edge.j, reason))
            continue
        join(edge.i, edge.j)
        result.links.append((edge.i, edge.j, edge.rule, edge.score))
    return result
