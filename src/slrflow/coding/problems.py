"""Problems found in coding input: where (file, row, field), how bad, and what to do.

Errors (unknown codes, two codes in a single-choice dimension, a coded study that was not
included, a quote with no page, ...) stop the run with every message listed; warnings (an
included study nobody coded, a study only one coder coded) are written to ``validation.csv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from slrflow.errors import ProblemsError

ERROR = "error"
WARNING = "warning"
COLUMNS = ["severity", "file", "row", "field", "intervention_id", "message"]


class CodingError(ProblemsError):
    """Coding input with errors; the message lists each with file, row and field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("coding input", problems, limit=60, noun="error(s)")


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: ``row`` is the spreadsheet row (header = 1; for xlsx ``'sheet'!row``)."""

    severity: str
    file: str
    row: str
    field: str
    intervention_id: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row else "",
                f"field {self.field}" if self.field else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


def error(message: str, *, file: str = "", row: object = "", field: str = "", study: str = ""):
    return Problem(ERROR, file, str(row), field, study, message)


def warning(message: str, *, file: str = "", row: object = "", field: str = "", study: str = ""):
    return Problem(WARNING, file, str(row), field, study, message)


def input_error(message: str, *, file: object) -> CodingError:
    """The error for an input file the stage cannot use at all (no row to point at)."""
    return CodingError([error(message, file=str(file))])


def raise_errors(problems: list[Problem]) -> None:
    """Raise :class:`CodingError` if any problem is an error."""
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise CodingError(errors)


def _order(problem: Problem) -> tuple:
    # Row "'I02'!10" sorts after "'I02'!9": compare digit runs as numbers.
    parts = re.split(r"(\d+)", problem.row)
    row = tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)
    return (problem.severity != ERROR, problem.file, row, problem.field, problem.message)


def frame(problems: list[Problem]) -> pd.DataFrame:
    """The problems as the rows of ``validation.csv``, errors first, in a stable order."""
    rows = sorted(set(problems), key=_order)
    return pd.DataFrame([[getattr(p, c) for c in COLUMNS] for p in rows], columns=COLUMNS)
