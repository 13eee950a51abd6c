"""Drawing the PRISMA 2020 flow diagram of a counts table (:class:`slrflow.prisma.Counts`).

:func:`draw` lays the boxes out as the PRISMA 2020 templates do: the new-review template, or the
updated-review one (a column for the studies of the previous version) when the table has
``previous_studies`` or ``previous_reports``; the other-methods column when any of its nodes is
there; awaiting boxes only while they hold anything. :func:`render` writes it as SVG, PNG or PDF.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported only to draw
    from matplotlib.figure import Figure

    from slrflow.prisma import Counts

_FONT = 8.5  # points
_LINE = _FONT * 1.32 / 72  # inches per text line
_PAD = 0.11  # inches between text and box edge
_GAP_X = 0.42  # inches between columns
_GAP_Y = 0.34  # inches between rows
_PHASE_W = 0.34
_COLOURS = {
    "box": "#ffffff",
    "edge": "#222222",
    "newstud": "#ffc000",  # PRISMA 2020: the yellow header of databases and registers
    "grey": "#d9d9d9",
    "phase": "#9dc3e6",
}


def _n(n: int) -> str:
    # Non-breaking spaces keep "(n = 12)" on one line when a label wraps.
    return f"(n\u00a0=\u00a0{n:,})"


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ") or [
        ""
    ]


def _lines(items: Iterable[tuple[int, str]], width: int) -> list[str]:
    """Text lines from (indent level, text) pairs, wrapped to ``width`` characters."""
    out = []
    for level, text in items:
        out.extend(_wrap(text, width - 2 * level, "  " * level) if text else [""])
    return out


@dataclass
class _Box:
    x: float
    y: float  # top edge
    w: float
    lines: list[str]
    fill: str = _COLOURS["box"]
    centre: bool = False
    h: float = 0.0

    def __post_init__(self) -> None:
        if not self.h:
            self.h = len(self.lines) * _LINE + 2 * _PAD

    @property
    def bottom(self) -> float:
        return self.y - self.h

    @property
    def mid_y(self) -> float:
        return self.y - self.h / 2

    @property
    def mid_x(self) -> float:
        return self.x + self.w / 2


def reason_label(detail: str) -> str:
    """How a part is shown: ``"no_full_text No full report exists"`` -> ``"No full report
    exists"``, ``"not_english_or_dutch"`` -> ``"not english or dutch"``; criterion ids such as
    ``C1`` stay."""
    first, _, rest = detail.partition(" ")
    if "_" in first and re.fullmatch(r"[A-Za-z0-9_]+", first):
        return rest if rest else first.replace("_", " ")
    return detail


def _parts(counts: Counts, node: str, label: str | None = None) -> list[tuple[int, str]]:
    return [
        (1, f"{label or reason_label(name)} {_n(n)}")
        for name, n in counts.parts.get(node, {}).items()
    ]


def _named_parts(counts: Counts, node: str, label: str) -> list[tuple[int, str]]:
    """The parts of an identification node, left out when the only part is the node itself."""
    parts = counts.parts.get(node, {})
    if len(parts) == 1 and next(iter(parts)).casefold().startswith(label.casefold()[:8]):
        return []
    return [(2, t) for _, t in _parts(counts, node)]


def _optional(counts: Counts, node: str, label: str, level: int = 0) -> list[tuple[int, str]]:
    """``label (n = k)`` and its parts, when the node holds anything: the awaiting boxes of an
    unfinished review, left out once every record has its decision."""
    if not counts[node]:
        return []
    gap = [(0, "")] if level == 0 else []  # a blank line sets it apart from the box above
    return (
        gap
        + [(level, f"{label} {_n(counts[node])}")]
        + [(level + 1, t) for _, t in _parts(counts, node)]
    )


def _label_length(label: str) -> float:
    """Inches a phase label takes along its bar (bold, a little wider than plain text)."""
    return len(label) * (_FONT + 0.5) * 0.68 / 72


#: Nodes whose parts are exclusion reasons, counted under the first criterion named.
_BY_CRITERION = (
    "records_excluded", "dbr_excluded", "other_records_excluded", "other_excluded",
    "dbr_notretrieved_reports", "other_notretrieved_reports",
)  # fmt: skip


def _note(counts: Counts, width: int) -> list[str]:
    """The note under the diagram: how exclusions naming several criteria are counted."""
    if not any(counts.parts.get(node) for node in _BY_CRITERION):
        return []
    text = (
        "Note: an exclusion that names several criteria is counted once, under the first of "
        "them in the order of the review's criteria (criteria.yaml)."
    )
    return textwrap.wrap(text, width)


def draw(counts: Counts, *, title: str | None = None) -> Figure:
    """The PRISMA 2020 flow diagram of ``counts`` as a matplotlib figure."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    c = counts
    update, other = c.is_update, c.has_other_methods
    widths = {"prev": 2.3, "main": 2.7, "side": 3.0, "omain": 2.5, "oside": 2.9}
    chars = {k: int((w - 2 * _PAD) * 72 / (_FONT * 0.53)) for k, w in widths.items()}
    cols = ["phase"] + (["prev"] if update else []) + ["main", "side"]
    cols += ["omain", "oside"] if other else []
    xs, x = {}, 0.15
    for col in cols:
        xs[col] = x
        x += (_PHASE_W if col == "phase" else widths[col]) + (0.22 if col == "phase" else _GAP_X)
    width = x - _GAP_X + 0.15

    def text(col: str, items: list[tuple[int, str]]) -> list[str]:
        return _lines(items, chars[col])

    # Box contents per row (None: no box in that cell).
    db_lines: list[tuple[int, str]] = [(0, "Records identified from:")]
    db_lines.append((1, f"Databases {_n(c['database_results'])}"))
    db_lines += [(2, t) for _, t in _parts(c, "database_results")]
    db_lines.append((1, f"Registers {_n(c['register_results'])}"))  # zero is a finding too
    db_lines += [(2, t) for _, t in _parts(c, "register_results")]
    removed = [(0, "Records removed before screening:"),
               (1, f"Duplicate records removed {_n(c['duplicates'])}")]  # fmt: skip
    removed += [(2, t) for _, t in _parts(c, "duplicates")]
    removed.append(
        (1, f"Records marked as ineligible by automation tools {_n(c['excluded_automatic'])}")
    )
    removed += [(2, t) for _, t in _parts(c, "excluded_automatic")]
    removed.append((1, f"Records removed for other reasons {_n(c['excluded_other'])}"))
    removed += [(2, t) for _, t in _parts(c, "excluded_other")]

    excluded = [(0, f"Records excluded {_n(c['records_excluded'])}")]
    excluded += _parts(c, "records_excluded")
    excluded += _optional(c, "records_awaiting", "Records awaiting screening")

    def reports_excluded(node: str, awaiting: str) -> list[tuple[int, str]]:
        lines = [(0, f"Reports excluded {_n(c[node])}")] + _parts(c, node)
        return lines + _optional(c, awaiting, "Reports awaiting a decision")

    def not_retrieved(node: str, awaiting: str) -> list[tuple[int, str]]:
        lines = [(0, f"Reports not retrieved {_n(c[node])}")] + _parts(c, node)
        return lines + _optional(c, awaiting, "Reports awaiting retrieval")

    other_removed = [(0, "Records removed before retrieval:"),
                     (1, f"Duplicate records removed {_n(c['other_duplicates'])}")]  # fmt: skip
    other_removed += [(2, t) for _, t in _parts(c, "other_duplicates")]
    other_removed.append(
        (1, "Records marked as ineligible by automation tools "
            f"{_n(c['other_excluded_automatic'])}")
    )  # fmt: skip
    other_removed += [(2, t) for _, t in _parts(c, "other_excluded_automatic")]
    other_removed.append(
        (1, f"Records excluded on title and abstract {_n(c['other_records_excluded'])}")
    )
    other_removed += [(2, t) for _, t in _parts(c, "other_records_excluded")]
    other_removed += _optional(c, "other_records_awaiting", "Records awaiting screening", 1)

    rows: list[dict[str, list[tuple[int, str]]]] = [
        {
            "main": db_lines,
            "side": removed,
            "omain": [(0, "Records identified from:")]
            + [
                line
                for node, label in (
                    ("website_results", "Websites"),
                    ("organisation_results", "Organisations"),
                    ("citations_results", "Citation searching"),
                )
                for line in [(1, f"{label} {_n(c[node])}")] + _named_parts(c, node, label)
            ],
            "oside": other_removed,
        },
        {"main": [(0, f"Records screened {_n(c['records_screened'])}")], "side": excluded},
        {
            "main": [(0, f"Reports sought for retrieval {_n(c['dbr_sought_reports'])}")],
            "side": not_retrieved("dbr_notretrieved_reports", "dbr_awaiting_retrieval"),
            "omain": [(0, f"Reports sought for retrieval {_n(c['other_sought_reports'])}")],
            "oside": not_retrieved("other_notretrieved_reports", "other_awaiting_retrieval"),
        },
        {
            "main": [(0, f"Reports assessed for eligibility {_n(c['dbr_assessed'])}")],
            "side": reports_excluded("dbr_excluded", "dbr_awaiting_assessment"),
            "omain": [(0, f"Reports assessed for eligibility {_n(c['other_assessed'])}")],
            "oside": reports_excluded("other_excluded", "other_awaiting_assessment"),
        },
        {
            "main": [
                (0, f"New studies included in review {_n(c['new_studies'])}"),
                (0, f"Reports of new included studies {_n(c['new_reports'])}"),
            ]
            if update
            else [
                (0, f"Studies included in review {_n(c['new_studies'])}"),
                (0, f"Reports of included studies {_n(c['new_reports'])}"),
            ],
        },  # fmt: skip
    ]
    if update:
        rows[0]["prev"] = [
            (0, f"Studies included in previous version of review {_n(c['previous_studies'])}"),
            (0, ""),
            (0, "Reports of studies included in previous version of review "
                f"{_n(c['previous_reports'])}"),
        ]  # fmt: skip
        # a frozen previous version corrected since, or completed by decisions made after it
        for node, what in (
            ("previous_withdrawn_studies", "Studies no longer included (corrections)"),
            ("previous_withdrawn_reports", "Reports no longer included (corrections)"),
            ("previous_added_studies", "Studies of previous searches included since"),
            ("previous_added_reports", "Reports of previous searches included since"),
        ):
            if c[node]:
                rows[0]["prev"] += [(0, ""), (0, f"{what} {_n(c[node])}")]
        if c["previous_awaiting"]:
            rows[0]["prev"] += [
                (0, ""),
                (0, "References of previous searches awaiting a decision "
                    f"{_n(c['previous_awaiting'])}"),
            ]  # fmt: skip
        rows[4]["prev"] = [
            (0, f"Total studies included in review {_n(c['total_studies'])}"),
            (0, f"Reports of total included studies {_n(c['total_reports'])}"),
        ]
    header_h = 2 * _LINE + 2 * _PAD
    title_h = 0.45 if title else 0.0
    note = _note(c, int((width - 0.3) * 72 / (_FONT * 0.5)))
    y = -0.15 - title_h - header_h - 0.22
    boxes: list[dict[str, _Box]] = []
    # A phase bar as tall as its one row must still hold its rotated label.
    single = {0: "Identification", 4: "Included"}
    for number, row in enumerate(rows):
        cells = {col: text(col, items) for col, items in row.items() if col in xs}
        h = max(len(lines) for lines in cells.values()) * _LINE + 2 * _PAD
        if number in single:
            h = max(h, _label_length(single[number]) + 2 * _PAD)
        boxes.append({col: _Box(xs[col], y, widths[col], lines, h=h)
                      for col, lines in cells.items()})  # fmt: skip
        y -= h + _GAP_Y
    note_top = y + _GAP_Y - 0.12
    height = -y - _GAP_Y + 0.15 + (len(note) * _LINE + 0.12 if note else 0.0)

    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(-height, 0)
    ax.axis("off")

    def box(b: _Box, *, bold: bool = False, fill: str | None = None, centre: bool = False,
            rotate: bool = False) -> None:  # fmt: skip
        ax.add_patch(FancyBboxPatch((b.x, b.bottom), b.w, b.h,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor=fill or b.fill, edgecolor=_COLOURS["edge"],
                                    linewidth=0.8))  # fmt: skip
        content = "\n".join(b.lines)
        if centre or rotate:
            ax.text(b.mid_x, b.mid_y, content, ha="center", va="center", fontsize=_FONT + 0.5,
                    fontweight="bold" if bold else "normal", rotation=90 if rotate else 0,
                    linespacing=1.32)  # fmt: skip
        else:
            ax.text(b.x + _PAD, b.mid_y, content, ha="left", va="center", fontsize=_FONT,
                    linespacing=1.32)  # fmt: skip

    def arrow(x0: float, y0: float, x1: float, y1: float, *, elbow: bool = False) -> None:
        style = "angle,angleA=-90,angleB=180,rad=0" if elbow else "arc3"
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10,
                                     connectionstyle=style, color=_COLOURS["edge"],
                                     linewidth=0.8, shrinkA=0, shrinkB=0))  # fmt: skip

    if title:
        ax.text(width / 2, -0.15 - title_h / 2, title, ha="center", va="center",
                fontsize=_FONT + 3, fontweight="bold")  # fmt: skip
    top = -0.15 - title_h
    # The new-review template says "studies", the updated-review one "new studies".
    new = "new studies" if update else "studies"
    headers = [("main", "side", f"Identification of {new} via databases and registers",
                _COLOURS["newstud"])]  # fmt: skip
    if update:
        headers.insert(0, ("prev", "prev", "Previous studies", _COLOURS["grey"]))
    if other:
        headers.append(("omain", "oside", f"Identification of {new} via other methods",
                        _COLOURS["grey"]))  # fmt: skip
    if note:
        ax.text(0.15, note_top, "\n".join(note), ha="left", va="top", fontsize=_FONT - 0.5,
                style="italic", linespacing=1.32)  # fmt: skip
    for first, last, label, colour in headers:
        w = xs[last] + widths[last] - xs[first]
        b = _Box(xs[first], top, w, _wrap(label, int(w * 72 / (_FONT * 0.62))), h=header_h)
        box(b, bold=True, fill=colour, centre=True)
    # Phase bars on the left: identification, screening (three rows), included.
    spans = [("Identification", 0, 0), ("Screening", 1, 3), ("Included", 4, 4)]
    for label, first, last in spans:
        y0 = boxes[first]["main"].y
        y1 = boxes[last]["main"].bottom
        box(_Box(xs["phase"], y0, _PHASE_W, [label], h=y0 - y1), bold=True,
            fill=_COLOURS["phase"], rotate=True)  # fmt: skip
    for row in boxes:
        for b in row.values():
            box(b)
    # Arrows down each main column and across to the side boxes.
    for col, side, last in (("main", "side", 4), ("omain", "oside", 3)):
        if col not in xs:
            continue
        chain = [row[col] for row in boxes[: last + 1] if col in row]
        for upper, lower in zip(chain, chain[1:], strict=False):
            arrow(upper.mid_x, upper.bottom, lower.mid_x, lower.y)
        for row in boxes:
            if col in row and side in row:
                a, b = row[col], row[side]
                arrow(a.x + a.w, a.mid_y, b.x, a.mid_y)
    if other:
        src, dst = boxes[3]["omain"], boxes[4]["main"]
        arrow(src.mid_x, src.bottom, dst.x + dst.w, dst.mid_y, elbow=True)
    if update:
        prev, total, new = boxes[0]["prev"], boxes[4]["prev"], boxes[4]["main"]
        arrow(prev.mid_x, prev.bottom, total.mid_x, total.y)
        arrow(new.x, new.mid_y, total.x + total.w, new.mid_y)
    return fig


def render(
    counts: Counts,
    outputs: Iterable[str | Path],
    *,
    title: str | None = None,
) -> None:
    """Draw the diagram and write it to each of ``outputs`` (.svg, .png, .pdf)."""
    import matplotlib.pyplot as plt

    from slrflow.figures.render import RC, save

    with plt.rc_context(RC):
        fig = draw(counts, title=title)
    save(fig, outputs, title=title or "PRISMA 2020 flow diagram")
