"""`slrflow init` and `slrflow run`, and which review folder a run works on."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from slrflow import cli, reviewfolder, run
from slrflow.coding import codebook
from slrflow.errors import ConfigError
from slrflow.screening.criteria import load_criteria

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "src" / "slrflow" / "schemas" / "config.schema.json"


def test_init_makes_a_review_to_fill_in(tmp_path: Path, capsys):
    folder = tmp_path / "peer-support"
    assert cli.main(["init", str(folder), "--title", 'Peer support: "a" review']) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        ".gitignore",
        "README.md",
        "codebook.yaml",
        "config.yaml",
        "criteria.yaml",
        "exports",
        "searches.csv",
    ]
    text = (folder / "config.yaml").read_text("utf-8")
    assert text.startswith("# Settings of this review")  # the comments are kept
    settings = yaml.safe_load(text)
    assert settings["title"] == 'Peer support: "a" review'
    # what the workflow validates: the review's settings plus where it is
    jsonschema.validate({**settings, "review": "."}, yaml.safe_load(SCHEMA.read_text("utf-8")))
    assert settings["screening"]["reviewers"] == ["reviewer_a", "reviewer_b"]
    assert "toolkit" not in settings  # only what the review has
    with (folder / "searches.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        [
            "search_id",
            "source_type",
            "database",
            "platform",
            "date_searched",
            "query",
            "limits",
            "hits_reported",
            "file",
            "format",
            "mapping",
            "update",
            "notes",
        ]
    ]
    assert load_criteria(folder / "criteria.yaml").ids
    assert codebook.load(folder / "codebook.yaml").dimensions
    readme = (folder / "README.md").read_text("utf-8")
    assert f"slrflow run {folder}" in readme
    assert "never over an earlier one" in readme
    assert "slrflow run" in capsys.readouterr().err
    assert (folder / ".gitignore").read_text("utf-8").split() == ["results/", ".snakemake/"]


def test_init_never_overwrites_a_review(tmp_path: Path, capsys):
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "criteria.yaml").write_text("mine\n", "utf-8")
    assert cli.main(["init", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "criteria.yaml" in err and "never overwrites" in err
    assert "Traceback" not in err
    assert (folder / "criteria.yaml").read_text("utf-8") == "mine\n"
    assert not (folder / "config.yaml").exists()


def test_init_keeps_the_default_title_when_none_is_given(tmp_path: Path):
    cli.main(["init", str(tmp_path / "r")])
    assert yaml.safe_load((tmp_path / "r" / "config.yaml").read_text("utf-8"))["title"]


def test_run_refuses_a_folder_that_is_no_review(tmp_path: Path, capsys):
    assert cli.main(["run", str(tmp_path), "-n"]) == 2
    err = capsys.readouterr().err
    assert "not a review folder" in err and "slrflow init" in err


@pytest.mark.parametrize(
    ("given", "cores_added"),
    [
        ([], True),
        (["-n"], True),
        (["--cores", "3", "--forceall"], False),
        (["-c2"], False),
        (["-j", "8", "--executor", "slurm"], False),
        (["--profile", "profiles/slurm"], False),
    ],
)
def test_run_passes_snakemake_options_through(tmp_path: Path, given, cores_added):
    command = run.snakemake_command(tmp_path, given)
    assert command[:3] == [sys.executable, "-m", "snakemake"]
    assert command[command.index("--directory") + 1] == str(tmp_path)
    assert command[command.index("--snakefile") + 1] == str(ROOT / "Snakefile")
    assert "--show-failed-logs" in command
    assert command[-len(given) :] == given if given else True
    assert (command.count("--cores") - given.count("--cores") == 1) == cores_added


def test_run_options_reach_snakemake_unparsed():
    parser_args = ["run", "my-review", "--cores", "2", "-n", "--forcerun", "screen"]
    captured = {}

    def fake(args):
        captured.update(folder=args.folder, extra=args.snakemake)
        return 0

    module = "slrflow.run"
    original = sys.modules[module].run
    sys.modules[module].run = fake
    try:
        assert cli.main(parser_args) == 0
    finally:
        sys.modules[module].run = original
    assert captured == {
        "folder": Path("my-review"),
        "extra": ["--cores", "2", "-n", "--forcerun", "screen"],
    }


def test_errors_of_the_failed_jobs_are_repeated(tmp_path: Path):
    logs = tmp_path / "logs"
    (logs / "screening").mkdir(parents=True)
    (logs / "screening" / "screen.log").write_text(
        "reading...\nslrflow screen: error: resolutions.csv, row 4, field date: not a date\n",
        "utf-8",
    )
    (logs / "screening" / "sheets.log").write_text(
        "slrflow screening-sheets: error: decision files: 2 problem(s)\n"
        "  - maria-2.csv, row 2, field criteria: 'C9' is not a criterion\n"
        "  - maria-2.csv, row 3, field date: '1 April' is not a date\n"
        "done reading\n",
        "utf-8",
    )
    (logs / "dedup.log").write_text("dedup: 12 references\n", "utf-8")
    assert run.errors_since(logs, 0) == [
        "screening/screen.log: slrflow screen: error: resolutions.csv, row 4, field date: "
        "not a date",
        "screening/sheets.log: slrflow screening-sheets: error: decision files: 2 problem(s)",
        "  - maria-2.csv, row 2, field criteria: 'C9' is not a criterion",
        "  - maria-2.csv, row 3, field date: '1 April' is not a date",
    ]
    assert run.errors_since(logs, 10**12) == []  # only logs of this run
    assert run.errors_since(tmp_path / "absent", 0) == []


def test_locate_the_review(tmp_path: Path):
    project = tmp_path / "project"
    review = tmp_path / "review"
    project.mkdir()
    review.mkdir()
    # the project folder itself: the bundled example into the project's results/
    here = reviewfolder.locate(None, None, here=project, project=project)
    assert here == reviewfolder.Location(Path("resources/example"), Path("results"))
    # a folder holding config.yaml is the review (slrflow run DIR, snakemake -d DIR)
    (review / "config.yaml").write_text("title: t\n", "utf-8")
    assert reviewfolder.locate(None, None, here=review, project=project) == (
        reviewfolder.Location(Path("."), Path("results"))
    )
    # given on the command line: its results go inside it unless said otherwise
    given = reviewfolder.locate("../review", None, here=project, project=project)
    assert given == reviewfolder.Location(Path("../review"), Path("../review/results"))
    assert reviewfolder.locate("../review", "out", here=project, project=project).results == (
        Path("out")
    )
    with pytest.raises(ConfigError, match="no config.yaml"):
        reviewfolder.locate(None, None, here=tmp_path, project=project)
    with pytest.raises(ConfigError, match="slrflow init ../project"):
        reviewfolder.locate("../project", None, here=review, project=project)
