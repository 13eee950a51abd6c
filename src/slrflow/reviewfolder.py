"""The review folder: where a review's settings, inputs and results are, and where the workflow is.

A review folder holds ``config.yaml`` (title, reviewers, stages, automation, toolkits),
``criteria.yaml``, ``codebook.yaml``, the search log and exports, every file a person writes, and
``results/``, which the workflow rebuilds. The workflow itself (``Snakefile``, ``workflow/``) and
the defaults that ``slrflow init`` copies (``config/``) live in the project folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slrflow import settings
from slrflow.errors import ConfigError

#: The review's settings, relative to the review folder.
CONFIG = "config.yaml"
#: Its eligibility criteria and its codebook, unless config.yaml names other files.
CRITERIA = settings.defaults("screening")["criteria"]
CODEBOOK = settings.defaults("coding")["codebook"]
#: The bundled example, built into the project's own ``results/`` by the quick start.
EXAMPLE = Path("resources") / "example"


def project_folder() -> Path:
    """The project folder holding ``Snakefile``, ``workflow/`` and ``config/`` (the defaults)."""
    folder = Path(__file__).resolve().parents[2]
    if not (folder / "Snakefile").is_file() or not (folder / "config").is_dir():
        raise ConfigError(
            f"the workflow (Snakefile, config/) was not found beside the package in {folder}; "
            "install slrflow from its source folder (pip install -e .)"
        )
    return folder


@dataclass(frozen=True)
class Location:
    """Which review a run works on. ``review`` is the review folder, ``results`` where its
    outputs go, both as given or relative to the folder the workflow runs in."""

    review: Path
    results: Path


def locate(review: str | None, results: str | None, *, here: Path, project: Path) -> Location:
    """The review a run works on.

    ``review`` and ``results`` are the values given on the command line or in a config file
    (None when not given); ``here`` is the folder Snakemake runs in. Without ``review``, a
    workdir holding ``config.yaml`` is the review (``slrflow run DIR``, ``snakemake -d DIR``);
    the project folder itself runs the bundled example into its own ``results/``. A review's
    results default to its own ``results/``, so two reviews never share an output.
    """
    if review is None:
        if (here / CONFIG).is_file():
            return Location(Path("."), Path(results or "results"))
        if here.resolve() == project.resolve():
            return Location(EXAMPLE, Path(results or "results"))
        raise ConfigError(
            f"no review here: {here} has no {CONFIG}. Make one with `slrflow init DIR` and run "
            "it with `slrflow run DIR`, or give --config review=DIR"
        )
    folder = Path(review)
    if not (here / folder / CONFIG).is_file():
        raise ConfigError(
            f"review folder {review}: no {CONFIG} in it (make one with `slrflow init {review}`)"
        )
    return Location(folder, Path(results) if results else folder / "results")
