"""``slrflow run DIR [snakemake options]``: run the workflow on one review folder.

Snakemake runs in the review folder (``--directory DIR``) with the project's Snakefile, so the
review's ``config.yaml`` is read and everything is built in ``DIR/results/``; its bookkeeping
(``.snakemake/``) stays in the review folder too. Every other option goes to Snakemake as given
(``--cores``, ``-n``, ``--forceall``, ``--profile``, ``--executor`` ...). A failed job's log is
shown (``--show-failed-logs``), and the errors of the failed jobs are repeated at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from slrflow import reviewfolder
from slrflow.errors import ConfigError

#: Options that already say how many jobs or cores to use; without one, all cores are used.
JOB_OPTIONS = ("--cores", "-c", "--jobs", "-j", "--profile", "--workflow-profile")


def snakemake_command(folder: Path, extra: list[str]) -> list[str]:
    """The Snakemake command line that runs the workflow on ``folder``."""
    project = reviewfolder.project_folder()
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(project / "Snakefile"),
        "--directory",
        str(folder),
        "--show-failed-logs",
    ]
    given = {option.split("=", 1)[0] for option in extra}
    if not given & set(JOB_OPTIONS) and not any(
        option.startswith(("-c", "-j")) and option[2:].isdigit() for option in extra
    ):
        command += ["--cores", "all"]
    return command + extra


def errors_since(logs: Path, start: float) -> list[str]:
    """The ``slrflow ...: error:`` messages of the job logs written since ``start``, each with
    its indented lines (the list of problems that follows a count)."""
    found = []
    for log in sorted(logs.rglob("*.log")) if logs.is_dir() else []:
        if log.stat().st_mtime < start:
            continue
        in_error = False
        for line in log.read_text("utf-8", errors="replace").splitlines():
            if line.startswith("slrflow ") and ": error:" in line:
                found.append(f"{log.relative_to(logs)}: {line}")
                in_error = True
            elif in_error and line.startswith((" ", "\t")):
                found.append(line)
            else:
                in_error = False
    return found


def run_review(folder: Path, extra: list[str]) -> int:
    """Run the workflow on the review ``folder``; returns Snakemake's exit status."""
    if not (folder / reviewfolder.CONFIG).is_file():
        raise ConfigError(
            f"{folder} is not a review folder (no {reviewfolder.CONFIG}); make one with "
            f"`slrflow init {folder}`"
        )
    env = dict(os.environ)
    # The rules call the `slrflow` of this Python even when its environment is not activated.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    start = time.time() - 1
    status = subprocess.run(snakemake_command(folder, extra), env=env, check=False).returncode
    if status != 0:
        errors = errors_since(folder / "results" / "logs", start)
        if errors:
            print("\nslrflow run: the run stopped on these errors:", file=sys.stderr)
            for line in errors:
                print(f"  {line}", file=sys.stderr)
    return status


def add_arguments_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, help="the review folder (made by slrflow init)")
    parser.add_argument(
        "snakemake",
        nargs=argparse.REMAINDER,
        help="options passed to Snakemake as given (--cores 4, -n, --forceall, --profile P)",
    )


def run(args: argparse.Namespace) -> int:
    """``slrflow run``: run the workflow on a review folder."""
    return run_review(args.folder, list(args.snakemake))
