"""Settings of the dedup stage: thresholds and the policy for related versions of one work.

The same names are used in ``config/config.yaml`` under ``dedup:`` and on the command line.

Policies (``merge``, ``link`` or ``keep``) say what to do with two records that describe the same
work in two forms:

``conference_abstract``
    A conference abstract/paper and the journal article that later reported the same study.
``preprint``
    A preprint (arXiv, bioRxiv, medRxiv, SSRN, Research Square...) and its published version.
``cochrane_versions``
    Two versions of one Cochrane review (``10.1002/14651858.CD001234.pub2`` and ``.pub3``).

``merge`` puts them in one reference; ``link`` keeps two references and lists the pair in
``links.csv``; ``keep`` treats them as unrelated references.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

POLICIES = ("merge", "link", "keep")


@dataclass(frozen=True)
class Options:
    """Dedup settings; see the module docstring for the policies."""

    #: title similarity (0-1) at which two records may be the same work without a shared DOI
    title_same: float = 0.93
    #: title similarity from which a pair that no rule decides goes to the review queue
    title_review: float = 0.85
    #: author similarity (0-1) needed besides the title
    authors_same: float = 0.75
    #: match weight (bits, the sum of the fields' weights learned in this review) from which
    #: a matching pair stays the same work although a field not proved reliable disagrees
    match_weight: float = 30.0
    conference_abstract: str = "keep"
    preprint: str = "keep"
    cochrane_versions: str = "merge"
    #: searches whose records were already deduplicated among themselves (never merged together)
    deduplicated_searches: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("conference_abstract", "preprint", "cochrane_versions"):
            if getattr(self, name) not in POLICIES:
                raise ValueError(
                    f"dedup option {name}: {getattr(self, name)!r} is not one of "
                    f"{', '.join(POLICIES)}"
                )
        for name in ("title_same", "title_review", "authors_same"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"dedup option {name}: {value} is not between 0 and 1")

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> Options:
        """Options from a config mapping; unknown names are an error naming the known ones."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown dedup option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        if "deduplicated_searches" in values:
            values["deduplicated_searches"] = tuple(values["deduplicated_searches"] or ())
        return cls(**values)
