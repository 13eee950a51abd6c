"""Bad coding input: each case gives a clear message naming file, row and field."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from slrflow.coding import codebook as C
from slrflow.coding import command
from slrflow.coding import suggest as S
from slrflow.coding.problems import CodingError
from slrflow.coding.read import read_all, read_file
from slrflow.coding.studies import link, read_included, read_references
from slrflow.sheets import SheetError

HEADER = "intervention_id,dimension,code,answer,quote,page,report,note\n"


@pytest.fixture()
def fx(fixtures) -> Path:
    return fixtures / "coding"


@pytest.fixture()
def codebook(fx):
    return C.load(fx / "codebook.yaml")


@pytest.fixture()
def studies(fx):
    references = read_references(fx / "references.csv")
    found, _ = link(
        references, read_included(fx / "status.csv"), fx / "review" / "coding" / "studies.csv"
    )
    return found


def problems_for(tmp_path, codebook, studies, body: str, name: str = "carla.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    _, problems = read_file(path, coder="carla", codebook=codebook, studies=studies)
    return path, problems


def test_unknown_code(tmp_path, codebook, studies):
    path, problems = problems_for(
        tmp_path, codebook, studies, "I1,elements,z,yes,,,,\nI1,design,,cohort,,,,\n"
    )
    assert [str(p) for p in problems] == [
        f"{path}, row 2, field code: unknown code 'z' for dimension 'elements'; known codes: "
        "a, b, c",
        f"{path}, row 3, field answer: unknown code 'cohort' for dimension 'design'; known codes: "
        "rct, pre_post, qualitative",
    ]


def test_unknown_dimension_and_bad_answers(tmp_path, codebook, studies):
    path, problems = problems_for(
        tmp_path,
        codebook,
        studies,
        "I1,dosage,,12,,,,\nI1,elements,a,maybe,,,,\nI1,sample_size,,about 40,,,,\n",
    )
    messages = [str(p) for p in problems]
    assert messages[0].startswith(f"{path}, row 2, field dimension: unknown dimension 'dosage'")
    assert messages[1] == (
        f"{path}, row 3, field answer: 'maybe' is not yes or no (multi-choice code 'a')"
    )
    assert messages[2] == (
        f"{path}, row 4, field answer: 'about 40' is not a number (dimension 'sample_size')"
    )


def test_yes_without_a_code_in_a_multi_choice_dimension(tmp_path, codebook, studies):
    path, problems = problems_for(tmp_path, codebook, studies, "I1,elements,,yes,,,,\n")
    assert [str(p) for p in problems] == [
        f"{path}, row 2, field code: 'yes' without a code: dimension 'elements' is "
        "multi-choice; name the code in the code column (or put the code id in answer)"
    ]


def test_single_choice_dimension_with_two_codes(tmp_path, codebook, studies):
    path, problems = problems_for(
        tmp_path, codebook, studies, "I2,design,,rct,,,,\nI2,design,,qualitative,,,,\n"
    )
    assert len(problems) == 1
    assert str(problems[0]) == (
        f"{path}, row 3, field answer: single-choice dimension 'design' has two codes for I2: "
        "'rct' (row 2) and 'qualitative'; keep one"
    )


def test_yes_and_no_for_one_code_and_two_numbers(tmp_path, codebook, studies):
    _, problems = problems_for(
        tmp_path,
        codebook,
        studies,
        "I2,elements,a,yes,,,,\nI2,elements,a,no,,,,\nI2,sample_size,,10,,,,\n"
        "I2,sample_size,,12,,,,\n",
    )
    assert [p.row for p in problems] == ["3", "5"]
    assert "answered yes (row 2) and no" in problems[0].message
    assert "two numbers for I2: 10 (row 4) and 12" in problems[1].message


def test_a_coded_study_that_was_not_included(tmp_path, codebook, studies):
    path, problems = problems_for(
        tmp_path, codebook, studies, "s1-eeeeeeeeee,design,,rct,,,,\nI9,design,,rct,,,,\n"
    )
    assert [(p.row, p.field) for p in problems] == [
        ("2", "intervention_id"),
        ("3", "intervention_id"),
    ]
    assert "reference s1-eeeeeeeeee, which was not included at full text" in problems[0].message
    assert "unknown intervention_id 'I9'" in problems[1].message
    assert problems[0].file == str(path)


def test_a_record_id_of_a_single_report_study_is_accepted(tmp_path, codebook, studies):
    path = tmp_path / "carla.csv"
    path.write_text(HEADER + "s1-dddddddddd,design,,rct,,,,\n")
    answers, problems = read_file(path, coder="carla", codebook=codebook, studies=studies)
    assert problems == [] and answers[0].intervention_id == "I2"


def test_a_quote_with_no_page(tmp_path, codebook, studies):
    path, problems = problems_for(
        tmp_path, codebook, studies, "I2,elements,b,yes,Pupils think critically.,,,\n"
    )
    assert [str(p) for p in problems] == [
        f"{path}, row 2, field page: a quote with no page; give the page (or 'abstract') where "
        "the quote is"
    ]


def test_a_quote_without_an_answer_and_a_report_of_another_study(tmp_path, codebook, studies):
    _, problems = problems_for(
        tmp_path,
        codebook,
        studies,
        "I2,elements,b,,Pupils think critically.,4,,\nI2,design,,rct,,,s1-aaaaaaaaaa,\n",
    )
    assert "a quote without an answer" in problems[0].message
    assert problems[1].field == "report"
    assert "'s1-aaaaaaaaaa' is not one of this study's reports (s1-dddddddddd)" in (
        problems[1].message
    )


def test_missing_columns_and_xlsx_without_a_coding_sheet(tmp_path, codebook, studies):
    path = tmp_path / "carla.csv"
    path.write_text("study,dimension,answer\nI1,design,rct\n")
    _, problems = read_file(path, coder="carla", codebook=codebook, studies=studies)
    assert "missing column(s) intervention_id" in str(problems[0])
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["something", "else"])
    book.save(tmp_path / "dora.xlsx")
    _, problems = read_file(
        tmp_path / "dora.xlsx", coder="dora", codebook=codebook, studies=studies
    )
    assert "no worksheet has the columns intervention_id, dimension, answer" in str(problems[0])


def test_unknown_coder_and_missing_coder(tmp_path, fx, codebook, studies):
    folder = tmp_path / "coding"
    folder.mkdir()
    shutil.copy(fx / "review" / "coding" / "anouk.csv", folder / "anouk.csv")
    (folder / "zoe.csv").write_text(HEADER + "I1,design,,rct,,,,\n")
    _, _, problems = read_all(folder, codebook=codebook, studies=studies, coders=["anouk", "bram"])
    assert [(p.severity, Path(p.file).name) for p in problems] == [
        ("error", "zoe.csv"),
        ("warning", "coding"),
    ]
    assert "coder 'zoe' is not among the configured coders (anouk, bram)" in problems[0].message
    assert "no coding file from coder 'bram'" in problems[1].message


def test_studies_table_errors(tmp_path, fx):
    references = read_references(fx / "references.csv")
    included = read_included(fx / "status.csv")
    table = tmp_path / "studies.csv"
    table.write_text(
        "intervention_id,intervention,record_id\n"
        "I1,Empathy training,s1-aaaaaaaaaa\n"
        "I1,Empathy course,s1-cccccccccc\n"
        "I2,Critical thinking,s1-eeeeeeeeee\n"
        "I3,Resilience,s9-0000000000\n"
    )
    _, problems = link(references, included, table)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.row, p.field) for p in errors] == [
        ("3", "intervention"),
        ("4", "record_id"),
        ("5", "record_id"),
    ]
    assert "named 'Empathy training' in an earlier row and 'Empathy course' here" in (
        errors[0].message
    )
    assert "(reference s1-eeeeeeeeee) was not included at full text" in errors[1].message
    assert "record 's9-0000000000' is not a record of any reference" in errors[2].message
    table.write_text("intervention_id,intervention,record_id\nI 1,Name,s1-aaaaaaaaaa\n")
    with pytest.raises(SheetError, match=r"row 2, field intervention_id"):
        link(references, included, table)


def test_the_code_command_stops_on_errors_and_lists_them(tmp_path, fx):
    review = tmp_path / "review"
    shutil.copytree(fx / "review", review)
    (review / "coding" / "bram.csv").write_text(HEADER + "I1,design,,cohort,,,,\n")
    args = argparse.Namespace(
        references=str(fx / "references.csv"),
        status=str(fx / "status.csv"),
        codebook=str(fx / "codebook.yaml"),
        review=str(review),
        coders="anouk,bram",
        out_dir=str(tmp_path / "out"),
    )
    with pytest.raises(CodingError, match=r"bram.csv, row 2, field answer: unknown code 'cohort'"):
        command.code(args)
    validation = (tmp_path / "out" / "validation.csv").read_text()
    assert "unknown code 'cohort'" in validation


def test_the_code_command_writes_every_table(tmp_path, fx):
    args = argparse.Namespace(
        references=str(fx / "references.csv"),
        status=str(fx / "status.csv"),
        codebook=str(fx / "codebook.yaml"),
        review=str(fx / "review"),
        coders="anouk,bram",
        out_dir=str(tmp_path / "out"),
    )
    assert command.code(args) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "agreement.csv",
        "coded_long.csv",
        "coded_wide.csv",
        "disagreements.csv",
        "validation.csv",
    ]


def test_the_cli_prints_coding_errors_without_a_trace(tmp_path, fx, capsys):
    from slrflow.cli import main

    review = tmp_path / "review"
    shutil.copytree(fx / "review", review)
    (review / "coding" / "bram.csv").write_text(
        HEADER + "I1,design,,rct,,,,\nI1,design,,qualitative,,,,\n"
    )
    status = main(
        [
            "code",
            "--references",
            str(fx / "references.csv"),
            "--status",
            str(fx / "status.csv"),
            "--codebook",
            str(fx / "codebook.yaml"),
            "--review",
            str(review),
            "--coders",
            "anouk,bram",
            "--out-dir",
            str(tmp_path / "out"),
        ]
    )
    assert status == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "bram.csv, row 3, field answer: single-choice dimension 'design' has two codes" in err


def test_unusable_input_tables_and_full_texts_are_errors_naming_the_file(tmp_path, fx, capsys):
    from slrflow.cli import main

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("x,y\n1,2\n")
    status = main(
        ["code-suggest", "--references", str(wrong), "--status", str(fx / "status.csv"),
         "--codebook", str(fx / "codebook.yaml"), "--review", str(fx / "review"),
         "-o", str(tmp_path / "out.csv")]
    )  # fmt: skip
    assert status == 2
    err = capsys.readouterr().err
    assert f"{wrong}: no reference_id column" in err
    with pytest.raises(CodingError, match="wrong.csv: no reference_id column in the screening"):
        read_included(wrong)
    no_stage = tmp_path / "no_stage.csv"
    no_stage.write_text("reference_id,decision\ns1-aaaaaaaaaa,include\n")
    with pytest.raises(CodingError, match="no_stage.csv: expected columns reference_id, stage"):
        read_included(no_stage)
    latin1 = tmp_path / "s1-aaaaaaaaaa.txt"
    latin1.write_bytes("Pr\xe9vention".encode("latin-1"))
    with pytest.raises(CodingError, match="s1-aaaaaaaaaa.txt: not UTF-8 text"):
        S.fulltext_pages(latin1)
