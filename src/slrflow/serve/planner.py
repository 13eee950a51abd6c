"""The reviewer's worklist worked out in a process of its own, so the page never waits for it.

Working out the worklist means reading every decision file again, combining them as
``slrflow screen`` does (:mod:`.standing`), retraining the ranker (the same model and settings
as the screening sheets, :class:`slrflow.screening.rank.Ranker`) and redoing the stopping
estimate: seconds of work on a large review. Done in a thread of the page's own process it
would hold the interpreter lock and slow every answer to a crawl, so it runs in a separate
process (:class:`PlannerProcess`), which builds the ranker's text features once and then
answers each request for a fresh plan with a :class:`Snapshot`. The page keeps serving the last
snapshot meanwhile, less whatever the reviewer decided since.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from slrflow.records import LIST_SEPARATOR
from slrflow.screening import STAGES, ScreeningError
from slrflow.screening import rank as ranking
from slrflow.screening.attach import ReferenceIndex
from slrflow.serve.review import Review, open_review
from slrflow.serve.standing import Standing, marked_by_rules, read_standing
from slrflow.tables import read_csv

#: References at the head of the order whose ranking terms are sent with a plan.
EXPLAINED = 300


@dataclass
class Snapshot:
    """A plan of the reviewer's worklist, as the planner last made it.

    ``order`` holds the references waiting for the reviewer, screen-first first; ``sample`` the
    stopping estimate's random references among them and ``stopping`` the estimate itself
    (title/abstract); ``problems`` the decision files' problems (the order is then the last
    run's); ``terms`` the terms that ranked each reference near the head of the order;
    ``elsewhere`` the reviewer's decisions in their other files (batches, xlsx); ``retrieval``
    (full text) the retrieval status and notes; ``others`` (not blind) the other reviewers'
    answers; ``conflicts`` the open conflicts at the stage with every answer.
    """

    order: list[str]
    sample: list[str] = field(default_factory=list)
    stopping: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    basis: str = ""
    seconds: float = 0.0
    terms: dict[str, list[str]] = field(default_factory=dict)
    elsewhere: dict[str, str] = field(default_factory=dict)
    retrieval: dict[str, dict[str, Any]] = field(default_factory=dict)
    others: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Run:
    """What the last run of the workflow says about the review's references."""

    references: pd.DataFrame
    index: ReferenceIndex
    by_id: dict[str, dict[str, Any]]


def load_run(review: Review) -> Run:
    """The references and the record -> reference index of the last run."""
    references = read_csv(review.result("references"))
    records_path = review.result("records")
    index = ReferenceIndex.build(
        read_csv(review.result("clusters")),
        records=read_csv(records_path) if records_path.is_file() else None,
        references=references,
    )
    by_id = {r["reference_id"]: r for r in references.to_dict(orient="records")}
    return Run(references, index, by_id)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class Planner:
    """Works out ``reviewer``'s worklist at ``stage`` from the files on disk (see module)."""

    def __init__(self, review: Review, *, reviewer: str, stage: str, blind: bool) -> None:
        self.review, self.reviewer, self.stage, self.blind = review, reviewer, stage, blind
        self.run = load_run(review)
        self.marked = marked_by_rules(review, self.run.references, self.run.index)
        self.own_file = (review.screening_dir / stage / f"{reviewer}.csv").resolve()
        last = read_csv(review.result("status"))
        self.last_run = last[last["stage"] == stage]
        self.ranker: ranking.Ranker | None = None
        if stage == STAGES[0]:
            print(
                f"building the ranker's text features of {len(self.run.references)} references ...",
                file=sys.stderr,
                flush=True,
            )
            self.ranker = self._build_ranker()

    def _build_ranker(self) -> ranking.Ranker:
        """The ranker's features over every reference that reached title/abstract, built once."""
        by_id = self.run.by_id
        reached = self.last_run[~self.last_run["status"].isin(["not_reached", "automation"])]
        self.pool = sorted(set(reached["reference_id"]) & set(by_id))
        self.pool_position = {ref: i for i, ref in enumerate(self.pool)}
        texts = [
            ranking.record_text(
                by_id[r].get("title"), by_id[r].get("abstract"), by_id[r].get("keywords", "")
            )
            for r in self.pool
        ]
        criteria_file = self.review.criteria.file
        text = ranking.load_criteria_text(criteria_file) if Path(criteria_file).is_file() else ""
        return ranking.Ranker(texts, criteria_text=text, seed=0)

    def _ranked(self, waiting: list[str], known: dict[str, int]):
        """(order, terms of the head of the order, basis) by the ranker trained on ``known``."""
        ranker = self.ranker
        if ranker is None:
            return sorted(waiting), {}, ""
        pos = self.pool_position
        screened = sorted(pos[r] for r in known if r in pos)
        ranker.fit(screened, [known[self.pool[i]] for i in screened])
        candidates = np.asarray([pos[r] for r in waiting if r in pos], dtype=int)
        ordered = [self.pool[i] for i in ranker.order(candidates)]
        outside = sorted(r for r in waiting if r not in pos)  # arrived after the last run
        terms = {r: ranker.top_terms(pos[r], 5) for r in ordered[:EXPLAINED]}
        return ordered + outside, terms, ranker.mode

    def plan(self) -> Snapshot:
        """A fresh plan from the files on disk now."""
        started = time.perf_counter()
        run, stage = self.run, self.stage
        problems: list[str] = []
        try:
            standing = read_standing(
                self.review, references=run.references, index=run.index, marked=self.marked
            )
        except ScreeningError as exc:
            standing, problems = None, list(exc.problems)
        snapshot = Snapshot(order=[], problems=problems)
        if standing is not None:
            waiting = standing.awaiting(stage, self.reviewer)
            known = standing.known()
            sample = standing.sample
            snapshot.stopping = {k: _plain(v) for k, v in standing.stopping.items()}
            self._details(standing, snapshot)
        else:  # a decision file has problems: the last run's worklist
            last = self.last_run
            waiting = sorted(
                r for r, a in zip(last["reference_id"], last["awaiting"], strict=True)
                if self.reviewer in a.split(LIST_SEPARATOR)
            )  # fmt: skip
            known = {
                r: int(s == "include")
                for r, s in zip(last["reference_id"], last["status"], strict=True)
                if s in ("include", "exclude")
            }
            sample = []
        snapshot.order, terms, snapshot.basis = self._ranked(waiting, known)
        waiting_set = set(waiting)
        snapshot.sample = [r for r in sample if r in waiting_set]
        snapshot.terms = terms | {
            r: self.ranker.top_terms(self.pool_position[r], 5)
            for r in snapshot.sample
            if self.ranker is not None and r in self.pool_position and r not in terms
        }
        snapshot.seconds = time.perf_counter() - started
        return snapshot

    def _details(self, standing: Standing, snapshot: Snapshot) -> None:
        """What the page shows beside a reference, from everyone's decisions."""
        stage = self.stage
        files = {d.file for d in standing.decisions}
        other_files = {f for f in files if Path(f).resolve() != self.own_file}
        for d in standing.decisions:
            if d.stage == stage and d.source == "reviewer":
                if d.reviewer == self.reviewer and d.file in other_files:
                    snapshot.elsewhere[d.reference_id] = d.decision
                elif d.reviewer != self.reviewer and not self.blind:
                    snapshot.others.setdefault(d.reference_id, []).append(_vote(d))
            if d.stage == "retrieval" and stage == "full_text" and d.note:
                entry = snapshot.retrieval.setdefault(d.reference_id, {"status": "", "notes": []})
                entry["notes"].append(d.note)
        for (ref, st), status in standing.status.items():
            if stage == "full_text" and st == "retrieval":
                entry = snapshot.retrieval.setdefault(ref, {"status": "", "notes": []})
                entry["status"] = status.status
            if st == stage and status.status == "conflict":
                votes = [_vote(d) for d in status.decisions if d.source == "reviewer"]
                snapshot.conflicts.append(
                    {"reference_id": ref, "conflict": status.conflict, "votes": votes}
                )
        snapshot.conflicts.sort(key=lambda c: c["reference_id"])


def _vote(d) -> dict[str, Any]:
    return {"reviewer": d.reviewer, "decision": d.decision, "criteria": list(d.criteria),
            "note": d.note, "date": d.date}  # fmt: skip


def _serve_plans(conn, folder: str, results: str, reviewer: str, stage: str, blind: bool) -> None:
    """The planner process: a plan at start, then one per request. ``None`` ends it."""
    try:
        review = open_review(folder, results=results)
        planner = Planner(review, reviewer=reviewer, stage=stage, blind=blind)
        conn.send(planner.plan())
        while conn.recv() is not None:
            conn.send(planner.plan())
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return
    except Exception as exc:  # said on the page; the page goes on with its last plan
        conn.send(RuntimeError(f"{exc}\n{traceback.format_exc(limit=3)}"))


class PlannerProcess:
    """The planner running in its own process, and the page's end of it.

    ``on_plan`` is called (from a listening thread) with every new :class:`Snapshot`, or with
    an exception when the planner failed.
    """

    def __init__(self, review: Review, *, reviewer: str, stage: str, blind: bool,
                 on_plan: Callable[[Any], None]) -> None:  # fmt: skip
        # A fork server: each planner forks from one clean, single-threaded process that has
        # already imported the planner (and scikit-learn), so starting one is quick and safe.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["slrflow.serve.planner"])
        self._conn, child = context.Pipe()
        self._send_lock = threading.Lock()
        self._process = context.Process(
            target=_serve_plans,
            args=(child, str(review.folder), str(review.results), reviewer, stage, blind),
            daemon=True,
            name=f"slrflow-planner-{reviewer}",
        )
        self._process.start()
        child.close()
        self._on_plan = on_plan
        self._arrived = threading.Condition()
        self._plans = 0
        # At most one request is on its way: one asked for meanwhile is sent when the plan
        # arrives, so asking never waits for the planner (nor fills the pipe).
        self._busy = False
        self._asked_again = False
        try:
            first = self._conn.recv()
        except EOFError:
            first = ScreeningError(
                ["the worklist's planner stopped before its first plan (see the messages above)"]
            )
        if isinstance(first, Exception):
            self.close()
            raise first
        on_plan(first)
        self._plans = 1
        self._listener = threading.Thread(target=self._listen, daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        while True:
            try:
                plan = self._conn.recv()
            except (EOFError, OSError):
                return
            self._on_plan(plan)
            with self._send_lock:
                self._busy = False
                again, self._asked_again = self._asked_again, False
            if again:
                self.request()
            with self._arrived:
                self._plans += 1
                self._arrived.notify_all()

    def _send(self, message: str | None) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self._conn.send(message)

    def request(self) -> None:
        """Ask for a fresh plan; returns at once."""
        with self._send_lock:
            if self._busy:
                self._asked_again = True
                return
            self._busy = True
            self._send("plan")

    def wait(self, timeout: float = 600.0) -> None:
        """Wait until a plan asked for after this call has arrived."""
        with self._arrived:
            seen = self._plans
        self.request()
        # a plan already on its way was asked for before this call: wait for the next one too
        with self._arrived:
            self._arrived.wait_for(lambda: self._plans > seen + 1 or (
                self._plans > seen and not self._busy and not self._asked_again
            ), timeout=timeout)  # fmt: skip

    def close(self) -> None:
        with self._send_lock:
            self._send(None)
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._conn.close()
