"""The dedup stage's tables about records and pairs (references are in :mod:`merge`).

``clusters.csv``  one row per record: ``record_id``, ``reference_id``, ``search_id``, ``rule``
    (how the record was tied into its reference; empty for the reference's first record),
    ``score`` and ``linked_to`` (the record it was matched with).
``evidence.csv``  one row per applied link: both records, the rule, the score, the
    ``match_weight`` (bits: the sum of the fields' weights learned in this review),
    ``match_odds`` (log2 odds that the two are one work: the match weight on top of the
    review's share of duplicates; 10 is 1,000 to 1),
    ``decided_by`` (each field present with its weight in this review, heaviest first:
    ``title +10.5; pages +9.1; issue 0 (ignored here)``) and each field similarity
    (``sim_title``...; empty where a field is missing on either side).
``pairs_to_review.csv``  the grey zone: pairs no rule could decide, with the same weights that
    left them undecided, both records side by side (``title_a``, ``title_b``...), and empty
    ``verdict``, ``reviewer``, ``date``, ``note`` columns: fill them in and save the rows as
    ``dedup_decisions.csv`` in the review folder.
``field_weights.csv``  what each field is worth in this review (:mod:`weights`): how many
    certain pairs measured it, how often they agree (``m_agree``...) and how often random
    pairs do (``u_agree``...), the weights in bits and the field's role (``veto``,
    ``weighed``, ``ignored`` or ``unproven``).
``related.csv``  pairs kept apart but related under a ``link`` policy (conference abstract and
    article, preprint and publication, Cochrane review versions).
"""

from __future__ import annotations

import pandas as pd

from slrflow.dedup.compare import FIELDS, Comparison
from slrflow.dedup.merge import REFERENCE_FIELDS
from slrflow.dedup.run import Result
from slrflow.dedup.weights import LEVELS

#: Fields shown for both records of a pair to review: the citation, then the abstract (longest,
#: so last).
SIDE_BY_SIDE = [
    "search_id",
    *(f for f in REFERENCE_FIELDS if f not in ("pmid", "abstract", "keywords", "language", "url")),
    "abstract",
]
#: abstracts are cut to this many characters in the review sheet
ABSTRACT_CUT = 500


def _sims(comparison: Comparison) -> dict[str, object]:
    return {
        f"sim_{name}": "" if comparison.sims.get(name) is None else round(comparison.sims[name], 3)
        for name in FIELDS
    }


def clusters(table: pd.DataFrame, result: Result) -> pd.DataFrame:
    ids = table["record_id"].tolist()
    searches = table["search_id"].fillna("").astype(str).tolist()
    rows = []
    for position, label in enumerate(result.label):
        attached = result.attached[position]
        rows.append(
            {
                "record_id": ids[position],
                "reference_id": ids[label],
                "search_id": searches[position],
                "rule": attached[1] if attached else "",
                "score": round(attached[2], 4) if attached else "",
                "linked_to": ids[attached[0]] if attached else "",
            }
        )
    return pd.DataFrame(
        rows, columns=["record_id", "reference_id", "search_id", "rule", "score", "linked_to"]
    )


#: the columns that say why a pair was linked or queued
WHY = ["rule", "score", "match_weight", "match_odds", "decided_by"]


def _why(comparison: Comparison, result: Result) -> dict[str, object]:
    return {
        "rule": comparison.rule,
        "score": comparison.score,
        "match_weight": comparison.weight,
        "match_odds": round(comparison.weight + result.weights.prior_bits, 2),
        "decided_by": result.weights.explain(comparison.sims),
        **_sims(comparison),
    }


def evidence(table: pd.DataFrame, result: Result) -> pd.DataFrame:
    ids = table["record_id"].tolist()
    rows = [
        {"record_id_a": ids[c.i], "record_id_b": ids[c.j], **_why(c, result)}
        for c in result.evidence
    ]
    columns = ["record_id_a", "record_id_b", *WHY, *(f"sim_{f}" for f in FIELDS)]
    return pd.DataFrame(rows, columns=columns)


def field_weights(result: Result) -> pd.DataFrame:
    """One row per field: its role and weights in this review (see the module docstring)."""
    rows = []
    for weight in result.weights.fields.values():
        row: dict[str, object] = {
            "field": weight.name,
            "role": weight.role,
            "certain_pairs": weight.certain_pairs,
            "disagreeing": weight.disagreeing,
        }
        for level in LEVELS:
            row[f"m_{level}"] = weight.m[level]
            row[f"u_{level}"] = weight.u.get(level, "")
            row[f"weight_{level}"] = weight.weight.get(level, "")
        rows.append(row)
    columns = ["field", "role", "certain_pairs", "disagreeing"]
    columns += [f"{k}_{level}" for k in ("m", "u", "weight") for level in LEVELS]
    return pd.DataFrame(rows, columns=columns)


def pairs_to_review(table: pd.DataFrame, result: Result) -> pd.DataFrame:
    records = table.fillna("").astype(str)
    rows = []
    for c in result.queue:
        a, b = records.iloc[c.i], records.iloc[c.j]
        row = {"record_id_a": a["record_id"], "record_id_b": b["record_id"], **_why(c, result)}
        for name in SIDE_BY_SIDE:
            value_a, value_b = a.get(name, ""), b.get(name, "")
            if name == "abstract":
                value_a, value_b = value_a[:ABSTRACT_CUT], value_b[:ABSTRACT_CUT]
            row[f"{name}_a"], row[f"{name}_b"] = value_a, value_b
        row.update(verdict="", reviewer="", date="", note="")
        rows.append(row)
    columns = ["record_id_a", "record_id_b", *WHY, *(f"sim_{f}" for f in FIELDS)]
    for name in SIDE_BY_SIDE:
        columns += [f"{name}_a", f"{name}_b"]
    columns += ["verdict", "reviewer", "date", "note"]
    return pd.DataFrame(rows, columns=columns)


def related(table: pd.DataFrame, result: Result) -> pd.DataFrame:
    ids = table["record_id"].tolist()
    rows = [
        {
            "record_id_a": ids[c.i],
            "reference_id_a": ids[result.label[c.i]],
            "record_id_b": ids[c.j],
            "reference_id_b": ids[result.label[c.j]],
            "relation": c.rule,
            "score": c.score,
        }
        for c in result.related
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "record_id_a",
            "reference_id_a",
            "record_id_b",
            "reference_id_b",
            "relation",
            "score",
        ],
    )
