"""Resolver mode: open conflicts at one stage, with every reviewer's answer, settled into
``screening/resolutions.csv``.

A conflict is open when the reviewers' decisions on a reference disagree (or a maybe needs a
resolution) and no row of the resolution files settles it; the planner works the list out again
from every decision file after each settlement, so a conflict settled elsewhere disappears.
Only people the config lets resolve (``screening.resolution.resolvers``, else the reviewers)
may use this mode; a settlement is written as ``slrflow screen`` reads it, with the resolver's
name in ``resolved_by`` and the date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slrflow.screening import ScreeningError
from slrflow.screening.decisions import RESOLUTION_COLUMNS
from slrflow.serve.answer import DecisionRefused, check_answer, tidy_note
from slrflow.serve.sheetfile import SheetFile
from slrflow.serve.worklist import Worklist

#: What a resolution may settle on: a conflict ends in an include or an exclude.
SETTLEMENTS = ("include", "exclude")


class Conflicts:
    """The open conflicts ``resolver`` may settle at the stage of ``worklist``."""

    def __init__(self, worklist: Worklist) -> None:
        review = worklist.review
        self.worklist = worklist
        self.resolver = worklist.reviewer
        self.stage = worklist.stage
        if not review.policy.may_resolve(self.resolver):
            allowed = review.policy.resolvers or review.policy.reviewers
            raise ScreeningError(
                [f"{self.resolver!r} may not settle conflicts: config screening.resolution."
                 f"resolvers names {', '.join(allowed)}"]
            )  # fmt: skip
        self.file = SheetFile(
            review.screening_dir / "resolutions.csv", columns=RESOLUTION_COLUMNS, key=self._key
        )

    def _key(self, row: dict[str, str]) -> tuple[str, str] | None:
        ref = self.worklist._key(row)
        return (ref, (row.get("stage") or "").strip()) if ref else None

    def open(self) -> list[dict[str, Any]]:
        """Every open conflict at this stage, by reference id, with each reviewer's answers:
        those of the last plan, less those settled on this page since."""
        self.file.refresh()
        settled = set(self.file.answers())
        return [c for c in self.worklist.snapshot.conflicts
                if (c["reference_id"], self.stage) not in settled]  # fmt: skip

    def settle(self, reference_id: str, decision: str, criteria: list[str], note: str) -> None:
        """Write the settlement of the conflict on ``reference_id`` to the resolution file."""
        if reference_id not in self.worklist.by_id:
            raise DecisionRefused(f"{reference_id!r} is not a reference of this review")
        cell = check_answer(
            self.worklist.review.criteria, stage=self.stage, decision=decision, given=criteria,
            allowed=SETTLEMENTS,
        )  # fmt: skip
        row = {
            "record_id": reference_id,
            "stage": self.stage,
            "decision": decision,
            "criteria": cell,
            "resolved_by": self.resolver,
            "date": date.today().isoformat(),
            "note": tidy_note(note),
        }
        self.file.answer((reference_id, self.stage), row)
        self.worklist.refresh_now()

    def undo(self) -> str | None:
        """Take back the last settlement made on this page; returns its reference (or None)."""
        try:
            key = self.file.take_back()
        except ValueError as exc:
            raise DecisionRefused(str(exc)) from exc
        self.worklist.refresh_now()
        return key[0] if key else None
