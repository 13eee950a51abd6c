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

from slrflow import settings
from slrflow.errors import ConfigError

POLICIES = ("merge", "link", "keep")
#: The defaults are the config schema's (``dedup:``), where each setting is described.
_DEFAULT = settings.defaults("dedup")


@dataclass(frozen=True)
class Options:
    """Dedup settings; see the module docstring for the policies."""

    #: title similarity (0-1) at which two records may be the same work without a shared DOI
    title_same: float = _DEFAULT["title_same"]
    #: title similarity from which a pair that no rule decides goes to the review queue
    title_review: float = _DEFAULT["title_review"]
    #: author similarity (0-1) needed besides the title
    authors_same: float = _DEFAULT["authors_same"]
    #: log2 odds (bits: the fields' weights learned in this review on top of the review's
    #: share of duplicates) from which a pair is the same work although a field not proved
    #: reliable disagrees or something is missing; 10 bits are odds of 1,000 to 1
    match_odds: float = _DEFAULT["match_odds"]
    conference_abstract: str = _DEFAULT["conference_abstract"]
    preprint: str = _DEFAULT["preprint"]
    cochrane_versions: str = _DEFAULT["cochrane_versions"]
    #: searches whose records were already deduplicated among themselves (never merged together)
    deduplicated_searches: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        # a number the config writes without a decimal point (10) is the same setting as 10.0
        for name in ("title_same", "title_review", "authors_same", "match_odds"):
            object.__setattr__(self, name, float(getattr(self, name)))
        for name in ("conference_abstract", "preprint", "cochrane_versions"):
            if getattr(self, name) not in POLICIES:
                raise ConfigError(
                    f"dedup option {name}: {getattr(self, name)!r} is not one of "
                    f"{', '.join(POLICIES)}"
                )
        for name in ("title_same", "title_review", "authors_same"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ConfigError(f"dedup option {name}: {value} is not between 0 and 1")

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> Options:
        """Options from a config mapping; unknown names are an error naming the known ones."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(
                f"unknown dedup option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        if "deduplicated_searches" in values:
            values["deduplicated_searches"] = tuple(values["deduplicated_searches"] or ())
        return cls(**values)
