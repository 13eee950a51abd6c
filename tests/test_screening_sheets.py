"""Screening sheets: dropdowns, criteria sheet, highlighting, and a filled sheet read back."""

from __future__ import annotations

import json
import shutil

import openpyxl
from openpyxl.cell.rich_text import CellRichText

from screening_review import CRITERIA, POLICY, screen_args, write_decisions, write_run
from slrflow.cli import main
from slrflow.tables import read_csv

HEADER = "record_id,decision,criteria,note,date\n"


def build(tmp_path, review):
    run = write_run(tmp_path)
    out = tmp_path / "out"
    assert main(screen_args(run, review, out)) == 0
    sheets = tmp_path / "sheets"
    args = ["screening-sheets", "--status", str(out / "status.csv"),
            "--references", str(run["references"]), "--policy", json.dumps(POLICY),
            "--criteria", str(CRITERIA), "-o", str(sheets)]  # fmt: skip
    assert main(args) == 0
    return run, sheets


def test_sheet_lists_what_each_reviewer_still_owes(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", HEADER + "s1-exit,include,,,2026-01-10")
    _, sheets = build(tmp_path, review)
    for stage in ("title_abstract", "retrieval", "full_text"):
        for reviewer in ("anouk", "bram"):
            assert (sheets / stage / f"{reviewer}.xlsx").is_file()
    anouk = openpyxl.load_workbook(sheets / "title_abstract" / "anouk.xlsx")["Screening"]
    bram = openpyxl.load_workbook(sheets / "title_abstract" / "bram.xlsx")["Screening"]
    ids_a = {anouk.cell(row=r, column=1).value for r in range(2, anouk.max_row + 1)}
    ids_b = {bram.cell(row=r, column=1).value for r in range(2, bram.max_row + 1)}
    # 4 references reach screening (8 records - 1 duplicate - 3 automation); two reviewers each.
    assert ids_b == {"s1-exit", "s1-school", "s1-theory", "s2-family"}
    assert ids_a == {"s1-school", "s1-theory", "s2-family"}  # s1-exit already judged


def test_sheet_has_dropdowns_criteria_sheet_links_and_highlighting(tmp_path):
    _, sheets = build(tmp_path, tmp_path / "review")
    wb = openpyxl.load_workbook(sheets / "title_abstract" / "bram.xlsx", rich_text=True)
    assert wb.sheetnames == ["Screening", "Criteria", "Instructions"]
    ws = wb["Screening"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["record_id", "decision", "criteria", "note", "date"]
    assert {"title", "authors", "year", "journal", "abstract", "doi", "rank_terms"} <= set(header)
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    decision = next(dv for ref, dv in validations.items() if ref.startswith("B2"))
    assert decision.formula1 == '"include,exclude,maybe"'
    crit = next(dv for ref, dv in validations.items() if ref.startswith("C2"))
    assert crit.formula1 == "Criteria!$A$2:$A$8"  # C1-C4 + 3 reasons allowed at title/abstract
    criteria = wb["Criteria"]
    ids = [criteria.cell(row=r, column=1).value for r in range(2, criteria.max_row + 1)]
    assert ids == ["C1", "C2", "C3", "C4", "duplicate", "wrong_language", "retracted"]
    assert "primaire" in criteria.cell(row=2, column=6).value.lower()
    # DOI linked; key terms highlighted as rich text
    doi_col = header.index("doi") + 1
    title_col = header.index("title") + 1
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    exit_row = rows["s1-exit"]
    assert ws.cell(row=exit_row, column=doi_col).hyperlink.target == "https://doi.org/10.1000/exit"
    title = ws.cell(row=exit_row, column=title_col).value
    assert isinstance(title, CellRichText)
    bold = [str(part.text) for part in title if hasattr(part, "font")]
    assert bold == ["Evaluation", "exit programme", "extremists"]
    retrieval = openpyxl.load_workbook(sheets / "retrieval" / "bram.xlsx")["Screening"]
    assert any(
        dv.formula1 == '"retrieved,not_retrieved"'
        for dv in retrieval.data_validations.dataValidation
    )


def test_formula_text_is_neutralised(tmp_path):
    run = write_run(tmp_path)
    refs = read_csv(run["references"])
    refs.loc[refs["reference_id"] == "s1-exit", "authors"] = '=HYPERLINK("http://x")'
    refs.to_csv(run["references"], index=False)
    out = tmp_path / "out"
    assert main(screen_args(run, tmp_path / "review", out)) == 0
    args = ["screening-sheets", "--status", str(out / "status.csv"),
            "--references", str(run["references"]), "--policy", json.dumps(POLICY),
            "--criteria", str(CRITERIA), "-o", str(tmp_path / "sheets")]  # fmt: skip
    assert main(args) == 0
    ws = openpyxl.load_workbook(tmp_path / "sheets" / "title_abstract" / "anouk.xlsx")["Screening"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)


def test_sheets_are_byte_stable(tmp_path):
    _, first = build(tmp_path / "a", tmp_path / "review")
    _, second = build(tmp_path / "b", tmp_path / "review")
    for path in first.rglob("*.xlsx"):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()


def test_filled_sheet_is_a_decision_file(tmp_path):
    review = tmp_path / "review"
    run, sheets = build(tmp_path, review)
    wb = openpyxl.load_workbook(sheets / "title_abstract" / "bram.xlsx")
    ws = wb["Screening"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header}
    answers = {"s1-exit": ("include", None), "s1-theory": ("exclude", "C1; C2")}
    import datetime as dt

    for r in range(2, ws.max_row + 1):
        ref = ws.cell(row=r, column=1).value
        if ref in answers:
            decision, criteria = answers[ref]
            ws.cell(row=r, column=col["decision"], value=decision)
            ws.cell(row=r, column=col["criteria"], value=criteria)
            ws.cell(row=r, column=col["date"], value=dt.datetime(2026, 3, 14))  # a date cell
    # a reviewer moving a column around must not matter
    ws.move_range(f"D1:D{ws.max_row}", cols=20)
    target = review / "screening" / "title_abstract" / "bram.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    out = tmp_path / "out2"
    assert main(screen_args(run, review, out)) == 0
    log = read_csv(out / "log.csv")
    mine = log[log["source"] == "reviewer"].set_index("record_id")
    assert set(mine.index) == {"s1-exit", "s1-theory"}
    assert mine.loc["s1-theory", "criteria"] == "C1; C2"
    assert mine.loc["s1-exit", "date"] == "2026-03-14"
    assert set(mine["reviewer"]) == {"bram"}
    shutil.rmtree(out)


def test_a_sheet_lists_at_most_sheet_size_references_first_priority_first(tmp_path):
    run = write_run(tmp_path)
    out = tmp_path / "out"
    assert main(screen_args(run, tmp_path / "review", out)) == 0
    policy = dict(POLICY, sheet_size=2)
    args = ["screening-sheets", "--status", str(out / "status.csv"),
            "--references", str(run["references"]), "--policy", json.dumps(policy),
            "--criteria", str(CRITERIA), "-o", str(tmp_path / "sheets")]  # fmt: skip
    assert main(args) == 0
    wb = openpyxl.load_workbook(tmp_path / "sheets" / "title_abstract" / "bram.xlsx")
    ws = wb["Screening"]
    # bram owes 4 references at title/abstract: the sheet holds the first 2 by priority
    assert ws.max_row == 3
    priority = [c.value for c in ws[1]].index("priority") + 1
    assert [ws.cell(row=r, column=priority).value for r in (2, 3)] == [1, 2]
    assert "2 more wait for you" in wb["Instructions"]["A1"].value


def test_rank_terms_of_a_worklist_are_the_rankers_terms_for_each_reference():
    import pandas as pd

    from slrflow.screening import rank
    from slrflow.screening.worklists import priority_order

    topics = [
        "tax accounting for small firms",
        "soil erosion in river basins",
        "mentoring young people at risk of radicalisation and violent extremism",
        "bridge corrosion under salt spray",
        "deradicalisation programme for young offenders with mental health problems",
        "crop yields under drought",
    ]
    references = pd.DataFrame(
        {
            "reference_id": [f"r{k}" for k in range(len(topics))],
            "title": topics,
            "abstract": [f"A study of {t}." for t in topics],
        }
    )
    status = pd.DataFrame(
        {
            "reference_id": references["reference_id"],
            "stage": "title_abstract",
            "status": "pending",
            "awaiting": "anouk",
        }
    )
    waiting = references["reference_id"].tolist()
    order, terms = priority_order(
        "title_abstract", waiting, references, status, ranking=None, criteria_file=CRITERIA
    )
    ranked = rank.rank(references, {}, criteria_text=rank.load_criteria_text(CRITERIA))
    assert order == ranked["reference_id"].tolist()
    assert order[:2] != ["r0", "r1"]  # the criteria's terms put other references first
    assert [terms.get(ref, "") for ref in order] == ranked["top_terms"].tolist()
    assert terms.get("not-waiting", "") == ""
