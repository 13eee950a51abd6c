"""The PRISMA 2020 accounting: the counts table's nodes, the checks that it adds up, its PRISMA2020
CSV form.

The counts table (``results/screening/counts.csv``) is tidy, one number per row:

``node``
    a box's item. The nodes of the PRISMA2020 R package (Haddaway et al. 2022) keep its names:
    ``previous_studies``, ``previous_reports``, ``database_results``, ``register_results``,
    ``website_results``, ``organisation_results``, ``citations_results``, ``duplicates``,
    ``excluded_automatic``, ``excluded_other``, ``records_screened``, ``records_excluded``,
    ``dbr_sought_reports``, ``dbr_notretrieved_reports``, ``other_sought_reports``,
    ``other_notretrieved_reports``, ``dbr_assessed``, ``dbr_excluded``, ``other_assessed``,
    ``other_excluded``, ``new_studies``, ``new_reports``, ``total_studies``, ``total_reports``.
    The nodes of :data:`EXTENSION` hold what the R package has no box for, so that every record
    of every export is in exactly one box and the numbers add up exactly: records and reports
    still **awaiting** a decision (``records_awaiting``, ``dbr_awaiting_retrieval``,
    ``dbr_awaiting_assessment`` and their ``other_`` twins), what the other-methods column removes
    before retrieval (``other_duplicates``, ``other_excluded_automatic``,
    ``other_records_excluded``), and, in an updated review, the records of the earlier rounds'
    searches (``previous_records`` = ``previous_reports`` + ``previous_awaiting`` +
    ``previous_other``).
``detail``
    empty for the box's total; otherwise one part of it: the database for ``database_results``
    (and the register, website ... for the others), the criterion or reason for exclusions, the
    automation rule for ``excluded_automatic``, the kind of duplicate or of wait.
``n``
    the number of records (identification, screening) or reports (retrieval, eligibility) or
    studies.

A node given only by its parts has their sum as total. :func:`check` tests every equation of
:data:`EQUATIONS` (identified - removed = screened, screened - excluded - awaiting = sought, ...);
a table that does not add up is an error, never a warning. :func:`to_prisma2020` writes the same
numbers in the R package's template schema (``data,node,box,description,boxtext,tooltips,url,n``).

This is the accounting the stages share: screening writes the table, the toolkits and the report
read it, :mod:`slrflow.figures.prisma_diagram` draws it. It sits below all of them and imports
only ground modules (tables, messages, errors).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from slrflow import tables
from slrflow.errors import SlrflowError
from slrflow.messages import some_of

#: node -> (box in the PRISMA2020 template, what the number counts)
NODES: dict[str, tuple[str, str]] = {
    "previous_studies": ("box1", "Studies included in previous version of review"),
    "previous_reports": ("box1", "Reports of studies included in previous version of review"),
    "previous_awaiting": ("box1", "References of previous searches still awaiting a decision"),
    "previous_other": (
        "box1",
        "Records of previous searches not included (duplicates and exclusions)",
    ),
    "previous_records": ("box1", "Records identified by the searches of previous versions"),
    "previous_withdrawn_studies": (
        "box1",
        "Studies of the previous version no longer included (corrected since it was frozen)",
    ),
    "previous_withdrawn_reports": (
        "box1",
        "Reports of the previous version no longer included (corrected since it was frozen)",
    ),
    "previous_added_studies": (
        "box1",
        "Studies of previous searches included since the previous version was frozen",
    ),
    "previous_added_reports": (
        "box1",
        "Reports of previous searches included since the previous version was frozen",
    ),
    "database_results": ("box2", "Records identified from: Databases"),
    "register_results": ("box2", "Records identified from: Registers"),
    "duplicates": ("box3", "Duplicate records removed"),
    "excluded_automatic": ("box3", "Records marked as ineligible by automation tools"),
    "excluded_other": ("box3", "Records removed for other reasons"),
    "records_screened": ("box4", "Records screened (databases and registers)"),
    "records_excluded": ("box5", "Records excluded (databases and registers)"),
    "records_awaiting": ("box5", "Records awaiting screening (databases and registers)"),
    "dbr_sought_reports": ("box6", "Reports sought for retrieval (databases and registers)"),
    "dbr_notretrieved_reports": ("box7", "Reports not retrieved (databases and registers)"),
    "dbr_awaiting_retrieval": ("box7", "Reports awaiting retrieval (databases and registers)"),
    "dbr_assessed": ("box8", "Reports assessed for eligibility (databases and registers)"),
    "dbr_excluded": ("box9", "Reports excluded (databases and registers)"),
    "dbr_awaiting_assessment": (
        "box9",
        "Reports awaiting a decision on eligibility (databases and registers)",
    ),
    "new_studies": ("box10", "New studies included in review"),
    "new_reports": ("box10", "Reports of new included studies"),
    "website_results": ("box11", "Records identified from: Websites"),
    "organisation_results": ("box11", "Records identified from: Organisations"),
    "citations_results": ("box11", "Records identified from: Citation searching"),
    "other_duplicates": ("box11", "Duplicate records removed (other methods)"),
    "other_excluded_automatic": (
        "box11",
        "Records marked as ineligible by automation tools (other methods)",
    ),
    "other_records_excluded": ("box11", "Records excluded at title/abstract (other methods)"),
    "other_records_awaiting": ("box11", "Records awaiting screening (other methods)"),
    "other_sought_reports": ("box12", "Reports sought for retrieval (other methods)"),
    "other_notretrieved_reports": ("box13", "Reports not retrieved (other methods)"),
    "other_awaiting_retrieval": ("box13", "Reports awaiting retrieval (other methods)"),
    "other_assessed": ("box14", "Reports assessed for eligibility (other methods)"),
    "other_excluded": ("box15", "Reports excluded (other methods)"),
    "other_awaiting_assessment": (
        "box15",
        "Reports awaiting a decision on eligibility (other methods)",
    ),
    "total_studies": ("box16", "Total studies included in review"),
    "total_reports": ("box16", "Reports of total included studies"),
}

#: Nodes the PRISMA2020 R package does not know. They stay out of :func:`to_prisma2020`: the
#: package finds a node by matching its name anywhere in ``data`` (``grep``), so a row named
#: ``other_records_excluded`` would be read as ``records_excluded``.
EXTENSION = (
    "previous_awaiting", "previous_other", "previous_records", "previous_withdrawn_studies",
    "previous_withdrawn_reports", "previous_added_studies", "previous_added_reports",
    "records_awaiting",
    "dbr_awaiting_retrieval", "dbr_awaiting_assessment", "other_duplicates",
    "other_excluded_automatic", "other_records_excluded", "other_records_awaiting",
    "other_awaiting_retrieval", "other_awaiting_assessment",
)  # fmt: skip

#: The updated-review nodes: the previous version, and the totals over both versions.
UPDATE_NODES = ("previous_studies", "previous_reports", "total_studies", "total_reports")

#: What must add up: (nodes in, nodes out, what it says). The records or reports that enter a
#: step equal those that leave it, each in exactly one box; the last node out is the one the
#: flow goes on to.
EQUATIONS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("database_results", "register_results"),
     ("duplicates", "excluded_automatic", "excluded_other", "records_screened"),
     "records identified - removed before screening vs records screened"),
    (("records_screened",), ("records_excluded", "records_awaiting", "dbr_sought_reports"),
     "records screened - excluded - awaiting screening vs reports sought for retrieval"),
    (("dbr_sought_reports",),
     ("dbr_notretrieved_reports", "dbr_awaiting_retrieval", "dbr_assessed"),
     "reports sought - not retrieved - awaiting retrieval vs reports assessed"),
    (("website_results", "organisation_results", "citations_results"),
     ("other_duplicates", "other_excluded_automatic", "other_records_excluded",
      "other_records_awaiting", "other_sought_reports"),
     "records identified - removed vs reports sought for retrieval (other methods)"),
    (("other_sought_reports",),
     ("other_notretrieved_reports", "other_awaiting_retrieval", "other_assessed"),
     "reports sought - not retrieved - awaiting retrieval vs reports assessed (other methods)"),
    (("dbr_assessed", "other_assessed"),
     ("dbr_excluded", "dbr_awaiting_assessment", "other_excluded", "other_awaiting_assessment",
      "new_reports"),
     "reports assessed - excluded - awaiting a decision vs reports of new included studies"),
    (("previous_records", "previous_withdrawn_reports"),
     ("previous_added_reports", "previous_awaiting", "previous_other", "previous_reports"),
     "records of previous searches - previous reports - awaiting vs not included"),
)  # fmt: skip

#: The template's node ids (used by its interactive version) for the nodes that have one.
_R_NODE_IDS = {
    "previous_studies": "node5", "database_results": "node7", "duplicates": "node8",
    "records_screened": "node9", "records_excluded": "node10", "dbr_sought_reports": "node11",
    "dbr_notretrieved_reports": "node12", "dbr_assessed": "node13", "dbr_excluded": "node14",
    "new_studies": "node15", "website_results": "node17", "other_sought_reports": "node18",
    "other_notretrieved_reports": "node19", "other_assessed": "node20",
    "other_excluded": "node21", "total_studies": "node22",
}  # fmt: skip

#: Nodes that belong to the other-methods column.
OTHER_NODES = (
    "website_results",
    "organisation_results",
    "citations_results",
    "other_duplicates",
    "other_excluded_automatic",
    "other_records_excluded",
    "other_records_awaiting",
    "other_sought_reports",
    "other_notretrieved_reports",
    "other_awaiting_retrieval",
    "other_assessed",
    "other_excluded",
    "other_awaiting_assessment",
)
#: Nodes whose parts are listed in the PRISMA2020 CSV as "name, n; name, n".
_SPECIFIC = {"database_results": "database_specific_results",
             "register_results": "register_specific_results"}  # fmt: skip
COLUMNS = ["node", "detail", "n"]


class CountsError(SlrflowError):
    """A counts table that is malformed or whose numbers do not reconcile."""


@dataclass
class Counts:
    """The PRISMA numbers: a total per node and, where known, its parts (name -> n) in order."""

    totals: dict[str, int] = field(default_factory=dict)
    parts: dict[str, dict[str, int]] = field(default_factory=dict)

    def __getitem__(self, node: str) -> int:
        return self.totals.get(node, 0)

    def __contains__(self, node: str) -> bool:
        return node in self.totals

    def set(self, node: str, n: int | None = None, parts: dict[str, int] | None = None) -> None:
        """Set ``node`` to ``n``, or to the sum of ``parts`` when ``n`` is not given."""
        if node not in NODES:
            raise CountsError(f"unknown PRISMA node {node!r}; known: {', '.join(NODES)}")
        if parts:
            self.parts[node] = dict(parts)
        self.totals[node] = int(n) if n is not None else sum((parts or {}).values())

    def copy(self) -> Counts:
        return Counts(dict(self.totals), {k: dict(v) for k, v in self.parts.items()})

    @property
    def has_other_methods(self) -> bool:
        return any(node in self.totals for node in OTHER_NODES)

    @property
    def is_update(self) -> bool:
        return "previous_studies" in self.totals or "previous_reports" in self.totals

    @property
    def derived_previous(self) -> bool:
        """Whether the previous version's numbers come from the search log's earlier rounds
        (rather than from numbers typed into the config)."""
        return "previous_records" in self.totals

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: a total row per node, then its parts, in the order of :data:`NODES`."""
        rows = []
        for node in NODES:
            if node not in self.totals:
                continue
            rows.append({"node": node, "detail": "", "n": str(self.totals[node])})
            for detail, n in self.parts.get(node, {}).items():
                rows.append({"node": node, "detail": detail, "n": str(n)})
        return pd.DataFrame(rows, columns=COLUMNS)


def from_frame(frame: pd.DataFrame, *, file: str = "counts table") -> Counts:
    """Read the tidy table (columns ``node``, ``detail``, ``n``) into :class:`Counts`."""
    missing = [c for c in ("node", "n") if c not in frame.columns]
    if missing:
        raise CountsError(
            f"{file}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(COLUMNS)}, found {', '.join(frame.columns)}"
        )
    totals: dict[str, int] = {}
    parts: dict[str, dict[str, int]] = {}
    problems = []
    for index, row in enumerate(frame.to_dict(orient="records")):
        where = f"row {index + 2}"
        node = str(row["node"]).strip()
        detail = str(row.get("detail", "") or "").strip()
        text = str(row["n"]).strip()
        if node not in NODES:
            problems.append(f"{where}, field node: unknown node {node!r}")
            continue
        try:
            n = int(float(text))
        except ValueError:
            problems.append(f"{where}, field n: {text!r} is not a count")
            continue
        if n < 0:
            problems.append(f"{where}, field n: a count cannot be negative ({n})")
        if detail:
            node_parts = parts.setdefault(node, {})
            if detail in node_parts:
                problems.append(f"{where}: {node} / {detail!r} is given twice")
            node_parts[detail] = n
        elif node in totals:
            problems.append(f"{where}: the total of {node} is given twice")
        else:
            totals[node] = n
    if problems:
        raise CountsError(f"{file}: " + "; ".join(problems))
    for node, node_parts in parts.items():
        totals.setdefault(node, sum(node_parts.values()))
    counts = Counts()
    for node in NODES:  # keep the canonical order whatever the table's order
        if node in totals:
            counts.set(node, totals[node], parts.get(node))
    return counts


def read_counts(path: str | Path) -> Counts:
    """Read a counts table written by :func:`write_counts` (or by the screening stage)."""
    return from_frame(tables.read_csv(path), file=str(path))


def write_counts(counts: Counts, path: str | Path) -> None:
    tables.write_csv(counts.to_frame(), path)


def check(counts: Counts) -> list[str]:
    """Every way the numbers fail to reconcile, as sentences (empty when they add up).

    Each equation of :data:`EQUATIONS` is checked when a node it starts from is in the table (the
    missing ones count 0); an updated review also needs previous + new = total, for studies
    and for reports.
    """
    c = counts
    problems = []

    def equal(left: int, right: int, text: str) -> None:
        if left != right:
            problems.append(f"{text}: {left} != {right}")

    for node, node_parts in c.parts.items():
        equal(c[node], sum(node_parts.values()), f"{node} is not the sum of its parts")
    for ins, outs, text in EQUATIONS:
        if any(node in c for node in ins):
            # said as the flow reads: what enters, less the side boxes, vs the next box
            left = sum(c[n] for n in ins) - sum(c[n] for n in outs[:-1])
            equal(left, c[outs[-1]], text)
    if c.is_update or "total_studies" in c or "total_reports" in c:
        equal(_still_included(c, "studies") + c["new_studies"], c["total_studies"],
              "previous (less withdrawn, plus added) + new studies vs total studies")  # fmt: skip
        equal(_still_included(c, "reports") + c["new_reports"], c["total_reports"],
              "previous (less withdrawn, plus added) + new reports vs total reports")  # fmt: skip
    return problems


def reconcile(counts: Counts, *, file: str = "counts table") -> None:
    """Raise :class:`CountsError` when :func:`check` finds a problem."""
    problems = check(counts)
    if problems:
        raise CountsError(f"{file}: the PRISMA numbers do not add up: " + "; ".join(problems))


def to_prisma2020(counts: Counts) -> pd.DataFrame:
    """The counts in the PRISMA2020 R package's template CSV schema (its ``PRISMA.csv``).

    Only the package's own nodes are written (see :data:`EXTENSION`). ``total_studies`` and
    ``total_reports`` are always previous + new (previous is 0 in a new review), so the
    previous, new and total rows agree whichever template the package is asked to draw.
    """
    c = counts.copy()
    c.totals["total_studies"] = _still_included(c, "studies") + c["new_studies"]
    c.totals["total_reports"] = _still_included(c, "reports") + c["new_reports"]
    header = [
        ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies"),
        ("NA", "node6", "newstud",
         "Yellow title box; Identification of new studies via databases and registers",
         "Identification of new studies via databases and registers"),
        ("NA", "node16", "othstud",
         "Grey title box; Identification of new studies via other methods",
         "Identification of new studies via other methods"),
    ]  # fmt: skip
    rows = [
        {"data": d, "node": nd, "box": b, "description": desc, "boxtext": text,
         "tooltips": desc, "url": f"{b}.html", "n": "0"}
        for d, nd, b, desc, text in header
    ]  # fmt: skip
    for node, (box, description) in NODES.items():
        if node in EXTENSION:
            continue
        n: str = str(c[node])
        if node in ("dbr_excluded", "other_excluded"):
            reasons = c.parts.get(node)
            if reasons:
                n = "; ".join(f"{reason.replace(',', ' ')}, {k}" for reason, k in reasons.items())
        rows.append(
            {
                "data": node,
                "node": _R_NODE_IDS.get(node, "NA"),
                "box": box,
                "description": description,
                "boxtext": description.split(": ")[-1].split(" (")[0],
                "tooltips": description,
                "url": f"{node}.html",
                "n": n,
            }
        )
        if node in _SPECIFIC:
            specific = c.parts.get(node, {})
            rows.append(
                {
                    "data": _SPECIFIC[node],
                    "node": "NA",
                    "box": box,
                    "description": f"{description}: specific sources",
                    "boxtext": "Specific sources",
                    "tooltips": "NA",
                    "url": "NA",
                    "n": "; ".join(f"{name.replace(',', ' ')}, {k}" for name, k in specific.items())
                    or "NA",
                }
            )
    for data, node, text in (
        ("identification", "node1", "Identification"),
        ("screening", "node2", "Screening"),
        ("included", "node3", "Included"),
    ):
        rows.append({"data": data, "node": node, "box": data, "description": f"Blue {data} box",
                     "boxtext": text, "tooltips": f"Blue {data} box", "url": f"{data}.html",
                     "n": "0"})  # fmt: skip
    return pd.DataFrame(rows, columns=["data", "node", "box", "description", "boxtext",
                                       "tooltips", "url", "n"])  # fmt: skip


def with_studies(
    counts: Counts,
    studies: int | Iterable[Iterable[str]],
    *,
    previous_reports: Collection[str] = (),
) -> Counts:
    """``counts`` with the included studies counted as the coding links reports to them.

    The screening stage counts reports; the coding tells which reports describe one study
    (intervention). ``studies`` is the report (reference) ids of each coded study, or just how
    many studies there are.

    In an updated review a study is a *previous* study when any of its reports is in
    ``previous_reports`` (the references counted in ``previous_reports``: ``boxes.csv`` rows
    whose ``prisma`` is ``previous_reports``), and a *new* study otherwise; a new report of a
    previous study adds to the new reports, not to the new studies, as PRISMA 2020 counts them.
    ``previous_studies`` is set from the coding only when the table's previous numbers were
    derived from the search log (numbers typed into the config stay as typed). Given a bare
    number, every study is new in a new review; in an updated review that number is split by
    estimate (new = the studies beyond ``previous_reports``, at most ``new_reports``), exact
    when every previous study has one report: pass the report ids for an exact split.
    """
    out = counts.copy()
    if isinstance(studies, int):
        new = studies
        if out.is_update:
            # Without the report ids only an estimate: a new study has a new report, so at
            # most new_reports studies are new; those beyond previous_reports must be.
            new = min(max(studies - out["previous_reports"], 0), out["new_reports"])
            if out.derived_previous:
                out.totals["previous_studies"] = studies - new
    else:
        linked = [set(reports) for reports in studies]
        earlier = set(previous_reports)
        if out.derived_previous and out["previous_reports"] and not earlier:
            raise CountsError(
                "an updated review needs the record boxes (--boxes results/screening/boxes.csv) "
                "to tell the previous version's studies from the new ones"
            )
        previous = sum(1 for reports in linked if reports & earlier)
        new = len(linked) - previous
        if out.is_update and out.derived_previous:
            out.totals["previous_studies"] = previous
    out.totals["new_studies"] = new
    _update_totals(out)
    return out


def with_previous(counts: Counts, studies: int, reports: int) -> Counts:
    """``counts`` as an updated review whose previous version's studies and reports are given
    (config ``prisma:``; for a previous version made outside this workflow). They replace what
    the search log's earlier rounds gave, and the records of those rounds leave the table."""
    out = counts.copy()
    for node in ("previous_records", "previous_awaiting", "previous_other"):
        out.totals.pop(node, None)
        out.parts.pop(node, None)
    out.totals["previous_studies"] = studies
    out.totals["previous_reports"] = reports
    _update_totals(out)
    return out


def _still_included(counts: Counts, kind: str) -> int:
    """The previous version's studies or reports (``kind``) that are included now: as frozen,
    less those withdrawn by a correction, plus those of its searches included since."""
    return (
        counts[f"previous_{kind}"]
        - counts[f"previous_withdrawn_{kind}"]
        + counts[f"previous_added_{kind}"]
    )


def with_published(
    counts: Counts,
    *,
    studies: int,
    reports: int,
    withdrawn_studies: int = 0,
    withdrawn_reports: int = 0,
) -> Counts:
    """``counts`` of an updated review whose previous version was frozen (``slrflow freeze``):
    its ``studies`` and ``reports`` as published, of which ``withdrawn_*`` are no longer
    included after a correction. What the search log's earlier rounds give now (``counts``'
    derived ``previous_studies`` and ``previous_reports``) is kept in the accounting: the
    difference is shown as withdrawn and as added since (references of earlier searches that
    were still awaiting a decision when the version was frozen), so every number still adds up.
    """
    out = counts.copy()
    for kind, published, withdrawn in (
        ("studies", studies, withdrawn_studies),
        ("reports", reports, withdrawn_reports),
    ):
        now = out[f"previous_{kind}"]
        added = now - (published - withdrawn)
        if added < 0:  # matching by records found fewer withdrawn than the numbers show
            withdrawn, added = withdrawn - added, 0
        out.totals[f"previous_{kind}"] = published
        for node, n in (
            (f"previous_withdrawn_{kind}", withdrawn),
            (f"previous_added_{kind}", added),
        ):
            if n:
                out.totals[node] = n
            else:
                out.totals.pop(node, None)
    _update_totals(out)
    return out


def _update_totals(counts: Counts) -> None:
    if counts.is_update:
        counts.totals["total_studies"] = _still_included(counts, "studies") + counts["new_studies"]
        counts.totals["total_reports"] = _still_included(counts, "reports") + counts["new_reports"]
    # keep the canonical node order
    counts.totals = {node: counts.totals[node] for node in NODES if node in counts.totals}


def cross_check(counts: Counts, boxes: pd.DataFrame, *, file: str = "boxes.csv") -> list[str]:
    """Where the counts table and the record list (``boxes.csv``: one row per record with the
    PRISMA node it ended in, column ``prisma``) disagree, naming the records of each node that
    does not match. Empty when every node's total is the number of records placed in it."""
    if "prisma" not in boxes.columns:
        return [f"{file}: no column prisma; rerun the screening stage"]
    placed: dict[str, list[str]] = {}
    for record, node in zip(boxes["record_id"], boxes["prisma"], strict=True):
        placed.setdefault(node, []).append(record)
    problems = []
    for node in list(NODES) + sorted(set(placed) - set(NODES)):
        held = placed.get(node, [])
        if node not in placed and node not in TERMINAL:
            continue
        if node not in NODES:
            problems.append(f"{file}: {len(held)} record(s) in unknown box {node!r}: "
                            + some_of(held))  # fmt: skip
        elif counts[node] != len(held):
            problems.append(
                f"{node}: the counts table says {counts[node]}, {file} places {len(held)} "
                f"record(s) there" + (f": {some_of(held)}" if held else "")
            )
    return problems


#: The nodes a record can end in (its last box); every record of every export is in one.
TERMINAL = (
    "previous_reports", "previous_awaiting", "previous_other", "duplicates",
    "excluded_automatic", "excluded_other", "records_excluded", "records_awaiting",
    "dbr_notretrieved_reports", "dbr_awaiting_retrieval", "dbr_excluded",
    "dbr_awaiting_assessment", "other_duplicates", "other_excluded_automatic",
    "other_records_excluded", "other_records_awaiting", "other_notretrieved_reports",
    "other_awaiting_retrieval", "other_excluded", "other_awaiting_assessment", "new_reports",
)  # fmt: skip
