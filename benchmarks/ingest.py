"""Ingest speed: records per second for RIS, WoS, MEDLINE (.nbib), BibTeX and CSV.

For each format a file of ``--records`` records (default 100,000) is built in a temporary
folder (never in the project) by repeating the real samples in the shared data folder, each
copy with its title (and ids) changed so that no two records are identical. Each file is then
read with :func:`slrflow.ingest.load` in a fresh process, which reports the time and the
process's peak memory.

    nice .venv/bin/python benchmarks/ingest.py [--records N] [--formats ris,csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SLRFLOW_SHARED_DATA", ROOT.parent / "shared" / "data"))
FORMATS_DIR = SHARED / "formats"


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").lstrip("\ufeff")


def _cycle(records: list[str], n: int) -> Iterator[tuple[int, str]]:
    for i in range(n):
        yield i, records[i % len(records)]


def build_ris(path: Path, n: int) -> None:
    files = sorted(p for p in FORMATS_DIR.glob("ris_*.ris") if "fixture" not in p.name)
    records = [
        m.group(0) for f in files for m in re.finditer(r"(?ms)^TY  - .*?^ER  -.*?$", _read(f))
    ]
    with path.open("w", encoding="utf-8") as out:
        for i, record in _cycle(records, n):
            out.write(re.sub(r"(?m)^(TI|T1)  - ", rf"\g<0>[{i}] ", record, count=1) + "\n\n")


def build_wos(path: Path, n: int) -> None:
    files = ["wos_plaintext__wosfile.txt", "wos_plaintext_zoorec__synthesisr.txt"]
    records = []
    for name in files:
        text = _read(FORMATS_DIR / name)
        records += [m.group(0) for m in re.finditer(r"(?ms)^PT .*?^ER\s*$\n?", text)]
    with path.open("w", encoding="utf-8") as out:
        out.write("FN Clarivate Analytics Web of Science\nVR 1.0\n")
        for i, record in _cycle(records, n):
            record = re.sub(r"(?m)^TI ", rf"TI [{i}] ", record, count=1)
            out.write(re.sub(r"(?m)^UT (\S+)", rf"UT \g<1>-{i}", record, count=1) + "\n")
        out.write("EF\n")


def build_nbib(path: Path, n: int) -> None:
    files = ["nbib_pubmed__p1m-ortho_citations.nbib", "medline_pubmed__metaknowledge.medline"]
    records = []
    for name in files:
        text = _read(FORMATS_DIR / name)
        records += [c.strip("\n") for c in re.split(r"\n\s*\n(?=PMID- )", text) if "PMID- " in c]
    with path.open("w", encoding="utf-8") as out:
        for i, record in _cycle(records, n):
            record = re.sub(r"(?m)^PMID- \d+", f"PMID- {90000000 + i}", record, count=1)
            out.write(re.sub(r"(?m)^TI  - ", rf"TI  - [{i}] ", record, count=1) + "\n\n")


def build_bibtex(path: Path, n: int) -> None:
    records = []
    for name in ["bib_scopus__pybibx.bib", "bib_wos__pybibx.bib", "bib_scopus__synthesisr.bib"]:
        text = _read(FORMATS_DIR / name)
        records += ["@" + c.strip("\n") for c in re.split(r"(?m)^@", text)[1:]]
    with path.open("w", encoding="utf-8") as out:
        for i, record in _cycle(records, n):
            record = re.sub(r"^@(\w+)\{\s*([^,]*),", rf"@\1{{\2-{i},", record, count=1)
            out.write(re.sub(r"(?im)^(\s*title\s*=\s*\{)", rf"\g<1>[{i}] ", record, count=1))
            out.write("\n\n")


def build_csv(path: Path, n: int) -> None:
    # Lens rows: a full set of columns with abstracts, about 1.7 kB a row.
    with (FORMATS_DIR / "csv_lens__spicy-adobo.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    title = header.index("Title")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i, row in _cycle(rows, n):
            row = list(row)
            row[title] = f"[{i}] {row[title]}"
            writer.writerow(row)


BUILDERS: dict[str, tuple[str, Callable[[Path, int], None]]] = {
    "ris": ("ris", build_ris),
    "wos": ("txt", build_wos),
    "nbib": ("nbib", build_nbib),
    "bibtex": ("bib", build_bibtex),
    "csv": ("csv", build_csv),
}


def measure_one(path: Path) -> dict:
    """Run in a child process: load one file, report time, count and peak memory."""
    from slrflow.ingest import load

    start, cpu_start = time.perf_counter(), time.process_time()
    result = load(path)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "format": result.format,
        "records": len(result.records),
        "warnings": len(result.warnings),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mib": peak_kib / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(BUILDERS))
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_one(args.measure)))
        return 0
    if not FORMATS_DIR.is_dir():
        print(f"no export samples at {FORMATS_DIR}", file=sys.stderr)
        return 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="slrflow-bench-") as tmp:
        for name in args.formats.split(","):
            suffix, build = BUILDERS[name]
            path = Path(tmp) / f"bench.{suffix}"
            t0 = time.perf_counter()
            build(path, args.records)
            size = path.stat().st_size / 1e6
            print(
                f"{name}: built {size:.0f} MB in {time.perf_counter() - t0:.1f} s; reading...",
                file=sys.stderr,
            )
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            path.unlink()
            if child.returncode:
                print(f"{name}: failed\n{child.stderr[-2000:]}", file=sys.stderr)
                continue
            m = json.loads(child.stdout.strip().splitlines()[-1])
            rows.append((name, size, m))
            print(f"{name}: {m['records'] / m['seconds']:,.0f} records/s", file=sys.stderr)
    # Wall-clock rates depend on what else the machine runs; CPU time is the steadier figure.
    print(
        f"{'format':8} {'detected':12} {'records':>9} {'MB':>5} {'seconds':>8} {'records/s':>10} "
        f"{'CPU s':>7} {'rec/CPU s':>10} {'peak MiB':>9} {'warnings':>8}"
    )
    for name, size, m in rows:
        print(
            f"{name:8} {m['format']:12} {m['records']:>9,} {size:>5.0f} {m['seconds']:>8.1f} "
            f"{m['records'] / m['seconds']:>10,.0f} {m['cpu_seconds']:>7.1f} "
            f"{m['records'] / m['cpu_seconds']:>10,.0f} {m['peak_mib']:>9.0f} {m['warnings']:>8}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
