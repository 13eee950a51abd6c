"""The conflict sheet of a stage: every open conflict, ready to settle.

``results/screening/sheets/<stage>/resolutions.xlsx`` has one row per reference whose
reviewers disagree at that stage and that no resolution settles yet. Its first columns are the
resolution file's (``record_id``, ``stage`` filled in; ``decision``, ``criteria``,
``resolved_by``, ``date``, ``note`` to fill in, with dropdowns), then what the resolvers read:
``conflict`` (why), ``votes`` (each reviewer's answer), ``title``, ``authors``, ``year``,
``journal``, ``abstract``, ``doi``. Saved into the review folder as
``screening/resolutions.xlsx`` (or ``resolutions-<stage>.xlsx``) it is read as it stands: rows
left without a decision stay open conflicts. Same input, same bytes.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from slrflow.screening import DECISIONS
from slrflow.screening.criteria import Criteria
from slrflow.screening.decisions import RESOLUTION_COLUMNS
from slrflow.screening.policy import Policy
from slrflow.screening.sheets import _INPUT_FILL, _MAX_CELL, add_criteria_sheet, highlight
from slrflow.xlsx import HEADER_FILL, HEADER_FONT, WRAP, cell_text, save

#: What the resolvers read beside the columns they fill in.
READ_COLUMNS = ("conflict", "votes", "title", "authors", "year", "journal", "abstract", "doi")
SHEET_COLUMNS = (*RESOLUTION_COLUMNS, *READ_COLUMNS)
_WIDTHS = {
    "record_id": 22, "stage": 14, "decision": 12, "criteria": 12, "resolved_by": 16,
    "date": 12, "note": 24, "conflict": 26, "votes": 34, "title": 50, "authors": 25,
    "year": 6, "journal": 22, "abstract": 80, "doi": 22,
}  # fmt: skip


def settled_decisions(stage: str, policy: Policy) -> tuple[str, ...]:
    """The decisions a resolution may settle on at ``stage`` (maybe only where it passes)."""
    return tuple(d for d in DECISIONS[stage] if d != "maybe" or policy.maybe_passes(stage))


def build_resolution_sheet(
    conflicts: list[dict], *, stage: str, policy: Policy, criteria: Criteria
) -> Workbook:
    """The workbook for one stage; ``conflicts`` are rows of status.csv joined with the
    reference's fields (title, authors...), in the order to show."""
    wb = Workbook()
    wb.properties.creator = "slrflow"
    wb.properties.title = f"Conflicts {stage}"
    ws = wb.active
    ws.title = "Conflicts"
    filled = ("decision", "criteria", "resolved_by", "date", "note")
    for col, name in enumerate(SHEET_COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = HEADER_FONT
        cell.fill = _INPUT_FILL if name in filled else HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS[name]
    pattern = criteria.term_pattern()
    for r, row in enumerate(conflicts, start=2):
        values = {"record_id": row["reference_id"], "stage": stage}
        values |= {c: row.get(c, "") for c in READ_COLUMNS}
        for col, name in enumerate(SHEET_COLUMNS, start=1):
            if name in ("title", "abstract"):
                value = highlight(str(values[name] or "")[:_MAX_CELL], pattern)
            elif name in values:
                value = cell_text(str(values[name]))
            else:
                value = None
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            if name in ("title", "abstract", "authors", "votes", "conflict"):
                cell.alignment = WRAP
            if name == "date":
                cell.number_format = "yyyy-mm-dd"
    last = max(2, len(conflicts) + 1)
    allowed = settled_decisions(stage, policy)
    resolvers = policy.resolvers or policy.reviewers
    checks = {
        "decision": DataValidation(
            type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True,
            showErrorMessage=True, errorTitle="Decision",
            error=f"Choose one of: {', '.join(allowed)}",
        ),
        "criteria": DataValidation(
            type="list", formula1=f"Criteria!$A$2:$A${len(criteria.for_stage(stage)) + 1}",
            allow_blank=True, showErrorMessage=True, errorStyle="warning",
            errorTitle="Criteria",
            error="Use ids from the Criteria sheet; join several with ';' (e.g. C2; C4).",
        ),
        "resolved_by": DataValidation(
            type="list", formula1='"' + ",".join(resolvers) + '"', allow_blank=True,
            showErrorMessage=True, errorStyle="warning", errorTitle="Resolved by",
            error="Names from config screening.resolution.resolvers; several joined by ';'.",
        ),
        "date": DataValidation(
            type="date", operator="greaterThan", formula1="36526", allow_blank=True,
            showErrorMessage=True, errorStyle="warning", errorTitle="Date",
            error="Enter the date of the settlement, e.g. 2026-03-14",
        ),
    }  # fmt: skip
    for name, validation in checks.items():
        column = get_column_letter(SHEET_COLUMNS.index(name) + 1)
        ws.add_data_validation(validation)
        validation.add(f"{column}2:{column}{last}")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(SHEET_COLUMNS))}{last}"
    add_criteria_sheet(wb, criteria.for_stage(stage))
    about = wb.create_sheet("Instructions")
    lines = [
        f"Conflicts at stage {stage}: {len(conflicts)} reference(s) whose reviewers disagree"
        " (columns conflict and votes), not yet settled.",
        f"decision: the settled decision ({', '.join(allowed)}). criteria: for exclude or"
        " not_retrieved, the ids of the failed criteria or the reason (Criteria sheet).",
        f"resolved_by: who settled it ({', '.join(resolvers)}; several joined by ';' for a"
        " consensus meeting). date: YYYY-MM-DD. note: how it was settled.",
        "Leave a row's decision empty to settle it later. Do not rename or delete the columns.",
        "Save the file in the review folder as screening/resolutions.xlsx (when that name is"
        f" taken: screening/resolutions-{stage}.xlsx, or another new name starting with"
        " 'resolutions') and run the workflow again. Never save over an earlier resolution"
        " file: its settlements would be lost.",
    ]
    for r, line in enumerate(lines, start=1):
        about.cell(row=r, column=1, value=line).data_type = "s"
    about.column_dimensions["A"].width = 120
    return wb


def write_resolution_sheet(
    path: str | Path, conflicts: list[dict], *, stage: str, policy: Policy, criteria: Criteria
) -> None:
    """Write the conflict sheet of one stage (same input, same bytes)."""
    save(build_resolution_sheet(conflicts, stage=stage, policy=policy, criteria=criteria), path)
