"""The "Toolkit Database Interventies" workbook: the scan of national intervention databases.

The review folder's inventory (``inventory.xlsx`` or ``.csv``, schema
``schemas/inventory.schema.json``) lists one intervention per row: name, country, database and
owner, URL, target group, prevention level, the database's own rating and a description. This
module validates it, codes each description with the codebook's key terms (the coding stage's
matcher, so both toolkits speak the same codes; these codes are suggestions from the
description, not a coder's judgement, and the workbook says so), places each rating on the
common scale of the config, and flags interventions that the systematic review also holds
(rapidfuzz name similarity with the SLO toolkit's interventions).

Sheets: ``interventions``, ``rating scale``, ``codebook``, ``summary``, ``method``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from slrflow import __version__, settings
from slrflow.coding.codebook import Codebook
from slrflow.coding.suggest import matchers
from slrflow.records import LIST_SEPARATOR
from slrflow.sheets import SheetError, read_sheet, validate_rows
from slrflow.toolkit import workbook
from slrflow.toolkit.legend import legend
from slrflow.toolkit.ratings import RatingError, RatingScale
from slrflow.toolkit.slo import WORKING_ELEMENTS

#: Dimensions coded from the descriptions, with the workbook's column header.
CODED_COLUMNS: list[tuple[str, str]] = [
    ("Working elements: cognitive", "we_cognitive"),
    ("Working elements: psychosocial", "we_psychosocial"),
    ("Working elements: social and educational development", "we_social_educational"),
    ("Working elements: behavioural", "we_behavioural"),
    ("Working elements: societal", "we_societal"),
    ("Factors addressed", "factors"),
    ("Recommended features present", "recommended_features"),
    ("Setting", "setting"),
    ("Phase", "phase"),
]
#: The interventions sheet's columns that identify a row (for the changes against a frozen
#: version): one intervention may be listed by several databases and countries.
ROW_KEY = ["Intervention", "Country", "Database"]
#: Two names at or above this rapidfuzz score (0-100) are taken as the same intervention.
MATCH_THRESHOLD = float(settings.defaults("toolkit")["match_threshold"])

COUNTRIES = {
    "NL": "Netherlands",
    "DE": "Germany",
    "BE": "Belgium",
    "FR": "France",
    "CH": "Switzerland",
    "AT": "Austria",
    "DK": "Denmark",
    "SE": "Sweden",
    "UK": "United Kingdom",
}


def find_inventory(review: str | Path) -> Path | None:
    """The review folder's inventory sheet (``inventory.xlsx``, else ``.csv``), or None."""
    for name in ("inventory.xlsx", "inventory.csv"):
        if (Path(review) / name).is_file():
            return Path(review) / name
    return None


def read_inventory(path: str | Path) -> pd.DataFrame:
    """Read and validate the inventory sheet; duplicate rows (same name and database) fail."""
    path = Path(path)
    frame = read_sheet(path)
    validate_rows(frame, "inventory", file=str(path))
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for index, row in enumerate(frame.to_dict(orient="records")):
        key = (row["intervention"].casefold(), row["database"].casefold())
        if key in seen:
            problems.append(
                f"row {index + 2}, field intervention: {row['intervention']!r} of "
                f"{row['database']!r} is listed again (first on row {seen[key]}); keep one row"
            )
        seen.setdefault(key, index + 2)
    if problems:
        raise SheetError(str(path), problems)
    for column in (
        "owner",
        "url",
        "target_group",
        "prevention_level",
        "rating",
        "rating_scheme",
        "notes",
    ):
        if column not in frame.columns:
            frame[column] = ""
    return frame


def code_description(text: str, codebook: Codebook) -> dict[str, list[str]]:
    """Codes whose key terms occur in ``text``: dimension -> code ids, in codebook order."""
    found: dict[str, list[str]] = {}
    for matcher in matchers(codebook):
        if matcher.terms_in(text):
            found.setdefault(matcher.dimension, []).append(matcher.code.id)
    return found


def _name_forms(name: str) -> list[str]:
    """A name and, when it has one, its bracketed or slashed part: ``"Being Muslim Being
    British (BMBB) / IC-thinking"`` -> the whole, ``"Being Muslim Being British"``, ``"BMBB"``,
    ``"IC-thinking"``."""
    forms = [name]
    forms += [p for p in re.split(r"\s*[(/)]\s*|\s+[-\u2013]\s+", name) if len(p.strip()) > 2]
    return [f.strip().casefold() for f in dict.fromkeys(forms) if f.strip()]


@dataclass(frozen=True)
class Match:
    name: str
    score: float


def best_match(name: str, candidates: list[str], *, threshold: float = MATCH_THRESHOLD) -> Match:
    """The candidate whose name is most like ``name`` (score 0-100), or an empty Match.

    Names and their parts (before brackets, in brackets, around a slash) are compared with
    rapidfuzz's ``token_sort_ratio`` (several words) or ``ratio`` (one word), so "BMBB" matches
    "Being Muslim Being British (BMBB)" but a shared word alone ("training") does not make two
    programmes the same.
    """
    best = Match("", 0.0)
    for candidate in candidates:
        score = max(
            fuzz.token_sort_ratio(a, b) if " " in a and " " in b else fuzz.ratio(a, b)
            for a in _name_forms(name)
            for b in _name_forms(candidate)
        )
        if score > best.score or (score == best.score and candidate < best.name):
            best = Match(candidate, float(score))
    return best if best.score >= threshold else Match("", round(best.score, 1))


def intervention_sheet(
    inventory: pd.DataFrame,
    codebook: Codebook,
    scale: RatingScale,
    *,
    slo_names: list[str] | None = None,
    threshold: float = MATCH_THRESHOLD,
    file: str = "inventory",
) -> pd.DataFrame:
    """The interventions sheet (plus ``_url``, the link behind the URL column)."""
    rows, problems = [], []
    for index, item in enumerate(inventory.to_dict(orient="records")):
        try:
            rated = scale.rate(item["database"], item["rating"], scheme=item["rating_scheme"])
        except RatingError as exc:
            problems.append(f"row {index + 2}, field rating: {exc}")
            continue
        codes = code_description(item["description"], codebook)
        match = best_match(item["intervention"], slo_names or [], threshold=threshold)
        row = {
            "Intervention": item["intervention"],
            "Country": item["country"],
            "Database": item["database"],
            "Owner": item["owner"],
            "URL": item["url"],
            "_url": item["url"],
            "Target group": item["target_group"],
            "Prevention level": LIST_SEPARATOR.join(
                p.strip().capitalize() for p in item["prevention_level"].split(";") if p.strip()
            ),
            "Original rating": item["rating"],
            "Rating scheme": rated.scheme,
            "Common level": rated.level,
            "Common level label": rated.label,
        }
        for header, dim_id in CODED_COLUMNS:
            dim = codebook.dimension(dim_id)
            if dim is not None:
                row[header] = LIST_SEPARATOR.join(dim.code(c).label for c in codes.get(dim_id, []))
        row["In systematic review"] = "yes" if match.name else "no"
        row["Matched SLO intervention"] = match.name
        row["Match score"] = match.score if match.name else ""
        row["Description"] = item["description"]
        rows.append(row)
    if problems:
        raise SheetError(file, problems)
    headers = ["Intervention", "Country", "Database", "Owner", "URL", "_url", "Target group",
               "Prevention level", "Original rating", "Rating scheme", "Common level",
               "Common level label"]  # fmt: skip
    headers += [h for h, d in CODED_COLUMNS if codebook.dimension(d) is not None]
    headers += ["In systematic review", "Matched SLO intervention", "Match score", "Description"]
    frame = pd.DataFrame(rows, columns=headers)
    order = ["Country", "Intervention"]
    return frame.sort_values(order, key=lambda s: s.str.casefold(), kind="stable").reset_index(
        drop=True
    )


def summary_sheet(frame: pd.DataFrame, scale: RatingScale) -> pd.DataFrame:
    """Interventions per country, common level, prevention level and working-element category."""
    rows = [{"count of": "Interventions", "value": "", "interventions": len(frame)}]
    for code, country in COUNTRIES.items():
        rows.append(
            {
                "count of": "Country",
                "value": f"{code} {country}",
                "interventions": int((frame["Country"] == code).sum()),
            }
        )
    for level, label in sorted(scale.levels.items()):
        rows.append(
            {
                "count of": "Common level",
                "value": f"{level} {label}",
                "interventions": int((frame["Common level"] == level).sum()),
            }
        )
    for level in ("Universal", "Selective", "Indicated"):
        n = int(frame["Prevention level"].str.contains(level).sum())
        rows.append({"count of": "Prevention level", "value": level, "interventions": n})
    for header, dim_id in CODED_COLUMNS:
        if dim_id in WORKING_ELEMENTS and header in frame.columns:
            n = int((frame[header] != "").sum())
            rows.append(
                {
                    "count of": "Working-element category",
                    "value": header.split(": ")[-1],
                    "interventions": n,
                }
            )
    rows.append(
        {
            "count of": "Also in the systematic review",
            "value": "yes",
            "interventions": int((frame["In systematic review"] == "yes").sum()),
        }
    )
    return pd.DataFrame(rows)


def method_sheet(inventory_name: str, codebook: Codebook, n: int, threshold: float) -> pd.DataFrame:
    rows = [
        ("toolkit", "Toolkit Database Interventies"),
        ("software", f"slrflow {__version__}"),
        ("inventory", f"{inventory_name}: {n} interventions"),
        ("codebook", f"{codebook.name} version {codebook.version}"),
        (
            "coding",
            "Working elements, factors, recommended features, setting and phase are the "
            "codebook's key terms found in each description: suggestions, not a coder's "
            "judgement.",
        ),
        (
            "ratings",
            "Each database's own rating is kept in 'Original rating' and placed on the "
            "common scale of the config (sheet 'rating scale').",
        ),
        (
            "matching",
            f"'In systematic review' is yes when the name matches an intervention of "
            f"the Toolkit SLO Interventies with a rapidfuzz score >= {threshold:g}.",
        ),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def sheets(
    inventory: pd.DataFrame,
    codebook: Codebook,
    scale: RatingScale,
    *,
    slo_names: list[str] | None = None,
    threshold: float = MATCH_THRESHOLD,
    inventory_name: str = "inventory",
) -> list[workbook.Sheet]:
    main = intervention_sheet(
        inventory, codebook, scale, slo_names=slo_names, threshold=threshold, file=inventory_name
    )
    return [
        workbook.Sheet(
            "interventions",
            main,
            links={"URL": "_url"},
            widths={"Description": 60.0, "URL": 30.0},
            csv="database_interventions.csv",
        ),
        workbook.Sheet("rating scale", scale.table(), csv="database_rating_scale.csv"),
        workbook.Sheet("codebook", legend(codebook), csv="database_codebook.csv"),
        workbook.Sheet("summary", summary_sheet(main, scale), csv="database_summary.csv"),
        workbook.Sheet(
            "method",
            method_sheet(inventory_name, codebook, len(main), threshold),
            csv="database_method.csv",
        ),
    ]


def write(sheet_list: list[workbook.Sheet], path: str | Path) -> list[Path]:
    """Write the workbook and its CSV twins; return the twins' paths."""
    workbook.write(sheet_list, path, title="Toolkit Database Interventies")
    return workbook.write_twins(sheet_list, path)
