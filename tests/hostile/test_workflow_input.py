"""Broken and hostile review folders through the workflow itself (``slrflow run``): the run
stops with the file, row and field on the console, and never reads outside the review."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import attacks
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example"

pytestmark = pytest.mark.workflow


def _review(tmp_path: Path, searches: str) -> Path:
    review = tmp_path / "review"
    (review / "exports").mkdir(parents=True)
    for name in ("config.yaml", "criteria.yaml", "codebook.yaml"):
        shutil.copy(EXAMPLE / name, review / name)
    shutil.copy(EXAMPLE / "exports" / "scopus_2024.ris", review / "exports" / "scopus.ris")
    (review / "searches.csv").write_text(
        "search_id,database,date_searched,query,file\n" + searches, "utf-8"
    )
    return review


def _run(review: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "slrflow.cli", "run", str(review), "--cores", "2", *options],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_workflow_refuses_an_export_outside_the_review(tmp_path):
    secret = tmp_path / "secret.ris"
    secret.write_text("TY  - JOUR\nTI  - Not part of the review\nER  -\n", "utf-8")
    review = _review(
        tmp_path,
        "scopus,Scopus,2024-11-12,radicali*,exports/scopus.ris\n"
        "outside,Scopus,2024-11-12,radicali*,../secret.ris\n"
        "late,Scopus,2024-02-30,radicali*,exports/scopus.ris\n",
    )
    result = _run(review, "--dry-run")
    assert result.returncode != 0
    assert "row 3, field file: '../secret.ris' leads outside the review folder" in result.stderr
    assert "row 4, field date_searched: '2024-02-30' is not a date of the calendar" in result.stderr
    assert not (review / "results").exists()


def test_broken_person_files_stop_the_run_naming_them(tmp_path):
    review = _review(tmp_path, "scopus,Scopus,2024-11-12,radicali*,exports/scopus.ris\n")
    (review / "dedup_decisions.csv").write_bytes(b"")
    result = _run(review)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr.split("the run stopped on these errors")[-1]
    assert "dedup_decisions.csv, the file is empty: a sheet needs a header row" in result.stderr
    # nothing was written into the review but results/ and Snakemake's own .snakemake/
    written = {p.name for p in review.iterdir()} - {"results", ".snakemake"}
    assert written == {"codebook.yaml", "config.yaml", "criteria.yaml", "dedup_decisions.csv",
                       "exports", "searches.csv"}  # fmt: skip


def test_the_workflow_refuses_a_yaml_bomb_in_the_config(tmp_path):
    review = _review(tmp_path, "scopus,Scopus,2024-11-12,radicali*,exports/scopus.ris\n")
    with (review / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("\n" + attacks.yaml_bomb("notes"))
    result = _run(review, "--dry-run")
    assert result.returncode != 0
    assert "config.yaml: through anchors and aliases (&name, *name) the document expands" in (
        result.stderr
    )


def test_a_reviewer_name_that_would_run_a_command_is_refused(tmp_path):
    review = _review(tmp_path, "scopus,Scopus,2024-11-12,radicali*,exports/scopus.ris\n")
    config = review / "config.yaml"
    config.write_text(
        config.read_text("utf-8").replace(
            "reviewers: [anouk, bram]", "reviewers: [anouk, 'b$(touch PWNED)']"
        ),
        "utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "slrflow.cli", "run", str(review), "--cores", "1"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert "b$(touch PWNED)" in result.stderr and "reviewers" in result.stderr
    assert not list(tmp_path.rglob("PWNED"))
