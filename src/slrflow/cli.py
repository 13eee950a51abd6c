"""The ``slrflow`` command: the workflow's stages, each usable on its own.

Each subcommand's arguments are parsed by its package's ``command`` module; errors a user can fix
(every :class:`~slrflow.errors.SlrflowError`: a bad file, a bad sheet, a bad setting) are printed
as one clear message and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from slrflow import __version__
from slrflow.errors import SlrflowError

#: subcommand -> (module, function, help). The module also has ``add_arguments_<function>``.
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("slrflow.newreview", "init", "make a new review folder to fill in"),
    "run": ("slrflow.run", "run", "run the workflow on a review folder (Snakemake options pass)"),
    "ingest": ("slrflow.ingest.command", "ingest", "read search exports into a record table"),
    "ingest-report": (
        "slrflow.ingest.command",
        "ingest_report",
        "combine per-search record tables and summaries into the ingest report",
    ),
    "check-inputs": (
        "slrflow.screening.command",
        "check_inputs",
        "check every file a person wrote in the review folder, all at once",
    ),
    "dedup": ("slrflow.dedup.command", "dedup", "group records into references"),
    "screen": ("slrflow.screening.command", "screen", "build the screening log and status"),
    "screening-sheets": (
        "slrflow.screening.command",
        "screening_sheets",
        "write a screening sheet per reviewer and stage",
    ),
    "stopping": (
        "slrflow.screening.command",
        "stopping",
        "estimate whether title/abstract screening may stop",
    ),
    "code": ("slrflow.coding.command", "code", "validate coding files; agreement; coded tables"),
    "code-sheets": ("slrflow.coding.command", "code_sheets", "write a coder's coding workbook"),
    "code-suggest": ("slrflow.coding.command", "code_suggest", "suggest codes from key terms"),
    "report": ("slrflow.report.command", "report", "build the static audit report"),
    "freeze": (
        "slrflow.changes.command",
        "freeze",
        "store the published version of a review (versions/NAME)",
    ),
    "changes": (
        "slrflow.changes.command",
        "changes",
        "list what changed since a frozen version",
    ),
    "toolkit-slo": ("slrflow.toolkit.command", "toolkit_slo", "write the Toolkit SLO Interventies"),
    "toolkit-database": (
        "slrflow.toolkit.command",
        "toolkit_database",
        "write the Toolkit Database Interventies from the inventory",
    ),
    "prisma": ("slrflow.figures.command", "prisma", "draw the PRISMA 2020 flow diagram"),
    "figures": ("slrflow.figures.command", "figures", "draw the toolkit charts"),
    "simulate": (
        "slrflow.screening.simulation.command",
        "simulate",
        "replay a labelled dataset with the ranker and the stopping rule",
    ),
    "serve": (
        "slrflow.serve.command",
        "serve",
        "the local screening page: one reference at a time, straight into a decision file",
    ),
    "simulation-report": (
        "slrflow.screening.command",
        "simulation_report",
        "draw recall curves and summarise screening simulations",
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="slrflow", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"slrflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    argv = list(sys.argv[1:] if argv is None else argv)
    # Only the chosen stage's module is imported: each call of a rule starts quickly.
    chosen = next((a for a in argv if not a.startswith("-")), None)
    handler: Callable | None = None
    for name, (module_name, function, help_text) in sorted(SUBCOMMANDS.items()):
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            getattr(module, f"add_arguments_{function}")(p)
            handler = getattr(module, function)
    args = parser.parse_args(argv)
    try:
        return handler(args) or 0
    except (SlrflowError, FileNotFoundError) as exc:
        # a person's files or settings (or a file they named that is not there): the message
        # names file, row and field; anything else is a fault in the code and keeps its trace
        print(f"slrflow {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
