"""The "Toolkit SLO Interventies" workbook: one row per intervention of the systematic review.

Sheets:

``interventions``
    one row per coded intervention: name, country, target group and age, setting, prevention
    level, phase, the factors it addresses (psychopathology, needs, trigger level), the five
    working-element categories (one column each, listing the sub-elements), barriers,
    recommended features present, delivery (what, who, how, when and how much), evaluation
    design and evidence level (Maryland scale), sample, outcomes and direction of effect, and
    the reports with their DOI links. Columns follow :data:`COLUMNS`; a codebook dimension not
    named there is added at the end under its own label, so another review's codebook shows
    up in full.
``references``
    one row per report: the interventions it describes, its citation and DOI link.
``codebook``
    the legend: every dimension and code with its definition and key terms.
``summary``
    how many interventions carry each code (per country, prevention level, design ...).
``method``
    how the workbook was made: searches and their dates, PRISMA counts, codebook and software
    version. No clock time: the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from slrflow import __version__, prisma
from slrflow.coding.codebook import Codebook
from slrflow.records import LIST_SEPARATOR
from slrflow.tables import RowsById
from slrflow.toolkit import workbook
from slrflow.toolkit.coded import Intervention
from slrflow.toolkit.legend import labels, legend

#: The interventions sheet's columns that identify a row (for the changes against a frozen
#: version).
ROW_KEY = ["Intervention id"]
#: (column header, codebook dimension) of the interventions sheet, in order.
COLUMNS: list[tuple[str, str]] = [
    ("Country", "country"),
    ("Target group", "target_group"),
    ("Age group", "age_group"),
    ("Setting", "setting"),
    ("Prevention level", "prevention_level"),
    ("Phase", "phase"),
    ("Factors addressed", "factors"),
    ("Psychopathology", "psychopathology"),
    ("Psychological needs", "psychological_needs"),
    ("Trigger level", "level"),
    ("Working elements: cognitive", "we_cognitive"),
    ("Working elements: psychosocial", "we_psychosocial"),
    ("Working elements: social and educational development", "we_social_educational"),
    ("Working elements: behavioural", "we_behavioural"),
    ("Working elements: societal", "we_societal"),
    ("Barriers", "barriers"),
    ("Recommended features present", "recommended_features"),
    ("What (materials and procedures)", "tidier_what"),
    ("Delivered by", "tidier_who"),
    ("How delivered", "tidier_how"),
    ("Duration and dose", "tidier_when_how_much"),
    ("Evaluation design", "design"),
    ("Evidence level (Maryland SMS)", "maryland"),
    ("Sample size", "sample_size"),
    ("Outcome domains", "outcome_domains"),
    ("Outcomes", "outcomes"),
    ("Direction of effect", "effect_direction"),
]
#: The five working-element categories, as the review's summary names them.
WORKING_ELEMENTS = [
    "we_cognitive",
    "we_psychosocial",
    "we_social_educational",
    "we_behavioural",
    "we_societal",
]
#: Dimensions counted in the summary sheet.
SUMMARY_DIMENSIONS = [
    "country",
    "prevention_level",
    "phase",
    "factors",
    *WORKING_ELEMENTS,
    "barriers",
    "recommended_features",
    "design",
    "maryland",
    "effect_direction",
]


def doi_url(doi: str) -> str:
    """``10.1/x`` -> ``https://doi.org/10.1/x`` (empty for no DOI)."""
    doi = doi.strip()
    return f"https://doi.org/{doi}" if doi else ""


def citation(ref: dict[str, str]) -> str:
    """A short citation: ``Surname A; Other B et al. (year). Title. Journal, vol(issue), pages.``"""
    authors = [a.strip() for a in ref.get("authors", "").split(";") if a.strip()]
    who = LIST_SEPARATOR.join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    year = ref.get("year", "") or "n.d."
    parts = [f"{who} ({year})." if who else f"({year})."]
    if ref.get("title"):
        parts.append(ref["title"].rstrip(".") + ".")
    source = ref.get("journal", "")
    if ref.get("volume"):
        source += f", {ref['volume']}" + (f"({ref['issue']})" if ref.get("issue") else "")
    if ref.get("pages"):
        source += f", {ref['pages']}"
    if source:
        parts.append(source + ".")
    return " ".join(parts)


def reference_index(references: pd.DataFrame | None) -> Mapping[str, dict[str, str]]:
    """reference id (and every member record id) -> the reference's fields, as text."""
    if references is None:
        return {}
    for key in ("reference_id", "record_id"):
        if key in references:
            return RowsById(references, key=key, aliases="record_ids", text=True)
    return {}


def intervention_sheet(
    interventions: list[Intervention],
    codebook: Codebook,
    references: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The interventions sheet (plus ``_doi_url``, the link of the first report's DOI)."""
    known = {dim for _, dim in COLUMNS}
    columns = [(h, d) for h, d in COLUMNS if codebook.dimension(d) is not None]
    columns += [(d.label, d.id) for d in codebook.dimensions if d.id not in known]
    index = reference_index(references)
    rows = []
    for item in interventions:
        row: dict[str, object] = {
            "Intervention": item.name,
            "Intervention id": item.intervention_id,
        }
        for header, dim in columns:
            row[header] = labels(codebook, dim, item.get(dim))
        refs = [index.get(r, {"reference_id": r}) for r in item.reports]
        row["Reports"] = len(item.reports)
        row["References"] = "\n".join(
            citation(ref) + (f" {doi_url(ref['doi'])}" if ref.get("doi") else "")
            if ref.get("title")
            else ref.get("reference_id", "")
            for ref in refs
        )
        dois = [ref["doi"] for ref in refs if ref.get("doi")]
        row["DOI"] = dois[0] if dois else ""
        row["_doi_url"] = doi_url(dois[0]) if dois else ""
        rows.append(row)
    headers = [
        "Intervention",
        "Intervention id",
        *(h for h, _ in columns),
        "Reports",
        "References",
        "DOI",
        "_doi_url",
    ]
    return pd.DataFrame(rows, columns=headers)


def reference_sheet(
    interventions: list[Intervention], references: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per report: which interventions it describes, its citation and DOI."""
    index = reference_index(references)
    by_report: dict[str, list[str]] = {}
    for item in interventions:
        for report in item.reports:
            by_report.setdefault(report, []).append(item.name)
    rows = []
    for report, names in by_report.items():
        ref = index.get(report, {})
        doi = ref.get("doi", "")
        rows.append(
            {
                "Report id": report,
                "Interventions": LIST_SEPARATOR.join(names),
                "Citation": citation(ref) if ref else "",
                "Year": ref.get("year", ""),
                "DOI": doi,
                "_doi_url": doi_url(doi),
            }
        )
    frame = pd.DataFrame(
        rows, columns=["Report id", "Interventions", "Citation", "Year", "DOI", "_doi_url"]
    )
    return frame.sort_values(["Citation", "Report id"], kind="stable").reset_index(drop=True)


def summary_sheet(interventions: list[Intervention], codebook: Codebook) -> pd.DataFrame:
    """Interventions per code for the main dimensions (``n`` = interventions with the code)."""
    rows = [
        {
            "dimension": "",
            "dimension_label": "Interventions",
            "code": "",
            "code_label": "",
            "interventions": len(interventions),
        }
    ]
    reports = {r for item in interventions for r in item.reports}
    rows.append(
        {
            "dimension": "",
            "dimension_label": "Reports (manuscripts)",
            "code": "",
            "code_label": "",
            "interventions": len(reports),
        }
    )
    for dim_id in SUMMARY_DIMENSIONS:
        dim = codebook.dimension(dim_id)
        if dim is None or not dim.coded:
            continue
        if dim_id in WORKING_ELEMENTS:
            n_any = sum(1 for i in interventions if i.get(dim.id))
            rows.append(
                {
                    "dimension": dim.id,
                    "dimension_label": dim.label,
                    "code": "(any)",
                    "code_label": "at least one sub-element",
                    "interventions": n_any,
                }
            )
        for code in dim.codes:
            n = sum(1 for i in interventions if code.id in i.get(dim.id))
            if n:
                rows.append(
                    {
                        "dimension": dim.id,
                        "dimension_label": dim.label,
                        "code": code.id,
                        "code_label": code.label,
                        "interventions": n,
                    }
                )
    return pd.DataFrame(rows)


def method_sheet(
    *,
    codebook: Codebook,
    searches: pd.DataFrame | None = None,
    counts: prisma.Counts | None = None,
    toolkit: str = "Toolkit SLO Interventies",
    coded_studies: int | None = None,
) -> pd.DataFrame:
    """How the workbook was made, as item/value rows (no clock time, by design).
    ``coded_studies`` is how many studies carry codes (None: not stated)."""
    rows = [
        ("toolkit", toolkit),
        ("software", f"slrflow {__version__}"),
        ("codebook", f"{codebook.name} version {codebook.version}"),
    ]
    if coded_studies is not None:
        shown = str(coded_studies) if coded_studies else "no coded studies yet"
        rows.append(("coded studies", shown))
    if searches is not None and len(searches):
        dates = sorted(d for d in searches.get("date_searched", []) if d)
        if dates:
            rows.append(("searches run", f"{dates[0]} to {dates[-1]}"))
        for s in searches.fillna("").astype(str).to_dict(orient="records"):
            where = s.get("database", "") + (f" ({s['platform']})" if s.get("platform") else "")
            hits = f"; {s['hits_reported']} hits reported" if s.get("hits_reported") else ""
            rows.append(
                (
                    f"search {s.get('search_id', '')}",
                    f"{where}, searched {s.get('date_searched', '')}{hits}",
                )
            )
    if counts is not None:
        for node in (
            "database_results",
            "register_results",
            "duplicates",
            "records_screened",
            "dbr_assessed",
            "other_assessed",
            "new_reports",
            "new_studies",
            "total_reports",
            "total_studies",
        ):
            if node in counts:
                rows.append((prisma.NODES[node][1], str(counts[node])))
    rows.append(
        (
            "note",
            "Codes are the coders' final (consensus) coding; each intervention row lists "
            "every report it rests on.",
        )
    )
    return pd.DataFrame(rows, columns=["item", "value"])


def sheets(
    interventions: list[Intervention],
    codebook: Codebook,
    *,
    references: pd.DataFrame | None = None,
    searches: pd.DataFrame | None = None,
    counts: prisma.Counts | None = None,
) -> list[workbook.Sheet]:
    """The workbook's sheets, in order."""
    main = intervention_sheet(interventions, codebook, references)
    wide = {h: 45.0 for h in ("References", "Outcomes", "What (materials and procedures)")}
    return [
        workbook.Sheet(
            "interventions",
            main,
            links={"DOI": "_doi_url"},
            widths=wide,
            csv="slo_interventions.csv",
        ),
        workbook.Sheet(
            "references",
            reference_sheet(interventions, references),
            links={"DOI": "_doi_url"},
            csv="slo_references.csv",
        ),
        workbook.Sheet("codebook", legend(codebook), csv="slo_codebook.csv"),
        workbook.Sheet("summary", summary_sheet(interventions, codebook), csv="slo_summary.csv"),
        workbook.Sheet(
            "method",
            method_sheet(
                codebook=codebook,
                searches=searches,
                counts=counts,
                coded_studies=sum(1 for item in interventions if item.values),
            ),
            csv="slo_method.csv",
        ),
    ]


def write(sheet_list: list[workbook.Sheet], path: str | Path) -> list[Path]:
    """Write the workbook and its CSV twins; return the twins' paths."""
    workbook.write(sheet_list, path, title="Toolkit SLO Interventies")
    return workbook.write_twins(sheet_list, path)
