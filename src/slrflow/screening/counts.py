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

:func:`place` then puts every record in one box of the PRISMA 2020 diagram (the columns for
databases and registers and for other methods, and in an updated review the previous version;
see its docstring for how a reference with records from several rounds is counted), and
:func:`prisma_counts` tallies them into the counts table the diagram is drawn from, checked with
the same equations (:data:`slrflow.prisma.EQUATIONS`) before anything is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from slrflow.messages import some_of
from slrflow.prisma import EQUATIONS, NODES, OTHER_NODES, Counts, check
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
            f"results/dedup/clusters.csv: {some_of(missing)}; rerun the dedup stage on the "
            "current records"
        )
    known = set(records["record_id"])
    extra = [r for r in reference_of if r not in known]
    if extra:
        problems.append(
            f"{len(extra)} record(s) in clusters.csv are not in records.csv: {some_of(extra)}"
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


#: The PRISMA nodes a reference passes, from its terminal box, in the column it is followed in.
_SCREENED = ("records_screened",)
_DBR_SOUGHT = _SCREENED + ("dbr_sought_reports",)
_OTHER_SOUGHT = ("other_sought_reports",)
_PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    "dbr": {
        "automation_ineligible": ("excluded_automatic",),
        "records_excluded": _SCREENED + ("records_excluded",),
        "records_awaiting_screening": _SCREENED + ("records_awaiting",),
        "records_awaiting_resolution": _SCREENED + ("records_awaiting",),
        "reports_not_retrieved": _DBR_SOUGHT + ("dbr_notretrieved_reports",),
        "reports_awaiting_retrieval": _DBR_SOUGHT + ("dbr_awaiting_retrieval",),
        "reports_excluded": _DBR_SOUGHT + ("dbr_assessed", "dbr_excluded"),
        "reports_awaiting_assessment": _DBR_SOUGHT + ("dbr_assessed", "dbr_awaiting_assessment"),
        "reports_included": _DBR_SOUGHT + ("dbr_assessed", "new_reports"),
    },
    "other": {
        "automation_ineligible": ("other_excluded_automatic",),
        "records_excluded": ("other_records_excluded",),
        "records_awaiting_screening": ("other_records_awaiting",),
        "records_awaiting_resolution": ("other_records_awaiting",),
        "reports_not_retrieved": _OTHER_SOUGHT + ("other_notretrieved_reports",),
        "reports_awaiting_retrieval": _OTHER_SOUGHT + ("other_awaiting_retrieval",),
        "reports_excluded": _OTHER_SOUGHT + ("other_assessed", "other_excluded"),
        "reports_awaiting_assessment": _OTHER_SOUGHT
        + ("other_assessed", "other_awaiting_assessment"),
        "reports_included": _OTHER_SOUGHT + ("other_assessed", "new_reports"),
    },
    "previous": {
        "reports_included": ("previous_reports",),
        "records_awaiting_screening": ("previous_awaiting",),
        "records_awaiting_resolution": ("previous_awaiting",),
        "reports_awaiting_retrieval": ("previous_awaiting",),
        "reports_awaiting_assessment": ("previous_awaiting",),
        "automation_ineligible": ("previous_other",),
        "records_excluded": ("previous_other",),
        "reports_not_retrieved": ("previous_other",),
        "reports_excluded": ("previous_other",),
    },
}
#: Nodes whose parts are the counted reason (criterion or automation rule) of the reference.
_BY_REASON = (
    "excluded_automatic", "records_excluded", "dbr_notretrieved_reports", "dbr_excluded",
    "other_excluded_automatic", "other_records_excluded", "other_notretrieved_reports",
    "other_excluded",
)  # fmt: skip
_WAITING = {
    "records_awaiting_screening": "awaiting reviewers",
    "records_awaiting_resolution": "conflict not yet settled",
}


@dataclass(frozen=True)
class Placed:
    """Where one record is in the PRISMA diagram.

    ``identified`` is the identification node of its search (``database_results``,
    ``register_results``, ``website_results``, ``organisation_results``, ``citations_results``,
    or ``previous_records`` for a search of an earlier round of an updated review); ``source``
    the database (or website ...) it counts under there; ``path`` the nodes it then passes, the
    last being the box it ends in (one of ``prisma.TERMINAL``); ``detail`` the part of that box
    it counts under (the reason, the rule, the kind of duplicate or of wait).
    """

    record_id: str
    search_id: str
    reference_id: str
    identified: str
    source: str
    path: tuple[str, ...]
    detail: str = ""

    @property
    def node(self) -> str:
        return self.path[-1]


def place(
    boxes: list[Box],
    criteria: Criteria,
    *,
    source_types: dict[str, str] | None = None,
    databases: dict[str, str] | None = None,
    rounds: dict[str, int] | None = None,
    rule_labels: dict[str, str] | None = None,
) -> list[Placed]:
    """The PRISMA box of every record: one :class:`Placed` per :class:`Box`, same order.

    **Columns.** Searches of source type ``database`` and ``register`` feed the left column,
    ``other`` searches the other-methods column. A reference with a record from a database or
    register is followed in the left column; one whose records all come from other methods in
    the other-methods column. Each column counts a reference once, on one of its records in that
    column (the reference's own record when it is one, else its first); the column's other
    records are its duplicates removed. Other-methods records of a reference the databases also
    found count as duplicates removed in the other-methods column ("also found via databases
    and registers"): identified there, followed on the left.

    **Updated review.** With update rounds in the search log (``rounds``: search id -> the log's
    ``update``; 0 = the original searches), only the latest round's records are identified in
    the two columns. A reference with any record from an earlier round belongs to the previous
    version: it was found, and decided on, then. Its earlier-round records are
    ``previous_records``: one of them counts in ``previous_reports`` when the reference is
    included now (per the screening log, whatever round decided it), in ``previous_awaiting``
    when it still waits for a decision, and the rest in ``previous_other`` (duplicates and
    exclusions, which the previous version's diagram shows). Its latest-round records are
    duplicates removed ("duplicates of records found by previous searches"), so a reference
    with records from both rounds is counted once, in the previous version, and never as new.
    A reference all of whose records come from the latest round is new.

    Raises :class:`ScreeningError` naming the records when a reference has no representative
    or ends in a box this function does not know.
    """
    source_types = source_types or {}
    databases = databases or {}
    rounds = rounds or {}
    latest = max(rounds.values(), default=0)
    labels = {c.id: f"{c.id} {c.label}" for c in criteria.items}
    # An automation rule may be shown with what it states (a stopping rule: method, target,
    # confidence, includes estimated unfound) rather than by its name alone.
    labels |= rule_labels or {}

    def kind(search_id: str) -> str:
        return source_types.get(search_id, "database")

    def earlier(search_id: str) -> bool:
        return rounds.get(search_id, latest) < latest

    members: dict[str, list[Box]] = {}
    for b in boxes:
        members.setdefault(b.reference_id, []).append(b)
    problems: list[str] = []
    column: dict[str, str] = {}
    counted: dict[str, str] = {}  # reference -> the record it is counted on in its column
    outcome: dict[str, Box] = {}
    for ref, held in members.items():
        heads = [b for b in held if b.box != "duplicates_removed"]
        if len(heads) != 1:
            problems.append(
                f"reference {ref} has {len(heads)} records that are not duplicates "
                f"(expected 1): {', '.join(b.record_id for b in held)}"
            )
            continue
        outcome[ref] = heads[0]
        if any(earlier(b.search_id) for b in held):
            column[ref] = "previous"
            eligible = [b for b in held if earlier(b.search_id)]
        elif all(kind(b.search_id) == "other" for b in held):
            column[ref] = "other"
            eligible = held
        else:
            column[ref] = "dbr"
            eligible = [b for b in held if kind(b.search_id) != "other"]
        counted[ref] = (heads[0] if heads[0] in eligible else eligible[0]).record_id
        if heads[0].box not in _PATHS[column[ref]]:
            problems.append(
                f"reference {ref} ended in box {heads[0].box!r}, which has no PRISMA box; "
                f"records {', '.join(b.record_id for b in held)}"
            )
    if problems:
        raise ScreeningError(problems, heading="accounting invariant (PRISMA boxes)")

    placed = []
    for b in boxes:
        ref, col = b.reference_id, column[b.reference_id]
        source = databases.get(b.search_id, b.search_id)
        if earlier(b.search_id):
            identified = "previous_records"
        elif kind(b.search_id) == "other":
            identified = _other_node(source)
        else:
            register = kind(b.search_id) == "register"
            identified = "register_results" if register else "database_results"
        detail = ""
        if b.record_id == counted[ref]:
            head = outcome[ref]
            path = _PATHS[col][head.box]
            if path[-1] in _BY_REASON:
                detail = labels.get(head.reason, head.reason)
            elif head.box in _WAITING and col != "previous":
                detail = _WAITING[head.box]
        elif col == "previous" and earlier(b.search_id):
            path = ("previous_other",)
        else:
            path = ("other_duplicates",) if kind(b.search_id) == "other" else ("duplicates",)
            if col == "previous":
                detail = "of records found by previous searches"
            elif path == ("other_duplicates",) and col == "dbr":
                detail = "also found via databases and registers"
            elif path == ("other_duplicates",):
                detail = "within other methods"
            elif latest:
                detail = "within the update searches"
        placed.append(Placed(b.record_id, b.search_id, ref, identified, source, path, detail))
    return placed


def prisma_counts(
    boxes: list[Box],
    criteria: Criteria,
    *,
    source_types: dict[str, str] | None = None,
    databases: dict[str, str] | None = None,
    rules: list[str] | None = None,
    rounds: dict[str, int] | None = None,
    rule_labels: dict[str, str] | None = None,
) -> tuple[Counts, list[Placed]]:
    """The PRISMA 2020 counts table (:class:`slrflow.prisma.Counts`) and the placement
    of every record it is counted from (see :func:`place`).

    Every number is a tally of placed records, so each record is in exactly one final box; the
    table is then checked with :func:`slrflow.prisma.check`, the same check the diagram
    is drawn after, and a failure names the records of every step that does not add up.
    Included studies are counted as reports here (``new_studies`` = ``new_reports``,
    ``previous_studies`` = ``previous_reports``); the coding tells studies apart
    (:func:`slrflow.prisma.with_studies`). The other-methods nodes appear when the
    identified records include other-methods ones; the updated-review nodes when ``rounds``
    has a round above 0.
    """
    placed = place(
        boxes,
        criteria,
        source_types=source_types,
        databases=databases,
        rounds=rounds,
        rule_labels=rule_labels,
    )
    update = max((rounds or {}).values(), default=0) > 0
    passes: Counter = Counter()
    parts: dict[str, Counter] = {}
    for p in placed:
        passes[p.identified] += 1
        parts.setdefault(p.identified, Counter())[p.source] += 1
        for node in p.path:
            passes[node] += 1
        if p.detail:
            parts.setdefault(p.node, Counter())[p.detail] += 1
    other = any(node in passes for node in OTHER_NODES[:3])

    rank = {f"{c.id} {c.label}": i for i, c in enumerate(criteria.items)}
    rule_rank = {(rule_labels or {}).get(r, r): i for i, r in enumerate(rules or [])}

    def ordered(node: str) -> dict[str, int]:
        # Reasons in criteria.yaml order, rules in config order, sources by name; unknown last.
        found = parts.get(node, Counter())
        if node in ("excluded_automatic", "other_excluded_automatic"):
            keys = sorted(found, key=lambda k: (rule_rank.get(k, len(rule_rank)), k))
        elif node in _BY_REASON:
            keys = sorted(found, key=lambda k: (rank.get(k, len(rank)), k))
        elif node.endswith("_results") or node == "previous_records":
            keys = sorted(found)
        else:
            keys = list(found)
        return {k: found[k] for k in keys}

    counts = Counts()
    for node in NODES:
        wanted = (
            node in passes
            or node in _ALWAYS
            or (other and node in OTHER_NODES[3:])
            or (update and node in _UPDATE)
        )
        if node == "register_results" and node not in passes:
            wanted = False
        if wanted:
            counts.set(node, passes[node], ordered(node))
    counts.set("new_studies", passes["new_reports"])
    if update:
        counts.set("previous_studies", passes["previous_reports"])
        counts.set("total_studies", passes["previous_reports"] + passes["new_reports"])
        counts.set("total_reports", passes["previous_reports"] + passes["new_reports"])
    counts.totals = {node: counts.totals[node] for node in NODES if node in counts.totals}
    problems = check(counts)
    if problems:
        raise ScreeningError(
            [f"{problem}; records: {_unbalanced(problem, placed)}" for problem in problems],
            heading="accounting invariant (PRISMA counts)",
        )
    return counts, placed


#: Nodes the table always has (a zero is a finding), and those of an updated review.
_ALWAYS = (
    "database_results", "duplicates", "excluded_automatic", "excluded_other",
    "records_screened", "records_excluded", "records_awaiting", "dbr_sought_reports",
    "dbr_notretrieved_reports", "dbr_awaiting_retrieval", "dbr_assessed", "dbr_excluded",
    "dbr_awaiting_assessment", "new_reports",
)  # fmt: skip
_UPDATE = ("previous_records", "previous_reports", "previous_awaiting", "previous_other")


def _unbalanced(problem: str, placed: list[Placed]) -> str:
    """The records behind a failed equation: those that enter its step and leave by none of
    its boxes, or leave without entering."""
    for ins, outs, text in EQUATIONS:
        if problem.startswith(text + ":"):
            odd = [
                p.record_id
                for p in placed
                if bool({p.identified, *p.path} & set(ins)) != bool(set(p.path) & set(outs))
            ]
            return some_of(odd) if odd else "none"
    return "see boxes.csv (columns prisma, prisma_detail)"


def prisma_nodes(boxes: list[Box], criteria: Criteria, **options) -> list[dict[str, object]]:
    """The table of :func:`prisma_counts` (same keyword options) as rows ``node, detail, n``."""
    counts, _ = prisma_counts(boxes, criteria, **options)
    return [dict(row, n=int(row["n"])) for row in counts.to_frame().to_dict(orient="records")]
