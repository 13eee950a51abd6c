"""Write the audit report: ``index.html`` and its ``assets/`` folder, escaped and offline.

Every value from the review (titles from exports above all) goes through Jinja2's autoescaping
in the page, and reaches the references' chunks (:mod:`.chunks`) as JSON that the page's script
shows as text; links are built only from ids the workflow made and from DOIs, which are
URL-encoded. The page loads nothing from the network (its Content-Security-Policy forbids it).
Tables that grow with the review are cut at :data:`TABLE_ROWS` rows, saying where the whole
table is, so the page stays small whatever the number of references.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from slrflow import __version__
from slrflow.report.chunks import ABSTRACT_SEARCH_LIMIT, TRAIL_CHUNK, write_chunks
from slrflow.report.collect import TABLES, ReportData, Trail, final_codes

#: The most rows a table of the page shows; the rest is in the results file it names.
TABLE_ROWS = 500

_LINKED_COLUMNS = {
    "reference_id": "ref",
    "record_id": "rec",
    "record_id_a": "rec",
    "record_id_b": "rec",
}


def linkify(column: str, value) -> Markup:
    """A cell: ids become links to their trail, everything else escaped text."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    prefix = _LINKED_COLUMNS.get(column)
    if prefix and text:
        parts = [p.strip() for p in text.split(";") if p.strip()]
        links = [Markup('<a href="#{0}-{1}">{1}</a>').format(prefix, p) for p in parts]
        return Markup("; ").join(links)
    return escape(text)


#: The page's filters: key (``data-*`` attribute), label, and the column of the trail's rows
#: (decisions, records or status) whose values it matches.
_FILTERS = (
    ("decision", "Decision", "decision", "decisions"),
    ("criterion", "Criterion", "criteria", "decisions"),
    ("reviewer", "Reviewer", "reviewer", "decisions"),
    ("stage", "Stage", "stage", "decisions"),
    ("source", "Search (source)", "search_id", "records"),
    ("status", "Status", "status", "status"),
)


def filter_values(trail: Trail) -> dict[str, list[str]]:
    """What each filter of the page matches for this reference (``data-*`` attributes)."""
    return {key: trail.values(column, rows=rows) for key, _, column, rows in _FILTERS}


def _automation(data: ReportData) -> pd.DataFrame:
    log = data.table("screening_log")
    if log.empty or "source" not in log.columns:
        return pd.DataFrame()
    columns = ["reference_id", "record_id", "stage", "criteria", "note"]
    automated = log[log["source"] == "automation"]
    return automated[[c for c in columns if c in log.columns]].reset_index(drop=True)


def _coding_groups(data: ReportData) -> list[tuple[str, list[dict]]]:
    coded = final_codes(data.tables.get("coded_long"))
    if coded is None or "intervention" not in coded.columns:
        return []
    return [
        (name, group.to_dict(orient="records"))
        for name, group in coded.groupby("intervention", sort=True)
    ]


def render(data: ReportData, output: str | Path, *, review: str = "", title: str = "") -> None:
    """Write ``output`` (an ``index.html``) and ``assets/`` beside it."""
    output = Path(output)
    assets = output.parent / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    package_assets = resources.files("slrflow.report").joinpath("assets")
    for name in ("report.css", "report.js"):
        (assets / name).write_bytes(package_assets.joinpath(name).read_bytes())
    for name, path in sorted(data.figures.items()):
        shutil.copyfile(path, assets / f"{name}{path.suffix}")

    # One pass over the references: their chunks, the filters' options and the totals.
    options: dict[str, set[str]] = {key: set() for key, _, _, _ in _FILTERS}
    statuses: dict[str, int] = {}
    merged: list[Trail] = []  # the first TABLE_ROWS references that merge records
    merged_count = 0

    def tallied(trails):
        nonlocal merged_count
        for trail in trails:
            filters = filter_values(trail)
            for key, values in filters.items():
                options[key].update(values)
            status = trail.final_status
            if status:
                statuses[status] = statuses.get(status, 0) + 1
            if len(trail.records) > 1:
                merged_count += 1
                if len(merged) < TABLE_ROWS:
                    merged.append(trail)
            yield trail, filters, status

    abstracts = len(data.trails) <= ABSTRACT_SEARCH_LIMIT
    references, index_chunks = write_chunks(
        tallied(data.trails), assets / "data", abstracts=abstracts
    )
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("slrflow.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    html = env.get_template("index.html.j2").render(
        data=data,
        title=title or "Systematic review",
        review=review,
        version=__version__,
        linkify=linkify,
        filters=[(key, label, sorted(options[key])) for key, label, _, _ in _FILTERS],
        automation=_automation(data),
        coding_groups=_coding_groups(data),
        status_totals=sorted(statuses.items()),
        references=references,
        merged=merged,
        merged_count=merged_count,
        chunks={"index": index_chunks, "trail": TRAIL_CHUNK},
        abstracts_searched=abstracts,
        table_rows=TABLE_ROWS,
        table_files={name: f"results/{path}" for name, path in TABLES.items()},
    )
    output.write_text(html, encoding="utf-8")
