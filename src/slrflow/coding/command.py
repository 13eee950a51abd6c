"""``slrflow code-suggest``, ``slrflow code-sheets`` and ``slrflow code``.

All three read the included references (screening status + dedup references), the codebook and
the review folder's ``coding/studies.csv``:

- ``code-suggest`` writes the key-term suggestions (``suggestions.csv``);
- ``code-sheets`` writes one coder's coding workbook (their current coding file, if any, is
  filled in);
- ``code`` reads every coding file and the consensus, and writes ``coded_long.csv``,
  ``coded_wide.csv``, ``agreement.csv``, ``disagreements.csv`` and ``validation.csv``. Errors in
  the coding files stop it with every problem listed (file, row, field); warnings (studies not
  yet coded) go to ``validation.csv``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slrflow import tables
from slrflow.coding import CODING_DIR
from slrflow.coding import codebook as C
from slrflow.coding import problems as P
from slrflow.coding import sheets as SH
from slrflow.coding import suggest as S
from slrflow.coding.agreement import combine
from slrflow.coding.read import files_by_coder, read_all, read_file
from slrflow.coding.studies import link, read_included, read_references


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--references", required=True, help="results/dedup/references.csv")
    parser.add_argument(
        "--status",
        required=True,
        help="results/screening/status.csv (reference_id, stage, status; included = full_text "
        "include)",
    )
    parser.add_argument("--codebook", required=True, help="config/codebook.yaml")
    parser.add_argument(
        "--review",
        required=True,
        help="the review folder (reads coding/studies.csv, coding/<coder>.csv|xlsx, "
        "coding/consensus.csv, fulltext/)",
    )
    parser.add_argument(
        "--coders",
        default="",
        help="comma-separated names of the people who code (config `coding: coders:`)",
    )


def _coders(args: argparse.Namespace) -> list[str]:
    return [c.strip() for c in args.coders.split(",") if c.strip()]


def _load(args: argparse.Namespace):
    codebook = C.load(args.codebook)
    references = read_references(args.references)
    included = read_included(args.status)
    folder = Path(args.review) / CODING_DIR
    studies, problems = link(references, included, folder / "studies.csv")
    P.raise_errors(problems)
    return codebook, studies, problems, folder


def add_arguments_code_suggest(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("-o", "--output", required=True, help="suggestions.csv to write")


def code_suggest(args: argparse.Namespace) -> int:
    codebook, studies, _, _ = _load(args)
    fulltext = Path(args.review) / "fulltext"
    frame = S.suggest(
        studies, codebook, fulltext=fulltext if fulltext.is_dir() else None, progress=True
    )
    tables.write_csv(frame, args.output)
    print(
        f"code-suggest: {len(frame)} suggestion(s) for {len(studies.studies)} studies",
        file=sys.stderr,
    )
    return 0


def add_arguments_code_sheets(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--suggestions", help="suggestions.csv from code-suggest (optional)")
    parser.add_argument("--coder", required=True, help="the coder the sheet is for")
    parser.add_argument("-o", "--output", required=True, help="the .xlsx to write")


def code_sheets(args: argparse.Namespace) -> int:
    codebook, studies, _, folder = _load(args)
    suggestions = tables.read_optional_csv(args.suggestions)
    files, _, _ = files_by_coder(folder)
    previous = []
    if args.coder in files:
        # Carry the coder's valid answers over; problems in their file are reported by `code`.
        previous, _ = read_file(
            files[args.coder], coder=args.coder, codebook=codebook, studies=studies
        )
    SH.write(
        args.output,
        studies,
        codebook,
        coder=args.coder,
        suggestions=suggestions,
        previous=previous,
    )
    print(
        f"code-sheets: {args.output} ({len(studies.studies)} studies, "
        f"{len(previous)} earlier answers)",
        file=sys.stderr,
    )
    return 0


def add_arguments_code(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--out-dir", required=True, help="where the coding tables go")


def code(args: argparse.Namespace) -> int:
    codebook, studies, problems, folder = _load(args)
    coders = _coders(args)
    answers, consensus, found = read_all(folder, codebook=codebook, studies=studies, coders=coders)
    problems = problems + found
    out = Path(args.out_dir)
    if any(p.severity == P.ERROR for p in problems):
        tables.write_csv(P.frame(problems), out / "validation.csv")
        P.raise_errors(problems)
    result = combine(studies, codebook, answers, consensus, coders=coders)
    problems = problems + result.problems
    tables.write_csv(result.long, out / "coded_long.csv")
    tables.write_csv(result.wide, out / "coded_wide.csv")
    tables.write_csv(result.agreement, out / "agreement.csv")
    tables.write_csv(result.disagreements, out / "disagreements.csv")
    tables.write_csv(P.frame(problems), out / "validation.csv")
    open_count = (
        int((result.disagreements.get("status") == "open").sum())
        if len(result.disagreements)
        else 0
    )
    print(
        f"code: {len(studies.studies)} studies, {len(answers)} answers from "
        f"{len({a.coder for a in answers})} coder(s), {len(consensus)} consensus answers, "
        f"{len(result.disagreements)} disagreement(s) ({open_count} open), "
        f"{len(problems)} warning(s)",
        file=sys.stderr,
    )
    return 0
