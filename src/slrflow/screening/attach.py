"""Attach decisions to references: record id (or DOI) -> the reference holding it this run.

The dedup stage's ``clusters.csv`` maps every record to its reference; a reference's id is the
record id of one of its members, so a decision may name either. A DOI names a reference when
exactly one reference holds records with that DOI.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from slrflow.records import normalise_doi


@dataclass
class ReferenceIndex:
    """Lookup from record ids and DOIs to reference ids."""

    reference_of: dict[str, str]
    members: dict[str, list[str]]
    by_doi: dict[str, set[str]]

    @classmethod
    def build(
        cls,
        clusters: pd.DataFrame,
        *,
        records: pd.DataFrame | None = None,
        references: pd.DataFrame | None = None,
    ) -> ReferenceIndex:
        reference_of = dict(zip(clusters["record_id"], clusters["reference_id"], strict=True))
        members: dict[str, list[str]] = defaultdict(list)
        for record_id, reference_id in reference_of.items():
            members[reference_id].append(record_id)
        by_doi: dict[str, set[str]] = defaultdict(set)
        for frame, id_column in ((records, "record_id"), (references, "reference_id")):
            if frame is None or "doi" not in frame.columns:
                continue
            for rid, doi in zip(frame[id_column], frame["doi"], strict=True):
                ref = reference_of.get(rid) if id_column == "record_id" else rid
                key = normalise_doi(doi)
                if key and ref:
                    by_doi[key].add(ref)
        return cls(reference_of, dict(members), dict(by_doi))

    def lookup(self, record_id: str) -> str | None:
        """The reference holding ``record_id`` (a record id or a reference id), or None."""
        return self.reference_of.get(record_id)

    def lookup_doi(self, doi: str) -> set[str]:
        """The references holding records with this DOI (empty when none)."""
        key = normalise_doi(doi)
        return self.by_doi.get(key, set()) if key else set()
