"""Screening safeguards: every problem at once, ids in any case, lost decisions, progress per
reviewer, the conflict sheet, included.ris/.bib, automation on values of the wrong kind.

The review of :mod:`screening_review`: after automation (s1-old 1995, s1-errat Erratum,
s2-german German) four references reach title/abstract: s1-exit, s1-school, s1-theory,
s2-family; title/abstract and full text need two reviewers, retrieval one.
"""

from __future__ import annotations

import bibtexparser
import pandas as pd
import rispy
from openpyxl import load_workbook

from screening_review import CRITERIA, POLICY, RECORDS, screen_args, write_decisions, write_run
from slrflow.cli import main
from slrflow.screening import automation, ledger
from slrflow.screening.included import STAGE_TAGS, write_included
from slrflow.screening.policy import parse_policy
from slrflow.screening.sheets import build_sheet
from slrflow.screening.status import StageStatus
from slrflow.tables import read_csv

HEADER = "record_id,decision,criteria,note,date\n"
TA = "title_abstract"


def screen(tmp_path, review, *extra):
    run = write_run(tmp_path)
    out = tmp_path / "out"
    return main(screen_args(run, review, out) + list(extra)), out


def test_criterion_ids_and_decisions_in_any_case(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, TA, "anouk.csv", HEADER + "s1-theory,Exclude,c3; c1,,\n")
    code, out = screen(tmp_path, review)
    assert code == 0
    log = read_csv(out / "log.csv")
    row = log[log["record_id"] == "s1-theory"].iloc[0]
    # written "c3; c1": stored as the criteria's own ids, in criteria.yaml order
    assert (row["decision"], row["criteria"]) == ("exclude", "C1; C3")


def test_exclusion_naming_several_criteria_counts_under_the_first(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, TA, "anouk.csv", HEADER + "s1-theory,exclude,C3; C1,,\n")
    write_decisions(review, TA, "bram.csv", HEADER + "s1-theory,exclude,C4,,\n")
    code, out = screen(tmp_path, review)
    assert code == 0
    boxes = read_csv(out / "boxes.csv").set_index("record_id")
    # the agreed exclusion names C1, C3 and C4; PRISMA counts it once, under C1
    assert boxes.at["s1-theory", "reason"] == "C1"
    assert boxes.at["s1-theory", "reasons"] == "C1; C3; C4"


def test_every_problem_of_every_file_in_one_run(tmp_path, capsys):
    review = tmp_path / "review"
    write_decisions(review, TA, "anouk.csv", HEADER + "s1-exit,include,,,\ns1-nope,include,,,\n")
    write_decisions(review, TA, "bram.csv", HEADER + "s1-exit,exclude,C9,,\n")
    (review / "screening" / "resolutions.csv").write_text(
        "record_id,stage,decision,criteria,resolved_by,date,note\n"
        "s1-school,title_abstract,include,,carla,2026-01-05,\n",
        "utf-8",
    )
    code, _ = screen(tmp_path, review)
    assert code == 2
    err = capsys.readouterr().err
    assert "anouk.csv, row 3, field record_id: 's1-nope'" in err
    assert "bram.csv, row 2, field criteria: 'C9'" in err
    assert "resolutions.csv, row 2, field resolved_by: 'carla'" in err


def test_log_names_files_relative_to_the_review(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, TA, "anouk.csv", HEADER + "s1-exit,include,,,\n")
    code, out = screen(tmp_path, review)
    assert code == 0
    assert set(read_csv(out / "log.csv")["file"]) == {
        "screening/title_abstract/anouk.csv",
        "config screening.automation",
    }


# -- a decision file that shrinks ------------------------------------------------------------


def test_a_shrunken_decision_file_stops_the_run_naming_the_lost_decisions(tmp_path, capsys):
    review = tmp_path / "review"
    kept = tmp_path / "decisions_read.csv"
    three = "s1-exit,include,,,\ns1-school,exclude,C2,,2026-01-03\ns1-theory,include,,,\n"
    write_decisions(review, TA, "maria.csv", HEADER + three)
    policy = dict(POLICY, reviewers=["anouk", "bram", "maria"])
    run = write_run(tmp_path)
    args = screen_args(run, review, tmp_path / "out", policy) + ["--ledger", str(kept)]
    assert main(args) == 0
    assert len(read_csv(kept)) == 3
    # the next batch saved over the first: one decision left
    write_decisions(review, TA, "maria.csv", HEADER + "s2-family,include,,,\ns1-exit,exclude,C1,,")
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "decisions lost since the previous run" in err
    assert "2 decision(s) read from screening/title_abstract/maria.csv" in err
    assert "maria.csv: row 3 s1-school exclude (C2), row 4 s1-theory include." in err
    assert "s1-exit" not in err.split("maria, stage")[1].split("To restore")[0]  # changed only
    restore = tmp_path / "out" / "restore" / TA / "maria-restored.csv"
    assert str(restore) in err
    rows = read_csv(restore)
    assert rows.to_dict(orient="records") == [
        {"record_id": "s1-school", "decision": "exclude", "criteria": "C2", "note": "",
         "date": "2026-01-03"},
        {"record_id": "s1-theory", "decision": "include", "criteria": "", "note": "",
         "date": ""},
    ]  # fmt: skip
    # the ledger is not rewritten by the stopped run
    assert len(read_csv(kept)) == 3
    # copying the restore file back into the review folder settles it
    (review / "screening" / TA / "maria-restored.csv").write_bytes(restore.read_bytes())
    assert main(args) == 0
    assert len(read_csv(kept)) == 4
    assert not restore.exists()  # settled: no stale restore file left behind


def test_decisions_moved_to_another_batch_file_are_not_lost(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, TA, "anouk.csv", HEADER + "s1-exit,include,,,\ns1-school,include,,,\n")
    run = write_run(tmp_path)
    kept = tmp_path / "decisions_read.csv"
    args = screen_args(run, review, tmp_path / "out") + ["--ledger", str(kept)]
    assert main(args) == 0
    (review / "screening" / TA / "anouk.csv").unlink()
    write_decisions(review, TA, "anouk-1.csv", HEADER + "s1-school,include,,,\n")
    write_decisions(review, TA, "anouk-2.csv", HEADER + "s1-exit,include,,,\n")
    assert main(args) == 0
    assert set(read_csv(kept)["file"]) == {
        "screening/title_abstract/anouk-1.csv",
        "screening/title_abstract/anouk-2.csv",
    }


def test_lost_decisions_by_hand():
    previous = pd.DataFrame(
        [("title_abstract", "anouk", "a.csv", "2", "r1", "r1", "include", "", "", ""),
         ("title_abstract", "anouk", "a.csv", "3", "r2", "r2", "include", "", "", ""),
         ("full_text", "anouk", "f.csv", "2", "r1", "r1", "include", "", "", "")],
        columns=ledger.COLUMNS,
    )  # fmt: skip
    lost = ledger.lost_decisions(previous, [])
    assert len(lost) == 3
    assert ledger.lost_decisions(previous.iloc[:0], []).empty


# -- progress per reviewer -------------------------------------------------------------------


def test_progress_per_reviewer(tmp_path, capsys):
    review = tmp_path / "review"
    write_decisions(
        review, TA, "anouk.csv",
        HEADER + "s1-exit,include,,,\ns1-school,include,,,\ns1-theory,exclude,C1,,\n",
    )  # fmt: skip
    write_decisions(review, TA, "bram.csv", HEADER + "s1-exit,include,,,\ns1-school,exclude,C2,,")
    code, out = screen(tmp_path, review)
    assert code == 0
    progress = read_csv(out / "progress.csv")
    ta = progress[progress["stage"] == TA].set_index("reviewer")
    # anouk judged 3; s2-family still needs both reviewers, s1-theory still needs bram
    assert ta.loc["anouk", ["done", "to_do", "conflicts"]].tolist() == ["3", "1", "1"]
    assert ta.loc["bram", ["done", "to_do", "conflicts"]].tolist() == ["2", "2", "1"]
    # s1-exit passed title/abstract: one reviewer is to record its retrieval
    rt = progress[progress["stage"] == "retrieval"]
    assert sorted(rt["to_do"].astype(int)) == [0, 1]
    shown = capsys.readouterr()
    # on stdout (the console, when the workflow sends stderr to the log) and in the log
    for text in (shown.out, shown.err):
        assert "screening progress per reviewer" in text
        assert any(line.split()[:5] == ["title_abstract", "anouk", "3", "1", "1"]
                   for line in text.splitlines())  # fmt: skip


# -- the conflict sheet ----------------------------------------------------------------------


def test_conflict_sheet_saved_as_resolutions_is_read_as_it_stands(tmp_path):
    review = tmp_path / "review"
    write_decisions(
        review, TA, "anouk.csv",
        HEADER + "s1-exit,include,,,\ns1-school,include,,,\ns1-theory,exclude,C1,,\n",
    )  # fmt: skip
    write_decisions(
        review, TA, "bram.csv",
        HEADER + "s1-exit,include,,,\ns1-school,exclude,C2,,\ns1-theory,include,,,\n",
    )  # fmt: skip
    run = write_run(tmp_path)
    out = tmp_path / "out"
    assert main(screen_args(run, review, out)) == 0
    sheets = out / "sheets"
    assert main([
        "screening-sheets", "--status", str(out / "status.csv"),
        "--references", str(run["references"]), "--policy", __import__("json").dumps(POLICY),
        "--criteria", str(CRITERIA), "-o", str(sheets),
    ]) == 0  # fmt: skip
    path = sheets / TA / "resolutions.xlsx"
    wb = load_workbook(path)
    ws = wb["Conflicts"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in ws.iter_rows(2)]
    assert [r["record_id"] for r in rows] == ["s1-school", "s1-theory"]
    assert rows[0]["stage"] == TA
    assert rows[0]["votes"] == "anouk: include; bram: exclude (C2)"
    assert rows[0]["title"] == "Resilience training against radicalisation in schools"
    # dropdowns for the decision and the resolver
    formulas = {str(dv.sqref).split(":")[0][0]: dv.formula1
                for dv in ws.data_validations.dataValidation}  # fmt: skip
    assert formulas[chr(ord("A") + header.index("decision"))] == '"include,exclude,maybe"'
    assert formulas[chr(ord("A") + header.index("resolved_by"))] == '"anouk,bram"'
    # settle one conflict in the sheet, leave the other open, save it into the review folder
    ws.cell(row=2, column=header.index("decision") + 1, value="include")
    ws.cell(row=2, column=header.index("resolved_by") + 1, value="anouk; bram")
    ws.cell(row=2, column=header.index("date") + 1, value="2026-02-01")
    wb.save(review / "screening" / "resolutions.xlsx")
    assert main(screen_args(run, review, out)) == 0
    status = read_csv(out / "status.csv")
    ta = status[status["stage"] == TA].set_index("reference_id")
    assert (ta.at["s1-school", "status"], ta.at["s1-school", "decided_by"]) == (
        "include", "resolution"
    )  # fmt: skip
    assert ta.at["s1-theory", "status"] == "conflict"  # its row was left empty
    assert ta.at["s1-school", "resolution_file"] == "screening/resolutions.xlsx"


def test_every_stage_gets_a_conflict_sheet_even_without_conflicts(tmp_path):
    review = tmp_path / "review"
    run = write_run(tmp_path)
    out = tmp_path / "out"
    assert main(screen_args(run, review, out)) == 0
    assert main([
        "screening-sheets", "--status", str(out / "status.csv"),
        "--references", str(run["references"]), "--policy", __import__("json").dumps(POLICY),
        "--criteria", str(CRITERIA), "-o", str(out / "sheets"),
    ]) == 0  # fmt: skip
    for stage in ("title_abstract", "retrieval", "full_text"):
        ws = load_workbook(out / "sheets" / stage / "resolutions.xlsx")["Conflicts"]
        assert ws.max_row == 1  # the header only


def test_screening_sheet_never_suggests_saving_over_an_earlier_file():
    from slrflow.screening.criteria import load_criteria

    wb = build_sheet([], stage=TA, reviewer="maria", criteria=load_criteria(CRITERIA))
    text = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row)
    assert "screening/title_abstract/maria-<batch>.xlsx" in text
    assert "screening/title_abstract/maria.xlsx" not in text
    assert "Never save over an earlier decision file" in text


# -- included.ris and included.bib -----------------------------------------------------------


def _status(ref, *passed):
    stages = ("title_abstract", "retrieval", "full_text")
    done = {"title_abstract": "include", "retrieval": "retrieved", "full_text": "include"}
    out = {}
    for i, stage in enumerate(stages):
        if i < len(passed):
            out[(ref, stage)] = StageStatus(ref, stage, passed[i])
        else:
            out[(ref, stage)] = StageStatus(ref, stage, "pending" if i == len(passed) else
                                            "not_reached")  # fmt: skip
    assert all(p in done.values() or p in ("exclude", "not_retrieved") for p in passed)
    return out


def test_included_ris_and_bib_are_valid_and_neutralised(tmp_path):
    references = pd.DataFrame(
        [
            {"reference_id": "r1", "title": "Exit work\nER  - \nTY  - JOUR", "authors":
             "Doe, J.; Roe, K.", "year": "2020", "journal": "J {Crim", "doi": "10.1/a",
             "abstract": "Line one\r\nline two", "doc_type": "Article"},
            {"reference_id": "r2", "title": "Mentoring", "authors": "Poe, E.", "year": "2019",
             "journal": "Book of methods", "doi": "", "abstract": "", "doc_type": "Book Chapter"},
            {"reference_id": "r3", "title": "Excluded at full text", "authors": "", "year": "",
             "journal": "", "doi": "", "abstract": "", "doc_type": ""},
            {"reference_id": "r4", "title": "Not past title/abstract", "authors": "",
             "year": "", "journal": "", "doi": "", "abstract": "", "doc_type": ""},
        ]
    )  # fmt: skip
    status = (
        _status("r1", "include", "retrieved", "include")
        | _status("r2", "include")
        | _status("r3", "include", "retrieved", "exclude")
        | _status("r4")
    )
    policy = parse_policy(POLICY)
    ris, bib = tmp_path / "included.ris", tmp_path / "included.bib"
    assert write_included(references, status, policy, ris=ris, bib=bib) == 2
    entries = rispy.loads(ris.read_text("utf-8"))
    assert [e["id"] for e in entries] == ["r1", "r2"]
    assert entries[0]["title"] == "Exit work ER - TY - JOUR"  # one line: no injected tags
    assert entries[0]["authors"] == ["Doe, J.", "Roe, K."]
    assert entries[0]["keywords"] == [STAGE_TAGS["full_text"]]
    assert entries[1]["keywords"] == [STAGE_TAGS["title_abstract"]]
    assert entries[1]["type_of_reference"] == "CHAP"
    library = bibtexparser.parse_string(bib.read_text("utf-8"))
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == ["r1", "r2"]
    first = library.entries[0]
    assert first.fields_dict["journal"].value == "{J (Crim}"  # the lone brace made harmless
    assert first.fields_dict["author"].value == "{Doe, J. and Roe, K.}"
    assert library.entries[1].entry_type == "incollection"
    # same input, same bytes
    before = (ris.read_bytes(), bib.read_bytes())
    write_included(references, status, policy, ris=ris, bib=bib)
    assert (ris.read_bytes(), bib.read_bytes()) == before


def test_screen_writes_included_files(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, TA, "anouk.csv", HEADER + "s1-exit,include,,,\n")
    write_decisions(review, TA, "bram.csv", HEADER + "s1-exit,Include,,,\n")
    code, out = screen(tmp_path, review)
    assert code == 0
    [entry] = rispy.loads((out / "included.ris").read_text("utf-8"))
    assert entry["id"] == "s1-exit" and entry["doi"] == "10.1000/exit"
    # the abstract is read from references.csv for the included references only
    assert entry["abstract"] == "An intervention study on extremism."


# -- automation judges only values of its kind ------------------------------------------------


def test_language_rule_leaves_values_that_are_no_language(tmp_path, capsys):
    records = [r for r in RECORDS if r[0] != "s2-german"] + [
        ("s2-german", "s2", "Deradikalisierung in Haft", "2017", "", "Journal Article",
         "Deutsch"),
        ("s2-shift", "s2", "A shifted row", "2018", "", "Journal Article", "35064163"),
        ("s2-fr", "s2", "Radicalisation en prison", "2018", "", "Journal Article", "fre"),
    ]  # fmt: skip
    run = write_run(tmp_path, records=records, clusters={r[0]: r[0] for r in records}
                    | {"s2-dup": "s1-exit"})  # fmt: skip
    out = tmp_path / "out"
    assert main(screen_args(run, tmp_path / "review", out)) == 0
    status = read_csv(out / "status.csv")
    ta = status[status["stage"] == TA].set_index("reference_id")
    assert ta.at["s2-german", "status"] == "automation"  # German, in its own language
    assert ta.at["s2-fr", "status"] == "automation"  # an ISO 639-2 code
    assert ta.at["s2-shift", "status"] == "pending"  # left for people...
    err = capsys.readouterr().err
    # ...with a warning naming the rule, the reference and the value
    assert "automation rule language: 1 reference(s) left for people" in err
    assert "s2-shift (language '35064163')" in err


def test_rules_by_hand():
    years = {"name": "y", "years": {"min": 2000}}
    types = {"name": "t", "document_types": ["erratum"]}
    langs = {"name": "l", "languages": ["english"]}
    assert automation.unexpected(years, {"year": "n.d."}) == "year 'n.d.'"
    assert automation.unexpected(years, {"year": "1995"}) is None
    assert automation.unexpected(years, {"year": ""}) is None
    assert automation.unexpected(types, {"doc_type": "35064163"}) == "document type '35064163'"
    assert automation.unexpected(types, {"doc_type": "Erratum"}) is None
    assert automation.unexpected(langs, {"language": "English; 2-s2.0-1"}) is None  # kept
    assert automation.unexpected(langs, {"language": "Spanish"}) is None
    assert automation.unexpected(langs, {"language": "Scopus"}) == "language 'Scopus'"


# -- every file a person wrote, checked at once ------------------------------------------------


def test_check_inputs_reports_every_file_in_one_run(tmp_path, capsys):
    import json

    review = tmp_path / "review"
    review.mkdir()
    (review / "dedup_decisions.csv").write_text(
        "record_id_a,record_id_b,verdict,reviewer\na1,b1,maybe,anouk\n", "utf-8"
    )
    write_decisions(review, TA, "anouk.csv", HEADER + "s1-exit,exclude,C9,,\n")
    write_decisions(review, "full_text", "bram.csv", HEADER + "s1-exit,perhaps,,,\n")
    (review / "screening" / "resolutions.csv").write_text(
        "record_id,stage,decision,criteria,resolved_by,date,note\n"
        "s1-exit,title_abstract,include,,carla,2026-13-01,\n",
        "utf-8",
    )
    args = ["check-inputs", "--review", str(review), "--policy", json.dumps(POLICY),
            "--criteria", str(CRITERIA), "--out", str(tmp_path / "inputs.csv")]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "dedup_decisions.csv, row 2, field verdict: 'maybe' is not one of" in err
    assert "anouk.csv, row 2, field criteria: 'C9'" in err
    assert "bram.csv, row 2, field decision: 'perhaps'" in err
    assert "resolutions.csv, row 2, field resolved_by: 'carla'" in err
    assert "resolutions.csv, row 2, field date" in err
    assert not (tmp_path / "inputs.csv").exists()
    # fixed, the files are listed as checked; record ids are left to the stages
    (review / "dedup_decisions.csv").write_text(
        "record_id_a,record_id_b,verdict,reviewer\na1,b1,same,anouk\n", "utf-8"
    )
    write_decisions(review, TA, "anouk.csv", HEADER + "s1-exit,exclude,c4,,\n")
    write_decisions(review, "full_text", "bram.csv", HEADER + "no-such-record,include,,,\n")
    (review / "screening" / "resolutions.csv").unlink()
    assert main(args) == 0
    checked = read_csv(tmp_path / "inputs.csv")
    assert checked["file"].tolist() == [
        "dedup_decisions.csv", "screening/full_text/bram.csv", "screening/title_abstract/anouk.csv"
    ]  # fmt: skip
