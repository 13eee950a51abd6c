"""A tiny hand-written review for the screening tests: records, clusters, references, config.

Eight records from two searches; ``s2-dup`` is a duplicate of ``s1-exit`` (same reference).
Three references are for the automation rules: ``s1-old`` (1995), ``s1-errat`` (Erratum) and
``s2-german`` (German).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from slrflow.tables import write_csv

RECORDS = [
    # record_id, search_id, title, year, doi, doc_type, language
    ("s1-exit", "s1", "Evaluation of an exit programme for violent extremists", "2015",
     "10.1000/exit", "Article", "English"),
    ("s1-school", "s1", "Resilience training against radicalisation in schools", "2018",
     "10.1000/school", "Article", "English"),
    ("s1-old", "s1", "Terrorism and the mind", "1995", "", "Article", "English"),
    ("s1-errat", "s1", "Erratum: mentoring against extremism", "2019", "", "Erratum", "English"),
    ("s1-theory", "s1", "A theory of significance quest", "2014", "10.1000/theory", "Article",
     "English"),
    ("s2-dup", "s2", "Evaluation of an exit programme for violent extremists.", "2015",
     "10.1000/exit", "Journal Article", "English"),
    ("s2-family", "s2", "Family support for radicalised youth: a trial", "2020",
     "10.1000/family", "Journal Article", "English"),
    ("s2-german", "s2", "Deradikalisierung in Haft", "2017", "", "Journal Article", "German"),
]  # fmt: skip

CLUSTERS = {r[0]: r[0] for r in RECORDS} | {"s2-dup": "s1-exit"}

POLICY = {
    "reviewers": ["anouk", "bram"],
    "stages": {
        "title_abstract": {"reviewers_per_record": 2},
        "retrieval": {"reviewers_per_record": 1},
        "full_text": {"reviewers_per_record": 2},
    },
    "maybe": "include",
    "resolution": {"method": "consensus", "resolvers": ["anouk", "bram"]},
    "automation": [
        {"name": "before_2000", "years": {"min": 2000}},
        {"name": "language", "languages": ["english", "en", "dutch", "nl"]},
        {"name": "doc_type", "document_types": ["erratum", "editorial"]},
    ],
}

#: The boxes a record can end in: every record identified is in exactly one of them.
FINAL_BOXES = (
    "duplicates_removed", "automation_ineligible", "records_excluded",
    "records_awaiting_screening", "records_awaiting_resolution", "reports_not_retrieved",
    "reports_awaiting_retrieval", "reports_excluded", "reports_awaiting_assessment",
    "reports_included",
)  # fmt: skip

ROOT = Path(__file__).resolve().parents[1]
CRITERIA = ROOT / "resources" / "example" / "criteria.yaml"


def write_run(folder: Path, records=RECORDS, clusters=None) -> dict[str, Path]:
    """Write records.csv, clusters.csv and references.csv as the earlier stages would."""
    clusters = clusters or CLUSTERS
    cols = ["record_id", "search_id", "title", "year", "doi", "doc_type", "language"]
    rec = pd.DataFrame(records, columns=cols)
    clu = pd.DataFrame(
        [(r, clusters[r], r.split("-")[0], "" if clusters[r] == r else "doi", "")
         for r in rec["record_id"]],
        columns=["record_id", "reference_id", "search_id", "rule", "score"],
    )  # fmt: skip
    refs = rec[rec["record_id"].isin(set(clusters.values()))].rename(
        columns={"record_id": "reference_id"}
    )
    refs = refs.assign(
        authors="Doe, J.", journal="Journal", abstract="An intervention study on extremism.",
        record_ids=[
            "; ".join(sorted(r for r, ref in clusters.items() if ref == rid))
            for rid in refs["reference_id"]
        ],
    )  # fmt: skip
    paths = {
        "records": folder / "records.csv",
        "clusters": folder / "clusters.csv",
        "references": folder / "references.csv",
    }
    write_csv(rec, paths["records"])
    write_csv(clu, paths["clusters"])
    write_csv(refs, paths["references"])
    return paths


def write_decisions(review: Path, stage: str, name: str, text: str) -> Path:
    """A decision file of the review folder, given as CSV text."""
    path = review / "screening" / stage / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.strip() + "\n", "utf-8")
    return path


def screen_args(run: dict[str, Path], review: Path, out: Path, policy=None) -> list[str]:
    return [
        "screen",
        "--records", str(run["records"]),
        "--clusters", str(run["clusters"]),
        "--references", str(run["references"]),
        "--review", str(review),
        "--policy", json.dumps(policy or POLICY),
        "--criteria", str(CRITERIA),
        "-o", str(out),
    ]  # fmt: skip
