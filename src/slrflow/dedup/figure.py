"""The overlap figure: which search's records were duplicates of which other search's.

A heat map of ``overlap.csv`` with the number in each cell. Written as SVG and PNG with fixed
metadata (no dates, a fixed SVG id salt) so the same counts give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def overlap_figure(overlap: pd.DataFrame, counts: pd.DataFrame, svg: Path, png: Path) -> None:
    """Draw ``overlap`` (from :func:`slrflow.dedup.counts.overlap`) to ``svg`` and ``png``."""
    searches = overlap["search_id"].tolist()
    values = overlap[searches].to_numpy(dtype=float) if searches else [[0.0]]
    records = dict(zip(counts["search_id"], counts["records"], strict=True))
    labels = [f"{s} ({records.get(s, 0)})" for s in searches] or ["(none)"]
    size = 2.5 + 0.6 * max(len(labels), 1)
    with plt.rc_context({"svg.hashsalt": "slrflow-dedup", "svg.fonttype": "path", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(size + 1.5, size))
        image = ax.imshow(values, cmap="Blues", vmin=0)
        ax.set_xticks(
            range(len(labels)), labels=[s for s in searches] or ["(none)"], rotation=45, ha="right"
        )
        ax.set_yticks(range(len(labels)), labels=labels)
        ax.set_xlabel("also found in search")
        ax.set_ylabel("records of search (total)")
        ax.set_title("Duplicate records between searches")
        top = max((max(row) for row in values), default=0) or 1
        for y, row in enumerate(values):
            for x, value in enumerate(row):
                ax.text(
                    x,
                    y,
                    f"{int(value)}",
                    ha="center",
                    va="center",
                    color="white" if value > top / 2 else "black",
                )
        fig.colorbar(image, ax=ax, shrink=0.8, label="records")
        fig.tight_layout()
        svg.parent.mkdir(parents=True, exist_ok=True)
        png.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": "slrflow"})
        fig.savefig(png, format="png", dpi=150, metadata={"Software": "slrflow"})
        plt.close(fig)
