"""Reports vs studies: which included reports describe which study/intervention.

PRISMA counts reports (manuscripts) and studies separately: several included reports can
describe one intervention (the review this was built for has 22 manuscripts on 21
interventions). Coding is per study; each study keeps the reports it rests on.

The link lives in the review folder, ``coding/studies.csv``: one row per report with
``intervention_id``, ``intervention`` (its name) and ``record_id`` (any record of the report's
reference; a reference_id is itself a record_id, so either works, and the link survives a
better deduplication). An included report that no row names becomes a study of its own (id =
its reference_id) and is listed as a warning, never dropped.

The included references come from the screening stage's ``results/screening/status.csv``
(:func:`read_included`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from slrflow import tables
from slrflow.coding import problems as P
from slrflow.records import LIST_SEPARATOR
from slrflow.sheets import read_sheet, validate_rows

#: Screening statuses that mean "included after full-text assessment".
INCLUDED_STATUSES = ("include", "included")
#: The stage whose inclusion makes a report eligible for coding.
FINAL_STAGE = "full_text"


@dataclass(frozen=True)
class Report:
    """An included report: its ``reference_id``, the ``record_ids`` of its records and what a
    coder needs to recognise it (``citation``, ``title``, ``abstract``)."""

    reference_id: str
    record_ids: tuple[str, ...]
    title: str = ""
    abstract: str = ""
    citation: str = ""
    doi: str = ""


@dataclass(frozen=True)
class Study:
    """A study/intervention to code: ``reports`` are reference_ids in the order of the
    studies table; ``linked`` is False for a report coded on its own for want of a row in
    ``coding/studies.csv``."""

    intervention_id: str
    intervention: str
    reports: tuple[str, ...]
    linked: bool = True


@dataclass
class Studies:
    """The studies to code and the included reports, with lookups between ids."""

    studies: list[Study]
    reports: dict[str, Report]
    record_to_reference: dict[str, str]

    def study(self, intervention_id: str) -> Study | None:
        return next((s for s in self.studies if s.intervention_id == intervention_id), None)

    def reference_of(self, any_id: str) -> str | None:
        """The reference holding this record_id (or reference_id); None if unknown."""
        return self.record_to_reference.get(any_id)


def citation(row: dict[str, str]) -> str:
    """``Author A; Author B; Author C et al. (2015). Title. Journal 6(4), 44-66. doi:...``."""
    authors = [a for a in (row.get("authors") or "").split(LIST_SEPARATOR) if a]
    names = LIST_SEPARATOR.join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    year = re.sub(r"^(\d{4})\.0$", r"\1", row.get("year") or "") or "n.d."  # "2018.0" -> 2018
    parts = [f"{names} ({year})." if names else f"({year}).", (row.get("title") or "").rstrip(".")]
    journal = row.get("journal") or ""
    if journal:
        volume = row.get("volume") or ""
        issue = row.get("issue") or ""
        pages = row.get("pages") or ""
        where = journal + (f" {volume}" if volume else "") + (f"({issue})" if issue else "")
        parts.append(where + (f", {pages}" if pages else ""))
    text = ". ".join(p for p in parts[1:] if p)
    text = f"{parts[0]} {text}." if text else parts[0]
    if row.get("doi"):
        text += f" doi:{row['doi']}"
    return text


def read_references(path: str | Path) -> pd.DataFrame:
    """``results/dedup/references.csv`` (reference_id, record_ids "; "-joined, title, ...)."""
    frame = tables.read_csv(path)
    if "reference_id" not in frame.columns:
        raise P.input_error(
            "no reference_id column; expected the dedup stage's references", file=path
        )
    return frame


def read_included(status_path: str | Path) -> list[str]:
    """Reference ids included at full text, from the screening stage's status table.

    Expected columns: ``reference_id``, ``stage`` and ``status``; a reference is included when
    its ``full_text`` row has status ``include`` (or ``included``). A table with one row per
    reference and a column per stage (``full_text``) is read the same way.
    """
    frame = tables.read_csv(status_path)
    if "reference_id" not in frame.columns:
        raise P.input_error(
            "no reference_id column in the screening status table", file=status_path
        )
    if {"stage", "status"} <= set(frame.columns):
        chosen = frame[(frame["stage"] == FINAL_STAGE) & frame["status"].isin(INCLUDED_STATUSES)]
    elif FINAL_STAGE in frame.columns:
        chosen = frame[frame[FINAL_STAGE].isin(INCLUDED_STATUSES)]
    else:
        raise P.input_error(
            f"expected columns reference_id, stage, status (or a {FINAL_STAGE} column); "
            f"found {', '.join(frame.columns)}",
            file=status_path,
        )
    return sorted(set(chosen["reference_id"]))


def _reports(references: pd.DataFrame, included: list[str]) -> tuple[dict, dict]:
    # Every reference's record ids (studies.csv may name any of them), but a whole row only for
    # the included ones: a large review has hundreds of thousands of references and few studies.
    ids = references["reference_id"].tolist()
    joined = references["record_ids"].tolist() if "record_ids" in references else [""] * len(ids)
    record_to_reference: dict[str, str] = {}
    where = {}
    for position, (ref, cell) in enumerate(zip(ids, joined, strict=True)):
        record_ids = [r for r in (cell or "").split(LIST_SEPARATOR) if r] or [ref]
        for record_id in [ref, *record_ids]:
            record_to_reference[record_id] = ref
        where[ref] = (position, tuple(record_ids))
    reports = {}
    for ref in included:
        if ref in where:
            position, record_ids = where[ref]
            row = references.iloc[position].to_dict()
        else:
            row, record_ids = {"reference_id": ref}, (ref,)
        reports[ref] = Report(
            reference_id=ref,
            record_ids=record_ids,
            title=row.get("title", ""),
            abstract=row.get("abstract", ""),
            citation=citation(row),
            doi=row.get("doi", ""),
        )
        record_to_reference.setdefault(ref, ref)
    return reports, record_to_reference


def link(
    references: pd.DataFrame,
    included: list[str],
    studies_file: str | Path | None,
) -> tuple[Studies, list[P.Problem]]:
    """Group the included reports into studies using the studies table (if it exists).

    Returns the studies (sorted by intervention_id) and the problems found: errors for a row
    naming an unknown record, a report that was not included, one id with two names; warnings
    for included reports that no row names (each becomes a study of its own).
    """
    reports, record_to_reference = _reports(references, included)
    problems: list[P.Problem] = []
    names: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    linked_refs: set[str] = set()
    if studies_file is not None and Path(studies_file).exists():
        file = str(studies_file)
        frame = read_sheet(studies_file)
        validate_rows(frame, "coding_studies", file=file)
        for index, row in enumerate(frame.to_dict(orient="records")):
            line = index + 2
            sid, name, record_id = row["intervention_id"], row["intervention"], row["record_id"]
            ref = record_to_reference.get(record_id)
            if ref is None:
                problems.append(
                    P.error(
                        f"record {record_id!r} is not a record of any reference; check the id "
                        "against results/dedup/references.csv",
                        file=file,
                        row=line,
                        field="record_id",
                        study=sid,
                    )
                )
                continue
            if ref not in reports:
                problems.append(
                    P.error(
                        f"report {record_id!r} (reference {ref}) was not included at full text; "
                        "remove the row or check its screening decisions",
                        file=file,
                        row=line,
                        field="record_id",
                        study=sid,
                    )
                )
                continue
            if names.setdefault(sid, name) != name:
                problems.append(
                    P.error(
                        f"intervention {sid!r} is named {names[sid]!r} in an earlier row and "
                        f"{name!r} here; use one name per intervention_id",
                        file=file,
                        row=line,
                        field="intervention",
                        study=sid,
                    )
                )
            refs = members.setdefault(sid, [])
            if ref not in refs:
                refs.append(ref)
            linked_refs.add(ref)
    studies = [Study(sid, names[sid], tuple(refs)) for sid, refs in members.items()]
    taken = {s.intervention_id for s in studies}
    for ref in sorted(set(reports) - linked_refs):
        report = reports[ref]
        sid = ref if ref not in taken else f"{ref}-report"
        studies.append(Study(sid, report.title or ref, (ref,), linked=False))
        if studies_file is not None:
            problems.append(
                P.warning(
                    f"included report {ref} is not linked to an intervention in the studies "
                    "table; it is coded as a study of its own (add a row to link it)",
                    file=str(studies_file),
                    study=sid,
                )
            )
    studies.sort(key=lambda s: s.intervention_id)
    return Studies(studies, reports, record_to_reference), problems
