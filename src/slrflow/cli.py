"""The ``slrflow`` command: the workflow's stages, each usable on its own.

Each subcommand parses its arguments here and calls one function of the package; errors a user
can fix (a bad file, a bad sheet) are printed as one clear message and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from slrflow import __version__

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
        "slrflow.inputcheck",
        "check_inputs",
        "check every file a person wrote in the review folder, all at once",
    ),
    "dedup": ("slrflow.dedup.command", "dedup", "group records into references"),
    "screen": ("slrflow.screening.command", "screen", "build the screening log and status"),
    "screening-sheets": (
        "slrflow.screening.worklists",
        "screening_sheets",
        "write a screening sheet per reviewer and stage",
    ),
    "stopping": (
        "slrflow.screening.progress",
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
    "toolkit-slo": ("slrflow.toolkit.slo", "toolkit_slo", "write the Toolkit SLO Interventies"),
    "toolkit-database": (
        "slrflow.toolkit.database",
        "toolkit_database",
        "write the Toolkit Database Interventies from the inventory",
    ),
    "prisma": ("slrflow.figures.prisma", "prisma", "draw the PRISMA 2020 flow diagram"),
    "figures": ("slrflow.figures.charts", "figures", "draw the toolkit charts"),
    "simulate": (
        "slrflow.screening.simulate",
        "simulate",
        "replay a labelled dataset with the ranker and the stopping rule",
    ),
    "serve": (
        "slrflow.serve.command",
        "serve",
        "the local screening page: one reference at a time, straight into a decision file",
    ),
    "simulation-report": (
        "slrflow.screening.curves",
        "simulation_report",
        "draw recall curves and summarise screening simulations",
    ),
}


class UserError(Exception):
    """An error in the user's input: printed without a trace."""


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
    except UserError as exc:
        print(f"slrflow {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        # IngestError, SheetError and friends are ValueErrors whose message names file and row.
        if type(exc).__module__.startswith("slrflow") or isinstance(exc, FileNotFoundError):
            print(f"slrflow {args.command}: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
