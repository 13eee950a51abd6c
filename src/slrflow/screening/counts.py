"""PRISMA 2020 screening counts, and the accounting invariant behind them.

Every record of every export ends in exactly one *terminal box* (:data:`BOXES`): removed as a
duplicate (it is not its reference's representative), marked ineligible by automation, excluded
at title/abstract, not retrieved, excluded at full text, included, or waiting somewhere (not yet
screened, conflict not settled...). The flow boxes PRISMA draws follow from them and must
reconcile: identified - duplicates - automation = screened; screened - excluded - awaiting =
sought; sought - not retrieved - awaiting = assessed; assessed - excluded - awaiting = included.
:func:`account` fails, listing the records, when a record has no box or the numbers do not add up.

Exclusions naming several criteria are counted once under the first in criteria.yaml order
(``records_excluded``, ``reports_excluded``: these sum to the box) and once per criterion named
(``..._any``: a reference may count under several).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from slrflow.screening import ScreeningError
from slrflow.screening.criteria import Criteria
from slrflow.screening.status import StageStatus

#: Terminal boxes: (box, stage, what it holds).
BOXES = (
    ("duplicates_removed", "identification", "duplicate records removed before screening"),
    ("automation_ineligible", "identification", "marked as ineligible by automation tools"),
    ("records_excluded", "title_abstract", "records excluded at title/abstract"),
    ("records_awaiting_screening", "title_abstract", "not yet judged by enough reviewers"),
    ("records_awaiting_resolution", "title_abstract", "conflict not yet settled"),
    ("reports_not_retrieved", "retrieval", "reports not retrieved"),
    ("reports_awaiting_retrieval", "retrieval", "retrieval not yet recorded or settled"),
    ("reports_excluded", "full_text", "reports excluded at full text, with reasons"),
    ("reports_awaiting_assessment", "full_text", "full text not yet judged or settled"),
    ("reports_included", "full_text", "reports of included studies"),
)
TERMINAL = tuple(b for b, _, _ in BOXES)


@dataclass(frozen=True)
class Box:
    """Where one record ended: the box and, for exclusions, the counted reason."""

    record_id: str
    search_id: str
    reference_id: str
    box: str
    reason: str = ""
    reasons: tuple[str, ...] = ()


def _reference_box(ref: str, status: dict[tuple[str, str], StageStatus]) -> tuple[str, tuple]:
    ta = status[(ref, "title_abstract")]
    if ta.status == "automation":
        return "automation_ineligible", ta.criteria
    if ta.status == "exclude":
        return "records_excluded", ta.criteria
    if ta.status == "conflict":
        return "records_awaiting_resolution", ()
    rt = status[(ref, "retrieval")]
    if rt.status == "not_reached":
        return "records_awaiting_screening", ()
    if rt.status == "not_retrieved":
        return "reports_not_retrieved", rt.criteria
    if rt.status != "retrieved":
        return "reports_awaiting_retrieval", ()
    ft = status[(ref, "full_text")]
    if ft.status == "exclude":
        return "reports_excluded", ft.criteria
    if ft.status == "include":
        return "reports_included", ()
    return "reports_awaiting_assessment", ()


def account(
    records: pd.DataFrame,
    clusters: pd.DataFrame,
    status: dict[tuple[str, str], StageStatus],
) -> list[Box]:
    """The terminal box of every record; raises when the accounting does not hold."""
    reference_of = dict(zip(clusters["record_id"], clusters["reference_id"], strict=True))
    problems = []
    missing = [r for r in records["record_id"] if r not in reference_of]
    if missing:
        problems.append(
            f"{len(missing)} record(s) of results/ingest/records.csv have no reference in "
            f"results/dedup/clusters.csv: {', '.join(missing[:20])}"
            + (" ..." if len(missing) > 20 else "")
            + "; rerun the dedup stage on the current records"
        )
    known = set(records["record_id"])
    extra = [r for r in reference_of if r not in known]
    if extra:
        problems.append(
            f"{len(extra)} record(s) in clusters.csv are not in records.csv: "
            f"{', '.join(extra[:20])}" + (" ..." if len(extra) > 20 else "")
        )
    headless = sorted({ref for ref in reference_of.values() if reference_of.get(ref) != ref})
    if headless:
        problems.append(
            f"reference id(s) that are not a record of their own reference: "
            f"{', '.join(headless[:20])}; clusters.csv is inconsistent"
        )
    unscreened = sorted(
        {ref for ref in reference_of.values() if (ref, "title_abstract") not in status}
    )
    if unscreened:
        problems.append(
            "reference(s) in clusters.csv missing from references.csv: "
            + ", ".join(unscreened[:20])
        )
    if problems:
        raise ScreeningError(problems, heading="accounting invariant")
    boxes = []
    for record_id, search_id in zip(records["record_id"], records["search_id"], strict=True):
        ref = reference_of[record_id]
        if record_id != ref:
            boxes.append(Box(record_id, search_id, ref, "duplicates_removed"))
            continue
        box, reasons = _reference_box(ref, status)
        boxes.append(Box(record_id, search_id, ref, box, reasons[0] if reasons else "", reasons))
    return boxes


def flow_counts(
    boxes: list[Box],
    criteria: Criteria,
    *,
    source_types: dict[str, str] | None = None,
    rules: list[str] | None = None,
) -> list[dict[str, object]]:
    """Rows ``box, stage, reason, n, note`` for every box, awaiting ones included; checks
    that they reconcile."""
    source_types = source_types or {}
    n = Counter(b.box for b in boxes)
    total = len(boxes)
    if sum(n[b] for b in TERMINAL) != total or set(n) - set(TERMINAL):
        raise ScreeningError(
            [f"boxes hold {sum(n.values())} records but {total} were identified"],
            heading="accounting invariant",
        )
    screened = total - n["duplicates_removed"] - n["automation_ineligible"]
    sought = screened - n["records_excluded"] - n["records_awaiting_screening"]
    sought -= n["records_awaiting_resolution"]
    assessed = sought - n["reports_not_retrieved"] - n["reports_awaiting_retrieval"]
    included = assessed - n["reports_excluded"] - n["reports_awaiting_assessment"]
    if included != n["reports_included"]:
        raise ScreeningError(
            [f"included reports {n['reports_included']} but the flow leaves {included}"],
            heading="accounting invariant",
        )
    rows: list[dict[str, object]] = []

    def add(box: str, stage: str, value: int, reason: str = "", note: str = "") -> None:
        rows.append({"box": box, "stage": stage, "reason": reason, "n": value, "note": note})

    add("records_identified", "identification", total, note="records in all exports")
    by_type = Counter(source_types.get(b.search_id, "database") for b in boxes)
    for source_type in ("database", "register", "other"):
        add(
            "records_identified",
            "identification",
            by_type[source_type],
            reason=source_type,
            note="by source type of the search",
        )
    for search_id, count in sorted(Counter(b.search_id for b in boxes).items()):
        add("records_identified", "identification", count, reason=search_id, note="by search")
    notes = {b: note for b, _, note in BOXES}
    stages = {b: stage for b, stage, _ in BOXES}
    flow = {
        "records_screened": (
            "title_abstract",
            screened,
            "references left after deduplication and automation",
        ),
        "reports_sought": ("retrieval", sought, "reports sought for retrieval"),
        "reports_assessed": ("full_text", assessed, "reports assessed for eligibility"),
    }
    after = {
        "automation_ineligible": "records_screened",
        "records_awaiting_resolution": "reports_sought",
        "reports_awaiting_retrieval": "reports_assessed",
    }
    for box in TERMINAL:
        add(box, stages[box], n[box], note=notes[box])
        held = [b for b in boxes if b.box == box]
        if box == "automation_ineligible":
            counted = Counter(b.reason for b in held)
            for rule in list(rules or []) + sorted(set(counted) - set(rules or [])):
                add(box, stages[box], counted[rule], reason=rule, note="by automation rule")
        if box in ("records_excluded", "reports_not_retrieved", "reports_excluded"):
            counted = Counter(b.reason for b in held)
            applicable = [c.id for c in criteria.for_stage(stages[box])]
            for cid in applicable + sorted(set(counted) - set(applicable)):
                add(
                    box,
                    stages[box],
                    counted[cid],
                    reason=cid,
                    note="first failed criterion in criteria.yaml order",
                )
            anyof = Counter(c for b in held for c in b.reasons)
            for cid in applicable + sorted(set(anyof) - set(applicable)):
                add(
                    box + "_any",
                    stages[box],
                    anyof[cid],
                    reason=cid,
                    note="each criterion named (a reference may count more than once)",
                )
        if box in after:
            name = after[box]
            add(name, flow[name][0], flow[name][1], note=flow[name][2])
    return rows


def _other_node(name: str) -> str:
    """The PRISMA identification node of an other-methods search, from its name."""
    low = name.lower()
    if "citation" in low or "reference list" in low:
        return "citations_results"
    if "organi" in low and "website" not in low:
        return "organisation_results"
    return "website_results"


def prisma_nodes(
    boxes: list[Box],
    criteria: Criteria,
    *,
    source_types: dict[str, str] | None = None,
    databases: dict[str, str] | None = None,
    rules: list[str] | None = None,
) -> list[dict[str, object]]:
    """PRISMA 2020 numbers as rows ``node, detail, n`` with the PRISMA2020 R package's node
    names (the table :mod:`slrflow.figures.prisma` draws): a total row per node, then its parts.

    Searches of source type ``database`` and ``register`` make the left column (by database
    name). A reference none of whose records came from them belongs to the other-methods
    column: its records count under ``citations_results``, ``organisation_results`` or
    ``website_results`` (from the search's name), and the reference from ``other_sought_reports``
    on, as PRISMA draws no screening box there. Other-methods records of a reference the
    databases also found are identified in that column and followed in the left one.
    References still awaiting a decision appear in no PRISMA box (``flow.csv`` holds them);
    these numbers reconcile once none are left.
    """
    source_types = source_types or {}
    databases = databases or {}
    labels = {c.id: f"{c.id} {c.label}" for c in criteria.items}

    def other(search_id: str) -> bool:
        return source_types.get(search_id, "database") == "other"

    members: dict[str, list[Box]] = {}
    for b in boxes:
        members.setdefault(b.reference_id, []).append(b)
    head = {ref: next(b for b in held if b.box != "duplicates_removed")
            for ref, held in members.items()}  # fmt: skip
    flow = {ref: "other" if all(other(b.search_id) for b in held) else "dbr"
            for ref, held in members.items()}  # fmt: skip
    rows: list[dict[str, object]] = []

    def node(name: str, total: int, parts: dict[str, int] | None = None) -> None:
        rows.append({"node": name, "detail": "", "n": total})
        for detail, value in (parts or {}).items():
            if value:
                rows.append({"node": name, "detail": detail, "n": value})

    def refs(column: str, *wanted: str) -> list[Box]:
        return [head[r] for r in sorted(head) if flow[r] == column and head[r].box in wanted]

    def by_reason(held: list[Box]) -> dict[str, int]:
        counted = Counter(b.reason for b in held)
        return {labels.get(r, r): counted[r] for r in criteria.order(list(counted))}

    for kind, name in (("database", "database_results"), ("register", "register_results")):
        held = [b for b in boxes if source_types.get(b.search_id, "database") == kind]
        parts = Counter(databases.get(b.search_id, b.search_id) for b in held)
        if held or kind == "database":
            node(name, len(held), dict(sorted(parts.items())))
    dbr_records = sum(not other(b.search_id) for b in boxes)
    dbr_refs = sum(1 for r in flow if flow[r] == "dbr")
    node("duplicates", dbr_records - dbr_refs)
    auto = Counter(b.reason for b in refs("dbr", "automation_ineligible"))
    known = list(rules or [])
    node("excluded_automatic", sum(auto.values()),
         {r: auto[r] for r in known + sorted(set(auto) - set(known))})  # fmt: skip
    screened = dbr_refs - sum(auto.values())
    node("records_screened", screened)
    excluded = refs("dbr", "records_excluded")
    node("records_excluded", len(excluded), by_reason(excluded))
    after = ("reports_not_retrieved", "reports_awaiting_retrieval", "reports_excluded",
             "reports_awaiting_assessment", "reports_included")  # fmt: skip
    assessed_boxes = ("reports_excluded", "reports_awaiting_assessment", "reports_included")
    for column, prefix in (("dbr", "dbr"), ("other", "other")):
        sought = refs(column, *after)
        if column == "other":
            held = [b for b in boxes if other(b.search_id)]
            if not held and not sought:
                continue
            by_node: dict[str, Counter] = {}
            for b in held:
                name = databases.get(b.search_id, b.search_id)
                by_node.setdefault(_other_node(name), Counter())[name] += 1
            for name in ("website_results", "organisation_results", "citations_results"):
                if name in by_node:
                    node(name, sum(by_node[name].values()), dict(sorted(by_node[name].items())))
        not_retrieved = refs(column, "reports_not_retrieved")
        excluded = refs(column, "reports_excluded")
        node(f"{prefix}_sought_reports", len(sought))
        node(f"{prefix}_notretrieved_reports", len(not_retrieved), by_reason(not_retrieved))
        node(f"{prefix}_assessed", len(refs(column, *assessed_boxes)))
        node(f"{prefix}_excluded", len(excluded), by_reason(excluded))
    included = sum(1 for b in head.values() if b.box == "reports_included")
    # Studies are told apart from reports only when coding links reports of one study.
    node("new_studies", included)
    node("new_reports", included)
    return rows
