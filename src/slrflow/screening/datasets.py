"""Where the labelled screening sets for simulations are (light: the Snakefile imports it)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def find_datasets(listed: Any = None, folder: str | Path | None = None) -> dict[str, Path]:
    """Dataset name -> labelled CSV for a batch of simulations (the workflow's config).

    ``listed``: a mapping name -> path, or a list of paths (named by file stem). Without it,
    every sub-folder of ``folder`` holding a CSV is a dataset named after the sub-folder (its
    first CSV by name); a missing folder gives none.
    """
    if isinstance(listed, Mapping):
        return {str(name): Path(path) for name, path in sorted(listed.items())}
    if listed:
        return {Path(path).stem: Path(path) for path in listed}
    if folder is None or not Path(folder).is_dir():
        return {}
    found = {}
    for sub in sorted(p for p in Path(folder).iterdir() if p.is_dir()):
        csvs = sorted(sub.glob("*.csv"))
        if csvs:
            found[sub.name] = csvs[0]
    return found
