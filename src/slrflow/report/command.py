"""``slrflow report``: build the static audit report from a results folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slrflow.report.collect import collect
from slrflow.report.render import render


def add_arguments_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results", type=Path, required=True, help="the workflow's results")
    parser.add_argument("-o", "--output", type=Path, required=True, help="index.html to write")
    parser.add_argument("--review", default="", help="the review folder (shown in the page)")
    parser.add_argument("--title", default="", help="the review's title")
    parser.add_argument(
        "--built",
        nargs="*",
        help="the files this run built: any other file in the results folder is a leftover "
        "of an earlier setting and is not shown (default: show every file present)",
    )


def report(args: argparse.Namespace) -> int:
    data = collect(args.results, built=args.built)
    render(data, args.output, review=args.review, title=args.title)
    print(f"{args.output}: {len(data.trails)} references", file=sys.stderr)
    return 0
