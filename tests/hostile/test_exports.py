"""Broken and hostile search exports through ``slrflow ingest``: the right records with a
warning naming file and line, or one clear error naming them; never a trace, a hang or
gigabytes of memory."""

from __future__ import annotations

from pathlib import Path

import attacks
import pytest

from slrflow.cli import main
from slrflow.tables import read_csv

#: What an attack may cost: a Python with pandas takes about 100 MB and a few seconds to start;
#: before the limits these took minutes and up to 16 GB.
SECONDS, MEGABYTES = 90, 400


def ingest(path: Path, tmp_path: Path, capsys, *options: str) -> tuple[int, str, list[dict]]:
    out = tmp_path / "records.csv"
    code = main(["ingest", str(path), "-o", str(out), *options])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    rows = read_csv(out).to_dict(orient="records") if code == 0 else []
    return code, err, rows


def test_ris_with_one_space_before_the_dash_is_three_records(corpus, tmp_path, capsys):
    code, err, rows = ingest(corpus / "exports" / "ris_one_space.ris", tmp_path, capsys)
    assert code == 0
    assert [(r["title"], r["year"]) for r in rows] == [
        ("Mentoring after exit from extremist groups", "2019"),
        ("A school programme against radicalisation", "2021"),
        ("Families of foreign fighters", "2017"),
    ]
    assert "ris_one_space.ris:1: 14 tag line(s) with one space before the dash" in err


def test_a_forced_wrong_format_is_an_error_not_zero_records(corpus, tmp_path, capsys):
    path = corpus / "exports" / "ris_one_space.ris"
    code, err, _ = ingest(path, tmp_path, capsys, "--format", "bibtex")
    assert code == 2
    assert "ris_one_space.ris (field format): read as bibtex" in err
    assert "looks like ris" in err


def test_years_out_of_range_warn_and_full_width_digits_are_read(corpus, tmp_path, capsys):
    code, err, rows = ingest(corpus / "exports" / "ris_years_controls.ris", tmp_path, capsys)
    assert code == 0
    assert [r["year"] for r in rows] == ["", "2019", "2018"]
    assert "ris_years_controls.ris:1 (field year): year '99999' holds no year" in err


def test_control_and_bidi_characters_stay_out_of_the_tables(corpus, tmp_path, capsys):
    _, _, rows = ingest(corpus / "exports" / "ris_years_controls.ris", tmp_path, capsys)
    title, abstract = rows[2]["title"], rows[2]["abstract"]
    assert title == "Bell and escape [31mred[0m and right-to-left override here"
    assert abstract == "Isolate hidden text"
    text = (tmp_path / "records.csv").read_text("utf-8")
    for character in "\x07\x1b\u202e\u202c\u2066\u2069":
        assert character not in text
    # The entry as exported keeps them, written as JSON escapes.
    assert "\\u202e" in rows[2]["original"] and "\\u0007" in rows[2]["original"]


def test_a_doi_field_holding_a_pii_as_well_keeps_the_doi(corpus, tmp_path, capsys):
    code, _, rows = ingest(corpus / "exports" / "endnote_doi_pii.xml", tmp_path, capsys)
    assert code == 0
    assert [r["doi"] for r in rows] == [
        "10.1016/s0140-6736(20)30001-1",
        "10.1016/s0140-6736(20)30002-3",
    ]


def test_dutch_excel_csv_is_read_with_its_accents(corpus, tmp_path, capsys):
    code, err, rows = ingest(corpus / "exports" / "dutch_excel.csv", tmp_path, capsys)
    assert code == 0
    assert [r["title"] for r in rows] == [
        "Evaluatie van exitbegeleiding",
        "Re-integratie na detentie",
    ]
    assert rows[0]["abstract"] == "Cliënten en ketenpartners geïnterviewd"
    assert rows[1]["abstract"] == "Één evaluatie"
    assert rows[1]["authors"] == "van der Heide, L.; Schuurman, B."
    assert "dutch_excel.csv:2: not valid UTF-8" in err


def test_a_text_file_named_xlsx_is_read_by_its_content(corpus, tmp_path, capsys):
    code, _, rows = ingest(corpus / "exports" / "text_named.xlsx", tmp_path, capsys)
    assert code == 0
    assert [(r["title"], r["format"]) for r in rows] == [
        ("A study saved under the wrong name", "csv")
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.ris", "empty.ris: file is empty"),
        ("bom_only.csv", "bom_only.csv: file is empty"),
        ("not_an_export.pdf", "not_an_export.pdf: looks like a binary file"),
        ("endnote_truncated.xml", "endnote_truncated.xml:2: XML is broken here"),
    ],
)
def test_unreadable_exports_give_one_message(corpus, tmp_path, capsys, name, message):
    code, err, _ = ingest(corpus / "exports" / name, tmp_path, capsys)
    assert code == 2
    assert "slrflow ingest: error: " in err
    assert f"exports/{message}" in err


def test_an_unclosed_bibtex_entry_is_named(corpus, tmp_path, capsys):
    code, err, rows = ingest(corpus / "exports" / "bibtex_unclosed.bib", tmp_path, capsys)
    assert code == 0
    assert [r["title"] for r in rows] == ["Mentoring after exit"]
    assert "bibtex_unclosed.bib:6: BibTeX entry could not be read" in err


def test_a_workbook_whose_dimension_lies_is_read_whole(tmp_path, capsys):
    path = attacks.dimension_lie_xlsx(
        tmp_path / "export.xlsx", rows=545, declared="A1:B27", header=["title", "year"]
    )
    code, _, rows = ingest(path, tmp_path, capsys)
    assert code == 0
    assert len(rows) == 545
    assert rows[-1]["title"] == "title 544"


# --- attacks on time and memory, each in its own process -------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "largest", "message"),
    [
        # 5 KB claiming the whole grid: 17 billion cells (before: a hang and 16 GB)
        (attacks.far_cell_xlsx, "far.xlsx", 10_000,
         "far.xlsx (sheet 'Sheet'), row 1048576: 16,384 columns (up to column XFD)"),
        # a sheet that unpacks a thousand to one (before: 4.3 GB for a 4 MB file)
        (attacks.zip_bomb_xlsx, "bomb.xlsx", 1_000_000,
         "bomb.xlsx: workbook part xl/worksheets/sheet1.xml unpacks from"),
        # 100,000 empty header cells (before: 92 s of quadratic header naming)
        (attacks.wide_header_csv, "wide.csv", 300_000,
         "wide.csv:1: 100,001 cells in this row, more than the 2,000 columns"),
    ],
)  # fmt: skip
def test_attacks_on_time_and_memory_are_refused_quickly(tmp_path, make, name, largest, message):
    path = make(tmp_path / name)
    assert path.stat().st_size < largest
    code, err = attacks.run_bounded(
        ["ingest", str(path), "-o", str(tmp_path / "out.csv")], seconds=SECONDS, megabytes=MEGABYTES
    )
    assert code == 2
    assert message in err


def test_endnote_xml_nested_1000_deep_is_refused(tmp_path, capsys):
    path = attacks.nested_endnote_xml(tmp_path / "deep.xml")
    code, err, _ = ingest(path, tmp_path, capsys)
    assert code == 2
    assert "deep.xml:1: elements nested more than 100 deep" in err


def test_a_header_of_many_blank_cells_is_named_in_linear_time():
    from slrflow.ingest.csv import unique_header

    header = unique_header([""] * 50_000 + ["title", "title"])
    assert header[:2] == ["column 1", "column 2"]
    assert header[-2:] == ["title", "title (2)"]
