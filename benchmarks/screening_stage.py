"""Speed of the screening stage (``slrflow screen`` and ``slrflow screening-sheets``) at scale.

Builds a synthetic run (records, clusters, references) with N records, a third of them
duplicates, two reviewers who judged most references at title/abstract (with some conflicts),
and times the two commands. Prints seconds and peak memory.

    nice .venv/bin/python benchmarks/screening_stage.py --records 100000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from slrflow.cli import main
from slrflow.tables import write_csv

ROOT = Path(__file__).resolve().parents[1]


def build(folder: Path, n: int, seed: int = 1) -> dict[str, Path]:
    rng = random.Random(seed)
    n_refs = n * 2 // 3
    records, clusters = [], []
    for i in range(n):
        rid = f"s{i % 4}-{i:010x}"
        ref = i if i < n_refs else rng.randrange(n_refs)
        records.append((rid, f"s{i % 4}", f"Title {ref} radicalisation", str(1995 + ref % 30)))
        clusters.append((rid, ref))
    ids = {i: records[i][0] for i in range(n_refs)}
    rec = pd.DataFrame(records, columns=["record_id", "search_id", "title", "year"])
    rec["doi"] = ""
    clu = pd.DataFrame(
        [(r, ids[ref], r.split("-")[0], "", "") for r, ref in clusters],
        columns=["record_id", "reference_id", "search_id", "rule", "score"],
    )
    refs = rec.iloc[:n_refs].rename(columns={"record_id": "reference_id"})
    refs = refs.assign(abstract="An evaluation of an intervention.", authors="Doe, J.")
    review = folder / "review"
    for reviewer, flip in (("anouk", 0.0), ("bram", 0.05)):
        rows = []
        for i in range(int(n_refs * 0.9)):
            include = i % 10 == 0
            if rng.random() < flip:
                include = not include
            rows.append((ids[i], "include" if include else "exclude",
                         "" if include else "C2", "", "2026-01-10"))  # fmt: skip
        path = review / "screening" / "title_abstract" / f"{reviewer}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows, columns=["record_id", "decision", "criteria", "note", "date"]).to_csv(
            path, index=False
        )
    paths = {k: folder / f"{k}.csv" for k in ("records", "clusters", "references")}
    write_csv(rec, paths["records"])
    write_csv(clu, paths["clusters"])
    write_csv(refs, paths["references"])
    return paths | {"review": review}


def run(n: int) -> None:
    import yaml

    policy = json.dumps(yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["screening"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = build(folder, n)
        out = folder / "out"
        start = time.perf_counter()
        code = main([
            "screen", "--records", str(paths["records"]), "--clusters", str(paths["clusters"]),
            "--references", str(paths["references"]), "--review", str(paths["review"]),
            "--policy", policy, "--criteria", str(ROOT / "config" / "criteria.yaml"),
            "-o", str(out),
        ])  # fmt: skip
        screen_s = time.perf_counter() - start
        assert code == 0
        start = time.perf_counter()
        code = main([
            "screening-sheets", "--status", str(out / "status.csv"),
            "--references", str(paths["references"]), "--policy", policy,
            "--criteria", str(ROOT / "config" / "criteria.yaml"), "-o", str(out / "sheets"),
        ])  # fmt: skip
        sheets_s = time.perf_counter() - start
        assert code == 0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        decisions = len((out / "log.csv").read_text("utf-8").splitlines()) - 1
        print(
            f"records={n} references={n * 2 // 3} log_rows={decisions} "
            f"screen={screen_s:.1f}s sheets={sheets_s:.1f}s peak_rss={peak:.0f}MB",
            file=sys.stderr,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10000, 100000])
    for size in parser.parse_args().records:
        run(size)
