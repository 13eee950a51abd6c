"""``slrflow simulate``: its arguments and handler (see the package for why it stands apart)."""

from __future__ import annotations

import argparse
from pathlib import Path

from slrflow.screening import simulate as simulation
from slrflow.screening import stopping


def add_arguments_simulate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", type=Path, help="labelled CSV (title, abstract, label)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="screening order CSV")
    parser.add_argument("--seed", type=int, default=0, help="seed for priors and ties")
    parser.add_argument("--n-prior-included", type=int, default=1, metavar="N")
    parser.add_argument("--n-prior-excluded", type=int, default=1, metavar="N")
    parser.add_argument(
        "--prior-rows",
        type=int,
        nargs="+",
        metavar="ROW",
        help="rows (0 = first record) to use as priors instead of drawing them",
    )
    parser.add_argument("--label-column", help="label column (default: label_included/included)")
    parser.add_argument("--criteria", type=Path, help="criteria.yaml for the cold start")
    parser.add_argument(
        "--stopping-method",
        choices=stopping.METHODS,
        default=stopping.DEFAULT_METHOD,
        help=f"stopping rule (default {stopping.DEFAULT_METHOD})",
    )
    parser.add_argument("--recall-target", type=float, default=0.95)
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--metrics", type=Path, help="also write the figures as a one-row CSV")
    parser.add_argument(
        "--batch-share",
        type=float,
        default=simulation.BATCH_SHARE,
        metavar="SHARE",
        help="records screened between retrainings, as a share of those screened so far "
        f"(default {simulation.BATCH_SHARE}; at least one, and at least "
        f"{simulation.MIN_BATCH_SHARE} of all records)",
    )


def simulate(args: argparse.Namespace) -> int:
    """``slrflow simulate``: replay a labelled dataset with the ranker and the stopping rule."""
    simulation.simulate(
        dataset=args.dataset,
        output=args.output,
        seed=args.seed,
        n_prior_included=args.n_prior_included,
        n_prior_excluded=args.n_prior_excluded,
        prior_rows=args.prior_rows,
        label_column=args.label_column,
        criteria=args.criteria,
        stopping_method=args.stopping_method,
        recall_target=args.recall_target,
        confidence=args.confidence,
        metrics=args.metrics,
        batch_share=args.batch_share,
    )
    return 0
