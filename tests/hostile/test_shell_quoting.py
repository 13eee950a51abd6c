"""Values from the search log, the sheets, file names and the config reach the shell as one
argument each, whatever they hold: a review whose path, export names, column mapping, coder file
and title hold quotes, ``$(...)``, backticks, ``;``, ``&``, newlines and spaces runs the real
workflow, reads the right records, and runs none of the text it carries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from slrflow.tables import read_csv

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shell_quoting  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

#: What every hostile name holds: quotes of both kinds, command substitution in both forms, a
#: command separator, a background &, a variable, a newline and spaces. Running any of it makes
#: a file named PWNED in the working folder.
NASTY = 'o\'brien "q" $(touch PWNED) `touch PWNED`; touch PWNED & $HOME\nx'

#: A coder named by their file: Snakemake's wildcards never match a line break, so no newline.
CODER = NASTY.replace("\n", " ")

RIS = """TY  - JOUR
TI  - Mentoring young people who left extremist groups
AU  - Jansen, A.
PY  - 2019
DO  - 10.1000/mentor.2019
ER  -

TY  - JOUR
TI  - A school programme against radicalisation
AU  - Smit, B.
PY  - 2021
ER  -
"""


def _canaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*PWNED*") if p.name == "PWNED"]


def test_every_rule_quotes_what_it_interpolates():
    files = shell_quoting.rule_files([str(ROOT / "Snakefile"), str(ROOT / "workflow" / "rules")])
    assert len(files) >= 9
    assert [p for f in files for p in shell_quoting.problems_in(f)] == []


@pytest.mark.parametrize(
    ("command", "flagged"),
    [
        ('    shell:\n        "slrflow x {params.options} -o {output:q}"\n', "{params.options}"),
        ('    shell:\n        "slrflow x {input!r}"\n', "{input!r}"),
        (
            '    shell:\n        "slrflow x -o {output:q} "\n        "--seed {wildcards.seed}"\n',
            "{wildcards.seed}",
        ),
        ('    shell:\n        f"slrflow x {NAME}"\n', "f-string"),
        ('    params:\n        name=lambda w: f"--name {w.x!r}",\n', "'!r'"),
    ],
)
def test_the_check_catches_unquoted_values(tmp_path: Path, command: str, flagged: str):
    rule = tmp_path / "stage.smk"
    rule.write_text(f"rule stage:\n    output:\n        'x'\n{command}", "utf-8")
    problems = shell_quoting.problems_in(rule)
    assert any(flagged in problem for problem in problems)
    assert shell_quoting.main([str(rule)]) == 1


def test_the_check_accepts_quoted_values(tmp_path: Path):
    rule = tmp_path / "stage.smk"
    rule.write_text(
        'rule stage:\n    output:\n        "x"\n    shell:\n'
        '        "slrflow x {input:q} {params.options:q} "\n        "-o {output:q} 2> {log:q}"\n',
        "utf-8",
    )
    assert shell_quoting.problems_in(rule) == []


def _hostile_review(base: Path) -> tuple[Path, Path]:
    """A review folder whose own path and every name in it is :data:`NASTY`; returns it and a
    config file for it (all paths absolute, so the run's working folder can be anywhere)."""
    review = base / f"review {NASTY}"
    exports = review / "exports"
    exports.mkdir(parents=True)
    ris_name = f"{NASTY}.ris"
    (exports / ris_name).write_text(RIS, "utf-8")
    # ";" separates the mapping's pairs, so a mapped column name cannot hold one.
    column = f"Titel {NASTY}".replace("\n", " ").replace(";", "")
    (exports / "websites.csv").write_text(
        f'"{column.replace(chr(34), chr(34) * 2)}",Jaar,Auteur\n'
        "Evaluatie van exitbegeleiding,2018,Forsa\n",
        "utf-8",
    )
    mapping = f"title={column}; year=Jaar; authors=Auteur".replace('"', '""')
    (review / "searches.csv").write_text(
        "search_id,database,date_searched,query,file,mapping\n"
        f'scopus,Scopus,2024-11-12,"radicali* AND {NASTY.replace(chr(34), chr(34) * 2)}",'
        f'"exports/{ris_name.replace(chr(34), chr(34) * 2)}",\n'
        f'websites,NCTV website,2024-11-18,handsearch,exports/websites.csv,"{mapping}"\n',
        "utf-8",
    )
    # A person's pair verdicts (none yet) and a coder known only by the name of their file.
    (review / "dedup_decisions.csv").write_text(
        "record_id_a,record_id_b,verdict,reviewer,date,note\n", "utf-8"
    )
    (review / "coding").mkdir()
    (review / "coding" / f"{CODER}.csv").write_text(
        "intervention_id,dimension,code,answer,quote,page,report,note\n", "utf-8"
    )
    config = yaml.safe_load((ROOT / "resources" / "example" / "config.yaml").read_text("utf-8"))
    config["title"] = NASTY
    config["review"] = str(review)
    config["results"] = str(base / "results")
    config["screening"]["criteria"] = str(ROOT / "resources" / "example" / "criteria.yaml")
    config["coding"] = {"codebook": str(ROOT / "config" / "codebook.yaml")}
    config_file = base / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    # a review folder holds its own settings
    (review / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return review, config_file


def _snakemake(workdir: Path, config_file: Path, *targets: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"),
        "--configfile", str(config_file), "--cores", "2", "--show-failed-logs", *targets,
    ]  # fmt: skip
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)


@pytest.mark.workflow
def test_hostile_names_run_the_workflow_and_nothing_else(tmp_path: Path):
    review, config_file = _hostile_review(tmp_path)
    results = tmp_path / "results"
    result = _snakemake(
        tmp_path,
        config_file,
        str(results / "dedup" / "references.csv"),
        str(results / "screening" / "status.csv"),
        str(results / "screening" / "sheets" / "title_abstract" / "anouk.xlsx"),
        str(results / "coding" / "coded_long.csv"),
        str(results / "coding" / "sheets" / f"{CODER}.xlsx"),
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert _canaries(tmp_path) == [], "text from a file name or sheet was run by the shell"
    records = read_csv(results / "ingest" / "records.csv")
    assert sorted(records["title"]) == [
        "A school programme against radicalisation",
        "Evaluatie van exitbegeleiding",
        "Mentoring young people who left extremist groups",
    ]
    report = read_csv(results / "ingest" / "report.csv")
    assert set(report["file"]) == {f"exports/{NASTY}.ris", "exports/websites.csv"}
    assert review.is_dir()
