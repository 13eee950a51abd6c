"""Frozen versions of a review: the snapshot of what was published, never rewritten.

``slrflow freeze DIR --as NAME`` copies the results a published version rests on into
``DIR/versions/NAME/``, and every later run compares the current results with it (see
:mod:`slrflow.changes`). A snapshot holds:

``counts.csv``
    every PRISMA number as drawn (``node, detail, n``; the figures' ``prisma_counts.csv``, or the
    screening stage's ``counts.csv`` when the figures were not built).
``references.csv``
    every reference of that version with the box it ended in (:data:`OUTCOMES`): ``reference_id,
    record_ids, title, year, doi, box, reasons``. The included references are those whose
    ``box`` is ``reports_included``.
``log.csv``
    the screening log (every decision with its file and row), so that a later change of status can
    be traced to the decision that made it.
``coded_long.csv``, ``coded_wide.csv``
    the coded table, long and wide (one row per study); absent when nothing was coded.
``toolkit/``
    both toolkit workbooks as published and their CSV twins (only those the review had).
``manifest.json``
    the snapshot's name, the date it was frozen, the slrflow version, and the sha256 and size of
    every file above. :func:`verify` checks them on every run, so an edited snapshot stops the run.

Freezing a name that exists is refused: a published version is never rewritten.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from slrflow import __version__, tables
from slrflow.errors import SlrflowError

#: Where a review keeps its frozen versions.
VERSIONS_DIR = "versions"
MANIFEST = "manifest.json"
#: A version's name: letters, digits, ``.``, ``_`` and ``-`` (``2025-wodc``), as a folder name.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

#: The box a reference ended in -> how it reads in a change list.
OUTCOMES: dict[str, str] = {
    "automation_ineligible": "marked ineligible by automation",
    "records_excluded": "excluded at title/abstract",
    "records_awaiting_screening": "awaiting title/abstract screening",
    "records_awaiting_resolution": "awaiting a title/abstract resolution",
    "reports_not_retrieved": "report not retrieved",
    "reports_awaiting_retrieval": "awaiting retrieval",
    "reports_excluded": "excluded at full text",
    "reports_awaiting_assessment": "awaiting a full-text decision",
    "reports_included": "included",
}

#: results file -> snapshot file; the first two are needed, the others copied when present.
_COPIED = {
    "screening/log.csv": "log.csv",
    "coding/coded_long.csv": "coded_long.csv",
    "coding/coded_wide.csv": "coded_wide.csv",
}
_REFERENCE_COLUMNS = ["reference_id", "record_ids", "title", "year", "doi", "box", "reasons"]


class VersionError(SlrflowError):
    """A snapshot that cannot be made or read as it stands."""


@dataclass(frozen=True)
class Snapshot:
    """A frozen version: its ``name``, its folder, when it was frozen and its files' checksums."""

    name: str
    path: Path
    frozen_on: str
    files: dict[str, str]

    def file(self, name: str) -> Path | None:
        """The snapshot's file ``name`` (``counts.csv``, ``toolkit/slo_interventions.csv``), or
        None when this version does not have it."""
        return self.path / name if name in self.files else None


def reference_outcomes(references: pd.DataFrame, boxes: pd.DataFrame) -> pd.DataFrame:
    """Every reference with the box it ended in (columns of ``references.csv`` above).

    A reference's box is that of its own record (the record whose id is the reference's id);
    its other records are duplicates removed.
    """
    own = boxes[boxes["record_id"] == boxes["reference_id"]]
    box_of = dict(zip(own["reference_id"], own["box"], strict=True))
    reasons_of = dict(zip(own["reference_id"], own["reasons"], strict=True))
    frame = pd.DataFrame(
        {
            "reference_id": references["reference_id"],
            "record_ids": references["record_ids"],
            "title": references["title"],
            "year": references["year"],
            "doi": references["doi"],
        }
    )
    frame["box"] = frame["reference_id"].map(box_of).fillna("")
    frame["reasons"] = frame["reference_id"].map(reasons_of).fillna("")
    return frame.sort_values("reference_id", kind="stable").reset_index(drop=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_name(name: str) -> str:
    """``name`` when it is a usable version name; else a :class:`VersionError` saying why."""
    if not NAME_PATTERN.fullmatch(name or ""):
        raise VersionError(
            f"version name {name!r}: use letters, digits, '.', '_' and '-' only, starting with "
            "a letter or digit (e.g. 2025-wodc), at most 64 characters"
        )
    return name


def freeze(
    review: str | Path,
    name: str,
    *,
    results: str | Path | None = None,
    date: str | None = None,
) -> Snapshot:
    """Store the snapshot ``review/versions/name`` of the current ``results``.

    ``results`` defaults to ``review/results``; ``date`` (``YYYY-MM-DD``) to today. Refuses a
    name that exists, and results without the screening stage's tables.
    """
    review = Path(review)
    check_name(name)
    results = Path(results) if results is not None else review / "results"
    target = review / VERSIONS_DIR / name
    if target.exists():
        raise VersionError(
            f"{target}: version {name!r} exists; a published version is never rewritten "
            "(freeze under another name)"
        )
    frozen_on = date or _dt.date.today().isoformat()
    try:
        _dt.date.fromisoformat(frozen_on)
    except ValueError:
        raise VersionError(f"--date {frozen_on!r} is not a date (YYYY-MM-DD)") from None
    needed = [
        results / "dedup" / "references.csv",
        results / "screening" / "boxes.csv",
        results / "screening" / "counts.csv",
        results / "screening" / "log.csv",
    ]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise VersionError(
            f"{results}: no results to freeze ({', '.join(missing)} missing); run the workflow "
            "on the review first (slrflow run)"
        )
    staging = target.with_name(f".{name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    outcomes = reference_outcomes(
        tables.read_csv(results / "dedup" / "references.csv"),
        tables.read_csv(results / "screening" / "boxes.csv"),
    )
    tables.write_csv(outcomes[_REFERENCE_COLUMNS], staging / "references.csv")
    drawn = results / "figures" / "prisma_counts.csv"
    shutil.copyfile(drawn if drawn.is_file() else needed[2], staging / "counts.csv")
    for source, dest in _COPIED.items():
        if (results / source).is_file():
            shutil.copyfile(results / source, staging / dest)
    toolkit = results / "toolkit"
    if toolkit.is_dir():
        for path in sorted(toolkit.iterdir()):
            if path.is_file() and path.suffix in (".xlsx", ".csv"):
                (staging / "toolkit").mkdir(exist_ok=True)
                shutil.copyfile(path, staging / "toolkit" / path.name)
    files = {
        p.relative_to(staging).as_posix(): _sha256(p)
        for p in sorted(staging.rglob("*"))
        if p.is_file()
    }
    manifest = {
        "name": name,
        "frozen_on": frozen_on,
        "slrflow": __version__,
        "files": files,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    staging.rename(target)
    return Snapshot(name, target, frozen_on, files)


def load(path: str | Path) -> Snapshot:
    """The snapshot in folder ``path``, its manifest read (not yet verified)."""
    path = Path(path)
    manifest_path = path / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VersionError(f"{manifest_path}: missing; {path} is not a frozen version") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise VersionError(f"{manifest_path}: not readable as JSON ({error})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise VersionError(f"{manifest_path}: field files must map file names to sha256 sums")
    for name in files:
        # The manifest names files inside the snapshot only.
        if name.startswith(("/", "\\")) or ".." in Path(name).parts:
            raise VersionError(f"{manifest_path}: file {name!r} is outside the snapshot")
    return Snapshot(
        name=str(manifest.get("name") or path.name),
        path=path,
        frozen_on=str(manifest.get("frozen_on") or ""),
        files=dict(files),
    )


def verify(snapshot: Snapshot) -> None:
    """Raise a :class:`VersionError` naming every file of ``snapshot`` that is missing or whose
    bytes differ from the manifest: a published version is never edited."""
    problems = []
    for name, expected in sorted(snapshot.files.items()):
        path = snapshot.path / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif _sha256(path) != expected:
            problems.append(f"{path}: changed since it was frozen (sha256 differs)")
    if problems:
        raise VersionError(
            f"frozen version {snapshot.name!r} is not as it was frozen:\n  "
            + "\n  ".join(problems)
            + "\nRestore the files (e.g. from version control); a published version is never "
            "edited"
        )


def snapshots(review: str | Path) -> list[Snapshot]:
    """The review's frozen versions, oldest first (by date frozen, then name)."""
    folder = Path(review) / VERSIONS_DIR
    if not folder.is_dir():
        return []
    found = [load(p) for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    return sorted(found, key=lambda s: (s.frozen_on, s.name))


def chosen(review: str | Path, compare_to: str | None = None) -> Snapshot | None:
    """The version to compare with: ``compare_to`` by name, else the latest; None when the review
    has none. A named version that does not exist is an error listing those that do."""
    found = snapshots(review)
    if compare_to:
        for snapshot in found:
            if snapshot.path.name == compare_to:
                return snapshot
        names = ", ".join(s.path.name for s in found) or "none"
        raise VersionError(
            f"compare_to: {compare_to!r} is not a frozen version of {review} "
            f"(versions: {names}); freeze one with slrflow freeze"
        )
    return found[-1] if found else None


#: Columns of :func:`diff_table`'s result.
DIFF_COLUMNS = ["key", "change", "column", "then", "now"]


def _keyed(frame: pd.DataFrame, key: list[str]) -> dict[str, dict[str, str]]:
    """Rows by their key (the key columns joined by `` | ``); a repeated key gets ``#2``, ``#3``."""
    rows: dict[str, dict[str, str]] = {}
    for row in frame.fillna("").astype(str).to_dict("records"):
        base = " | ".join(row.get(k, "") for k in key)
        name, n = base, 1
        while name in rows:
            n += 1
            name = f"{base} #{n}"
        rows[name] = row
    return rows


def diff_table(then: pd.DataFrame, now: pd.DataFrame, *, key: list[str]) -> pd.DataFrame:
    """What differs between two versions of one table, cell by cell.

    Rows are matched on the ``key`` columns. The result has one row per row ``added`` or
    ``removed`` (``column`` empty) and one per cell ``changed`` (``column`` names it, ``then``
    and ``now`` hold both values), in the order of ``now`` then the removed rows. Columns whose
    name starts with ``_`` (link targets) are not compared; a column only one version has is
    compared as empty in the other.
    """
    then_rows, now_rows = _keyed(then, key), _keyed(now, key)
    columns = [c for c in dict.fromkeys([*now.columns, *then.columns]) if not c.startswith("_")]
    out = []
    for name, row in now_rows.items():
        before = then_rows.get(name)
        if before is None:
            out.append({"key": name, "change": "added", "column": "", "then": "", "now": ""})
            continue
        for column in columns:
            if column in key:
                continue
            old, new = before.get(column, ""), row.get(column, "")
            if old != new:
                out.append(
                    {"key": name, "change": "changed", "column": column, "then": old, "now": new}
                )
    for name in then_rows:
        if name not in now_rows:
            out.append({"key": name, "change": "removed", "column": "", "then": "", "now": ""})
    return pd.DataFrame(out, columns=DIFF_COLUMNS)


@dataclass(frozen=True)
class Published:
    """What a frozen version included, and how much of it is no longer included now."""

    studies: int
    reports: int
    withdrawn_studies: int
    withdrawn_reports: int


def _published_count(counts: pd.DataFrame, kind: str) -> int:
    totals = {r["node"]: r["n"] for r in counts.to_dict("records") if not r.get("detail")}
    value = totals.get(f"total_{kind}") or totals.get(f"new_{kind}") or "0"
    return int(value)


def published(
    snapshot: Snapshot, *, boxes: pd.DataFrame, study_ids: Iterable[str] | None = None
) -> Published:
    """The studies and reports ``snapshot`` included (its PRISMA numbers), and how many of them
    the current run no longer includes: a report is withdrawn when none of its records is in a
    reference included now (``boxes``: the screening stage's ``boxes.csv``); a study when its
    id is not among the current ``study_ids`` (None: studies are not compared)."""
    counts_path = snapshot.file("counts.csv")
    references_path = snapshot.file("references.csv")
    if counts_path is None or references_path is None:
        raise VersionError(f"{snapshot.path}: no counts.csv or references.csv in the manifest")
    counts = tables.read_csv(counts_path)
    then = tables.read_csv(references_path)
    reference_of = dict(zip(boxes["record_id"], boxes["reference_id"], strict=True))
    included_now = set(boxes.loc[boxes["box"] == "reports_included", "reference_id"])
    withdrawn_reports = 0
    for row in then[then["box"] == "reports_included"].to_dict("records"):
        records = [r.strip() for r in row["record_ids"].split(";") if r.strip()]
        if not any(reference_of.get(r) in included_now for r in records or [row["reference_id"]]):
            withdrawn_reports += 1
    withdrawn_studies = 0
    wide = snapshot.file("coded_wide.csv")
    if study_ids is not None and wide is not None:
        current = set(study_ids)
        frozen = tables.read_csv(wide)
        if "intervention_id" in frozen.columns:
            withdrawn_studies = sum(1 for s in frozen["intervention_id"] if s and s not in current)
    return Published(
        studies=_published_count(counts, "studies"),
        reports=_published_count(counts, "reports"),
        withdrawn_studies=withdrawn_studies,
        withdrawn_reports=withdrawn_reports,
    )
