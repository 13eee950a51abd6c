"""Screening sheets: one .xlsx per reviewer and stage with the references still to judge.

The first sheet ("Screening") has the decision file's columns first (``record_id``,
``decision``, ``criteria``, ``note``, ``date``) with dropdowns, then what the reviewer reads:
``priority``, ``rank_terms`` (the terms that ranked it there), ``title``, ``authors``,
``year``, ``journal``, ``abstract``, ``doi`` (linked to doi.org). Key terms of the criteria
are highlighted in titles and abstracts. The second sheet ("Criteria") gives each criterion
and reason allowed at the stage in full; the third ("Instructions") says how to return the
sheet. Saved into ``<review>/screening/<stage>/`` as ``<reviewer>-<batch>.xlsx`` (a new
batch name each time, never over an earlier file) the filled sheet is a decision file as it
stands. Text from exports is untrusted: cells that would start a formula are neutralised and
every text cell is stored as text. Same input, same bytes (fixed workbook timestamps).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from slrflow.screening import DECISIONS
from slrflow.screening.criteria import Criteria
from slrflow.screening.decisions import DECISION_COLUMNS, INFO_COLUMNS
from slrflow.xlsx import HEADER_FILL, HEADER_FONT, LINK_FONT, WRAP, cell_text, save

#: Columns of the "Screening" sheet: the decision file's, then those shown to the reader.
SHEET_COLUMNS = (*DECISION_COLUMNS, *INFO_COLUMNS)
_WIDTHS = {
    "record_id": 22, "decision": 12, "criteria": 12, "note": 24, "date": 12, "priority": 8,
    "rank_terms": 20,
    "title": 50, "authors": 25, "year": 6, "journal": 22, "abstract": 90, "doi": 22,
}  # fmt: skip
_MAX_CELL = 32000  # a cell holds at most 32,767 characters
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HIGHLIGHT = InlineFont(b=True, color="9C0006")


def highlight(text: str, pattern: re.Pattern[str] | None) -> str | CellRichText:
    """``text`` with every key-term match in bold red (rich text), or plain when none match."""
    text = cell_text(text or "")
    if not isinstance(text, str) or pattern is None or not text:
        return text
    parts: list[str | TextBlock] = []
    last = 0
    for match in pattern.finditer(text):
        if match.start() > last:
            parts.append(text[last : match.start()])
        parts.append(TextBlock(_HIGHLIGHT, match.group(0)))
        last = match.end()
    if not any(isinstance(p, TextBlock) for p in parts):
        return text
    if last < len(text):
        parts.append(text[last:])
    return CellRichText(parts)


def _doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def build_sheet(
    references: list[dict],
    *,
    stage: str,
    reviewer: str,
    criteria: Criteria,
    later: int = 0,
) -> Workbook:
    """The workbook for one reviewer and stage; ``references`` are rows of references.csv in
    the order to screen, each with its ``priority`` (1 = first); ``later``: how many more wait
    beyond them (said on the Instructions sheet)."""
    wb = Workbook()
    wb.properties.creator = "slrflow"
    wb.properties.title = f"Screening {stage} {reviewer}"
    ws = wb.active
    ws.title = "Screening"
    for col, name in enumerate(SHEET_COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = HEADER_FONT
        cell.fill = _INPUT_FILL if col <= 5 else HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS[name]
    pattern = criteria.term_pattern()
    for r, ref in enumerate(references, start=2):
        values = {
            "record_id": ref["reference_id"],
            "priority": ref.get("priority", r - 1),
            "rank_terms": ref.get("rank_terms", ""),
            "authors": ref.get("authors", ""),
            "year": ref.get("year", ""),
            "journal": ref.get("journal", ""),
            "doi": ref.get("doi", ""),
        }
        for col, name in enumerate(SHEET_COLUMNS, start=1):
            if name in ("title", "abstract"):
                value = highlight(str(ref.get(name, "") or "")[:_MAX_CELL], pattern)
            elif name in values:
                value = cell_text(str(values[name]) if name != "priority" else values[name])
            else:
                value = None
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            if name in ("title", "abstract", "authors", "journal"):
                cell.alignment = WRAP
            if name == "date":
                cell.number_format = "yyyy-mm-dd"
            if name == "doi" and values["doi"]:
                cell.hyperlink = _doi_url(str(values["doi"]))
                cell.font = LINK_FONT
    last = max(2, len(references) + 1)
    decisions = DataValidation(
        type="list",
        formula1='"' + ",".join(DECISIONS[stage]) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Decision",
        error=f"Choose one of: {', '.join(DECISIONS[stage])}",
        promptTitle="Decision",
        prompt=", ".join(DECISIONS[stage]),
    )
    allowed = criteria.for_stage(stage)
    reasons = DataValidation(
        type="list",
        formula1=f"Criteria!$A$2:$A${len(allowed) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # several ids ("C2; C4") are allowed, so only warn
        errorTitle="Criteria",
        error="Use ids from the Criteria sheet; join several with ';' (e.g. C2; C4).",
        promptTitle="Criteria",
        prompt="For exclude / not_retrieved: the failed criteria or reason, e.g. C2; C4",
    )
    dates = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",  # 2000-01-01 as a spreadsheet serial date
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="Date",
        error="Enter the date of the decision, e.g. 2026-03-14",
    )
    for validation, column in ((decisions, "B"), (reasons, "C"), (dates, "E")):
        ws.add_data_validation(validation)
        validation.add(f"{column}2:{column}{last}")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(SHEET_COLUMNS))}{last}"

    add_criteria_sheet(wb, allowed)
    about = wb.create_sheet("Instructions")
    lines = [
        f"Screening sheet for {reviewer}, stage {stage}: {len(references)} reference(s) to judge,"
        " in priority order."
        + (
            f" {later} more wait for you: they come in the next sheet, made when you run the"
            " workflow again with your decisions."
            if later
            else ""
        ),
        f"decision: {', '.join(DECISIONS[stage])}. criteria: for exclude or not_retrieved, the"
        " ids of the failed criteria or the reason (Criteria sheet), several joined by ';'.",
        "note: free text. date: the day of the decision (YYYY-MM-DD).",
        "Leave a row's decision empty to judge it later. Do not rename or delete the columns;"
        " their order does not matter.",
        f"Save the file in the review folder as screening/{stage}/{reviewer}-<batch>.xlsx, with"
        f" a batch name not used before (e.g. {reviewer}-1.xlsx, then {reviewer}-2.xlsx), and"
        " run the workflow again.",
        "Never save over an earlier decision file: its decisions would be lost (the workflow"
        " stops and lists them when that happens).",
        "Key terms of the criteria are shown in bold red in titles and abstracts.",
    ]
    for r, line in enumerate(lines, start=1):
        about.cell(row=r, column=1, value=line).data_type = "s"
    about.column_dimensions["A"].width = 120
    return wb


def add_criteria_sheet(wb: Workbook, allowed: list) -> None:
    """The "Criteria" sheet: each criterion and reason allowed, in full (the criteria
    dropdown lists its first column)."""
    crit = wb.create_sheet("Criteria")
    header = ("id", "kind", "label", "text", "label_nl", "text_nl", "key terms")
    for col, name in enumerate(header, start=1):
        crit.cell(row=1, column=col, value=name).font = HEADER_FONT
    for r, c in enumerate(allowed, start=2):
        terms = "; ".join(f"{lang}: {', '.join(words)}" for lang, words in c.terms.items())
        row = (c.id, c.kind, c.label, c.text, c.label_nl, c.text_nl, terms)
        for col, value in enumerate(row, start=1):
            cell = crit.cell(row=r, column=col, value=cell_text(value))
            cell.data_type = "s"
            cell.alignment = WRAP
    for col, width in enumerate((12, 10, 30, 60, 30, 60, 60), start=1):
        crit.column_dimensions[get_column_letter(col)].width = width
    crit.freeze_panes = "A2"


def write_sheet(
    path: str | Path,
    references: list[dict],
    *,
    stage: str,
    reviewer: str,
    criteria: Criteria,
    later: int = 0,
) -> None:
    """Write the screening sheet for one reviewer and stage (same input, same bytes);
    ``later``: how many more references wait for this reviewer beyond the sheet."""
    sheet = build_sheet(references, stage=stage, reviewer=reviewer, criteria=criteria, later=later)
    save(sheet, path)
