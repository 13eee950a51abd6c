"""Speed of the screening page on a large review: is the next reference always ready?

Builds a review from every labelled set in ``../shared/data/screening`` together (about 23,000
references), two reviewers who each screen half of them at title/abstract, and a decision file
that already holds ``--decided-before`` decisions of the first reviewer (their true labels).
Then serves that reviewer's page on 127.0.0.1 and, over HTTP as the browser does, makes
``--decisions`` decisions with the true labels, each as soon as the last was answered. Prints:

- the time to start the page (reading the results, the ranker's features, the first ranking);
- per decision, the time from sending it to having the next reference on screen (the answer to
  ``POST /api/decide`` carries the next reference): median, 95th percentile and maximum;
- the planner's work after a decision, in its own process (every decision file read again,
  status, ranker retrained, stopping estimate): median and maximum;
- how many includes the decisions found (the ranking at work).

    nice .venv/bin/python benchmarks/serve.py --decisions 60 --decided-before 2000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import uvicorn
import yaml

from slrflow.cli import main
from slrflow.screening.datasets import find_datasets
from slrflow.screening.simulate import load_dataset
from slrflow.serve.app import build_app
from slrflow.serve.guard import Access
from slrflow.serve.review import open_review
from slrflow.serve.worklist import Worklist
from slrflow.tables import read_csv, write_csv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "screening"


def build(folder: Path, decided_before: int) -> dict[str, int]:
    """The review folder with its results up to screening; returns reference id -> label."""
    frames, labels = [], {}
    for name, path in find_datasets(None, DATA).items():
        data = load_dataset(path)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        cols = {c.lower(): c for c in raw.columns}
        ids = [f"{name.replace('_', '')}-{i:05d}" for i in range(len(raw))]
        frames.append(
            pd.DataFrame(
                {
                    "reference_id": ids,
                    "title": raw[cols["title"]],
                    "abstract": raw[cols["abstract"]] if "abstract" in cols else "",
                    "authors": raw[cols["authors"]] if "authors" in cols else "",
                    "year": raw[cols.get("year", cols.get("publication_year", "title"))]
                    if ("year" in cols or "publication_year" in cols)
                    else "",
                }
            )
        )
        labels.update(zip(ids, data.labels.tolist(), strict=True))
    refs = pd.concat(frames, ignore_index=True)
    refs["search_id"] = "s1"
    config = {
        "title": "Benchmark: every labelled set as one review",
        "screening": {
            "criteria": str(ROOT / "config" / "criteria.yaml"),
            "reviewers": ["anna", "ben"],
            "stages": {"title_abstract": {"reviewers_per_record": 1}},
        },
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    results = folder / "results"
    write_csv(
        refs.rename(columns={"reference_id": "record_id"}), results / "ingest" / "records.csv"
    )
    write_csv(
        pd.DataFrame({"record_id": refs["reference_id"], "reference_id": refs["reference_id"]}),
        results / "dedup" / "clusters.csv",
    )
    write_csv(refs, results / "dedup" / "references.csv")
    screen(folder, config)
    if decided_before:
        status = read_csv(results / "screening" / "status.csv")
        mine = status[(status["stage"] == "title_abstract") & (status["awaiting"] == "anna")]
        chosen = mine["reference_id"].tolist()[:decided_before]
        rows = pd.DataFrame(
            {
                "record_id": chosen,
                "decision": ["include" if labels[r] else "exclude" for r in chosen],
                "criteria": ["" if labels[r] else "C1" for r in chosen],
                "note": "",
                "date": "2026-01-05",
            }
        )
        path = folder / "screening" / "title_abstract" / "anna.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        rows.to_csv(path, index=False, lineterminator="\n")
        screen(folder, config)
    return labels


def screen(folder: Path, config: dict) -> None:
    results = folder / "results"
    started = time.perf_counter()
    code = main(
        ["screen", "--records", str(results / "ingest" / "records.csv"),
         "--clusters", str(results / "dedup" / "clusters.csv"),
         "--references", str(results / "dedup" / "references.csv"),
         "--review", str(folder), "--policy", json.dumps(config["screening"]),
         "--criteria", config["screening"]["criteria"], "-o", str(results / "screening")]
    )  # fmt: skip
    if code:
        sys.exit(code)
    print(f"slrflow screen: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def call(port: int, method: str, path: str, body=None, token="") -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Host": f"127.0.0.1:{port}", "X-Slrflow-Page": token}
    if data is not None:
        headers |= {"Content-Type": "application/json", "Content-Length": str(len(data))}
    conn.request(method, path, body=data, headers=headers)
    answer = json.loads(conn.getresponse().read())
    conn.close()
    return answer


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(n_decisions: int, decided_before: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "review"
        folder.mkdir()
        labels = build(folder, decided_before)
        started = time.perf_counter()
        worklist = Worklist(open_review(folder), reviewer="anna", stage="title_abstract")
        startup = time.perf_counter() - started
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        access = Access(port=port, page_token="bench")
        server = uvicorn.Server(
            uvicorn.Config(build_app(worklist, access=access), host="127.0.0.1", port=port,
                           log_level="warning", access_log=False)
        )  # fmt: skip
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        state = call(port, "GET", "/api/state?tab=b")
        latencies, refreshes, writes, found = [], [], [], 0
        for _ in range(n_decisions):
            ref = state["reference"]["reference_id"]
            label = labels[ref]
            found += label
            body = {"reference_id": ref, "decision": "include" if label else "exclude",
                    "criteria": [] if label else ["C1"], "note": "", "tab": "b"}  # fmt: skip
            sent = time.perf_counter()
            state = call(port, "POST", "/api/decide", body, token="bench")
            latencies.append(time.perf_counter() - sent)
            writes.append(worklist.write_seconds)
            refreshes.append(state["progress"]["refresh_seconds"])
        time.sleep(1)
        worklist.recompute()
        last_refresh = worklist.snapshot.seconds
        server.should_exit = True
        worklist.close()
        progress = state["progress"]
        print(f"references: {len(labels)}; waiting for this reviewer: "
              f"{progress['left'] + progress['screened'] - decided_before} "
              f"(after {decided_before} earlier decisions)")  # fmt: skip
        print(f"page start (results read, ranker features, first ranking): {startup:.2f} s")
        print(
            f"decision -> next reference on the page, {n_decisions} decisions: median "
            f"{statistics.median(latencies) * 1000:.0f} ms, 95th percentile "
            f"{percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
        print(
            f"of which writing the decision file (temporary file, fsync, rename): median "
            f"{statistics.median(writes) * 1000:.0f} ms, 95th percentile "
            f"{percentile(writes, 0.95) * 1000:.0f} ms, max {max(writes) * 1000:.0f} ms"
        )
        load = os.getloadavg()[0]
        print(f"load average of the machine meanwhile: {load:.1f} on {os.cpu_count()} cores")
        print(
            f"planner, in its own process (all decision files, status, ranker, stopping estimate): "
            f"median {statistics.median(refreshes):.2f} s, max {max(refreshes):.2f} s, "
            f"last {last_refresh:.2f} s"
        )
        print(f"includes found in these {n_decisions} decisions: {found}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=60)
    parser.add_argument("--decided-before", type=int, default=2000)
    return parser.parse_args()


if __name__ == "__main__":
    if not DATA.is_dir():
        print(f"skipped: no labelled sets at {DATA}")
        sys.exit(0)
    args = parse()
    run(args.decisions, args.decided_before)
