"""Hostile input: seconds and peak memory of each attack file, read as an export
(``slrflow ingest``) and as a decision file (``slrflow screen``), each in a fresh process.

The attack files are made in a temporary folder by ``tests/hostile/attacks.py`` (the same
makers the tests use): a 5 KB workbook with a cell at XFD1048576, a workbook zip bomb, a CSV
with 100,000 empty header cells, EndNote XML nested 1,000 deep and a nine-line YAML bomb as
criteria.yaml. Each row says how the command ended (exit status, first words of its message).

    nice .venv/bin/python benchmarks/hostile.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hostile"))
sys.path.insert(0, str(ROOT / "tests"))

import attacks  # noqa: E402

from screening_review import POLICY, screen_args, write_run  # noqa: E402

# Peak memory from VmHWM: ru_maxrss would include the memory of the process that forked it.
_MEASURED = (
    "import re, sys, time\n"
    "from slrflow.cli import main\n"
    "started = time.perf_counter()\n"
    "code = main(sys.argv[1:])\n"
    "status = open('/proc/self/status').read()\n"
    "peak = int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024\n"
    "print(f'MEASURED {time.perf_counter() - started:.2f} {peak}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measure(args: list[str]) -> dict:
    """Run ``slrflow ARGS``; seconds inside the command, peak MB, exit status, message."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args], capture_output=True, text=True, timeout=3600
    )
    lines = done.stderr.strip().splitlines()
    measured = next(line for line in reversed(lines) if line.startswith("MEASURED"))
    seconds, peak = measured.split()[1:]
    message = next((line for line in lines if "error:" in line), lines[0] if lines else "")
    return {
        "seconds": float(seconds),
        "peak_mb": int(peak),
        "exit": done.returncode,
        "message": message[:110],
    }


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        exports = {
            "cell at XFD1048576 (.xlsx)": attacks.far_cell_xlsx(tmp / "far.xlsx"),
            "zip bomb (.xlsx, 64 MB inflated)": attacks.zip_bomb_xlsx(tmp / "bomb.xlsx"),
            "100,000 empty header cells (.csv)": attacks.wide_header_csv(tmp / "wide.csv"),
            "EndNote XML nested 1,000 deep": attacks.nested_endnote_xml(tmp / "deep.xml"),
        }
        for name, path in exports.items():
            started = time.perf_counter()
            result = measure(["ingest", str(path), "-o", str(tmp / "out.csv")])
            rows.append({"case": name, "read as": "export", "bytes": path.stat().st_size, **result})
            print(f"{name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        run = write_run(tmp / "run")
        for name, path in list(exports.items())[:2]:
            review = tmp / f"review-{path.stem}"
            target = review / "screening" / "title_abstract" / "anouk.xlsx"
            target.parent.mkdir(parents=True)
            target.write_bytes(path.read_bytes())
            result = measure(screen_args(run, review, tmp / "out"))
            rows.append({"case": name, "read as": "decision file", "bytes": path.stat().st_size,
                         **result})  # fmt: skip
        criteria = tmp / "criteria.yaml"
        criteria.write_text(attacks.yaml_bomb("criteria"), "utf-8")
        args = screen_args(run, tmp / "review-none", tmp / "out", policy=POLICY)
        args[args.index("--criteria") + 1] = str(criteria)
        rows.append({"case": "YAML bomb (criteria.yaml)", "read as": "criteria",
                     "bytes": criteria.stat().st_size, **measure(args)})  # fmt: skip
    print("| case | read as | bytes | seconds | peak MB | exit | message |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['case']} | {r['read as']} | {r['bytes']:,} | {r['seconds']:.2f} | "
            f"{r['peak_mb']} | {r['exit']} | {r['message']} |"
        )


if __name__ == "__main__":
    main()
