"""The workflow and its config, end to end (dry runs: quick): a misspelt key in a review's
config.yaml stops the run naming the key and the nearest known one, before any job; and the stage
files may be included in any order."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from slrflow import cli

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "workflow" / "rules"

pytestmark = pytest.mark.workflow


def _review(tmp_path: Path) -> Path:
    folder = tmp_path / "review"
    assert cli.main(["init", str(folder), "--title", "Closed settings"]) == 0
    exports = folder / "exports"
    (exports / "pubmed.nbib").write_text(
        "PMID- 1\nTI  - Peer mentoring for adolescents\nDP  - 2021\n", encoding="utf-8"
    )
    log = (folder / "searches.csv").read_text(encoding="utf-8").splitlines()[0]
    columns = log.split(",")
    row = {"search_id": "pubmed_2026", "source_type": "database", "database": "PubMed",
           "date_searched": "2026-01-10", "query": "peer mentoring", "file": "exports/pubmed.nbib",
           "update": "0"}  # fmt: skip
    (folder / "searches.csv").write_text(
        log + "\n" + ",".join(row.get(c, "") for c in columns) + "\n", encoding="utf-8"
    )
    return folder


def _snakemake(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--cores", "1", "-n", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_a_misspelt_key_stops_the_run_naming_it_and_the_nearest(tmp_path: Path):
    folder = _review(tmp_path)
    config = folder / "config.yaml"
    ok = _snakemake("--snakefile", str(ROOT / "Snakefile"), "--directory", str(folder), cwd=ROOT)
    assert ok.returncode == 0, ok.stderr[-2000:]
    text = config.read_text(encoding="utf-8").replace("screening:", "screenig:", 1)
    text = text.replace("  maybe: include", "  mayby: include", 1)
    config.write_text(text, encoding="utf-8")
    run = _snakemake("--snakefile", str(ROOT / "Snakefile"), "--directory", str(folder), cwd=ROOT)
    assert run.returncode != 0
    assert "unknown key screenig; did you mean screening?" in run.stderr
    # every problem at once: the key inside the misspelt section is not reached, the top level is
    assert "config.yaml: 1 problem(s)" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (folder / "results").exists()


def test_the_stage_files_may_be_included_in_any_order(tmp_path: Path):
    snakefile = (ROOT / "Snakefile").read_text(encoding="utf-8")
    includes = [line for line in snakefile.splitlines() if line.startswith("include:")]
    assert includes[0] == 'include: "workflow/rules/common.smk"'
    # the report first after the helpers, every stage after it
    stages = includes[1:]
    reordered = [includes[0]] + sorted(stages, key=lambda line: "report" not in line)
    assert reordered[1] == 'include: "workflow/rules/report.smk"'
    other = snakefile.replace("\n".join(includes), "\n".join(reordered))
    assert other != snakefile
    # beside the real Snakefile, so that the paths it names resolve the same way
    variant = ROOT / f".test-order-{tmp_path.name}.smk"
    variant.write_text(other, encoding="utf-8")
    try:
        plans = [
            _snakemake(
                "--snakefile", str(path), "--config", f"results={tmp_path / 'results'}", cwd=ROOT
            )  # fmt: skip
            for path in (ROOT / "Snakefile", variant)
        ]
    finally:
        variant.unlink()
    report_inputs = []
    for plan in plans:
        assert plan.returncode == 0, plan.stderr[-2000:]
        found = re.search(r"rule audit_report:\n\s+input: (.*)\n", plan.stdout + plan.stderr)
        report_inputs.append(set(found.group(1).split(", ")))
    # the report reads every stage's outputs, whichever file was included first
    assert str(tmp_path / "results" / "figures" / "prisma.svg") in report_inputs[0]
    assert str(tmp_path / "results" / "dedup" / "clusters.csv") in report_inputs[0]
    assert report_inputs[0] == report_inputs[1]
