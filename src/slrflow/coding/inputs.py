"""The coding stage's input files in a review folder, as the workflow's rules list them.

Every function returns ``[]`` (or an empty list of names) when the folder is absent, so a review
that has not started coding still runs. Lock files a spreadsheet program leaves (``~$name.xlsx``)
and hidden files are never inputs.
"""

from __future__ import annotations

from pathlib import Path

from slrflow.coding import CODING_DIR, RESERVED_STEMS

SHEET_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")
FULLTEXT_SUFFIXES = (".txt", ".pdf")


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and path.suffix.lower() in suffixes
        and not path.name.startswith(("~$", ".", "#"))
    )


def coding_files(review: str | Path) -> list[Path]:
    """Every sheet in ``<review>/coding``: coders' files, the consensus, the studies table."""
    return _files(Path(review) / CODING_DIR, SHEET_SUFFIXES)


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
    return _files(Path(review) / "fulltext", FULLTEXT_SUFFIXES)
