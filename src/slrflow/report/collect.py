"""Gather the workflow's outputs into what the audit report shows.

Every table is read from the results folder as the stages wrote it. A stage whose outputs are
absent (not built for this review) leaves its section empty, and the page says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from slrflow.tables import read_csv

#: Tables the report reads, by name -> path below the results folder.
TABLES = {
    "searches": "ingest/report.csv",
    "ingest_warnings": "ingest/warnings.csv",
    "records": "ingest/records.csv",
    "references": "dedup/references.csv",
    "clusters": "dedup/clusters.csv",
    "evidence": "dedup/evidence.csv",
    "field_weights": "dedup/field_weights.csv",
    "pairs_to_review": "dedup/pairs_to_review.csv",
    "related": "dedup/related.csv",
    "dedup_counts": "dedup/counts.csv",
    "overlap": "dedup/overlap.csv",
    "screening_log": "screening/log.csv",
    "status": "screening/status.csv",
    "conflicts": "screening/conflicts.csv",
    "agreement": "screening/agreement.csv",
    "progress": "screening/progress.csv",
    # The numbers the PRISMA diagram draws (studies from the coding, update rounds split).
    "prisma_counts": "figures/prisma_counts.csv",
    "stopping": "screening/stopping.csv",
    "coded_long": "coding/coded_long.csv",
    "coding_agreement": "coding/agreement.csv",
    "coding_disagreements": "coding/disagreements.csv",
    "coding_validation": "coding/validation.csv",
    "toolkit_slo": "toolkit/slo_interventions.csv",
    "toolkit_database": "toolkit/database_interventions.csv",
    # What changed since the frozen version (only a review with one has them).
    "changes_version": "changes/version.csv",
    "changes_references": "changes/references.csv",
    "changes_studies": "changes/studies.csv",
    "changes_toolkit": "changes/toolkit.csv",
    "changes_counts": "changes/counts.csv",
}

#: Figures the report shows when present, by name -> path below the results folder.
FIGURES = {
    "prisma": "figures/prisma.svg",
    "overlap": "dedup/overlap.svg",
}

_RECORD_FIELDS = ("record_id", "search_id", "source_file", "source_line", "format")
#: How a table is read when the report needs only some of its columns (the record table of a
#: large review is gigabytes, mostly fields the report shows from the references instead).
_READ = {"records": {"usecols": lambda column: column in _RECORD_FIELDS}}


@dataclass
class Trail:
    """Everything the review knows about one reference, for its permanent anchor."""

    reference_id: str
    title: str = ""
    authors: str = ""
    year: str = ""
    journal: str = ""
    doi: str = ""
    abstract: str = ""
    records: list[dict] = field(default_factory=list)
    decisions: list[dict] = field(default_factory=list)
    status: list[dict] = field(default_factory=list)
    codes: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"ref-{self.reference_id}"

    def values(self, key: str, rows: str = "decisions") -> list[str]:
        """Distinct non-empty values of ``key`` in the trail's decisions (or other rows)."""
        found = []
        for row in getattr(self, rows):
            for value in str(row.get(key, "")).replace(",", ";").split(";"):
                value = value.strip()
                if value and value not in found:
                    found.append(value)
        return found

    @property
    def final_status(self) -> str:
        """Where the reference stands: the last stage it reached and its status there."""
        reached = [s for s in self.status if s.get("status") not in ("", "not_reached")]
        if not reached:
            return ""
        last = reached[-1]
        criteria = f" ({last['criteria']})" if last.get("criteria") else ""
        return f"{last.get('stage', '')}: {last['status']}{criteria}"


class Trails:
    """The trails of a run's references, in the order of ``references.csv``, each built when it
    is reached: a review of a million records could not hold them all at once."""

    def __init__(self, build: Callable[[], Iterator[Trail]], count: int) -> None:
        self._build, self._count = build, count

    def __iter__(self) -> Iterator[Trail]:
        return self._build()

    def __len__(self) -> int:
        return self._count


@dataclass
class ReportData:
    """The tables of one run, and one :class:`Trail` per reference (a list, or :class:`Trails`
    made as they are read)."""

    tables: dict[str, pd.DataFrame]
    figures: dict[str, Path]
    trails: Sequence[Trail] | Trails

    def table(self, name: str) -> pd.DataFrame:
        return self.tables.get(name, pd.DataFrame())

    def has(self, name: str) -> bool:
        return name in self.tables


class _Grouped:
    """A table's rows grouped by the value of ``key``; a group's rows become dicts only when
    asked for (a dict per row of every table at once is what a large review cannot afford)."""

    def __init__(self, frame: pd.DataFrame, key: str) -> None:
        self.columns = [str(c) for c in frame.columns]
        self.values = [frame[c].to_numpy(dtype=object) for c in frame.columns]
        self.positions: dict[str, list[int]] = defaultdict(list)
        if key in frame.columns:
            for i, value in enumerate(frame[key].to_numpy(dtype=object)):
                self.positions[value].append(i)

    def get(self, value: str, default: list[dict] | None = None) -> list[dict]:
        if value not in self.positions:
            return list(default or [])
        return [
            dict(zip(self.columns, (column[i] for column in self.values), strict=True))
            for i in self.positions[value]
        ]


def _with_reference(
    frame: pd.DataFrame | None, column: str, reference_of: dict[str, str]
) -> pd.DataFrame:
    """``frame`` with a ``reference_id`` column: the reference holding the record in ``column``."""
    if frame is None or column not in frame.columns:
        return pd.DataFrame()
    frame = frame.copy()
    frame["reference_id"] = frame[column].map(lambda r: reference_of.get(r, r))
    return frame


def final_codes(coded: pd.DataFrame | None) -> pd.DataFrame | None:
    """The final coding (consensus, or what the coders agreed on) of ``coded_long``."""
    if coded is None or "coder" not in coded.columns:
        return coded
    final = coded[coded["coder"] == "final"]
    return final if len(final) else coded


def collect(results: str | Path, *, built: Iterable[str | Path] | None = None) -> ReportData:
    """Read every output present under ``results`` and build the trails.

    ``built`` lists the files this run of the workflow made; a file under ``results`` not among
    them (left by an earlier setting, such as an inventory since removed) is not shown.
    """
    results = Path(results)
    made = None if built is None else {Path(p).resolve() for p in built}

    def present(path: Path) -> bool:
        return path.is_file() and (made is None or path.resolve() in made)

    tables = {
        name: read_csv(results / path, **_READ.get(name, {}))
        for name, path in TABLES.items()
        if present(results / path)
    }
    figures = {name: results / p for name, p in FIGURES.items() if present(results / p)}
    records = tables.get("records", pd.DataFrame(columns=_RECORD_FIELDS))
    clusters = tables.get("clusters")
    if clusters is None:  # no dedup: every record is its own reference
        clusters = pd.DataFrame(
            {"record_id": records["record_id"], "reference_id": records["record_id"]}
        )
    references = tables.get("references")
    if references is None:
        references = records.rename(columns={"record_id": "reference_id"})
    record_rows = _Grouped(records, "record_id")
    members = _Grouped(clusters, "reference_id")
    decisions = _Grouped(tables.get("screening_log", pd.DataFrame()), "reference_id")
    status = _Grouped(tables.get("status", pd.DataFrame()), "reference_id")
    reference_of = dict(zip(clusters["record_id"], clusters["reference_id"], strict=True))
    evidence = _Grouped(
        _with_reference(tables.get("evidence"), "record_id_a", reference_of), "reference_id"
    )
    codes = _Grouped(
        _with_reference(final_codes(tables.get("coded_long")), "report", reference_of),
        "reference_id",
    )
    del reference_of

    def build() -> Iterator[Trail]:
        columns = [str(c) for c in references.columns]
        values = [references[c].to_numpy(dtype=object) for c in references.columns]
        for row in zip(*values, strict=True):
            ref = dict(zip(columns, row, strict=True))
            rid = ref["reference_id"]
            trail = Trail(
                reference_id=rid,
                **{k: str(ref.get(k, "")) for k in ("title", "authors", "year", "journal", "doi")},
                abstract=str(ref.get("abstract", "")),
            )
            for member in members.get(rid, [{"record_id": rid}]):
                found = record_rows.get(member["record_id"])
                record = found[0] if found else {}
                trail.records.append(
                    {
                        **{k: record.get(k, "") for k in _RECORD_FIELDS},
                        "record_id": member["record_id"],
                        "rule": member.get("rule", ""),
                        "score": member.get("score", ""),
                    }
                )
            trail.decisions = decisions.get(rid)
            trail.status = status.get(rid)
            trail.codes = codes.get(rid)
            trail.evidence = evidence.get(rid)
            yield trail

    return ReportData(tables=tables, figures=figures, trails=Trails(build, len(references)))
