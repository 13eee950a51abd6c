"""The coding stage's input files in a review folder, as the workflow's rules list them.

Every function returns ``[]`` (or an empty list of names) when the folder is absent, so a review
that has not started coding still runs. Lock files a spreadsheet program leaves (``~$name.xlsx``)
and hidden files are never inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from slrflow.coding import CODING_DIR, RESERVED_STEMS
from slrflow.sheets import is_lock_file, is_sheet_file

FULLTEXT_SUFFIXES = (".txt", ".pdf")


def _files(folder: Path, keep: Callable[[Path], bool]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and keep(path))


def sheet_files(folder: str | Path) -> list[Path]:
    """Every sheet in ``folder`` (:func:`slrflow.sheets.is_sheet_file`), by name."""
    return _files(Path(folder), is_sheet_file)


def coding_files(review: str | Path) -> list[Path]:
    """Every sheet in ``<review>/coding``: coders' files, the consensus, the studies table."""
    return sheet_files(Path(review) / CODING_DIR)


def studies_table(review: str | Path) -> list[Path]:
    """``<review>/coding/studies.csv`` (or .xlsx) when it exists."""
    return [p for p in coding_files(review) if p.stem.lower() == "studies"]


def coder_file(review: str | Path, coder: str) -> list[Path]:
    """The coder's own coding file(s)."""
    return [p for p in coding_files(review) if p.stem == coder]


def coders(review: str | Path, configured: list[str] | None = None) -> list[str]:
    """The configured coders; without any, everyone who has a coding file."""
    if configured:
        return sorted(configured)
    return sorted({p.stem for p in coding_files(review) if p.stem.lower() not in RESERVED_STEMS})


def fulltexts(review: str | Path) -> list[Path]:
    """Full texts in ``<review>/fulltext`` (.txt or .pdf)."""
    return _files(
        Path(review) / "fulltext",
        lambda p: p.suffix.lower() in FULLTEXT_SUFFIXES and not is_lock_file(p),
    )
