"""The toolkit figures: evidence-gap map, working elements in both toolkits, barriers,
interventions per country and prevention level, included reports per year.

Every chart takes plain inputs (the coded interventions of the systematic review, the database
toolkit's interventions table, the references) and returns a matplotlib figure; :func:`render_all`
draws them all into a folder as SVG and PNG, with the fixed settings of
:mod:`slrflow.figures.render` so the bytes do not change between runs. Colours are the
Okabe-Ito palette (readable with colour-blindness) and sequential viridis for evidence levels
(readable in grey print).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from slrflow.coding.codebook import Codebook
from slrflow.figures.render import RC, save
from slrflow.toolkit.coded import Intervention
from slrflow.toolkit.slo import WORKING_ELEMENTS, reference_index

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
SLO_COLOUR, DB_COLOUR = OKABE_ITO[0], OKABE_ITO[1]
WE_SHORT = {"we_cognitive": "Cognitive", "we_psychosocial": "Psychosocial",
            "we_social_educational": "Social and educational\ndevelopment",
            "we_behavioural": "Behavioural", "we_societal": "Societal"}  # fmt: skip
DB_WE_COLUMNS = {"we_cognitive": "Working elements: cognitive",
                 "we_psychosocial": "Working elements: psychosocial",
                 "we_social_educational": "Working elements: social and educational development",
                 "we_behavioural": "Working elements: behavioural",
                 "we_societal": "Working elements: societal"}  # fmt: skip
PREVENTION_LEVELS = ["universal", "selective", "indicated"]
#: Chart name (the file stem in the figures folder) -> its title in the file's metadata.
TITLES = {
    "evidence_gap_map": "Evidence-gap map: working elements against outcome domains",
    "working_elements": "Working-element categories in the two toolkits",
    "barriers": "Barriers to effectiveness",
    "interventions": "Interventions per country and per prevention level",
    "reports_per_year": "Included reports per year",
}
CHARTS = list(TITLES)


def _wrap(text: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _empty(ax: plt.Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def _evidence_level(item: Intervention) -> int:
    """The Maryland level (1-5) of an intervention's evaluation, 0 when not coded."""
    levels = [int(code[-1]) for code in item.get("maryland") if code[-1:].isdigit()]
    return max(levels) if levels else 0


def evidence_gap_map(
    interventions: list[Intervention],
    codebook: Codebook,
    *,
    rows: str = "working_elements",
    columns: str = "outcome_domains",
) -> Figure:
    """Rows (the five working-element categories, or any coded dimension's codes) against the
    codes of ``columns`` (outcome domains, barriers ...). In each cell one bubble per evidence
    level (Maryland 1-5, 0 = not coded): its area is the number of interventions, its colour the
    level."""
    if rows == "working_elements":
        row_keys = [(d, None) for d in WORKING_ELEMENTS if codebook.dimension(d)]
        row_labels = [WE_SHORT.get(d, d).replace("\n", " ") for d, _ in row_keys]
    else:
        dim = codebook.dimension(rows)
        row_keys = [(rows, c.id) for c in dim.codes] if dim else []
        row_labels = [c.label for c in dim.codes] if dim else []
    col_dim = codebook.dimension(columns)
    col_codes = list(col_dim.codes) if col_dim else []
    cells: dict[tuple[int, int, int], int] = Counter()
    for item in interventions:
        level = _evidence_level(item)
        for r, (dim_id, code_id) in enumerate(row_keys):
            values = item.get(dim_id)
            if not values or (code_id and code_id not in values):
                continue
            for c, code in enumerate(col_codes):
                if code.id in item.get(columns):
                    cells[(r, c, level)] += 1
    col_inches = 1.7
    width = col_inches * max(len(col_codes), 3) + 3.4
    height = max(3.5, 0.8 * len(row_keys) + 2.4)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    if not cells:
        _empty(ax, "no coded interventions with these codes yet")
        ax.set_title("Evidence-gap map")
        return fig
    cmap = plt.get_cmap("viridis_r")
    colours = {0: "#bbbbbb", **{k: cmap((k - 0.5) / 5) for k in range(1, 6)}}
    # One slot per evidence level that occurs anywhere, the same slot in every cell, so the
    # bubbles of a cell never overlap and a level is always in the same place.
    used = sorted({level for (_, _, level) in cells})
    spacing = 0.84 / len(used)
    slot = {level: -0.42 + spacing * (i + 0.5) for i, level in enumerate(used)}
    biggest_d = min(spacing * col_inches * 72 * 0.92, 0.7 * 0.8 * 72)  # points
    smallest_d = min(15.0, biggest_d)
    biggest = max(cells.values())
    for (r, c, level), n in sorted(cells.items()):
        share = (n - 1) / (biggest - 1) if biggest > 1 else 1.0
        area = smallest_d**2 + (biggest_d**2 - smallest_d**2) * share
        ax.scatter(c + slot[level], r, s=area, color=colours[level], edgecolor="#333333",
                   linewidth=0.6, zorder=3)  # fmt: skip
        ax.text(c + slot[level], r, str(n), ha="center", va="center", fontsize=7.5,
                color="white" if level >= 3 else "black", zorder=4)  # fmt: skip
    ax.set_xticks(range(len(col_codes)), [_wrap(c.label, 16) for c in col_codes], fontsize=8.5)
    ax.set_yticks(range(len(row_keys)), [_wrap(lab, 26) for lab in row_labels], fontsize=9)
    ax.set_xlim(-0.5, len(col_codes) - 0.5)
    ax.set_ylim(len(row_keys) - 0.5, -0.5)
    for x in np.arange(-0.5, len(col_codes), 1.0):
        ax.axvline(x, color="#dddddd", linewidth=0.8, zorder=0)
    for y in np.arange(-0.5, len(row_keys), 1.0):
        ax.axhline(y, color="#dddddd", linewidth=0.8, zorder=0)
    ax.spines[:].set_visible(False)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    handles = [Line2D([], [], marker="o", linestyle="", markersize=9, color=colours[k],
                      markeredgecolor="#333333",
                      label=f"Maryland level {k}" if k else "level not coded")
               for k in used]  # fmt: skip
    ax.legend(handles=handles, title="Evidence level", loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)  # fmt: skip
    col_name = col_dim.label if col_dim else columns
    ax.set_title(f"Evidence-gap map: working elements against {col_name.lower()}\n"
                 "number and bubble area: interventions; colour: evidence level",
                 fontsize=11, loc="left")  # fmt: skip
    return fig


def _share(frame_has: list[bool]) -> float:
    return 100.0 * sum(frame_has) / len(frame_has) if frame_has else 0.0


def working_elements(interventions: list[Intervention], database: pd.DataFrame | None) -> Figure:
    """Share of interventions with at least one element of each category, in both toolkits."""
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    keys = WORKING_ELEMENTS
    y = np.arange(len(keys))
    slo = [_share([bool(i.get(k)) for i in interventions]) for k in keys]
    n_slo = [sum(bool(i.get(k)) for i in interventions) for k in keys]
    series = [(f"Systematic review (n = {len(interventions)})", slo, n_slo, SLO_COLOUR)]
    if database is not None and len(database):
        has = [[str(v).strip() != "" for v in database.get(DB_WE_COLUMNS[k], [])] for k in keys]
        series.append((f"Database scan (n = {len(database)})", [_share(h) for h in has],
                       [sum(h) for h in has], DB_COLOUR))  # fmt: skip
    height = 0.8 / len(series)
    for s, (label, shares, counts, colour) in enumerate(series):
        pos = y - 0.4 + height * (s + 0.5)
        ax.barh(pos, shares, height=height * 0.92, color=colour, label=label)
        for p, share, n in zip(pos, shares, counts, strict=True):
            ax.annotate(f"{share:.0f}% ({n})", (share, p), xytext=(4, 0), va="center",
                        textcoords="offset points", fontsize=8.5)  # fmt: skip
    ax.set_yticks(y, [WE_SHORT[k] for k in keys])
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.set_xticks(range(0, 101, 20), [f"{t}%" for t in range(0, 101, 20)])
    ax.set_xlabel("share of interventions with at least one element of the category")
    ax.legend(loc="lower right", frameon=False)
    ax.set_title("Working-element categories in the two toolkits", loc="left")
    return fig


def barriers(interventions: list[Intervention], codebook: Codebook) -> Figure:
    """Interventions whose reports name each barrier to effectiveness."""
    dim = codebook.dimension("barriers")
    codes = list(dim.codes) if dim else []
    counts = [sum(c.id in i.get("barriers") for i in interventions) for c in codes]
    fig, ax = plt.subplots(figsize=(8, 0.55 * max(len(codes), 3) + 1.4), layout="constrained")
    if not codes:
        _empty(ax, "the codebook has no barriers dimension")
        return fig
    y = np.arange(len(codes))
    ax.barh(y, counts, color=OKABE_ITO[5], height=0.65)
    for p, n in zip(y, counts, strict=True):
        ax.annotate(str(n), (n, p), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=9)  # fmt: skip
    ax.set_yticks(y, [_wrap(c.label, 34) for c in codes])
    ax.invert_yaxis()
    ax.set_xlim(0, max(counts + [1]) * 1.15 + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(f"interventions whose reports name the barrier (of {len(interventions)})")
    ax.set_title("Barriers to effectiveness", loc="left")
    return fig


def interventions(
    items: list[Intervention], codebook: Codebook, database: pd.DataFrame | None
) -> Figure:
    """Interventions per country and per prevention level, for both toolkits side by side."""
    slo_country = Counter(c.upper() for i in items for c in i.get("country"))
    slo_level = Counter(lv for i in items for lv in i.get("prevention_level"))
    db_country: Counter = Counter()
    db_level: Counter = Counter()
    if database is not None and len(database):
        db_country = Counter(str(c).upper() for c in database["Country"])
        for value in database.get("Prevention level", []):
            for part in str(value).split(";"):
                if part.strip():
                    db_level[part.strip().lower()] += 1
    countries = sorted(set(slo_country) | set(db_country),
                       key=lambda c: (-(slo_country[c] + db_country[c]), c))  # fmt: skip
    country_dim = codebook.dimension("country")
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 0.32 * max(len(countries), 6) + 1.8), layout="constrained",
        gridspec_kw={"width_ratios": [1.6, 1]},
    )  # fmt: skip

    def bars(ax: plt.Axes, keys: list[str], labels: list[str], a: Counter, b: Counter) -> None:
        y = np.arange(len(keys))
        h = 0.4 if b else 0.7
        ax.barh(y - (h / 2 if b else 0), [a[k] for k in keys], height=h, color=SLO_COLOUR,
                label=f"Systematic review (n = {len(items)})")  # fmt: skip
        if b:
            ax.barh(y + h / 2, [b[k] for k in keys], height=h, color=DB_COLOUR,
                    label=f"Database scan (n = {len(database)})")  # fmt: skip
        for k, p in zip(keys, y, strict=True):
            for value, off in ((a[k], -h / 2 if b else 0), (b[k], h / 2)):
                if value:
                    ax.annotate(str(value), (value, p + off), xytext=(4, 0), va="center",
                                textcoords="offset points", fontsize=8)  # fmt: skip
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        top = max([a[k] for k in keys] + [b[k] for k in keys] + [1])
        ax.set_xlim(0, top * 1.15 + 0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("interventions")

    def country_label(code: str) -> str:
        found = country_dim.code(code.lower()) if country_dim else None
        return f"{found.label} ({code})" if found else code

    if countries:
        bars(left, countries, [country_label(c) for c in countries], slo_country, db_country)
        left.legend(loc="lower right", frameon=False)
    else:
        _empty(left, "no countries coded yet")
    left.set_title("Interventions per country", loc="left")
    bars(right, PREVENTION_LEVELS, [lv.capitalize() for lv in PREVENTION_LEVELS], slo_level,
         db_level)  # fmt: skip
    right.set_title("Interventions per prevention level", loc="left")
    right.set_xlabel("interventions (one can have several levels)")
    return fig


def reports_per_year(items: list[Intervention], references: pd.DataFrame | None) -> Figure:
    """Included reports (manuscripts) per publication year."""
    years: Counter = Counter()
    undated = 0
    if references is not None and len(references):
        index = reference_index(references)
        for report in dict.fromkeys(r for i in items for r in i.reports):
            year = index.get(report, {}).get("year", "")
            if year[:4].isdigit():
                years[int(year[:4])] += 1
            else:
                undated += 1
    fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
    if not years:
        _empty(ax, "no publication years of included reports")
        ax.set_title("Included reports per year", loc="left")
        return fig
    span = range(min(years), max(years) + 1)
    ax.bar(list(span), [years[y] for y in span], color=SLO_COLOUR, width=0.75)
    for y in span:
        if years[y]:
            ax.text(y, years[y] + 0.05, str(years[y]), ha="center", va="bottom", fontsize=8.5)
    step = 1 if len(span) <= 16 else 2
    ax.set_xticks(list(span)[::step], [str(y) for y in span][::step], rotation=0)
    if len(span) > 10:
        ax.tick_params(axis="x", labelrotation=45)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(0, max(years.values()) * 1.2 + 0.5)
    ax.set_ylabel("reports")
    note = f"; {undated} without a year" if undated else ""
    ax.set_title(f"Included reports per year (n = {sum(years.values())}{note})", loc="left")
    return fig


def no_coded_studies(title: str) -> Figure:
    """A chart of a review that has coded no study yet (and has no database scan): its title
    and that message, so the figure is there and says why it is empty."""
    fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
    _empty(ax, "no coded studies yet")
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(title, loc="left")
    return fig


def render_all(
    items: list[Intervention],
    codebook: Codebook,
    folder: str | Path,
    *,
    database: pd.DataFrame | None = None,
    references: pd.DataFrame | None = None,
    formats: tuple[str, ...] = ("svg", "png"),
) -> list[Path]:
    """Draw every chart of :data:`CHARTS` into ``folder``; return the files written."""
    folder = Path(folder)
    written = []
    with plt.rc_context(RC):
        if not any(item.values for item in items) and (database is None or not len(database)):
            figures = {name: no_coded_studies(title) for name, title in TITLES.items()}
        else:
            figures = {
                "evidence_gap_map": evidence_gap_map(items, codebook),
                "working_elements": working_elements(items, database),
                "barriers": barriers(items, codebook),
                "interventions": interventions(items, codebook, database),
                "reports_per_year": reports_per_year(items, references),
            }
    for name in CHARTS:
        paths = [folder / f"{name}.{fmt}" for fmt in formats]
        save(figures[name], paths, title=TITLES[name])
        written += paths
    return written
