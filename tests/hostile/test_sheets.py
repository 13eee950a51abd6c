"""Broken sheets a person fills in (search log, decision, resolution, pair-verdict and coding
files): each is read correctly or gives a message naming the file and, where there is one, the
row and field; never a trace, never a silent loss."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import attacks
import pytest

from screening_review import screen_args, write_run
from slrflow.cli import main
from slrflow.coding import codebook as C
from slrflow.coding.read import read_all
from slrflow.coding.studies import link, read_included, read_references
from slrflow.dedup.decisions import read_decisions
from slrflow.searchlog import read_search_log
from slrflow.sheets import SheetError, read_sheet
from slrflow.tables import read_csv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADER = "record_id,decision,criteria,note,date\n"
DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


# --- the search log ---------------------------------------------------------------------------


def _review_with(log: Path, tmp_path: Path) -> Path:
    review = tmp_path / "review"
    (review / "exports").mkdir(parents=True)
    (review / "exports" / "scopus.ris").write_text("TY  - JOUR\nTI  - A study\nER  -\n", "utf-8")
    shutil.copy(log, review / "searches.csv")
    return review


def test_exports_outside_the_review_are_refused_by_row_and_field(corpus, tmp_path):
    review = _review_with(corpus / "sheets" / "searches_outside.csv", tmp_path)
    secret = tmp_path / "elsewhere.ris"
    secret.write_text("TY  - JOUR\nTI  - Not part of the review\nER  -\n", "utf-8")
    (review / "exports" / "linked.ris").symlink_to(secret)
    with pytest.raises(SheetError) as caught:
        read_search_log(review / "searches.csv")
    problems = caught.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("row 2, field file: '../../../../etc/passwd' leads outside")
    assert problems[1].startswith("row 3, field file: '/etc/passwd' leads outside")
    assert problems[2].startswith("row 4, field file: 'exports/linked.ris' leads outside")


def test_impossible_dates_are_refused(corpus, tmp_path):
    review = _review_with(corpus / "sheets" / "searches_impossible_date.csv", tmp_path)
    with pytest.raises(SheetError) as caught:
        read_search_log(review / "searches.csv")
    assert caught.value.problems == [
        "row 2, field date_searched: '2024-02-30' is not a date of the calendar; write the day "
        "the search was run as YYYY-MM-DD",
        "row 3, field date_searched: '２０２４-11-12' is not a date of the calendar; write the "
        "day the search was run as YYYY-MM-DD",
    ]


def test_a_header_only_search_log_says_what_is_missing(corpus, tmp_path):
    review = _review_with(corpus / "sheets" / "searches_header_only.csv", tmp_path)
    with pytest.raises(SheetError, match="has a header but no searches: add one row per search"):
        read_search_log(review / "searches.csv")


@pytest.mark.parametrize("content", [b"", b"\n \r\n\t\n", b"\xef\xbb\xbf"])
def test_an_empty_search_log_says_so(tmp_path, content):
    log = tmp_path / "searches.csv"
    log.write_bytes(content)
    with pytest.raises(SheetError, match="the file is empty: a sheet needs a header row"):
        read_search_log(log)


def test_a_search_id_that_would_run_a_command_is_refused(corpus, tmp_path):
    review = _review_with(corpus / "sheets" / "searches_injected_id.csv", tmp_path)
    with pytest.raises(SheetError, match=r"row 2, field search_id: 'x\$\(touch PWNED\)' is not"):
        read_search_log(review / "searches.csv")


# --- any sheet --------------------------------------------------------------------------------


def test_dutch_excel_csv_sheet_is_read(corpus):
    frame = read_sheet(corpus / "sheets" / "decisions_dutch_excel.csv")
    assert list(frame.columns) == ["record_id", "decision", "criteria", "note", "date"]
    assert frame["note"].tolist() == ["geïncludeerd na overleg", "geen evaluatie (één school)"]


def test_a_sheet_whose_dimension_lies_is_read_whole(tmp_path):
    path = attacks.dimension_lie_xlsx(
        tmp_path / "anouk.xlsx", rows=545, declared="A1:H27", header=["record_id", "note"]
    )
    frame = read_sheet(path)
    assert len(frame) == 545
    assert frame["record_id"].iloc[-1] == "record_id 544"


def test_a_text_file_named_xlsx_is_named_as_such(corpus):
    with pytest.raises(SheetError, match=r"not an \.xlsx workbook .*a text or CSV file named"):
        read_sheet(corpus / "sheets" / "coding_not_a_zip.xlsx")


def test_a_far_cell_in_a_decision_sheet_is_refused_quickly(tmp_path):
    """Read as a decision file this sheet took 16 GB; now one message in seconds."""
    review = tmp_path / "review"
    (review / "screening" / "title_abstract").mkdir(parents=True)
    path = attacks.far_cell_xlsx(review / "screening" / "title_abstract" / "anouk.xlsx")
    run = write_run(tmp_path)
    code, err = attacks.run_bounded(
        screen_args(run, review, tmp_path / "out"), seconds=90, megabytes=400
    )
    assert code == 2
    assert f"{path} (sheet 'Sheet'), row 1048576: 16,384 columns" in err


def test_a_zip_bomb_decision_sheet_is_refused(tmp_path):
    review = tmp_path / "review"
    (review / "screening" / "title_abstract").mkdir(parents=True)
    attacks.zip_bomb_xlsx(review / "screening" / "title_abstract" / "anouk.xlsx")
    code, err = attacks.run_bounded(
        screen_args(write_run(tmp_path), review, tmp_path / "out"), seconds=90, megabytes=400
    )
    assert code == 2
    assert "anouk.xlsx: workbook part xl/worksheets/sheet1.xml unpacks from" in err


# --- decision and resolution files, through `slrflow screen` ---------------------------------


def _screen(tmp_path: Path, capsys, files: dict[str, bytes]) -> tuple[int, str]:
    review = tmp_path / "review"
    for where, data in files.items():
        path = review / "screening" / where
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    code = main(screen_args(write_run(tmp_path), review, tmp_path / "out"))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("name", ["decisions_empty.csv", "decisions_blank.csv"])
@pytest.mark.parametrize("where", ["title_abstract/anouk.csv", "resolutions.csv"])
def test_empty_decision_and_resolution_files_are_named(corpus, tmp_path, capsys, name, where):
    code, err = _screen(tmp_path, capsys, {where: (corpus / "sheets" / name).read_bytes()})
    assert code == 2
    assert f"screening/{where}: the file is empty: a sheet needs a header row" in err


def test_a_header_only_decision_file_is_no_decisions_yet(corpus, tmp_path, capsys):
    data = (corpus / "sheets" / "decisions_header_only.csv").read_bytes()
    code, _ = _screen(tmp_path, capsys, {"title_abstract/anouk.csv": data})
    assert code == 0
    log = read_csv(tmp_path / "out" / "log.csv")
    assert set(log["source"]) == {"automation"}


def test_a_dutch_excel_decision_file_is_read(corpus, tmp_path, capsys):
    data = (corpus / "sheets" / "decisions_dutch_excel.csv").read_bytes()
    code, err = _screen(tmp_path, capsys, {"title_abstract/anouk.csv": data})
    assert code == 0, err
    log = read_csv(tmp_path / "out" / "log.csv")
    log = log[log["source"] == "reviewer"]
    assert sorted(zip(log["record_id"], log["decision"], strict=True)) == [
        ("s1-exit", "include"),
        ("s1-school", "exclude"),
    ]
    assert "geen evaluatie (één school)" in log["note"].tolist()


def test_decisions_saved_as_ods_xls_or_in_a_subfolder_are_reported(corpus, tmp_path, capsys):
    sheets = corpus / "sheets"
    code, err = _screen(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.ods": (sheets / "decisions.ods").read_bytes(),
            "full_text/bram.xls": (sheets / "decisions.xls").read_bytes(),
            "title_abstract/old/bram.csv": (HEADER + "s1-exit,include,,,2026-01-10\n").encode(),
        },
    )
    assert code == 2
    assert "title_abstract/anouk.ods: saved as .ods, which is not read: save it as" in err
    assert "full_text/bram.xls: saved as .xls, which is not read" in err
    assert "title_abstract/old/bram.csv: not in a stage folder ('old' is not a stage)" in err


# --- pair verdicts ----------------------------------------------------------------------------


def test_contradicting_pair_verdicts_are_warned(corpus):
    decided, problems = read_decisions(
        corpus / "sheets" / "dedup_contradicting.csv", {"s1-a", "s1-b", "s1-c"}, name="v.csv"
    )
    assert decided[("s1-a", "s1-b")].verdict == "different"
    assert [str(p) for p in problems] == [
        "v.csv, row 4, field verdict: s1-a / s1-b are 'different' here, but the 'same' verdicts "
        "of row(s) 2, 3 join them through other records; they are kept apart and one of those "
        "'same' verdicts is not applied. Settle these rows"
    ]


@pytest.mark.parametrize("name", ["decisions_empty.csv", "decisions_blank.csv"])
def test_an_empty_pair_verdict_file_is_named(corpus, tmp_path, capsys, name):
    records = tmp_path / "records.csv"
    records.write_text("record_id,search_id,title,year\ns1-a,s1,A study,2020\n", "utf-8")
    verdicts = tmp_path / "dedup_decisions.csv"
    shutil.copy(corpus / "sheets" / name, verdicts)
    code = main(
        ["dedup", str(records), "-o", str(tmp_path / "c.csv"), "--decisions", str(verdicts)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "dedup_decisions.csv: 1 problem(s)" in err and "the file is empty" in err


# --- coding files -----------------------------------------------------------------------------


@pytest.fixture()
def coding_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "coding"
    shutil.copytree(FIXTURES / "coding" / "review" / "coding", folder)
    return folder


def _coding(folder: Path) -> tuple[list, list[str]]:
    """The answers read from a coding folder, and its errors as ``file: message``."""
    fx = FIXTURES / "coding"
    studies, _ = link(
        read_references(fx / "references.csv"),
        read_included(fx / "status.csv"),
        folder / "studies.csv",
    )
    answers, _, problems = read_all(folder, codebook=C.load(fx / "codebook.yaml"), studies=studies)
    return answers, [f"{p.file}: {p.message}" for p in problems if p.severity == "error"]


def _coding_problems(folder: Path) -> list[str]:
    return _coding(folder)[1]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("carla.csv", b"", "the file is empty"),
        ("carla.csv", b"\n\n  \n", "the file is empty"),
        ("carla.xlsx", b"intervention_id,dimension,answer\n", "not an .xlsx workbook"),
        ("carla.xlsx", b"", "not an .xlsx workbook"),
        ("carla.ods", b"PK\x03\x04", "saved as .ods, which is not read"),
    ],
)
def test_broken_coding_files_are_named(coding_folder, name, content, message):
    (coding_folder / name).write_bytes(content)
    problems = _coding_problems(coding_folder)
    assert any(p.startswith(f"{coding_folder / name}: ") and message in p for p in problems), (
        problems
    )


def test_a_coding_sheet_whose_dimension_lies_is_read_whole(coding_folder):
    """A coding workbook declaring A1:H2 keeps all its rows (before: 545 coded rows became 27)."""
    from_csv, _ = _coding(coding_folder)
    rows = (coding_folder / "anouk.csv").read_text("utf-8").splitlines()
    assert len(rows) > 3
    header = rows[0].split(",")
    path = coding_folder / "anouk.xlsx"
    plain = coding_folder / "plain.xlsx"
    wb = attacks._workbook([header] + [r.split(",") for r in rows[1:]])
    wb.save(plain)
    attacks._rewrite_sheet(
        plain,
        path,
        lambda xml: xml.replace(b'<dimension ref="A1:', b'<dimension ref="A1:A2"/><x y="'),
    )
    plain.unlink()
    (coding_folder / "anouk.csv").unlink()
    from_xlsx, problems = _coding(coding_folder)
    assert problems == []
    anouk = [
        (a.intervention_id, a.dimension, a.code, a.value) for a in from_csv if a.coder == "anouk"
    ]
    assert [(a.intervention_id, a.dimension, a.code, a.value) for a in from_xlsx
            if a.coder == "anouk"] == anouk  # fmt: skip
