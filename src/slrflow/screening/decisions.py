"""Reading decision files and the resolution file, with every check a reviewer needs.

Decision files live in the review folder as ``screening/<stage>/<reviewer>.csv|xlsx`` (or
``<reviewer>-<batch>.csv|xlsx``); the schema ``screening_decisions.schema.json`` describes their
columns: ``record_id`` (or ``doi``), ``decision``, ``criteria``, ``note``, ``date``. Columns are
found by name (any order, any case); other columns are ignored, so a filled screening sheet is a
decision file. ``screening/resolutions.csv`` settles conflicts
(``screening_resolutions.schema.json``).

Every problem is collected and reported together as ``file, row N, field X: what is wrong;
what to do`` (:class:`~slrflow.screening.ScreeningError`). Nothing is dropped silently: rows
without a decision are counted as not yet judged, repeats are kept in the log.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd

from slrflow.screening import DECISIONS, NEEDS_REASON, STAGES, ScreeningError
from slrflow.screening.attach import ReferenceIndex
from slrflow.screening.criteria import Criteria
from slrflow.screening.policy import Policy
from slrflow.sheets import (
    SheetError,
    is_lock_file,
    is_sheet_file,
    read_sheet,
    unread_format,
    validate_cells,
    validate_rows,
)

#: Columns of a decision file (``record_id`` may be replaced by ``doi``).
DECISION_COLUMNS = ("record_id", "decision", "criteria", "note", "date")
#: Columns of the resolution file.
RESOLUTION_COLUMNS = ("record_id", "stage", "decision", "criteria", "resolved_by", "date", "note")

#: Columns the screening sheets (:mod:`.sheets`) add after the decision file's for the
#: reader; never read as decisions.
INFO_COLUMNS = ("priority", "rank_terms", "title", "authors", "year", "journal", "abstract", "doi")


@dataclass(frozen=True)
class Decision:
    """One decision as read, attached to the reference that holds its record this run.

    ``source`` is ``reviewer``, ``resolution`` or ``automation``; ``reviewer`` is the reviewer
    (for a resolution: who settled it, ``"; "``-joined; for automation: ``automation``);
    ``file`` and ``row`` say where it was read (row 1 is the header); ``id_given`` is the record
    id or DOI as written; ``record_id`` the record it names (for a DOI: the reference id);
    ``criteria`` the failed criteria or reasons in criteria.yaml order; ``date`` is ISO
    ``YYYY-MM-DD`` or empty; ``repeat_of`` names an earlier row where the same reviewer gave the
    same answer for the same record.
    """

    source: str
    stage: str
    reviewer: str
    file: str
    row: int
    id_given: str
    record_id: str
    reference_id: str
    decision: str
    criteria: tuple[str, ...]
    note: str = ""
    date: str = ""
    repeat_of: str = ""

    @property
    def where(self) -> str:
        return f"{self.file} row {self.row}"

    @property
    def answer(self) -> str:
        """The decision with its criteria, as messages show it: ``exclude (C2; C4)``."""
        return self.decision + (f" ({'; '.join(self.criteria)})" if self.criteria else "")


def parse_date(value: str) -> str | None:
    """``YYYY-MM-DD`` (or a spreadsheet date cell read as ``YYYY-MM-DD 00:00:00``) -> ISO date.

    Returns ``""`` for an empty cell and None when the text is not such a date. Day-first and
    month-first forms are refused rather than guessed: ``03/04/2026`` is ambiguous.
    """
    text = (value or "").strip()
    if not text:
        return ""
    match = re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", text
    )
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def reviewer_from_file(path: Path, reviewers: tuple[str, ...]) -> str | None:
    """``anouk.csv`` or ``anouk-batch2.xlsx`` -> ``anouk`` when anouk is a known reviewer."""
    stem = path.stem
    for name in sorted(reviewers, key=len, reverse=True):
        if stem == name or stem.startswith(name + "-"):
            return name
    return None


def file_label(path: str | Path, review: str | Path | None) -> str:
    """How the screening log names a file: its path relative to the review folder (the same on
    every machine), or as given when it lies outside."""
    path = Path(path)
    if review is not None:
        try:
            return path.resolve().relative_to(Path(review).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _canonical(column: str) -> str:
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def _prepare(frame: pd.DataFrame, file: str, expected: tuple[str, ...], kind: str) -> pd.DataFrame:
    """Match columns by name (any order, any case); explain a renamed column."""
    frame = frame.rename(columns={c: _canonical(c) for c in frame.columns})
    found = list(frame.columns)
    needed = [c for c in expected if c not in ("record_id", "criteria", "note", "date")]
    if "record_id" not in found and "doi" not in found:
        needed.insert(0, "record_id")
    missing = [c for c in needed if c not in found]
    unknown = [c for c in found if c not in expected and c not in (*INFO_COLUMNS, "reference_id")]
    # an optional column renamed would otherwise lose its cells without a word
    missing += [
        c
        for c in expected
        if c not in found and c not in missing and difflib.get_close_matches(c, unknown, 1, 0.6)
    ]
    if missing:
        hints = []
        for column in missing:
            close = difflib.get_close_matches(column, unknown, n=1, cutoff=0.4)
            if close:
                hints.append(f"{close[0]!r} looks like {column!r}: rename it back")
        raise ScreeningError(
            [
                f"{file}: column(s) {', '.join(missing)} not found (columns found: "
                f"{', '.join(found) or 'none'}). A {kind} needs the columns "
                f"{', '.join(expected)} (record_id may be replaced by doi), named exactly so; "
                "their order does not matter. "
                + ("; ".join(hints) + "." if hints else "Restore the header row.")
            ],
            heading=f"{file}: columns renamed or missing",
        )
    for column in expected + ("doi",):
        if column not in frame.columns:
            frame[column] = ""
    # decisions and stages in any case, spaces for underscores ("Not retrieved", "Full text")
    for column in ("decision", "stage"):
        if column in expected:
            frame[column] = frame[column].str.lower().str.replace(" ", "_")
    return frame


def _split_criteria(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[;,]", text or "") if c.strip()]


def _check(
    row: dict,
    *,
    source: str,
    stage: str,
    reviewer: str,
    file: Path,
    label: str,
    number: int,
    criteria: Criteria,
    index: ReferenceIndex | None,
    problems: list[str],
) -> Decision | None:
    """The decision of a decision or resolution row (``number`` counts the header as row 1),
    or None after appending its problems. Messages name ``file``; the decision keeps
    ``label``, the file's path relative to the review folder. Without an ``index`` the row is
    checked on its own (the record id is not looked up)."""
    where = f"{file}, row {number}"
    before = len(problems)
    record_id = row.get("record_id", "")
    doi = row.get("doi", "")
    reference_id = None
    if index is None:  # checking the files alone, before there are records to attach to
        reference_id = record_id = record_id or doi
        if not record_id:
            problems.append(f"{where}, field record_id: empty; give the record_id (or a doi)")
    elif record_id:
        reference_id = index.lookup(record_id)
        if reference_id is None:
            problems.append(
                f"{where}, field record_id: {record_id!r} is not a record of this run "
                "(results/dedup/clusters.csv); check for a typo, or whether the search it came "
                "from is still in the search log"
            )
    elif doi:
        refs = index.lookup_doi(doi)
        if len(refs) == 1:
            reference_id = record_id = next(iter(refs))
        elif not refs:
            problems.append(
                f"{where}, field doi: no record of this run has DOI {doi!r}; "
                "give the record_id instead"
            )
        else:
            problems.append(
                f"{where}, field doi: DOI {doi!r} belongs to several references "
                f"({', '.join(sorted(refs))}); give the record_id instead"
            )
    else:
        problems.append(f"{where}, field record_id: empty; give the record_id (or a doi)")
    decision = row["decision"]
    if decision not in DECISIONS[stage]:
        problems.append(
            f"{where}, field decision: {decision!r} is not a decision of stage {stage} "
            f"(expected {', '.join(DECISIONS[stage])})"
        )
    given = []
    allowed = {c.id for c in criteria.for_stage(stage)}
    for written in _split_criteria(row.get("criteria", "")):
        known = criteria.get(written)  # any case: c2 is C2
        cid = known.id if known else written
        given.append(cid)
        if known is None:
            problems.append(
                f"{where}, field criteria: {cid!r} is not a criterion or exclusion reason of "
                f"{criteria.file} (known: {', '.join(criteria.ids)}); fix the id or add it there"
            )
        elif cid not in allowed:
            problems.append(
                f"{where}, field criteria: {cid!r} may not be used at stage {stage} "
                f"(allowed there: {', '.join(sorted(allowed))})"
            )
    if decision in NEEDS_REASON and not given:
        problems.append(
            f"{where}, field criteria: {decision} names no criterion; give the failed "
            f"criteria or reason ({', '.join(c.id for c in criteria.for_stage(stage))})"
        )
    if decision in ("include", "retrieved") and given:
        problems.append(
            f"{where}, field criteria: {', '.join(given)} given with {decision}; criteria are "
            "for exclusions only: clear the cell or change the decision"
        )
    iso = parse_date(row.get("date", ""))
    if iso is None:
        problems.append(
            f"{where}, field date: {row.get('date')!r} is not a date; write it as YYYY-MM-DD "
            "(e.g. 2026-03-14)"
        )
    if len(problems) > before or reference_id is None:
        return None
    return Decision(
        source=source,
        stage=stage,
        reviewer=reviewer,
        file=label,
        row=number,
        id_given=row["record_id"] or row["doi"],
        record_id=record_id,
        reference_id=reference_id,
        decision=decision,
        criteria=criteria.order(given),
        note=row.get("note", ""),
        date=iso or "",
    )


def _read(path: Path, problems: list[str], expected: tuple[str, ...], schema: str, kind: str):
    try:
        frame = read_sheet(path)
    except SheetError as exc:
        problems.extend(f"{exc.file}: {p}" for p in exc.problems)
        return None
    try:
        frame = _prepare(frame, str(path), expected, kind)
    except ScreeningError as exc:
        problems.extend(exc.problems)
        return None
    try:
        if schema == "screening_decisions":
            validate_cells(frame, schema, file=str(path))
        else:
            # rows of the resolution sheet nobody settled yet are not checked as settlements
            frame["_open"] = frame["decision"] == ""
            validate_rows(
                frame[~frame["_open"]].drop(columns="_open"), schema, file=str(path),
                rows=list(frame.index[~frame["_open"]] + 2),
            )  # fmt: skip
    except SheetError as exc:
        problems.extend(f"{exc.file}, {p}" for p in exc.problems)
        return None
    return frame


def read_decision_file(
    path: str | Path,
    *,
    stage: str,
    reviewer: str,
    criteria: Criteria,
    index: ReferenceIndex | None,
    problems: list[str],
    review: str | Path | None = None,
) -> tuple[list[Decision], int]:
    """Decisions of one file and the number of rows not yet judged; problems are appended.
    ``review``: the review folder, that the decisions name their file relative to."""
    path = Path(path)
    label = file_label(path, review)
    frame = _read(path, problems, DECISION_COLUMNS, "screening_decisions", "decision file")
    if frame is None:
        return [], 0
    decisions, blank = [], 0
    for i, row in enumerate(frame.to_dict(orient="records")):
        where = f"{path}, row {i + 2}"
        if not row["decision"]:
            if row.get("criteria"):
                problems.append(
                    f"{where}, field decision: empty but criteria are given; fill in the "
                    "decision or clear the criteria"
                )
            blank += 1
            continue
        decision = _check(
            row,
            source="reviewer",
            stage=stage,
            reviewer=reviewer,
            file=path,
            label=label,
            number=i + 2,
            criteria=criteria,
            index=index,
            problems=problems,
        )
        if decision is not None:
            decisions.append(decision)
    return decisions, blank


def read_decisions(
    paths: list[str | Path],
    *,
    policy: Policy,
    criteria: Criteria,
    index: ReferenceIndex | None,
    review: str | Path | None = None,
) -> tuple[list[Decision], dict[str, int]]:
    """Every decision of every file, checked; returns decisions and rows not yet judged per file.

    The stage is the file's folder name, the reviewer its name. The same reviewer deciding the
    same record twice is fine when the answers agree (the repeat is marked) and an error when
    they differ.
    """
    problems: list[str] = []
    decisions: list[Decision] = []
    blank: dict[str, int] = {}
    for path in sorted(Path(p) for p in paths):
        if unread_format(path):
            problems.append(f"{path}: {unread_format(path)}")
            continue
        if not is_sheet_file(path):
            continue
        stage = path.parent.name
        if stage not in STAGES:
            problems.append(
                f"{path}: not in a stage folder ({stage!r} is not a stage); put decision files "
                f"in screening/<stage>/ with stage one of {', '.join(STAGES)}, and conflict "
                "settlements in screening/resolutions.csv"
            )
            continue
        reviewer = reviewer_from_file(path, policy.reviewers)
        if reviewer is None:
            problems.append(
                f"{path}: {path.stem!r} is not a reviewer named in config screening.reviewers "
                f"({', '.join(policy.reviewers)}); name the file <reviewer>.csv|xlsx or "
                "<reviewer>-<batch>.csv|xlsx, or add the reviewer to the config"
            )
            continue
        found, n_blank = read_decision_file(
            path,
            stage=stage,
            reviewer=reviewer,
            criteria=criteria,
            index=index,
            problems=problems,
            review=review,
        )
        decisions.extend(found)
        blank[str(path)] = n_blank
    decisions = _mark_repeats(decisions, problems, key=lambda d: (d.stage, d.reviewer, d.record_id))
    if problems:
        raise ScreeningError(problems, heading="decision files")
    return decisions, blank


def _mark_repeats(decisions: list[Decision], problems: list[str], *, key) -> list[Decision]:
    first: dict[tuple, Decision] = {}
    out = []
    for d in decisions:
        k = key(d)
        earlier = first.get(k)
        if earlier is None:
            first[k] = d
            out.append(d)
        elif (earlier.decision, earlier.criteria) == (d.decision, d.criteria):
            out.append(replace(d, repeat_of=earlier.where))
        else:
            who = "settled" if d.source == "resolution" else f"{d.reviewer} decided"
            problems.append(
                f"{d.file}, row {d.row}: {who} {d.id_given!r} at {d.stage} twice with different "
                f"answers ({earlier.where}: {earlier.answer}; row {d.row}: {d.answer}); "
                "keep only the row that holds"
            )
    return out


def read_resolutions(
    paths: list[str | Path],
    *,
    policy: Policy,
    criteria: Criteria,
    index: ReferenceIndex | None,
    review: str | Path | None = None,
) -> list[Decision]:
    """The settlements of conflicts; one answer per reference and stage.

    A row without a decision (a conflict of the resolution sheet not settled yet) is skipped;
    one that gives criteria or a resolver but no decision is a problem.
    """
    problems: list[str] = []
    out: list[Decision] = []
    for path in sorted(Path(p) for p in paths):
        if unread_format(path):
            problems.append(f"{path}: {unread_format(path)}")
            continue
        if not is_sheet_file(path):
            continue
        frame = _read(
            path, problems, RESOLUTION_COLUMNS, "screening_resolutions", "resolution file"
        )
        if frame is None:
            continue
        for i, row in enumerate(frame.to_dict(orient="records")):
            where = f"{path}, row {i + 2}"
            stage = row["stage"]
            if row.get("_open"):
                if row.get("criteria"):
                    problems.append(
                        f"{where}, field decision: empty but criteria are given; fill in the "
                        "settled decision or clear the criteria"
                    )
                continue
            names = [n.strip() for n in re.split(r"[;,]", row["resolved_by"]) if n.strip()]
            for name in names:
                if not policy.may_resolve(name):
                    allowed = policy.resolvers or policy.reviewers
                    problems.append(
                        f"{where}, field resolved_by: {name!r} is not named in config "
                        f"screening.resolution.resolvers ({', '.join(allowed)}); fix the name "
                        "or add the person to the config"
                    )
            if policy.resolution_method == "third_reviewer" and len(names) > 1:
                problems.append(
                    f"{where}, field resolved_by: {'; '.join(names)}: config "
                    "screening.resolution.method is third_reviewer, so one resolver settles "
                    "each conflict; name that person (or set the method to consensus)"
                )
            undecided = row["decision"] == "maybe" and stage != "retrieval"
            if undecided and not policy.maybe_passes(stage):
                problems.append(
                    f"{where}, field decision: a resolution must settle on include or "
                    "exclude here, not maybe"
                )
            decision = _check(
                row,
                source="resolution",
                stage=stage,
                reviewer="; ".join(names),
                file=path,
                label=file_label(path, review),
                number=i + 2,
                criteria=criteria,
                index=index,
                problems=problems,
            )
            if decision is not None:
                out.append(decision)
    out = _mark_repeats(out, problems, key=lambda d: (d.stage, d.reference_id))
    if problems:
        raise ScreeningError(problems, heading="resolution file")
    return out


def collect_files(screening_dir: str | Path) -> tuple[list[Path], list[Path]]:
    """Decision files (``<dir>/<stage>/*``) and resolution files (``<dir>/resolutions.*``).

    Spreadsheets anywhere else in the folder (a misspelt stage folder, a decision file left at
    the top) are returned with the decision files, so that reading them fails with a message
    instead of their decisions being left out unseen.
    """
    root = Path(screening_dir)
    if not root.is_dir():
        return [], []
    # Any depth, and spreadsheets in formats that are not read (.ods, .xls): each is reported.
    found = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and (is_sheet_file(p) or unread_format(p))
        and not any(is_lock_file(Path(part)) for part in p.relative_to(root).parts)
    )
    resolutions = [p for p in found if p.parent == root and p.stem.startswith("resolutions")]
    decisions = [p for p in found if p not in resolutions]
    return decisions, resolutions
