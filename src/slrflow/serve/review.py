"""The review the screening page works on: its folder, settings and the last run's results.

A review folder (:mod:`slrflow.reviewfolder`) holds its settings in ``config.yaml``, with paths
relative to the folder: the criteria in ``criteria.yaml`` beside it unless ``screening.criteria``
names another file, the results in ``results/``. The bundled example, built from the project
folder by the quick start, has its results in the project's ``results/``.

The page needs the last run's results (references, clusters, screening status): a review that
has not been run yet is refused with the command that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from slrflow import reviewfolder, yamlfiles
from slrflow.screening import ScreeningError
from slrflow.screening.criteria import Criteria, load_criteria
from slrflow.screening.policy import Policy, parse_policy

#: Results the page reads, relative to the results folder.
RESULT_FILES = {
    "references": Path("dedup") / "references.csv",
    "clusters": Path("dedup") / "clusters.csv",
    "records": Path("ingest") / "records.csv",
    "status": Path("screening") / "status.csv",
    "log": Path("screening") / "log.csv",
    "conflicts": Path("screening") / "conflicts.csv",
}


@dataclass(frozen=True)
class Review:
    """One review folder and what the page needs of it.

    ``folder`` is the review folder (resolved); ``config_file`` the config its settings came
    from; ``title`` the review's title; ``policy`` and ``criteria`` the screening settings;
    ``results`` the folder the workflow writes to; ``settings`` the whole parsed config.
    """

    folder: Path
    config_file: Path
    title: str
    policy: Policy
    criteria: Criteria
    results: Path
    settings: dict[str, Any]

    def result(self, name: str) -> Path:
        """The path of one of :data:`RESULT_FILES`."""
        return self.results / RESULT_FILES[name]

    @property
    def screening_dir(self) -> Path:
        return self.folder / "screening"

    @property
    def fulltext_dir(self) -> Path:
        return self.folder / "fulltext"


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yamlfiles.load(path) or {}
    except yaml.YAMLError as exc:
        raise ScreeningError([f"{path}: not valid YAML: {exc}"], heading="review settings") from exc
    if not isinstance(data, dict):
        raise ScreeningError([f"{path}: expected a mapping of settings"], heading="settings")
    return data


def open_review(folder: str | Path, *, results: str | Path | None = None) -> Review:
    """The review in ``folder`` with its settings; ``results`` overrides where its results are."""
    folder = Path(folder)
    config_file = folder / reviewfolder.CONFIG
    if not config_file.is_file():
        raise ScreeningError(
            [f"{folder}: not a review folder (no {reviewfolder.CONFIG}); make one with "
             f"`slrflow init {folder}`"],
            heading="review",
        )  # fmt: skip
    folder = folder.resolve()
    settings = _load_yaml(config_file)
    section = settings.get("screening") or {}
    policy = parse_policy(section, file=str(config_file))
    criteria_file = folder / section.get("criteria", reviewfolder.CRITERIA)
    if results is None:
        results = folder / "results"
        bundled = _project_results(folder)
        if not results.is_dir() and bundled is not None:
            results = bundled
    return Review(
        folder=folder,
        config_file=config_file,
        title=str(settings.get("title", folder.name)),
        policy=policy,
        criteria=load_criteria(criteria_file),
        results=Path(results),
        settings=settings,
    )


def _project_results(folder: Path) -> Path | None:
    """The project's ``results/`` when ``folder`` is the bundled example built there."""
    project = Path(__file__).resolve().parents[3]
    if folder == (project / reviewfolder.EXAMPLE).resolve() and (project / "results").is_dir():
        return project / "results"
    return None


def require_results(review: Review, *names: str) -> None:
    """Refuse to start without the last run's results, saying how to make them."""
    missing = [str(review.result(n)) for n in names if not review.result(n).is_file()]
    if missing:
        raise ScreeningError(
            [
                f"{', '.join(missing)} not found: run the workflow on this review first "
                f"(`slrflow run {review.folder}` or `snakemake`), then start the page again"
            ],
            heading="screening page",
        )
