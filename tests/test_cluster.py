"""The workflow on a cluster: every job goes through Snakemake's generic cluster executor.

``tests/cluster/submit.py`` stands in for the scheduler's submit command (``sbatch`` on SLURM):
it notes what each job asks for and runs it in the background. The test checks that each search
is ingested by a job of its own, that every job asks for threads, memory and runtime, and that
the jobs together build the same references as a local run would.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from slrflow.newreview import init_review
from slrflow.tables import read_csv

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("snakemake_executor_plugin_cluster_generic")
pytestmark = pytest.mark.workflow

RIS = """TY  - JOUR
TI  - Exit programmes for right-wing extremists: a realist evaluation
AU  - Hansen, Peter
PY  - 2019
DO  - 10.1000/exit.2019
ER  -

TY  - JOUR
TI  - Mental health screening in prevent referrals
AU  - Corner, Emily
AU  - Gill, Paul
PY  - 2021
ER  -

TY  - JOUR
TI  - Mentoring young people at risk of radicalisation
AU  - Bakker, Anouk
PY  - 2016
ER  -
""".replace("ER  -\n", "ER  - \n")  # the tag line as exported, with its trailing space

CSV = """Title,Authors,Year,DOI
Exit programmes for right-wing extremists: a realist evaluation,"Hansen, P.",2019,10.1000/EXIT.2019
Family support after a terrorist conviction,"Jansen, Bram",2022,
"""

SEARCHES = """search_id,source_type,database,date_searched,query,hits_reported,file,update
psycinfo,database,APA PsycInfo,2026-11-01,radicali* AND mental health,3,exports/psycinfo.ris,0
lens,database,Lens,2026-11-01,radicali* AND mental health,2,exports/lens.csv,0
"""


@pytest.fixture()
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "review"
    init_review(folder, title="Cluster review")
    (folder / "exports" / "psycinfo.ris").write_text(RIS, "utf-8")
    (folder / "exports" / "lens.csv").write_text(CSV, "utf-8")
    (folder / "searches.csv").write_text(SEARCHES, "utf-8")
    return folder


def test_the_workflow_runs_through_a_cluster_executor(review: Path, tmp_path: Path):
    results = tmp_path / "results"
    requests = tmp_path / "scheduler" / "requests.jsonl"
    requests.parent.mkdir()
    submit = " ".join(
        [
            shlex.quote(sys.executable),
            shlex.quote(str(ROOT / "tests" / "cluster" / "submit.py")),
            "--log",
            shlex.quote(str(requests)),
            "--rule {rule} --threads {threads}",
            "--mem-mb {resources.mem_mb} --runtime {resources.runtime}",
        ]
    )
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--config",
        f"review={review}",
        f"results={results}",
        "--executor",
        "cluster-generic",
        "--cluster-generic-submit-cmd",
        submit,
        "--jobs",
        "4",
        "--latency-wait",
        "10",
        # a real scheduler is polled every 10 s; this one answers at once
        "--seconds-between-status-checks",
        "1",
        str(results / "dedup" / "references.csv"),
    ]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    jobs_output = "".join(p.read_text() for p in requests.parent.glob("job-*.out"))
    assert run.returncode == 0, run.stderr[-3000:] + jobs_output[-3000:]

    asked = [json.loads(line) for line in requests.read_text().splitlines()]
    # one ingest job per search, then the ingest report, the check of the files people wrote
    # and the deduplication
    assert sorted(a["rule"] for a in asked) == [
        "check_inputs",
        "dedup",
        "ingest_report",
        "ingest_search",
        "ingest_search",
    ]
    for request in asked:
        assert request["threads"] >= 1
        assert request["mem_mb"] >= 500
        assert request["runtime"] >= 5

    # 5 records, the two copies of the exit-programme paper (same DOI) are one reference
    references = read_csv(results / "dedup" / "references.csv")
    assert len(references) == 4
    assert len(read_csv(results / "ingest" / "records.csv")) == 5
