"""The Toolkit SLO Interventies workbook against the hand-written coded fixture."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from slrflow import tables
from slrflow.coding.codebook import load as load_codebook
from slrflow.toolkit import coded, slo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(ROOT / "config" / "codebook.yaml")


@pytest.fixture(scope="module")
def built(tmp_path_factory, codebook, fixtures):
    folder = fixtures / "toolkit"
    items = coded.read(folder / "coded_long.csv")
    refs = tables.read_csv(folder / "references.csv")
    out = tmp_path_factory.mktemp("slo") / "Toolkit SLO Interventies.xlsx"
    sheets = slo.sheets(items, codebook, references=refs)
    twins = slo.write(sheets, out)
    return out, twins, items


def _rows(ws):
    header = [c.value for c in ws[1]]
    return header, [
        dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)
    ]


def test_one_row_per_intervention_sorted_by_name(built):
    path, _, _ = built
    ws = openpyxl.load_workbook(path)["interventions"]
    header, rows = _rows(ws)
    assert [r["Intervention"] for r in rows] == [
        "Being Muslim Being British",
        "Diamant resilience training",
        "Radicalise",
    ]
    for column in (
        "Country",
        "Target group",
        "Prevention level",
        "Phase",
        "Working elements: cognitive",
        "Working elements: societal",
        "Barriers",
        "Recommended features present",
        "Delivered by",
        "Duration and dose",
        "Evaluation design",
        "Evidence level (Maryland SMS)",
        "Outcomes",
        "Direction of effect",
        "References",
        "DOI",
    ):
        assert column in header
    assert "_doi_url" not in header  # the link column becomes a hyperlink, not a column


def test_values_follow_the_coded_fixture(built):
    path, _, _ = built
    _, rows = _rows(openpyxl.load_workbook(path)["interventions"])
    bmbb, diamant, radicalise = rows
    # The consensus (quasi_experimental) wins over coder_a's pre_post.
    assert bmbb["Evaluation design"] == "Quasi-experimental"
    assert bmbb["Prevention level"] == "Universal; Selective"
    assert bmbb["Working elements: cognitive"] == (
        "Integrative complexity / value pluralism; Critical thinking"
    )
    assert bmbb["Barriers"] == "Short duration"
    assert bmbb["Country"] == "United Kingdom"
    assert bmbb["Reports"] == 2
    # critical_thinking answered "no" for Diamant is not listed.
    assert diamant["Working elements: cognitive"] in (None, "")
    assert diamant["Working elements: psychosocial"] == "Empathy; Self-confidence"
    assert diamant["Duration and dose"] == "3 modules over 3 months, groups of about 15"
    assert radicalise["Evidence level (Maryland SMS)"] == "Level 5"
    assert radicalise["Evaluation design"] == "Randomised controlled trial"


def test_references_with_doi_links(built):
    path, _, _ = built
    wb = openpyxl.load_workbook(path)
    ws = wb["interventions"]
    header = [c.value for c in ws[1]]
    doi = ws.cell(row=2, column=header.index("DOI") + 1)
    assert doi.value == "10.5038/1944-0472.6.4.3"
    assert doi.hyperlink.target == "https://doi.org/10.5038/1944-0472.6.4.3"
    refs = ws.cell(row=2, column=header.index("References") + 1).value.split("\n")
    assert refs[0].startswith("Liht J; Savage S (2013). Being Muslim Being British")
    assert refs[1].startswith("Savage S; Liht J; Williams R et al. (2014).")  # 4 authors -> et al.
    _, ref_rows = _rows(wb["references"])
    assert [r["Report id"] for r in ref_rows] == ["REF-B", "REF-A", "REF-D", "REF-C"]
    assert ref_rows[0]["Interventions"] == "Diamant resilience training"


def test_formula_starts_arrive_as_text(built):
    path, twins, _ = built
    ws = openpyxl.load_workbook(path)["interventions"]
    values = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value}
    for text in (
        '\'=HYPERLINK("http://evil.example")',
        "'+young Muslims (mean age 19.5)",
        "'@trained facilitators",
        "'-integrative complexity up",
    ):
        assert values.get(text) == "s", text
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)
    raw = Path(next(t for t in twins if t.name == "slo_interventions.csv")).read_text()
    assert "'=HYPERLINK" in raw and ",=HYPERLINK" not in raw


def test_layout_frozen_filtered_wrapped(built):
    path, _, _ = built
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["interventions", "references", "codebook", "summary", "method"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws["A2"].alignment.wrap_text
        assert 8 <= ws.column_dimensions["A"].width <= 60


def test_summary_counts(built):
    path, _, _ = built
    _, rows = _rows(openpyxl.load_workbook(path)["summary"])
    got = {(r["dimension"] or "", r["code"] or ""): r["interventions"] for r in rows}
    assert got[("", "")] in (3, 4)  # first two rows: interventions, reports
    assert rows[0]["interventions"] == 3 and rows[1]["interventions"] == 4
    assert got[("country", "uk")] == 2 and got[("country", "nl")] == 1
    assert got[("we_cognitive", "(any)")] == 2
    assert got[("maryland", "sms2")] == 2


def test_csv_twin_of_each_sheet(built):
    _, twins, _ = built
    assert sorted(t.name for t in twins) == sorted(
        f"slo_{s}.csv" for s in ("interventions", "references", "codebook", "summary", "method")
    )
    frame = tables.read_csv(next(t for t in twins if t.name == "slo_interventions.csv"))
    assert len(frame) == 3 and frame.loc[1, "Outcomes"] == '=HYPERLINK("http://evil.example")'


def test_two_writes_are_byte_identical(tmp_path, codebook, fixtures):
    items = coded.read(fixtures / "toolkit" / "coded_long.csv")
    sheets = slo.sheets(items, codebook)
    slo.write(sheets, tmp_path / "a.xlsx")
    slo.write(sheets, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_only_final_rows_when_the_coding_stage_marks_them(tmp_path):
    path = tmp_path / "coded_long.csv"
    path.write_text(
        "intervention_id,intervention,dimension,code,value,coder,report\n"
        "S1,Aarhus model,design,qualitative,Qualitative,anouk,R1\n"
        "S1,Aarhus model,design,mixed,Mixed methods,bram,R1\n"
        "S1,Aarhus model,design,mixed,Mixed methods,final,R1\n"
    )
    wide = tmp_path / "coded_wide.csv"
    wide.write_text("intervention_id,intervention,reports\nS1,Aarhus model,R1; R2\nS2,PRISM,R3\n")
    items = coded.read(path, wide=wide)
    assert [(i.name, i.get("design"), i.reports) for i in items] == [
        ("Aarhus model", ["mixed"], ["R1", "R2"]),
        ("PRISM", [], ["R3"]),  # not yet coded: listed, not dropped
    ]


def test_unreadable_coded_table_names_the_file(tmp_path):
    bad = tmp_path / "coded_long.csv"
    bad.write_text("study,what\nS1,x\n")
    with pytest.raises(coded.CodedError, match="coded_long.csv: expected columns"):
        coded.read(bad)


def test_an_empty_intervention_id_names_its_row_in_the_file():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "intervention_id": ["I1", "I1", ""],
            "intervention": ["Exit", "Exit", "Exit"],
            "dimension": ["design", "design", "design"],
            "code": ["rct", "rct", "rct"],
            "value": ["yes", "yes", "yes"],
            "coder": ["anouk", "final", "final"],
        }
    )
    # the coders' rows are left out once final rows exist; the bad row is still row 4
    with pytest.raises(coded.CodedError, match=r"coded_long.csv, row 4, field intervention_id"):
        coded.from_frame(frame, file="coded_long.csv")
