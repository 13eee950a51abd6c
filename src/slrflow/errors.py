"""The errors a person can fix: one base, :class:`SlrflowError`, that every stage's errors derive
from, so that the ``slrflow`` command prints any of them as one clear message (exit status 2)
and shows a traceback only for a fault in the code.

The context a message needs is kept on the error as well as in its text:

``file``
    the file the problem is in, as the person named it (an export, a sheet, config.yaml ...).
``row``
    where in that file: the spreadsheet row (header = row 1), or the line of a text export.
``field``
    the column, field or setting.
``problems``
    when one pass found several problems (a sheet validated whole), one message per problem.

The kinds: :class:`InputError` (a file a person made or exported cannot be used as it stands),
:class:`ConfigError` (a setting in config.yaml or an option that is unknown or out of range) and
:class:`ProblemsError` (an input with several problems, all listed at once). Stages keep their own
subclasses (``IngestError``, ``SheetError``, ``ScreeningError``, ``CodingError``, ``CountsError``
...) so that a caller can tell them apart. This module imports nothing of the package: every
other module may import it.
"""

from __future__ import annotations

from slrflow.messages import problem_list


def located(message: str, *, file: str | None = None, row=None, field: str | None = None) -> str:
    """``"file, row 4, field date: message"``: a message with the parts of its place that are
    known, in the order a person looks them up."""
    where = ", ".join(
        part
        for part in (
            str(file) if file else "",
            f"row {row}" if row not in (None, "") else "",
            f"field {field}" if field else "",
        )
        if part
    )
    return f"{where}: {message}" if where else message


class SlrflowError(ValueError):
    """A problem a person can fix in their files or settings; the message says where and what
    to do. (A ``ValueError``: a bad value, given by a person.)"""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | str | None = None,
        field: str | None = None,
        problems: list | None = None,
    ):
        self.file = file
        self.row = row
        self.field = field
        self.problems = list(problems) if problems is not None else [message]
        super().__init__(located(message, file=file, row=row, field=field))


class InputError(SlrflowError):
    """A file a person made or exported (search export, decision file, coding sheet, inventory)
    that cannot be used as it stands."""


class ConfigError(SlrflowError):
    """A setting (config.yaml or a command-line option) that is unknown, missing or out of
    range; ``field`` names the setting (``screening.reviewers``)."""


class ProblemsError(InputError):
    """Every problem one pass found in a person's input, one per line under a heading."""

    def __init__(
        self,
        heading: str,
        problems: list,
        *,
        limit: int = 50,
        noun: str = "problem(s)",
        file: str | None = None,
    ):
        problems = list(problems)
        super().__init__(problem_list(heading, problems, limit=limit, noun=noun), problems=problems)
        # the heading names the file; kept as context, not repeated before the message
        self.file = file
