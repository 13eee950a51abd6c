"""One reviewer's worklist at one stage, kept current while they screen.

The worklist is what :mod:`slrflow.screening.worklists` puts in that reviewer's screening sheet:
the references still waiting for them, at title/abstract in the ranker's order
(:class:`slrflow.screening.rank.Ranker`, the same model and settings, trained on the decisions
so far), elsewhere by reference id. Each decision goes at once into the reviewer's decision file
``screening/<stage>/<reviewer>.csv`` (:mod:`.sheetfile`); a background thread then reads every
decision file again, retrains the ranker and redoes the stopping estimate, while the next
reference is served from the order it last made, so it is always ready.

Two tabs of one reviewer are never given the same reference at the same time: a reference shown
in a tab is held for that tab (:data:`HOLD_SECONDS`) until it is decided or the tab asks for
another.
"""

from __future__ import annotations

import copy
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from slrflow.records import LIST_SEPARATOR
from slrflow.screening import DECISIONS, STAGES, ScreeningError
from slrflow.screening import rank as ranking
from slrflow.screening.attach import ReferenceIndex
from slrflow.screening.decisions import DECISION_COLUMNS
from slrflow.serve.answer import DecisionRefused, check_answer, tidy_note
from slrflow.serve.highlight import segments, term_patterns
from slrflow.serve.review import Review, require_results
from slrflow.serve.sheetfile import SheetFile
from slrflow.serve.standing import Standing, marked_by_rules, read_standing
from slrflow.tables import read_csv

#: Seconds a reference shown in one tab is kept from the reviewer's other tabs.
HOLD_SECONDS = 600
#: Fields of a reference the page shows, in order; text ones get their key terms marked.
SHOWN_FIELDS = ("title", "authors", "year", "journal", "abstract", "keywords", "doi")
MARKED_FIELDS = ("title", "abstract", "keywords")
#: Full-text files larger than this are offered as a link rather than shown.
MAX_SHOWN_TEXT = 4 * 1024 * 1024


@dataclass
class Snapshot:
    """The worklist as the background thread last made it.

    ``order`` holds the references waiting for the reviewer, screen-first first; ``sample``
    the stopping estimate's random references among them; ``standing`` is None when a
    decision file has problems (``problems``), and the order is then the last run's.
    """

    order: list[str]
    sample: list[str] = field(default_factory=list)
    standing: Standing | None = None
    problems: list[str] = field(default_factory=list)
    basis: str = ""
    ranker: ranking.Ranker | None = None
    seconds: float = 0.0
    decisions_seen: int = 0


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
        self.references = read_csv(review.result("references"))
        records_path = review.result("records")
        self.index = ReferenceIndex.build(
            read_csv(review.result("clusters")),
            records=read_csv(records_path) if records_path.is_file() else None,
            references=self.references,
        )
        self.by_id = {r["reference_id"]: r for r in self.references.to_dict(orient="records")}
        self.marked = marked_by_rules(review, self.references, self.index)
        self.patterns = term_patterns(review.criteria)
        self.file = SheetFile(
            review.screening_dir / stage / f"{reviewer}.csv",
            columns=DECISION_COLUMNS,
            key=self._key,
        )
        self.file.refresh()
        last = read_csv(review.result("status"))
        self._last_run = last[last["stage"] == stage]
        self._lock = threading.Lock()
        self._holds: dict[str, tuple[str, float]] = {}
        self._again: list[str] = []
        self.notice = ""
        if stage == STAGES[0]:
            print(
                f"building the ranker's text features of {len(self.references)} references ...",
                file=sys.stderr,
                flush=True,
            )
        self.ranker = self._build_ranker() if stage == STAGES[0] else None
        self.snapshot = self._compute()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh_loop, daemon=True)
        self._thread.start()

    # -- identities -----------------------------------------------------------------------
    def _key(self, row: dict[str, str]) -> str | None:
        """The reference a decision row names (by record id, or by a DOI naming one)."""
        record_id = (row.get("record_id") or "").strip()
        if record_id:
            return self.index.lookup(record_id)
        refs = self.index.lookup_doi((row.get("doi") or "").strip())
        return next(iter(refs)) if len(refs) == 1 else None

    # -- ranking --------------------------------------------------------------------------
    def _build_ranker(self) -> ranking.Ranker:
        """The ranker's features over every reference that reached title/abstract, built once."""
        reached = self._last_run[~self._last_run["status"].isin(["not_reached", "automation"])]
        pool = sorted(set(reached["reference_id"]) & set(self.by_id))
        self.pool = pool
        self.pool_position = {ref: i for i, ref in enumerate(pool)}
        texts = [
            ranking.record_text(
                self.by_id[r].get("title"), self.by_id[r].get("abstract"),
                self.by_id[r].get("keywords", ""),
            )
            for r in pool
        ]  # fmt: skip
        criteria_file = self.review.criteria.file
        text = ranking.load_criteria_text(criteria_file) if Path(criteria_file).is_file() else ""
        return ranking.Ranker(texts, criteria_text=text, seed=0)

    def _ranked(self, waiting: list[str], known: dict[str, int]) -> tuple[list[str], Any, str]:
        ranker = self.ranker
        if ranker is None:
            return sorted(waiting), None, ""
        pos = self.pool_position
        screened = sorted(pos[r] for r in known if r in pos)
        ranker.fit(screened, [known[self.pool[i]] for i in screened])
        fitted = copy.copy(ranker)  # its own weights: the explanation matches the order
        candidates = np.asarray([pos[r] for r in waiting if r in pos], dtype=int)
        ordered = [self.pool[i] for i in ranker.order(candidates)]
        outside = sorted(r for r in waiting if r not in pos)  # arrived after the last run
        return ordered + outside, fitted, ranker.mode

    # -- the background refresh -----------------------------------------------------------
    def _compute(self) -> Snapshot:
        started = time.perf_counter()
        problems: list[str] = []
        try:
            standing = read_standing(
                self.review, references=self.references, index=self.index, marked=self.marked
            )
        except ScreeningError as exc:
            standing, problems = None, list(exc.problems)
        if standing is not None:
            waiting = standing.awaiting(self.stage, self.reviewer)
            known = standing.known()
            sample = standing.sample
            decisions_seen = len(standing.decisions)
        else:  # a decision file has problems: the last run's worklist, less my decisions
            last = self._last_run
            waiting = sorted(
                r for r, a in zip(last["reference_id"], last["awaiting"], strict=True)
                if self.reviewer in a.split(LIST_SEPARATOR)
            )  # fmt: skip
            known = {
                r: int(s == "include")
                for r, s in zip(last["reference_id"], last["status"], strict=True)
                if s in ("include", "exclude")
            }
            sample, decisions_seen = [], 0
        mine = self.answers()
        waiting = [r for r in waiting if r not in mine]
        order, fitted, basis = self._ranked(waiting, known)
        waiting_set = set(waiting)
        return Snapshot(
            order=order,
            sample=[r for r in sample if r in waiting_set],
            standing=standing,
            problems=problems,
            basis=basis,
            ranker=fitted,
            seconds=time.perf_counter() - started,
            decisions_seen=decisions_seen,
        )

    def _refresh_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=5.0)
            if self._stop.is_set():
                return
            woken = self._wake.is_set()
            self._wake.clear()
            try:
                if self.file.refresh():
                    self.notice = (
                        f"{self.file.path.name} changed outside the page: it was read again "
                        "and your next references follow from it"
                    )
                    woken = True
                if woken:
                    self.snapshot = self._compute()
            except Exception as exc:  # keep serving the last worklist; say why it is stale
                self.snapshot.problems = [f"the worklist could not be refreshed: {exc}"]

    def refresh_now(self) -> None:
        """Ask the background thread to redo the worklist."""
        self._wake.set()

    def recompute(self) -> None:
        """Redo the worklist now, in this thread (benchmarks time it)."""
        self.snapshot = self._compute()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()

    # -- what the page asks ---------------------------------------------------------------
    def answers(self) -> dict[str, dict[str, str]]:
        """reference -> this reviewer's row in the page's decision file (only decided rows)."""
        return {k: r for k, r in self.file.answers().items() if (r.get("decision") or "").strip()}

    def _other_answers(self) -> dict[str, str]:
        """reference -> decision of this reviewer in their other files (batches, xlsx)."""
        standing = self.snapshot.standing
        if standing is None:
            return {}
        own = str(self.file.path)
        return {
            d.reference_id: d.decision
            for d in standing.decisions
            if d.source == "reviewer" and d.reviewer == self.reviewer and d.stage == self.stage
            and Path(d.file).resolve() != Path(own).resolve()
        }  # fmt: skip

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
        self.file.answer(reference_id, row)
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
        terms = []
        if snap.ranker is not None and reference_id in self.pool_position:
            terms = snap.ranker.top_terms(self.pool_position[reference_id], 5)
        shown: dict[str, Any] = {
            "reference_id": reference_id,
            "fields": fields,
            "top_terms": terms,
            "random_sample": reference_id in snap.sample,
            "mine": self.answers().get(reference_id),
        }
        if not self.blind and snap.standing is not None:
            shown["others"] = [
                {"reviewer": d.reviewer, "decision": d.decision, "criteria": list(d.criteria),
                 "note": d.note}
                for d in snap.standing.decisions
                if d.reference_id == reference_id and d.stage == self.stage
                and d.reviewer != self.reviewer
            ]  # fmt: skip
        if self.stage == "full_text":
            shown["retrieval"] = self._retrieval(reference_id)
            shown["fulltext"] = self.fulltext_files(reference_id)
        return shown

    def _retrieval(self, reference_id: str) -> dict[str, Any]:
        standing = self.snapshot.standing
        if standing is None:
            return {"status": "unknown (a decision file has problems)", "notes": []}
        status = standing.status.get((reference_id, "retrieval"))
        notes = [
            d.note for d in standing.decisions
            if d.reference_id == reference_id and d.stage == "retrieval" and d.note
        ]  # fmt: skip
        return {"status": status.status if status else "not_reached", "notes": notes}

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
        if self.stage == STAGES[0] and snap.standing is not None:
            stop = snap.standing.stopping
            out["stopping"] = {k: (v.item() if hasattr(v, "item") else v) for k, v in stop.items()}
        return out
