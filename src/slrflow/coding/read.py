"""Reading filled coding files back and validating them against the codebook.

A coding file is ``<review>/coding/<coder>.csv`` or ``.xlsx`` (the coder's name is the file
name); ``coding/consensus.csv|xlsx`` is read the same way and settles disagreements. Columns
(see ``schemas/coding_sheet.schema.json``): ``intervention_id``, ``dimension``, ``code``,
``answer``, ``quote``, ``page``, ``report``, ``note``; other columns (labels, suggestions) are
ignored. In an .xlsx every worksheet whose first row has these columns is read, so the sheet
that ``slrflow code-sheets`` writes (one worksheet per intervention) is a coding file as it
stands.

What an answer means per dimension type:

- ``multi``: one row per code with ``answer`` yes or no (blank = not answered). Shorthand:
  leave ``code`` empty and put the code id in ``answer`` to mean "yes".
- ``single``: ``answer`` is the code id.
- ``text``: ``answer`` is the text; several rows are kept as several answers.
- ``number``: ``answer`` is a number.

A row with neither answer nor quote is an unanswered template row and is skipped. Every problem
names file, row and field (:mod:`.problems`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from slrflow import tables
from slrflow.coding import CONSENSUS, RESERVED_STEMS
from slrflow.coding import problems as P
from slrflow.coding.codebook import Codebook
from slrflow.coding.inputs import sheet_files
from slrflow.coding.studies import Studies
from slrflow.limits import LimitError
from slrflow.sheets import SheetError, read_sheet, unread_format
from slrflow.workbooks import WorkbookError, open_workbook, sheet_rows

REQUIRED = ("intervention_id", "dimension", "answer")
OPTIONAL = ("code", "quote", "page", "report", "note")
YES = ("yes", "y", "1", "true", "x", "ja", "j")
NO = ("no", "n", "0", "false", "nee")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Answer:
    """One coder's answer. ``code`` is the code id (single/multi; "" for text/number);
    ``value`` is ``yes``/``no`` for a multi-choice code, ``yes`` for the chosen single code,
    the text or number otherwise. ``report`` is the reference_id the quote is from."""

    coder: str
    intervention_id: str
    dimension: str
    code: str
    value: str
    quote: str = ""
    page: str = ""
    report: str = ""
    note: str = ""
    file: str = ""
    row: str = ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return tables.restore(str(value).strip())


def _rows(path: Path) -> tuple[list[tuple[str, dict[str, str]]], list[P.Problem]]:
    """(row label, row) for every data row; problems for sheets missing required columns."""
    file = str(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            # Formulas are read as their text, never evaluated: a cell typed as "=..." arrives
            # as that text instead of vanishing (openpyxl-saved files have no cached values).
            workbook = open_workbook(path, data_only=False)
            rows, seen_sheet = [], False
            for sheet in workbook.worksheets:
                values = sheet_rows(sheet, name=file)
                header = [_text(v) for v in next(values, (0, ()))[1]]
                if not {"intervention_id", "dimension"} <= set(header):
                    continue
                seen_sheet = True
                if "answer" not in header:
                    return [], [
                        P.error(f"worksheet {sheet.title!r} has no answer column", file=file)
                    ]
                for number, raw in values:
                    row = {h: _text(v) for h, v in zip(header, raw, strict=False) if h}
                    if any(row.values()):
                        rows.append((f"'{sheet.title}'!{number}", row))
            workbook.close()
        except (WorkbookError, LimitError) as exc:
            return [], [P.error(exc.message, file=file)]
        if not seen_sheet:
            return [], [
                P.error(
                    "no worksheet has the columns intervention_id, dimension, answer; start "
                    "from the sheet that `slrflow code-sheets` writes",
                    file=file,
                )
            ]
        return rows, []
    try:
        frame = read_sheet(path)
    except (SheetError, LimitError) as exc:
        message = "; ".join(exc.problems) if isinstance(exc, SheetError) else exc.message
        return [], [P.error(message, file=file)]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        return [], [
            P.error(
                f"missing column(s) {', '.join(missing)}; found {', '.join(frame.columns)}. "
                f"Columns: {', '.join(REQUIRED + OPTIONAL)}",
                file=file,
            )
        ]
    rows = []
    for index, row in enumerate(frame.to_dict(orient="records")):
        row = {k: tables.restore(v) for k, v in row.items()}
        if any(row.values()):
            rows.append((str(index + 2), row))
    return rows, []


def _study_id(raw: str, studies: Studies) -> tuple[str | None, str]:
    """The study this id names (an intervention_id, or a record of a study's only report)."""
    if studies.study(raw):
        return raw, ""
    ref = studies.reference_of(raw)
    if ref is not None and ref in studies.reports:
        owners = [s.intervention_id for s in studies.studies if ref in s.reports]
        if len(owners) == 1:
            return owners[0], ""
        return None, f"report {raw!r} belongs to {len(owners)} studies; use the intervention_id"
    if ref is not None:
        return None, (
            f"{raw!r} is a record of reference {ref}, which was not included at full text; a "
            "study that was not included cannot be coded"
        )
    return None, (
        f"unknown intervention_id {raw!r}: not a study of the included reports (see "
        "coding/studies.csv and the screening status)"
    )


def read_file(
    path: str | Path, *, coder: str, codebook: Codebook, studies: Studies
) -> tuple[list[Answer], list[P.Problem]]:
    """Read one coding file; return its answers and the problems found."""
    path = Path(path)
    file = str(path)
    rows, problems = _rows(path)
    answers: list[Answer] = []
    for where, row in rows:
        answer = row.get("answer", "")
        quote = row.get("quote", "")
        page = row.get("page", "")
        raw_study = row.get("intervention_id", "")
        if not answer and not quote:
            continue

        def bad(message: str, field: str, study: str = raw_study, where: str = where) -> None:
            problems.append(P.error(message, file=file, row=where, field=field, study=study))

        if not raw_study:
            bad("is empty; name the intervention_id of the study", "intervention_id")
            continue
        study_id, why = _study_id(raw_study, studies)
        if study_id is None:
            bad(why, "intervention_id")
            continue
        study = studies.study(study_id)
        dimension = codebook.dimension(row.get("dimension", ""))
        if dimension is None:
            bad(
                f"unknown dimension {row.get('dimension', '')!r}; use a dimension id of the "
                "codebook (config/codebook.yaml)",
                "dimension",
            )
            continue
        if not answer:
            bad("a quote without an answer; give the answer or remove the quote", "answer")
            continue
        if quote and not page:
            bad(
                "a quote with no page; give the page (or 'abstract') where the quote is",
                "page",
                study_id,
            )
        report = row.get("report", "")
        if report:
            ref = studies.reference_of(report)
            if ref is None or ref not in study.reports:
                bad(
                    f"report {report!r} is not one of this study's reports "
                    f"({', '.join(study.reports)})",
                    "report",
                    study_id,
                )
                continue
            report = ref
        elif len(study.reports) == 1:
            report = study.reports[0]
        code = row.get("code", "").strip()
        value = answer
        if dimension.type == "multi":
            if code:
                lowered = answer.lower()
                if lowered in YES:
                    value = "yes"
                elif lowered in NO:
                    value = "no"
                else:
                    bad(f"{answer!r} is not yes or no (multi-choice code {code!r})", "answer")
                    continue
            elif answer.lower() in YES + NO:
                bad(
                    f"{answer!r} without a code: dimension {dimension.id!r} is multi-choice; "
                    "name the code in the code column (or put the code id in answer)",
                    "code",
                    study_id,
                )
                continue
            else:
                code, value = answer, "yes"  # shorthand: the code id in `answer`
            if dimension.code(code.lower()) is None:
                bad(
                    f"unknown code {code!r} for dimension {dimension.id!r}; known codes: "
                    f"{', '.join(dimension.code_ids)}",
                    "code" if row.get("code") else "answer",
                    study_id,
                )
                continue
            code = code.lower()
        elif dimension.type == "single":
            if code and answer.lower() in YES + NO:
                if answer.lower() in NO:
                    continue
                answer = code
            code, value = answer.lower(), "yes"
            if dimension.code(code) is None:
                bad(
                    f"unknown code {answer!r} for dimension {dimension.id!r}; known codes: "
                    f"{', '.join(dimension.code_ids)}",
                    "answer",
                    study_id,
                )
                continue
        elif dimension.type == "number":
            cleaned = answer.replace(" ", "")
            if not _NUMBER.match(cleaned):
                bad(f"{answer!r} is not a number (dimension {dimension.id!r})", "answer", study_id)
                continue
            value = cleaned[:-2] if cleaned.endswith(".0") else cleaned
            code = ""
        else:
            code = ""
        answers.append(
            Answer(
                coder,
                study_id,
                dimension.id,
                code,
                value,
                quote,
                page,
                report,
                row.get("note", ""),
                file,
                where,
            )
        )
    problems.extend(_conflicts(answers, codebook))
    return answers, problems


def _conflicts(answers: list[Answer], codebook: Codebook) -> list[P.Problem]:
    """One coder contradicting themselves: two codes in a single-choice dimension, two numbers,
    yes and no for one multi-choice code."""
    problems = []
    seen: dict[tuple, Answer] = {}
    for a in answers:
        kind = codebook.dimension(a.dimension).type
        if kind == "text":
            continue
        key = (a.intervention_id, a.dimension) + ((a.code,) if kind == "multi" else ())
        first = seen.setdefault(key, a)
        if first is a or (first.code, first.value) == (a.code, a.value):
            continue
        if kind == "single":
            message = (
                f"single-choice dimension {a.dimension!r} has two codes for "
                f"{a.intervention_id}: {first.code!r} (row {first.row}) and {a.code!r}; keep one"
            )
        elif kind == "number":
            message = (
                f"dimension {a.dimension!r} has two numbers for {a.intervention_id}: "
                f"{first.value} (row {first.row}) and {a.value}; keep one"
            )
        else:
            message = (
                f"code {a.code!r} of {a.dimension!r} is answered {first.value} (row {first.row}) "
                f"and {a.value} for {a.intervention_id}; keep one"
            )
        problems.append(
            P.error(message, file=a.file, row=a.row, field="answer", study=a.intervention_id)
        )
    return problems


def files_by_coder(folder: str | Path) -> tuple[dict[str, Path], Path | None, list[P.Problem]]:
    """The coders' files (coder -> path) and the consensus file in ``folder``."""
    coders: dict[str, Path] = {}
    consensus = None
    problems = []
    if Path(folder).is_dir():  # a coding file saved as .ods or .xls is named, not passed over
        for path in sorted(Path(folder).iterdir()):
            if path.is_file() and unread_format(path):
                problems.append(P.error(unread_format(path), file=str(path)))
    for path in sheet_files(folder):
        stem = path.stem
        if stem.lower() == CONSENSUS:
            if consensus is not None:
                problems.append(
                    P.error(
                        f"two consensus files ({consensus.name}, {path.name}); keep one",
                        file=str(path),
                    )
                )
            consensus = path
            continue
        if stem.lower() in RESERVED_STEMS:
            continue
        if stem in coders:
            problems.append(
                P.error(
                    f"two files for coder {stem!r} ({coders[stem].name}, {path.name}); keep one",
                    file=str(path),
                )
            )
            continue
        coders[stem] = path
    return coders, consensus, problems


def read_all(
    folder: str | Path,
    *,
    codebook: Codebook,
    studies: Studies,
    coders: list[str] | None = None,
) -> tuple[list[Answer], list[Answer], list[P.Problem]]:
    """Every coder's answers, the consensus answers and all problems found in ``folder``.

    ``coders`` (from the config) are the people expected to code: a file by anyone else is an
    error, an expected coder without a file a warning.
    """
    files, consensus_file, problems = files_by_coder(folder)
    answers: list[Answer] = []
    for coder, path in files.items():
        if coders and coder not in coders:
            problems.append(
                P.error(
                    f"coder {coder!r} is not among the configured coders ({', '.join(coders)}); "
                    "rename the file or add the coder to `coding: coders:` in the config",
                    file=str(path),
                )
            )
            continue
        found, trouble = read_file(path, coder=coder, codebook=codebook, studies=studies)
        answers.extend(found)
        problems.extend(trouble)
    for coder in coders or []:
        if coder not in files:
            problems.append(
                P.warning(f"no coding file from coder {coder!r} yet", file=str(Path(folder)))
            )
    consensus: list[Answer] = []
    if consensus_file is not None:
        consensus, trouble = read_file(
            consensus_file, coder=CONSENSUS, codebook=codebook, studies=studies
        )
        problems.extend(trouble)
    return answers, consensus, problems
