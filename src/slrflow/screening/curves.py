"""Recall curves and a summary table for a batch of screening simulations.

``slrflow simulation-report --orders A/seed0.csv ... --metrics A/seed0.metrics.csv ...
--svg curves.svg --png curves.png --summary summary.csv``

Reads the screening orders and one-row figure files written by ``slrflow simulate`` and draws
one panel per dataset: recall against the share of records screened (priors left out), one
line per seed, a dot where the stopping rule stopped, and the diagonal a random order follows.
The summary has every run's figures and, per dataset, their mean. Same inputs, same bytes:
runs are sorted, and the SVG carries no date and a fixed id salt.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from slrflow.errors import InputError
from slrflow.tables import read_csv, write_csv

FIGURE_COLUMNS = ["recall@10%", "wss@95", "atd", "erf@10%", "stop_recall", "stop_saved"]


def load_runs(orders: list[Path], figures: list[Path]) -> pd.DataFrame:
    """One row per run: dataset, seed, its figures and its order table (column ``order``)."""
    if not orders:
        raise InputError("no simulations to report: list datasets under simulation: in the config")
    if len(orders) != len(figures):
        raise InputError(f"{len(orders)} order files but {len(figures)} metrics files")
    rows = []
    for order_path, figures_path in zip(orders, figures, strict=True):
        figure = read_csv(figures_path)
        if figure.empty or "dataset" not in figure:
            raise InputError(f"{figures_path}: not a metrics file written by slrflow simulate")
        row = figure.iloc[0].to_dict()
        row["order"] = read_csv(order_path)
        for column in ("position", "label", "prior", "before_stop"):
            if column not in row["order"]:
                raise InputError(f"{order_path}: no {column} column; not written by simulate?")
        rows.append(row)
    runs = pd.DataFrame(rows)
    runs["seed"] = runs["seed"].astype(int)
    return runs.sort_values(["dataset", "seed"], kind="stable").reset_index(drop=True)


def summary_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Every run's figures, then one ``mean`` row per dataset."""
    table = runs.drop(columns=["order"]).copy()
    for column in FIGURE_COLUMNS:
        table[column] = pd.to_numeric(table[column], errors="coerce")
    means = (
        table.groupby("dataset", sort=True)[FIGURE_COLUMNS]
        .mean()
        .round(6)
        .reset_index()
        .assign(seed="mean")
    )
    table["seed"] = table["seed"].astype(str)
    combined = pd.concat([table, means], ignore_index=True)
    combined["_mean"] = combined["seed"].eq("mean")
    combined = combined.sort_values(["dataset", "_mean"], kind="stable").drop(columns="_mean")
    return combined.fillna("")


def draw(runs: pd.DataFrame, svg: Path | None, png: Path | None) -> None:
    """One recall-curve panel per dataset; written as SVG and/or PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "slrflow"
    datasets = sorted(runs["dataset"].unique())
    columns = min(4, len(datasets))
    rows = math.ceil(len(datasets) / columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(3.2 * columns, 2.8 * rows), squeeze=False, sharex=True
    )
    for ax, name in zip(axes.flat, datasets, strict=False):
        for _, run in runs[runs["dataset"] == name].iterrows():
            order = run["order"]
            screened = order[order["prior"].astype(int) == 0]
            y = screened["label"].astype(int).to_numpy()
            if y.sum() == 0:
                continue
            share = np.arange(0, y.size + 1) / y.size
            recall = np.concatenate([[0.0], np.cumsum(y) / y.sum()])
            (line,) = ax.plot(share, recall, linewidth=1, label=f"seed {run['seed']}")
            stop = int(screened["before_stop"].astype(int).sum())
            if stop < y.size:
                ax.plot(share[stop], recall[stop], "o", color=line.get_color(), markersize=4)
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=0.8)
        ax.set_title(name, fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(datasets) :]:
        ax.set_visible(False)
    fig.supxlabel("share of records screened (dot: the stopping rule stopped)", fontsize=8)
    fig.supylabel("recall", fontsize=8)
    fig.tight_layout()
    if svg:
        Path(svg).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(svg, format="svg", metadata={"Date": None})
    if png:
        Path(png).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(png, format="png", dpi=120, metadata={"Software": None})
    plt.close(fig)


def report(
    *,
    orders: list[Path],
    metrics: list[Path],
    svg: Path | None = None,
    png: Path | None = None,
    summary: Path | None = None,
) -> None:
    """Read the runs (each order file with its metrics file, in the same order) and write the
    summary table and the recall curves that are asked for."""
    runs = load_runs(orders, metrics)
    if summary:
        write_csv(summary_table(runs), summary)
    if svg or png:
        draw(runs, svg, png)
