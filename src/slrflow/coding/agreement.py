"""Coder agreement per dimension, the disagreement list, and the final coding.

Units of agreement:

- ``single`` and ``number`` dimensions: one unit per study; the value is the code (or number).
- ``multi`` dimensions: one unit per study and code, valued present/absent (yes/no). A coder who
  answered any code of the dimension for a study has coded it; codes they left blank count as
  absent. A coder who answered none of them has not coded that dimension for that study.
- ``text`` dimensions are free text: not compared (their final value is the consensus text, or
  every coder's distinct text).

Agreement (``agreement.csv``) per dimension over the units at least two coders coded: Cohen's
kappa when there are two coders, Krippendorff's alpha (nominal) for more, with the percent
agreement and the number of units behind each figure. With two coders PABAK is given too
(``k`` = 2 for a multi-choice code, the number of codes for a single-choice dimension): kappa
is low when a code is rare even if the coders almost always agree, and PABAK shows that. The
formulas are those of the screening stage (:mod:`slrflow.agreement`). Numbers get the
percent of exact agreement only.

A unit whose coders differ is a disagreement (``disagreements.csv``). The consensus file settles
units: a multi-choice code, or a whole single/number/text dimension of a study. The final coding
of a unit is, in order: the consensus where one exists; else the value all its coders agree on
(``agreed``, or ``one coder`` when only one coded it); else nothing, and the unit stays open.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from slrflow.agreement import (
    cohen_kappa,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    statistic_text,
)
from slrflow.coding import CONSENSUS, FINAL
from slrflow.coding import problems as P
from slrflow.coding.codebook import Codebook, Dimension
from slrflow.coding.read import Answer
from slrflow.coding.studies import Studies

LONG_COLUMNS = [
    "intervention_id",
    "intervention",
    "dimension",
    "code",
    "value",
    "coder",
    "basis",
    "quote",
    "page",
    "report",
    "file",
    "row",
]
AGREEMENT_COLUMNS = [
    "dimension",
    "group",
    "type",
    "coders",
    "units",
    "statistic",
    "value",
    "percent_agreement",
    "pabak",
    "disagreements",
    "note",
]
DISAGREEMENT_COLUMNS = [
    "intervention_id",
    "intervention",
    "dimension",
    "code",
    "answers",
    "status",
    "consensus",
]


@dataclass
class Coding:
    """Everything the coding stage writes: the tables and the warnings found on the way."""

    long: pd.DataFrame
    wide: pd.DataFrame
    agreement: pd.DataFrame
    disagreements: pd.DataFrame
    problems: list[P.Problem] = field(default_factory=list)


def ratings(
    answers: list[Answer], codebook: Codebook
) -> dict[tuple[str, str, str], dict[str, str]]:
    """Unit -> {coder: value} for every compared unit: ``(study, dimension, code)`` for a
    multi-choice code (value yes/no), ``(study, dimension, "")`` for single/number."""
    coded: dict[tuple[str, str], set[str]] = defaultdict(set)  # (study, dim) -> coders
    units: dict[tuple[str, str, str], dict[str, str]] = defaultdict(dict)
    for a in answers:
        dimension = codebook.dimension(a.dimension)
        if dimension.type == "text":
            continue
        coded[(a.intervention_id, a.dimension)].add(a.coder)
        if dimension.type == "multi":
            units[(a.intervention_id, a.dimension, a.code)][a.coder] = a.value
        elif dimension.type == "single":
            units[(a.intervention_id, a.dimension, "")][a.coder] = a.code
        else:
            units[(a.intervention_id, a.dimension, "")][a.coder] = a.value
    # A coder who coded a multi-choice dimension said "absent" to every code left blank.
    for (study, dim), who in coded.items():
        dimension = codebook.dimension(dim)
        if dimension.type != "multi":
            continue
        for code in dimension.code_ids:
            unit = units[(study, dim, code)]
            for coder in who:
                unit.setdefault(coder, "no")
    return dict(units)


def dimension_agreement(
    dimension: Dimension, units: dict[tuple[str, str, str], dict[str, str]], coders: list[str]
) -> dict[str, object]:
    """One row of ``agreement.csv``."""
    row: dict[str, object] = {
        "dimension": dimension.id,
        "group": dimension.group,
        "type": dimension.type,
        "coders": "; ".join(coders),
        "units": 0,
        "statistic": "",
        "value": "",
        "percent_agreement": "",
        "pabak": "",
        "disagreements": 0,
        "note": "",
    }
    if dimension.type == "text":
        row["note"] = "free text: not compared"
        return row
    mine = {k: v for k, v in sorted(units.items()) if k[1] == dimension.id and len(v) >= 2}
    row["units"] = len(mine)
    row["disagreements"] = sum(len(set(v.values())) > 1 for v in mine.values())
    if not mine:
        row["note"] = "no unit coded by two or more coders"
        return row
    agree = sum(len(set(v.values())) == 1 for v in mine.values())
    row["percent_agreement"] = statistic_text(agree / len(mine))
    if dimension.type == "number":
        row["note"] = "numbers: share of exact agreement only"
        return row
    raters = sorted({c for v in mine.values() for c in v})
    if len(raters) == 2:
        both = [v for v in mine.values() if len(v) == 2]
        a = [v[raters[0]] for v in both]
        b = [v[raters[1]] for v in both]
        row["statistic"] = "cohen_kappa"
        row["value"] = statistic_text(cohen_kappa(a, b))
        row["percent_agreement"] = statistic_text(percent_agreement(a, b))
        # PABAK with k = the answers possible: yes/no for a multi-choice code, else the codes.
        k = 2 if dimension.type == "multi" else len(dimension.codes)
        row["pabak"] = statistic_text(pabak(a, b, k=k))
    else:
        matrix = [[v.get(r) for v in mine.values()] for r in raters]
        row["statistic"] = "krippendorff_alpha"
        row["value"] = statistic_text(krippendorff_alpha(matrix))
    if row["value"] == "":
        row["note"] = "undefined: every coder used a single same value (chance agreement is 1)"
    return row


def _consensus_units(consensus: list[Answer], codebook: Codebook) -> dict[tuple, list[Answer]]:
    """Unit -> the consensus answers that settle it (see the module docstring)."""
    settled: dict[tuple, list[Answer]] = defaultdict(list)
    for a in consensus:
        kind = codebook.dimension(a.dimension).type
        code = a.code if kind == "multi" else ""
        settled[(a.intervention_id, a.dimension, code)].append(a)
    return settled


def _label(codebook: Codebook, dimension: str, code: str, value: str) -> str:
    if not code:
        return value
    found = codebook.dimension(dimension).code(code)
    return found.label if found else code


def combine(
    studies: Studies,
    codebook: Codebook,
    answers: list[Answer],
    consensus: list[Answer],
    *,
    coders: list[str] | None = None,
) -> Coding:
    """Agreement, disagreements and the final coding from every coder's and the consensus
    answers; warnings for studies nobody (or not every coder) coded."""
    coders = sorted(set(coders or []) | {a.coder for a in answers})
    units = ratings(answers, codebook)
    settled = _consensus_units(consensus, codebook)
    names = {s.intervention_id: s.intervention for s in studies.studies}
    dim_order = {d.id: i for i, d in enumerate(codebook.dimensions)}
    code_order = {(d.id, c.id): i for d in codebook.dimensions for i, c in enumerate(d.codes)}
    by_unit: dict[tuple, list[Answer]] = defaultdict(list)
    for a in answers:
        kind = codebook.dimension(a.dimension).type
        by_unit[(a.intervention_id, a.dimension, a.code if kind == "multi" else "")].append(a)

    # Disagreements and the final coding.
    disagreements = []
    final: list[dict] = []
    open_units: dict[str, list[str]] = defaultdict(list)

    def final_row(a: Answer, basis: str, value: str | None = None) -> dict:
        return {
            "intervention_id": a.intervention_id,
            "intervention": names[a.intervention_id],
            "dimension": a.dimension,
            "code": a.code,
            "value": value if value is not None else _label(codebook, a.dimension, a.code, a.value),
            "coder": FINAL,
            "basis": basis,
            "quote": a.quote,
            "page": a.page,
            "report": a.report,
            "file": a.file,
            "row": a.row,
        }

    all_units = sorted(set(units) | set(settled) | {k for k in by_unit})
    for unit in all_units:
        study, dim, code = unit
        dimension = codebook.dimension(dim)
        given = units.get(unit, {})
        differ = len(set(given.values())) > 1
        if unit in settled:
            chosen = settled[unit]
            if differ:
                disagreements.append(_disagreement(unit, names, given, "settled", chosen))
            for a in chosen:
                if a.value != "no":
                    final.append(final_row(a, CONSENSUS))
            continue
        if dimension.type == "text":
            seen = set()
            for a in sorted(by_unit.get(unit, []), key=lambda a: a.coder):
                if a.value not in seen:
                    seen.add(a.value)
                    final.append(final_row(a, "coders"))
            continue
        if differ:
            disagreements.append(_disagreement(unit, names, given, "open", []))
            open_units[study].append(f"{dim}.{code}" if code else dim)
            continue
        if not given:
            continue
        value = next(iter(given.values()))
        if value == "no":
            continue
        basis = "agreed" if len(given) > 1 else "one coder"
        with_quote = sorted(by_unit.get(unit, []), key=lambda a: (not a.quote, a.coder))
        if with_quote:
            final.append(final_row(with_quote[0], basis))
        else:  # a multi-choice code every coder left blank cannot be "yes"; kept for safety
            continue

    # The long table: every coder's and the consensus answers that say something, then final.
    long_rows = []
    for a in [*answers, *consensus]:
        if a.value == "no":
            continue
        long_rows.append(
            {
                "intervention_id": a.intervention_id,
                "intervention": names[a.intervention_id],
                "dimension": a.dimension,
                "code": a.code,
                "value": _label(codebook, a.dimension, a.code, a.value),
                "coder": a.coder,
                "basis": "",
                "quote": a.quote,
                "page": a.page,
                "report": a.report,
                "file": a.file,
                "row": a.row,
            }
        )
    long_rows.extend(final)
    coder_rank = {c: i for i, c in enumerate([*coders, CONSENSUS, FINAL])}
    long = pd.DataFrame(long_rows, columns=LONG_COLUMNS)
    if not long.empty:
        long["_key"] = [
            (
                r.intervention_id,
                dim_order[r.dimension],
                code_order.get((r.dimension, r.code), -1),
                coder_rank.get(r.coder, len(coder_rank)),
                r.coder,
                r.value,
                r.file,
                r.row,
            )
            for r in long.itertuples()
        ]
        long = long.sort_values("_key", kind="stable").drop(columns="_key")
    long = long.reset_index(drop=True)

    agreement = pd.DataFrame(
        [dimension_agreement(d, units, coders) for d in codebook.dimensions],
        columns=AGREEMENT_COLUMNS,
    )
    disagreement_frame = pd.DataFrame(disagreements, columns=DISAGREEMENT_COLUMNS)
    if not disagreement_frame.empty:
        disagreement_frame["_key"] = [
            (r.intervention_id, dim_order[r.dimension], code_order.get((r.dimension, r.code), -1))
            for r in disagreement_frame.itertuples()
        ]
        disagreement_frame = (
            disagreement_frame.sort_values("_key", kind="stable")
            .drop(columns="_key")
            .reset_index(drop=True)
        )

    problems = _coverage(studies, answers, consensus, coders)
    # Codes in codebook order (micro before meso), not in the alphabetical order of their ids.
    final.sort(
        key=lambda r: (
            r["intervention_id"],
            dim_order[r["dimension"]],
            code_order.get((r["dimension"], r["code"]), -1),
        )
    )
    wide = _wide(studies, codebook, final, answers, consensus, open_units)
    return Coding(long, wide, agreement, disagreement_frame, problems)


def _disagreement(unit, names, given, status, chosen) -> dict:
    study, dim, code = unit
    return {
        "intervention_id": study,
        "intervention": names[study],
        "dimension": dim,
        "code": code,
        "answers": " | ".join(f"{c}: {v}" for c, v in sorted(given.items())),
        "status": status,
        "consensus": "; ".join(sorted({a.value if code or not a.code else a.code for a in chosen})),
    }


def _coverage(studies, answers, consensus, coders) -> list[P.Problem]:
    """Warnings: included studies nobody coded, and studies not every coder coded."""
    problems = []
    who: dict[str, set[str]] = defaultdict(set)
    for a in answers:
        who[a.intervention_id].add(a.coder)
    settled = {a.intervention_id for a in consensus}
    for study in studies.studies:
        sid = study.intervention_id
        if not who[sid] and sid not in settled:
            problems.append(
                P.warning(
                    f"included study {sid} ({study.intervention}) has not been coded by anyone; "
                    "it is listed in coded_wide.csv with status 'not coded'",
                    study=sid,
                )
            )
        elif len(coders) > 1 and who[sid] and who[sid] != set(coders):
            missing = ", ".join(sorted(set(coders) - who[sid]))
            problems.append(
                P.warning(
                    f"study {sid} coded by {', '.join(sorted(who[sid]))} only; not yet by "
                    f"{missing}",
                    study=sid,
                )
            )
    return problems


#: The study columns of ``coded_wide.csv`` before one column per codebook dimension.
WIDE_COLUMNS = [
    "intervention_id",
    "intervention",
    "reports",
    "n_reports",
    "citations",
    "coded_by",
    "status",
    "open_disagreements",
]


def _wide(studies, codebook, final, answers, consensus, open_units) -> pd.DataFrame:
    """One row per study: its reports, who coded it, and per dimension the final codes
    (labels, "; "-joined), numbers, or texts (" | "-joined)."""
    values: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in final:
        key = (row["intervention_id"], row["dimension"])
        if row["value"] not in values[key]:
            values[key].append(row["value"])
    who: dict[str, set[str]] = defaultdict(set)
    for a in [*answers, *consensus]:
        who[a.intervention_id].add(a.coder)
    columns = [*WIDE_COLUMNS, *(dimension.id for dimension in codebook.dimensions)]
    rows = []
    for study in studies.studies:
        sid = study.intervention_id
        coded_by = sorted(who[sid] - {CONSENSUS}) + ([CONSENSUS] if CONSENSUS in who[sid] else [])
        row = {
            "intervention_id": sid,
            "intervention": study.intervention,
            "reports": "; ".join(study.reports),
            "n_reports": len(study.reports),
            "citations": " | ".join(studies.reports[r].citation for r in study.reports),
            "coded_by": "; ".join(coded_by),
            "status": "coded" if coded_by else "not coded",
            "open_disagreements": "; ".join(open_units.get(sid, [])),
        }
        for dimension in codebook.dimensions:
            joiner = " | " if dimension.type == "text" else "; "
            row[dimension.id] = joiner.join(values.get((sid, dimension.id), []))
        rows.append(row)
    # The header stays when no study is included yet: readers see "no studies", not no table.
    return pd.DataFrame(rows, columns=columns)
