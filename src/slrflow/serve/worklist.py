"""One reviewer's worklist at one stage, kept current while they screen.

The worklist is what :mod:`slrflow.screening.worklists` puts in that reviewer's screening sheet:
the references still waiting for them, at title/abstract in the ranker's order, elsewhere by
reference id. Each decision goes at once into the reviewer's decision file
``screening/<stage>/<reviewer>.csv`` (:mod:`.sheetfile`); the planner process
(:mod:`.planner`) then works the order out again from every decision file, while the next
reference is served from the last plan less what was decided since, so it is always ready.

Two tabs of one reviewer are never given the same reference at the same time: a reference shown
in a tab is held for that tab (:data:`HOLD_SECONDS`) until it is decided or the tab asks for
another.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pandas as pd

from slrflow.screening import DECISIONS, STAGES, ScreeningError
from slrflow.screening.decisions import DECISION_COLUMNS
from slrflow.serve.answer import DecisionRefused, check_answer, tidy_note
from slrflow.serve.highlight import segments, term_patterns
from slrflow.serve.planner import PlannerProcess, Snapshot, load_run
from slrflow.serve.review import Review, require_results
from slrflow.serve.sheetfile import SheetFile

#: Seconds a reference shown in one tab is kept from the reviewer's other tabs.
HOLD_SECONDS = 600
#: Fields of a reference the page shows, in order; text ones get their key terms marked.
SHOWN_FIELDS = ("title", "authors", "year", "journal", "abstract", "keywords", "doi")
MARKED_FIELDS = ("title", "abstract", "keywords")
#: Full-text files larger than this are offered as a link rather than shown.
MAX_SHOWN_TEXT = 4 * 1024 * 1024


class Worklist:
    """The live worklist of ``reviewer`` at ``stage`` of ``review``."""

    def __init__(self, review: Review, *, reviewer: str, stage: str, blind: bool = True) -> None:
        if reviewer not in review.policy.reviewers:
            raise ScreeningError(
                [f"{reviewer!r} is not a reviewer named in {review.config_file} screening."
                 f"reviewers ({', '.join(review.policy.reviewers)}); use one of those names"]
            )  # fmt: skip
        if stage not in ("title_abstract", "full_text"):
            raise ScreeningError([f"stage {stage!r}: the page screens title_abstract or full_text"])
        require_results(review, "references", "clusters", "status")
        self.review, self.reviewer, self.stage, self.blind = review, reviewer, stage, blind
        run = load_run(review)
        self.references, self.index, self.by_id = run.references, run.index, run.by_id
        self.patterns = term_patterns(review.criteria)
        self.file = SheetFile(
            review.screening_dir / stage / f"{reviewer}.csv",
            columns=DECISION_COLUMNS,
            key=self._key,
        )
        self.file.refresh()
        self._lock = threading.Lock()
        self._holds: dict[str, tuple[str, float]] = {}
        self._again: list[str] = []
        self.notice = ""
        #: how long writing the last decision took (flushed to disk): the benchmark reports it
        self.write_seconds = 0.0
        self.snapshot = Snapshot(order=[])
        self.planner = PlannerProcess(
            review, reviewer=reviewer, stage=stage, blind=blind, on_plan=self._take_plan
        )
        self._watch_stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    # -- identities -----------------------------------------------------------------------
    def _key(self, row: dict[str, str]) -> str | None:
        """The reference a decision row names (by record id, or by a DOI naming one)."""
        record_id = (row.get("record_id") or "").strip()
        if record_id:
            return self.index.lookup(record_id)
        refs = self.index.lookup_doi((row.get("doi") or "").strip())
        return next(iter(refs)) if len(refs) == 1 else None

    # -- plans ----------------------------------------------------------------------------
    def _take_plan(self, plan: Any) -> None:
        if isinstance(plan, Exception):  # keep serving the last plan; say why it is stale
            self.snapshot.problems = [f"the worklist could not be worked out again: {plan}"]
        else:
            self.snapshot = plan

    def refresh_now(self) -> None:
        """Ask the planner for a fresh plan (answered in the background)."""
        self.planner.request()

    def recompute(self) -> None:
        """Ask for a fresh plan and wait for it (tests and benchmarks)."""
        self.planner.wait()

    def _watch(self) -> None:
        """Every few seconds: a decision file changed by hand is read again."""
        while not self._watch_stop.wait(3.0):
            try:
                self.check_file()
            except Exception as exc:  # e.g. the file is not UTF-8 any more: say so, go on
                self.notice = str(exc)

    def close(self) -> None:
        self._watch_stop.set()
        self.planner.close()

    # -- what the page asks ---------------------------------------------------------------
    def answers(self) -> dict[str, dict[str, str]]:
        """reference -> this reviewer's row in the page's decision file (only decided rows)."""
        return {k: r for k, r in self.file.answers().items() if (r.get("decision") or "").strip()}

    def _other_answers(self) -> dict[str, str]:
        """reference -> decision of this reviewer in their other files (batches, xlsx)."""
        return self.snapshot.elsewhere

    def check_file(self) -> None:
        """Read the decision file again when a person changed it outside the page."""
        if self.file.refresh():
            self.notice = (
                f"{self.file.path.name} changed outside the page: it was read again and your "
                "next references follow from it"
            )
            self.refresh_now()

    def next(self, tab: str, *, sample_first: bool = False) -> str | None:
        """The reference this tab should judge now (held for it), or None when none is left."""
        self.check_file()
        snap = self.snapshot
        decided = set(self.answers()) | set(self._other_answers())
        now = time.monotonic()
        with self._lock:
            for ref, (holder, _) in list(self._holds.items()):
                if holder == tab:
                    del self._holds[ref]
            candidates = list(self._again)
            if sample_first:
                candidates += snap.sample
            candidates += snap.order
            for ref in candidates:
                if ref in decided:
                    continue
                holder, until = self._holds.get(ref, (tab, 0.0))
                if holder != tab and until > now:
                    continue
                self._holds[ref] = (tab, now + HOLD_SECONDS)
                return ref
        return None

    def decide(
        self, reference_id: str, decision: str, criteria: list[str], note: str, *, tab: str = ""
    ) -> dict[str, str]:
        """Write this reviewer's decision on ``reference_id`` to their decision file at once."""
        if reference_id not in self.by_id:
            raise DecisionRefused(f"{reference_id!r} is not a reference of this review")
        cell = check_answer(
            self.review.criteria, stage=self.stage, decision=decision, given=criteria,
            allowed=DECISIONS[self.stage],
        )  # fmt: skip
        elsewhere = self._other_answers().get(reference_id)
        if elsewhere is not None:
            raise DecisionRefused(
                f"you decided {reference_id} already ({elsewhere}) in another of your files; "
                "change it there"
            )
        row = {
            "record_id": reference_id,
            "decision": decision,
            "criteria": cell,
            "note": tidy_note(note),
            "date": date.today().isoformat(),
        }
        started = time.perf_counter()
        self.file.answer(reference_id, row)
        self.write_seconds = time.perf_counter() - started
        with self._lock:
            self._holds.pop(reference_id, None)
            if reference_id in self._again:
                self._again.remove(reference_id)
        self.refresh_now()
        return row

    def undo(self) -> str | None:
        """Take back the last decision made on this page; returns its reference (or None)."""
        try:
            reference_id = self.file.take_back()
        except ValueError as exc:
            raise DecisionRefused(str(exc)) from exc
        if reference_id is None:
            return None
        with self._lock:
            self._again.insert(0, reference_id)
        self.refresh_now()
        return reference_id

    def can_undo(self) -> bool:
        return self.file.can_take_back

    # -- what the page shows --------------------------------------------------------------
    def show(self, reference_id: str) -> dict[str, Any]:
        """A reference as the page shows it: fields, marked key terms, why it comes now."""
        ref = self.by_id[reference_id]
        snap = self.snapshot
        fields = {}
        for name in SHOWN_FIELDS:
            value = str(ref.get(name, "") or "")
            fields[name] = segments(value, self.patterns) if name in MARKED_FIELDS else value
        shown: dict[str, Any] = {
            "reference_id": reference_id,
            "fields": fields,
            "top_terms": snap.terms.get(reference_id, []),
            "random_sample": reference_id in snap.sample,
            "mine": self.answers().get(reference_id),
        }
        if not self.blind:
            shown["others"] = snap.others.get(reference_id, [])
        if self.stage == "full_text":
            shown["retrieval"] = self._retrieval(reference_id)
            shown["fulltext"] = self.fulltext_files(reference_id)
        return shown

    def _retrieval(self, reference_id: str) -> dict[str, Any]:
        snap = self.snapshot
        if snap.problems and not snap.retrieval:
            return {"status": "unknown (a decision file has problems)", "notes": []}
        return snap.retrieval.get(reference_id, {"status": "not_reached", "notes": []})

    def fulltext_files(self, reference_id: str) -> list[str]:
        """Names of the reference's full texts in ``fulltext/`` (by reference or record id)."""
        folder = self.review.fulltext_dir
        if not folder.is_dir():
            return []
        names = [reference_id, *sorted(self.index.members.get(reference_id, []))]
        found = []
        for name in dict.fromkeys(names):
            for suffix in (".txt", ".pdf"):
                if (folder / f"{name}{suffix}").is_file():
                    found.append(f"{name}{suffix}")
        return found

    def progress(self) -> dict[str, Any]:
        """Screened, found and left for this reviewer; the stopping estimate at title/abstract."""
        snap = self.snapshot
        mine = {r: a["decision"] for r, a in self.answers().items()}
        mine |= self._other_answers()
        counts = pd.Series(list(mine.values()), dtype=object).value_counts().to_dict()
        left = {*snap.order, *self._again} - set(mine)  # an undone one is waiting again
        out: dict[str, Any] = {
            "reviewer": self.reviewer,
            "stage": self.stage,
            "screened": len(mine),
            "found": int(counts.get("include", 0)),
            "maybe": int(counts.get("maybe", 0)),
            "excluded": int(counts.get("exclude", 0)),
            "left": len(left),
            "sample_left": len([r for r in snap.sample if r not in mine]),
            "basis": snap.basis,
            "problems": snap.problems[:20],
            "notice": self.notice,
            "can_undo": self.can_undo(),
            "refresh_seconds": round(snap.seconds, 3),
            "blind": self.blind,
        }
        if self.stage == STAGES[0] and snap.stopping:
            out["stopping"] = snap.stopping
        return out
