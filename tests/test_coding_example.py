"""The bundled example's coding files validate against the codebook (without running the
workflow: the example's studies table names the included reports by their record ids)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from slrflow import tables
from slrflow.coding import codebook as C
from slrflow.coding.agreement import combine
from slrflow.coding.read import read_all
from slrflow.coding.studies import link

ROOT = Path(__file__).resolve().parents[1]
CODING = ROOT / "resources" / "example" / "coding"


def test_example_coding_is_valid_and_settled():
    book = C.load(ROOT / "config" / "codebook.yaml")
    table = tables.read_csv(CODING / "studies.csv")
    references = pd.DataFrame(
        {"reference_id": table["record_id"], "record_ids": table["record_id"]}
    )
    studies, problems = link(references, sorted(table["record_id"]), CODING / "studies.csv")
    assert problems == []
    # 22 reports, 21 interventions: the two PRISM reports are one intervention
    assert len(table) == 22 and len(studies.studies) == 21
    assert len(studies.study("prism").reports) == 2
    answers, consensus, problems = read_all(
        CODING, codebook=book, studies=studies, coders=["anouk", "bram"]
    )
    assert problems == []
    result = combine(studies, book, answers, consensus, coders=["anouk", "bram"])
    assert result.problems == []
    assert len(result.disagreements) == 14
    assert set(result.disagreements["status"]) == {"settled"}
    wide = result.wide.set_index("intervention_id")
    assert set(wide["status"]) == {"coded"}
    assert wide.loc["radicalise", "design"] == "Randomised controlled trial"
    assert wide.loc["radicalise", "sample_size"] == "291"
    assert wide.loc["diamant", "country"] == "Netherlands"
    # codes in codebook order, not alphabetical
    assert wide.loc["bounce", "we_psychosocial"] == (
        "Emotion regulation; Self-confidence; Personal resilience"
    )
    assert wide.loc["bounce", "level"] == "Micro (individual); Meso (group)"
