"""A stand-in for a cluster scheduler's submit command (``sbatch``, ``qsub``).

Snakemake's generic cluster executor calls it once per job as
``submit.py --log FILE --rule R --threads T --mem-mb M --runtime MIN JOBSCRIPT``; like a
scheduler it notes the request (one JSON line in ``--log``), starts the job script in the
background and prints a job id at once. The executor learns that the job ended from the marker
files the job script leaves.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--rule", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--mem-mb", type=int, required=True)
    parser.add_argument("--runtime", type=int, required=True)
    parser.add_argument("jobscript", type=Path)
    args = parser.parse_args()
    request = {
        "rule": args.rule,
        "threads": args.threads,
        "mem_mb": args.mem_mb,
        "runtime": args.runtime,
    }
    with args.log.open("a", encoding="utf-8") as log:
        log.write(json.dumps(request) + "\n")
    output = args.log.with_name(f"job-{args.jobscript.stem}.out")
    with output.open("w") as out:
        job = subprocess.Popen(
            ["/bin/sh", str(args.jobscript)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    print(job.pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
