"""End-to-end runs of the Snakemake workflow on the bundled example review.

One full build is shared by the tests of this file (it takes a while); each test then checks one
promise of the workflow: everything is built, a second run does no work, the same inputs give
the same bytes, and the review folder is never written to.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from slrflow.tables import read_csv

ROOT = Path(__file__).resolve().parents[1]
# Relative to the project folder: outputs that name input files then name them the same way on
# every machine.
EXAMPLE = Path("resources") / "example"

pytestmark = pytest.mark.workflow


def snakemake(workdir: Path, review: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the project's workflow from the project folder with its results in ``workdir``."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--config",
        f"review={review}",
        f"results={workdir / 'results'}",
        "--cores",
        "2",
        *extra,
    ]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def tree_digest(folder: Path, *, skip: tuple[str, ...] = ("logs",)) -> dict[str, str]:
    """sha256 of every file below ``folder`` (logs left out: they hold timings)."""
    digests = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] not in skip:
            digests[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The example review built once into a temporary folder; returns that folder."""
    review_before = tree_digest(ROOT / EXAMPLE, skip=())
    workdir = tmp_path_factory.mktemp("run1")
    result = snakemake(workdir, EXAMPLE)
    assert result.returncode == 0, result.stderr[-5000:]
    assert tree_digest(ROOT / EXAMPLE, skip=()) == review_before, (
        "the workflow wrote into the review"
    )
    return workdir


def test_ingest_outputs_account_for_every_export(built: Path):
    report = read_csv(built / "results" / "ingest" / "report.csv")
    records = read_csv(built / "results" / "ingest" / "records.csv")
    assert len(report) >= 5
    assert report["format"].nunique() >= 5, "the example should show five export formats"
    assert report["records"].astype(int).sum() == len(records)
    assert records["record_id"].is_unique
    # every record knows where it came from
    assert (records["source_line"].astype(int) > 0).all()
    assert set(records["search_id"]) == set(report["search_id"])


def test_second_run_does_no_work(built: Path):
    result = snakemake(built, EXAMPLE, "--dry-run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Nothing to be done" in result.stdout + result.stderr


def test_same_inputs_same_bytes(built: Path, tmp_path: Path):
    again = snakemake(tmp_path, EXAMPLE)
    assert again.returncode == 0, again.stderr[-5000:]
    first = tree_digest(built / "results")
    second = tree_digest(tmp_path / "results")
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert not differing, f"outputs differ between two clean runs: {differing}"


def test_bad_search_log_is_reported_by_row_and_field(tmp_path: Path):
    review = tmp_path / "review"
    shutil.copytree(ROOT / EXAMPLE / "exports", review / "exports")
    (review / "config.yaml").write_text("title: A review with a bad search log\n", "utf-8")
    (review / "searches.csv").write_text(
        "search_id,database,date_searched,query,file,hits_reported\n"
        "s1,Scopus,29-11-2026,radicali*,exports/missing.ris,many\n",
        encoding="utf-8",
    )
    result = snakemake(tmp_path, review, "--dry-run")
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "searches.csv" in message
    assert "row 2, field date_searched" in message
    assert "row 2, field hits_reported" in message


def test_audit_report_and_notebook_are_built(built: Path):
    page = (built / "results" / "report" / "index.html").read_text("utf-8")
    references = read_csv(built / "results" / "dedup" / "references.csv")
    assert f'data-references="{len(references)}"' in page
    # every reference is in the report's index chunks
    index = ""
    for chunk in sorted((built / "results" / "report" / "assets" / "data").glob("index-*.js")):
        index += chunk.read_text("utf-8")
    for reference in references["reference_id"]:
        assert f'["{reference}",' in index
    assert (built / "results" / "report" / "assets" / "prisma.svg").is_file()
    notebook = (built / "results" / "notebooks" / "explore.html").read_text("utf-8")
    assert "Screening progress" in notebook
    assert "Traceback" not in notebook


def test_notebook_runs_on_the_results(built: Path, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    monkeypatch.setenv("SLRFLOW_RESULTS", str(built / "results"))
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert "not built" not in "".join(o.get("text", "") for o in outputs)


def test_snakemake_report_has_captions(built: Path, tmp_path: Path):
    report = tmp_path / "report.html"
    result = snakemake(built, EXAMPLE, "--report", str(report))
    assert result.returncode == 0, result.stderr[-3000:]
    html = report.read_text("utf-8", errors="replace")
    assert "PRISMA 2020 flow diagram of the review" in html
    assert "Toolkit SLO Interventies.xlsx" in html


def test_the_example_lists_what_changed_since_its_frozen_version(built: Path):
    """The example's first round is frozen as 2025-wodc; its update round (scopus_2025, five
    records, two already excluded on title and abstract) is what changed."""
    changes = built / "results" / "changes"
    version = read_csv(changes / "version.csv")
    assert version[["name", "frozen_on"]].values.tolist() == [["2025-wodc", "2025-03-01"]]
    references = read_csv(changes / "references.csv")
    assert sorted(references["change"]) == ["new"] * 5
    assert all(r.startswith("scopus_2025-") for r in references["reference_id"])
    excluded = references[references["now"].str.startswith("excluded")]
    assert sorted(excluded["row"]) == ["64", "65"]
    assert set(excluded["file"]) == {"screening/title_abstract/bram.csv"}
    # the previous-version box as frozen: 21 studies of 22 reports
    counts = read_csv(changes / "counts.csv")
    now = {r["node"]: r["now"] for r in counts.to_dict("records") if not r["detail"]}
    assert (now["previous_studies"], now["previous_reports"]) == ("21", "22")
    # each toolkit workbook has its changes sheet
    for name in ("Toolkit SLO Interventies", "Toolkit Database Interventies"):
        book = load_workbook(built / "results" / "toolkit" / f"{name}.xlsx", read_only=True)
        assert "changes" in book.sheetnames, name
