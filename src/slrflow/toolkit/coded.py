"""The coded interventions as the toolkits read them (the coding stage's long table).

``results/coding/coded_long.csv`` has one row per intervention, dimension and code (or text
value), for the final coding (the consensus where coders disagreed). The columns read here:

``intervention_id``
    the intervention (study) the row codes; several reports can describe one intervention.
``intervention``
    its name (or ``intervention_name``).
``dimension``
    the codebook dimension (``we_cognitive``, ``design``, ``target_group`` ...).
``code``
    the code id for single/multi dimensions.
``value``
    the text or number for text/number dimensions; for a code row, ``no``/``0``/``absent``
    means the coder answered "not present" and the row is skipped.
``report_ids`` (or ``reports``, ``report_id``, ``report``, ``reference_id``)
    the report(s) the row rests on, ``; ``-joined.
``coder``
    when present and some rows are ``final`` (the coding stage's final coding), only those
    are read; otherwise rows whose coder is ``consensus`` win over single coders' rows for the
    same intervention and dimension.

The wide table (``coded_wide.csv``, optional) adds every report of each study (its
``reports`` column, from the review's studies table) and the studies not yet coded, so that
none is left out of a toolkit.

:func:`read` returns one :class:`Intervention` per intervention, in the table's first-seen order
sorted by name, so the toolkit rows have a stable order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from slrflow import tables
from slrflow.errors import InputError

_ID = ("intervention_id", "study_id", "intervention")
_NAME = ("intervention_name", "intervention", "name", "intervention_id")
_REPORT = ("report_ids", "reports", "report_id", "report", "reference_ids", "reference_id")
_ABSENT = {"no", "0", "false", "absent", "n"}
_FINAL = {"consensus", "final"}


class CodedError(InputError):
    """A coded table the toolkit cannot read; the message names the file, row and field."""


@dataclass
class Intervention:
    """One coded intervention: ``values`` maps a dimension id to its code ids (single/multi
    dimensions) or texts (text/number dimensions), in coding order; ``reports`` lists the
    report (reference) ids it rests on."""

    intervention_id: str
    name: str
    values: dict[str, list[str]] = field(default_factory=dict)
    reports: list[str] = field(default_factory=list)

    def get(self, dimension: str) -> list[str]:
        return self.values.get(dimension, [])


def _add_reports(item: Intervention, text: str) -> None:
    """Add the ``;``-separated report ids of ``text`` that ``item`` does not list yet."""
    for report in text.split(";"):
        if report.strip() and report.strip() not in item.reports:
            item.reports.append(report.strip())


def _first(columns: list[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in columns), None)


def from_frame(frame: pd.DataFrame, *, file: str = "coded table") -> list[Intervention]:
    """Interventions from the long table (see the module's description of the columns)."""
    columns = list(frame.columns)
    id_col, name_col = _first(columns, _ID), _first(columns, _NAME)
    report_col = _first(columns, _REPORT)
    if id_col is None or "dimension" not in columns:
        raise CodedError(
            f"{file}: expected columns intervention_id, intervention, dimension, code, value, "
            f"report_ids; found {', '.join(columns)}"
        )
    code_col = "code" if "code" in columns else None
    value_col = next((c for c in ("value", "text") if c in columns), None)
    # Row numbers as a spreadsheet shows them (header = 1), kept when rows are left out below.
    rows = list(enumerate(frame.fillna("").astype(str).to_dict(orient="records"), start=2))
    final_dims: set[tuple[str, str]] = set()
    if "coder" in columns and any(r["coder"].strip().lower() == "final" for _, r in rows):
        rows = [(n, r) for n, r in rows if r["coder"].strip().lower() == "final"]
    elif "coder" in columns:
        final_dims = {
            (r[id_col], r["dimension"]) for _, r in rows if r["coder"].strip().lower() in _FINAL
        }
    found: dict[str, Intervention] = {}
    for number, row in rows:
        iid = row[id_col].strip()
        if not iid:
            raise CodedError(f"{file}, row {number}, field {id_col}: empty intervention id")
        item = found.setdefault(iid, Intervention(iid, row[name_col].strip() if name_col else iid))
        if name_col and row[name_col].strip() and item.name == iid:
            item.name = row[name_col].strip()
        if report_col:
            _add_reports(item, row[report_col])
        dimension = row["dimension"].strip()
        if not dimension:
            continue
        coder = row.get("coder", "").strip().lower()
        if (iid, dimension) in final_dims and coder not in _FINAL:
            continue  # the consensus settles this dimension
        code = row[code_col].strip() if code_col else ""
        value = row[value_col].strip() if value_col else ""
        if code:
            if value.lower() in _ABSENT:
                continue
            entry = code
        else:
            entry = value
        if not entry:
            continue
        values = item.values.setdefault(dimension, [])
        if entry not in values:
            values.append(entry)
    return sorted(found.values(), key=lambda i: (i.name.casefold(), i.intervention_id))


def add_wide(interventions: list[Intervention], wide: pd.DataFrame) -> list[Intervention]:
    """Add the reports of each study and the studies not yet coded from ``coded_wide.csv``."""
    found = {i.intervention_id: i for i in interventions}
    for row in wide.fillna("").astype(str).to_dict(orient="records"):
        iid = row.get("intervention_id", "").strip()
        if not iid:
            continue
        item = found.setdefault(iid, Intervention(iid, row.get("intervention", "") or iid))
        _add_reports(item, row.get("reports", ""))
    return sorted(found.values(), key=lambda i: (i.name.casefold(), i.intervention_id))


def read(path: str | Path, *, wide: str | Path | None = None) -> list[Intervention]:
    """Read ``coded_long.csv`` (and, when given, ``coded_wide.csv``)."""
    path = Path(path)
    if not path.is_file():
        raise CodedError(f"{path}: coded table not found; run the coding stage first")
    items = from_frame(tables.read_csv(path), file=str(path))
    if wide is not None:
        items = add_wide(items, tables.read_csv(wide))
    return items
