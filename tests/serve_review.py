"""A small review folder for the screening page's tests, run through ``slrflow screen``.

Sixteen references on one topic, each its own record (one search ``s1``), the criteria of the
project's ``config/criteria.yaml``, two reviewers (``anouk``, ``bram``) who both screen every
reference at title/abstract, and a review folder with its own ``config.yaml`` and ``results/``.
Nothing is decided yet, unless a test writes decision files and runs :func:`run_screen`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import yaml

from slrflow.cli import main
from slrflow.tables import write_csv

ROOT = Path(__file__).resolve().parents[1]
CRITERIA = ROOT / "resources" / "example" / "criteria.yaml"

TOPICS = [
    ("Evaluation of an exit programme for violent extremists",
     "A quasi-experimental evaluation of mentoring in an exit programme with interview data."),
    ("Resilience training against radicalisation in schools",
     "Pretest and posttest questionnaire data on resilience and self-esteem of pupils."),
    ("A theory of significance quest", "An essay on identity and the quest for significance."),
    ("Family support for radicalised youth: a trial",
     "A randomised trial of family support; outcomes include depression and anxiety."),
    ("Mental health screening in prisons for terrorist offenders",
     "Cohort data on psychiatric diagnoses among people convicted of terrorist offences."),
    ("Online counter-narratives and extremist attitudes",
     "A survey experiment on counter-narratives; no psychosocial variables were measured."),
    ("Trauma-informed care in deradicalisation", "Case study of a trauma-informed programme."),
    ("Police community engagement", "A description of policing strategies without evaluation."),
    ("Autism and lone-actor terrorism", "A review of case files on autism spectrum conditions."),
    ("Peer mentoring against extremism: outcomes",
     "Follow-up data on participants of a peer mentoring intervention programme."),
    ("History of anarchist movements", "A historical account of nineteenth-century anarchism."),
    ("Emotion regulation training for at-risk youth",
     "A controlled evaluation of emotion regulation training with respondents aged 14-18."),
    ("<img src=x onerror=\"window.__xss=1\"> Exit work evaluated: an intervention programme",
     "=HYPERLINK(\"http://example.org\") <b>bold</b>: an evaluation of an intervention "
     "programme with interview data from participants on resilience and mental health."),
    ("Psychological distress among returnees", "Interviews with returnees about distress."),
    ("Urban planning and crime", "Street lighting and burglary rates in three cities."),
    ("Effectiveness of a de-radicalisation programme in Denmark",
     "Outcome evaluation with pre-post measures of psychological wellbeing."),
]  # fmt: skip

CONFIG = {
    "title": "Test review: exit work",
    "screening": {
        "criteria": str(CRITERIA),
        "reviewers": ["anouk", "bram"],
        "stages": {
            "title_abstract": {"reviewers_per_record": 2},
            "retrieval": {"reviewers_per_record": 1},
            "full_text": {"reviewers_per_record": 1},
        },
        "maybe": "include",
        "resolution": {"method": "consensus", "resolvers": ["anouk", "bram"]},
        "stopping": {"recall": 0.95, "confidence": 0.95},
    },
}


def reference_ids() -> list[str]:
    return [f"s1-{i:02d}" for i in range(len(TOPICS))]


def make_review(folder: Path) -> Path:
    """Write the review folder with its config and the results of ingest and dedup, then run
    the screening stage once (nothing decided yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(CONFIG, sort_keys=False), "utf-8")
    (folder / "screening").mkdir(exist_ok=True)
    ids = reference_ids()
    records = pd.DataFrame(
        {
            "record_id": ids,
            "search_id": "s1",
            "title": [t for t, _ in TOPICS],
            "abstract": [a for _, a in TOPICS],
            "authors": [f"Author{i}, A.; Second, B." for i in range(len(ids))],
            "year": [str(2010 + i % 12) for i in range(len(ids))],
            "journal": "Journal of Exit Work",
            "keywords": "extremism; intervention",
            "doi": [f"10.1000/t{i}" for i in range(len(ids))],
            "doc_type": "Article",
            "language": "English",
        }
    )
    results = folder / "results"
    write_csv(records, results / "ingest" / "records.csv")
    write_csv(
        pd.DataFrame({"record_id": ids, "reference_id": ids, "search_id": "s1", "rule": "",
                      "score": ""}),
        results / "dedup" / "clusters.csv",
    )  # fmt: skip
    write_csv(
        records.rename(columns={"record_id": "reference_id"}).assign(record_ids=ids),
        results / "dedup" / "references.csv",
    )
    run_screen(folder)
    return folder


def run_screen(folder: Path) -> int:
    """``slrflow screen`` on the review, as the workflow calls it; its exit status."""
    results = folder / "results"
    return main(
        [
            "screen",
            "--records", str(results / "ingest" / "records.csv"),
            "--clusters", str(results / "dedup" / "clusters.csv"),
            "--references", str(results / "dedup" / "references.csv"),
            "--review", str(folder),
            "--policy", json.dumps(CONFIG["screening"]),
            "--criteria", str(CRITERIA),
            "-o", str(results / "screening"),
        ]
    )  # fmt: skip


def add_fulltext(folder: Path, reference_id: str, text: str) -> Path:
    path = folder / "fulltext" / f"{reference_id}.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def copy_review(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
