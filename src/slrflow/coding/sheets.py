"""The coding sheet: one .xlsx per coder for the included studies.

Layout, chosen so that a coder can work through one study at a time:

- ``Read me``: what to do, in a few lines.
- ``Studies``: one row per included report: study id and name, the worksheet to code it in,
  the report's citation and abstract.
- one worksheet per study: one row per question, in codebook order. A multi-choice dimension
  has a row per code (answer yes/no); a single-choice dimension one row (answer = a code from the
  dropdown); text and number dimensions one row. Columns: ``intervention_id``, ``dimension``,
  ``code``, ``question``, then the coder's columns ``answer``, ``quote``, ``page``, ``report``
  (dropdown of the study's reports), ``note``, then ``suggestion`` (key terms found in the report;
  a hint, not an answer) and ``definition``.
- ``Codebook``: every dimension and code with its definition and key terms.
- ``Lists`` (hidden): the dropdowns' values.

Filled in, the workbook is a coding file as it stands (:mod:`.read`). Cells that would start a
formula are written as text (:func:`slrflow.xlsx.cell_text`), and the file's bytes depend on its
content only (:func:`slrflow.xlsx.save`).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from slrflow.coding import suggest as S
from slrflow.coding.codebook import Codebook
from slrflow.coding.read import Answer
from slrflow.coding.studies import Studies
from slrflow.xlsx import HEADER_FILL, HEADER_FONT, LINK_FONT, WRAP, cell_text, save

COLUMNS = [
    "intervention_id",
    "dimension",
    "code",
    "question",
    "answer",
    "quote",
    "page",
    "report",
    "note",
    "suggestion",
    "definition",
]
INPUT_COLUMNS = ("answer", "quote", "page", "report", "note")
_WIDTHS = {
    "intervention_id": 14,
    "dimension": 18,
    "code": 18,
    "question": 44,
    "answer": 22,
    "quote": 50,
    "page": 8,
    "report": 22,
    "note": 24,
    "suggestion": 60,
    "definition": 50,
}
_INPUT_FILL = PatternFill("solid", fgColor="FFF9DB")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


def sheet_names(studies: Studies) -> dict[str, str]:
    """intervention_id -> worksheet name (Excel allows 31 characters, no []:*?/\\')."""
    names: dict[str, str] = {}
    used = {"read me", "studies", "codebook", "lists"}
    for number, study in enumerate(studies.studies, start=1):
        name = _BAD_SHEET_CHARS.sub("_", study.intervention_id)[:31]
        if name.lower() in used:
            name = f"{number:03d} {name}"[:31]
        used.add(name.lower())
        names[study.intervention_id] = name
    return names


def _header(sheet, columns: list[str], widths: dict[str, float]) -> None:
    sheet.append(columns)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column, 16)
    sheet.freeze_panes = "A2"


def _append(sheet, *values: object) -> None:
    """Append one row of cells, each written as :func:`slrflow.xlsx.cell_text`."""
    sheet.append([cell_text(v) for v in values])


def _list_range(lists, column: int, values: list[str]) -> str:
    """Write ``values`` into column ``column`` of the Lists sheet; return the range formula."""
    for row, value in enumerate(values, start=1):
        lists.cell(row=row, column=column, value=cell_text(value))
    letter = get_column_letter(column)
    return f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${max(len(values), 1)}"


def _read_me(sheet, coder: str, codebook: Codebook) -> None:
    lines = [
        f"Coding sheet for {coder} (codebook {codebook.name} version {codebook.version}).",
        "Code each study on its own worksheet (see the Studies sheet for citations and abstracts).",
        "answer: multi-choice rows yes/no per code; single-choice rows one code from the "
        "dropdown; text rows free text; number rows a number. Leave a row blank if not coded.",
        "quote: the sentence(s) of the report the answer rests on; page: where it is "
        "(a page number, or 'abstract'). A quote needs a page.",
        "report: which of the study's reports the quote is from (needed when it has several).",
        "suggestion: key terms of the codebook found in the report; a hint only, never an answer.",
        f"Save the filled workbook as coding/{coder}.xlsx in the review folder.",
    ]
    sheet.column_dimensions["A"].width = 120
    for line in lines:
        sheet.append([line])


def build(
    studies: Studies,
    codebook: Codebook,
    *,
    coder: str,
    suggestions=None,
    previous: list[Answer] | None = None,
) -> Workbook:
    """The coding workbook for ``coder``; ``previous`` answers (their current coding file)
    are filled in so that a regenerated sheet keeps their work."""
    hints = S.by_code(suggestions) if suggestions is not None else {}
    done: dict[tuple[str, str, str], Answer] = {}
    for a in previous or []:
        dimension = codebook.dimension(a.dimension)
        key = (a.intervention_id, a.dimension, a.code if dimension.type == "multi" else "")
        done.setdefault(key, a)
    names = sheet_names(studies)

    workbook = Workbook()
    readme = workbook.active
    readme.title = "Read me"
    _read_me(readme, coder, codebook)

    overview = workbook.create_sheet("Studies")
    columns = [
        "intervention_id",
        "intervention",
        "worksheet",
        "reference_id",
        "citation",
        "abstract",
    ]
    _header(overview, columns, {"intervention": 30, "citation": 60, "abstract": 100})
    for study in studies.studies:
        for ref in study.reports:
            report = studies.reports[ref]
            _append(
                overview,
                study.intervention_id,
                study.intervention,
                names[study.intervention_id],
                ref,
                report.citation,
                report.abstract,
            )
    for row in overview.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
        link = row[2]  # the worksheet column: one click to the study's worksheet
        target = f"{quote_sheetname(str(link.value).lstrip(chr(39)))}!A1"
        link.hyperlink = Hyperlink(ref=link.coordinate, location=target)
        link.font = LINK_FONT

    lists = workbook.create_sheet("Lists")
    lists.sheet_state = "hidden"
    next_column = 1
    yes_no = _list_range(lists, next_column, ["yes", "no"])
    next_column += 1
    single_ranges = {}
    for dimension in codebook.dimensions:
        if dimension.type == "single":
            single_ranges[dimension.id] = _list_range(lists, next_column, list(dimension.code_ids))
            next_column += 1

    for study in studies.studies:
        sid = study.intervention_id
        sheet = workbook.create_sheet(names[sid])
        _header(sheet, COLUMNS, _WIDTHS)
        report_range = _list_range(lists, next_column, list(study.reports))
        next_column += 1
        validations = {
            "yes_no": DataValidation(type="list", formula1=yes_no, allow_blank=True),
            "report": DataValidation(type="list", formula1=report_range, allow_blank=True),
            "number": DataValidation(
                type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            ),
        }
        for dim_id, formula in single_ranges.items():
            validations[dim_id] = DataValidation(type="list", formula1=formula, allow_blank=True)
        for validation in validations.values():
            validation.showErrorMessage = True
            validation.errorTitle = "Not in the codebook"
            validation.error = "Choose a value from the list (see the Codebook sheet)."
            sheet.add_data_validation(validation)
        row_number = 1
        for dimension in codebook.dimensions:
            questions = (
                [(c.id, f"{dimension.label}: {c.label}", c.definition) for c in dimension.codes]
                if dimension.type == "multi"
                else [("", dimension.label, _options(dimension))]
            )
            for code, question, definition in questions:
                row_number += 1
                a = done.get((sid, dimension.id, code))
                if dimension.type == "multi":
                    hint = S.describe(hints.get((sid, dimension.id, code), []))
                elif dimension.type == "single":
                    hint = "\n".join(
                        f"{c.id}: " + S.describe(hints[(sid, dimension.id, c.id)], limit=1)
                        for c in dimension.codes
                        if (sid, dimension.id, c.id) in hints
                    )
                else:
                    hint = ""
                answer = ""
                if a is not None:
                    answer = a.code if dimension.type == "single" else a.value
                    if dimension.type == "number":
                        answer = float(answer) if "." in answer else int(answer)
                values = {
                    "intervention_id": sid,
                    "dimension": dimension.id,
                    "code": code,
                    "question": question,
                    "answer": answer,
                    "quote": a.quote if a else "",
                    "page": a.page if a else "",
                    "report": a.report if a and len(study.reports) > 1 else "",
                    "note": a.note if a else "",
                    "suggestion": hint,
                    "definition": definition,
                }
                _append(sheet, *(values[c] for c in COLUMNS))
                for index, column in enumerate(COLUMNS, start=1):
                    cell = sheet.cell(row=row_number, column=index)
                    cell.alignment = WRAP
                    if column in INPUT_COLUMNS:
                        cell.fill = _INPUT_FILL
                answer_cell = f"{get_column_letter(COLUMNS.index('answer') + 1)}{row_number}"
                key = {"multi": "yes_no", "single": dimension.id, "number": "number"}
                if dimension.type in key:
                    validations[key[dimension.type]].add(answer_cell)
                report_cell = f"{get_column_letter(COLUMNS.index('report') + 1)}{row_number}"
                validations["report"].add(report_cell)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{row_number}"

    legend = workbook.create_sheet("Codebook")
    columns = ["dimension", "group", "type", "code", "label", "definition", "terms_en", "terms_nl"]
    _header(legend, columns, {"label": 40, "definition": 70, "terms_en": 40, "terms_nl": 40})
    for dimension in codebook.dimensions:
        _append(
            legend,
            dimension.id,
            dimension.group,
            dimension.type,
            "",
            dimension.label,
            dimension.definition,
            "",
            "",
        )
        legend.cell(row=legend.max_row, column=5).font = HEADER_FONT
        for code in dimension.codes:
            _append(
                legend,
                dimension.id,
                dimension.group,
                dimension.type,
                code.id,
                code.label,
                code.definition,
                "; ".join(code.terms_en),
                "; ".join(code.terms_nl),
            )
    # Lists last, hidden, so the coder's tabs stay in reading order.
    workbook.move_sheet("Lists", offset=len(workbook.sheetnames) - 1 - workbook.index(lists))
    return workbook


def _options(dimension) -> str:
    if dimension.type == "single":
        return (
            dimension.definition + "\n" + "; ".join(f"{c.id} = {c.label}" for c in dimension.codes)
        )
    return dimension.definition


def write(
    path: str | Path,
    studies: Studies,
    codebook: Codebook,
    *,
    coder: str,
    suggestions=None,
    previous: list[Answer] | None = None,
) -> None:
    """Build the coder's workbook and save it byte-stably at ``path``."""
    workbook = build(studies, codebook, coder=coder, suggestions=suggestions, previous=previous)
    save(workbook, path)
