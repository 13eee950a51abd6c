"""The review the screening page works on: its folder, settings and the last run's results.

A review's settings are found as the workflow finds them:

- ``<review>/config.yaml`` (a review folder with its own config): paths in it are relative to
  the review folder; its criteria default to ``<review>/criteria.yaml`` and its results to
  ``<review>/results``;
- otherwise the project's ``config/config.yaml`` (relative to the working folder) whose
  ``review`` is this folder: paths in it are relative to the working folder;
- or a config file given with ``--config``, read the same way as the project's.

The page needs the last run's results (references, clusters, screening status): a review that
has not been run yet is refused with the command that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ScreeningError([f"{path}: not valid YAML: {exc}"], heading="review settings") from exc
    if not isinstance(data, dict):
        raise ScreeningError([f"{path}: expected a mapping of settings"], heading="settings")
    return data


def open_review(folder: str | Path, *, config: str | Path | None = None) -> Review:
    """The review in ``folder`` with its settings (see the module docstring for where from)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScreeningError([f"{folder}: no such review folder"], heading="review")
    folder = folder.resolve()
    own = folder / "config.yaml"
    if config is not None:
        config_file, base = Path(config), Path.cwd()
    elif own.is_file():
        config_file, base = own, folder
    else:
        config_file, base = Path("config") / "config.yaml", Path.cwd()
        if not config_file.is_file():
            raise ScreeningError(
                [
                    f"{folder}: no config.yaml in the review folder, and no config/config.yaml "
                    "here; run from the project folder or give --config"
                ],
                heading="review settings",
            )
    settings = _load_yaml(config_file)
    if config_file != own:
        named = Path(base / settings.get("review", ".")).resolve()
        if named != folder:
            raise ScreeningError(
                [
                    f"{config_file}: its review is {settings.get('review')!r}, not {folder}; "
                    "give the config of this review with --config"
                ],
                heading="review settings",
            )
    section = settings.get("screening") or {}
    policy = parse_policy(section, file=str(config_file))
    if "criteria" in section:
        criteria_file = base / section["criteria"]
    elif (folder / "criteria.yaml").is_file():
        criteria_file = folder / "criteria.yaml"
    else:
        criteria_file = base / policy.criteria
    results = base / settings.get("results", "results")
    return Review(
        folder=folder,
        config_file=config_file,
        title=str(settings.get("title", folder.name)),
        policy=policy,
        criteria=load_criteria(criteria_file),
        results=results,
        settings=settings,
    )


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
