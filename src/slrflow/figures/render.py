"""Saving matplotlib figures so that the same figure always gives the same bytes.

Matplotlib stamps dates and its own version into SVG, PDF and PNG files and draws random ids in
SVG; :func:`style` fixes the id salt and a font that ships with matplotlib, :func:`save` strips
the metadata, so two runs of the workflow write identical files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from slrflow.errors import SlrflowError


class FigureError(SlrflowError):
    """A figure that cannot be written as asked (e.g. an unknown file type)."""


#: Metadata per format; ``None`` removes a key matplotlib would otherwise fill in.
METADATA = {
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    "png": {"Software": None},
}

#: Settings every figure of the workflow is drawn with.
RC = {
    "svg.hashsalt": "slrflow",
    "svg.fonttype": "path",  # text as outlines: the figure looks the same in every viewer
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",  # ships with matplotlib, so every machine draws the same glyphs
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "path.simplify": False,
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Draw inside this block to get the workflow's fixed settings."""
    with plt.rc_context(RC):
        yield


def save(fig: matplotlib.figure.Figure, outputs: Iterable[str | Path], *, title: str = "") -> None:
    """Write ``fig`` to each path (format from the suffix: svg, png, pdf) and close it.

    ``title`` goes into the file's metadata (SVG ``dc:title``, PDF and PNG Title).
    """
    with plt.rc_context(RC):
        for output in outputs:
            path = Path(output)
            fmt = path.suffix.lower().lstrip(".")
            if fmt not in METADATA:
                raise FigureError(f"{path}: figures are written as .svg, .png or .pdf, not .{fmt}")
            path.parent.mkdir(parents=True, exist_ok=True)
            metadata = dict(METADATA[fmt])
            if title:
                metadata["Title"] = title
            fig.savefig(path, format=fmt, metadata=metadata)
    plt.close(fig)
