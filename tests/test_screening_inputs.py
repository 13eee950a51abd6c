"""Bad screening input: each case gives one clear message with file, row and what to do."""

from __future__ import annotations

import pytest

from screening_review import screen_args, write_decisions, write_run
from slrflow.cli import main

HEADER = "record_id,decision,criteria,note,date\n"


def run_error(tmp_path, capsys, files: dict[str, str]) -> str:
    """Write the decision files (``stage/name`` -> CSV text), run, return the error message."""
    review = tmp_path / "review"
    for where, text in files.items():
        stage, name = where.split("/")
        write_decisions(review, stage, name, text)
    run = write_run(tmp_path)
    code = main(screen_args(run, review, tmp_path / "out"))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


def test_unknown_record(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": HEADER + "s1-exit,include,,,2026-01-10\n"
            "s1-nothere,include,,,2026-01-10",
        },
    )
    assert "anouk.csv, row 3, field record_id: 's1-nothere' is not a record of this run" in err
    assert "check for a typo" in err


def test_unknown_criterion(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": HEADER + "s1-exit,exclude,C9,,2026-01-10",
        },
    )
    assert "anouk.csv, row 2, field criteria: 'C9' is not a criterion" in err
    assert "known: C1, C2, C3, C4" in err


def test_reason_not_allowed_at_stage(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": HEADER + "s1-exit,exclude,not_retrievable,,2026-01-10",
        },
    )
    assert "'not_retrievable' may not be used at stage title_abstract" in err


def test_exclusion_without_criterion(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/bram.csv": HEADER + "s1-exit,include,,,2026-01-10\n"
            "s1-school,exclude,,,2026-01-10",
        },
    )
    assert "bram.csv, row 3, field criteria: exclude names no criterion" in err


def test_not_retrieved_without_reason(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "retrieval/bram.csv": HEADER + "s1-exit,not_retrieved,,,2026-01-10",
        },
    )
    assert "bram.csv, row 2, field criteria: not_retrieved names no criterion" in err


def test_wrong_decision_for_stage(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "retrieval/bram.csv": HEADER + "s1-exit,include,,,2026-01-10",
        },
    )
    assert "'include' is not a decision of stage retrieval" in err


def test_same_reviewer_twice_with_different_answers(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": HEADER + "s1-exit,include,,,2026-01-10",
            "title_abstract/anouk-batch2.csv": HEADER + "s1-exit,exclude,C2,,2026-01-20",
        },
    )
    assert "row 2: anouk decided 's1-exit' at title_abstract twice with different answers" in err
    assert "anouk-batch2.csv row 2: exclude (C2)" in err and "row 2: include" in err
    assert "anouk.csv, row 2" in err
    assert "keep only the row that holds" in err


def test_same_reviewer_twice_with_same_answer_is_a_logged_repeat(tmp_path):
    from slrflow.tables import read_csv

    review = tmp_path / "review"
    write_decisions(
        review,
        "title_abstract",
        "anouk.csv",
        HEADER + "s1-exit,include,,,2026-01-10\ns1-exit,include,,,2026-01-11",
    )
    assert main(screen_args(write_run(tmp_path), review, tmp_path / "out")) == 0
    log = read_csv(tmp_path / "out" / "log.csv")
    assert len(log[log["source"] == "reviewer"]) == 2
    assert log[log["row"] == "3"]["resolution"].iloc[0].startswith("repeat of ")


def test_unknown_reviewer(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/carla.csv": HEADER + "s1-exit,include,,,2026-01-10",
        },
    )
    assert "carla.csv: 'carla' is not a reviewer named in config screening.reviewers" in err
    assert "add the reviewer to the config" in err


@pytest.mark.parametrize("bad", ["14/03/2026", "2026-13-01", "yesterday"])
def test_dates_that_do_not_parse(tmp_path, capsys, bad):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": HEADER + f"s1-exit,include,,,{bad}",
        },
    )
    assert f"anouk.csv, row 2, field date: '{bad}' is not a date; write it as YYYY-MM-DD" in err


def test_reordered_columns_still_work(tmp_path):
    from slrflow.tables import read_csv

    review = tmp_path / "review"
    write_decisions(
        review,
        "title_abstract",
        "anouk.csv",
        "Date,Note,Criteria,Decision,Record_ID\n2026-01-10,,C2,exclude,s1-exit",
    )
    assert main(screen_args(write_run(tmp_path), review, tmp_path / "out")) == 0
    log = read_csv(tmp_path / "out" / "log.csv")
    row = log[log["source"] == "reviewer"].iloc[0]
    assert (row["record_id"], row["decision"], row["criteria"], row["date"]) == (
        "s1-exit",
        "exclude",
        "C2",
        "2026-01-10",
    )


def test_renamed_column_is_explained(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": "record_id,decisions,criteria,note,date\n"
            "s1-exit,include,,,2026-01-10",
        },
    )
    assert "anouk.csv: column(s) decision not found" in err
    assert "'decisions' looks like 'decision': rename it back" in err


def test_criteria_without_decision(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": HEADER + "s1-exit,,C2,,2026-01-10",
        },
    )
    assert "row 2, field decision: empty but criteria are given" in err


def test_bad_resolution_signer_and_record(tmp_path, capsys):
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", HEADER + "s1-exit,include,,,2026-01-10")
    (review / "screening" / "resolutions.csv").write_text(
        "record_id,stage,decision,criteria,resolved_by,date,note\n"
        "s1-exit,title_abstract,include,,dora,2026-02-01,\n"
        "s1-gone,title_abstract,include,,anouk,2026-02-01,\n",
        "utf-8",
    )
    assert main(screen_args(write_run(tmp_path), review, tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert "resolutions.csv, row 2, field resolved_by: 'dora' is not named" in err
    assert "resolutions.csv, row 3, field record_id: 's1-gone' is not a record" in err


def test_all_problems_reported_together(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": HEADER + "s1-nothere,include,,,2026-01-10\n"
            "s1-exit,exclude,,,2026-01-10",
            "title_abstract/carla.csv": HEADER + "s1-exit,include,,,2026-01-10",
        },
    )
    assert "3 problem(s)" in err


def test_pipeline_never_writes_into_the_review_folder(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", HEADER + "s1-exit,include,,,2026-01-10")
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in review.rglob("*") if p.is_file()}
    run = write_run(tmp_path)
    assert main(screen_args(run, review, tmp_path / "out")) == 0
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in review.rglob("*") if p.is_file()}
    assert before == after


def test_decision_file_outside_a_stage_folder(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {"title-abstract/anouk.csv": HEADER + "s1-exit,include,,,2026-01-10"},
    )
    assert "title-abstract/anouk.csv: not in a stage folder" in err
    assert "title_abstract, retrieval, full_text" in err


def test_semicolon_csv_from_a_dutch_spreadsheet(tmp_path):
    from slrflow.tables import read_csv

    review = tmp_path / "review"
    write_decisions(
        review,
        "title_abstract",
        "anouk.csv",
        'record_id;decision;criteria;note;date\ns1-exit;exclude;"C2; C4";;2026-01-10',
    )
    assert main(screen_args(write_run(tmp_path), review, tmp_path / "out")) == 0
    log = read_csv(tmp_path / "out" / "log.csv")
    assert log[log["source"] == "reviewer"]["criteria"].tolist() == ["C2; C4"]


def test_third_reviewer_method_wants_one_resolver(tmp_path, capsys):
    from screening_review import POLICY

    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", HEADER + "s1-exit,include,,,2026-01-10")
    (review / "screening" / "resolutions.csv").write_text(
        "record_id,stage,decision,criteria,resolved_by,date,note\n"
        "s1-exit,title_abstract,include,,anouk; bram,2026-02-01,\n",
        "utf-8",
    )
    policy = dict(POLICY, resolution={"method": "third_reviewer", "resolvers": ["anouk", "bram"]})
    assert main(screen_args(write_run(tmp_path), review, tmp_path / "out", policy)) == 2
    err = capsys.readouterr().err
    assert "resolutions.csv, row 2, field resolved_by: anouk; bram:" in err
    assert "one resolver settles each conflict" in err


def test_unused_decisions_are_reported(tmp_path, capsys):
    review = tmp_path / "review"
    # s1-theory never reached retrieval: nobody included it at title/abstract
    write_decisions(review, "retrieval", "anouk.csv", HEADER + "s1-theory,retrieved,,,2026-01-10")
    assert main(screen_args(write_run(tmp_path), review, tmp_path / "out")) == 0
    err = capsys.readouterr().err
    assert "warning: 1 decision(s) not used" in err
    assert "anouk.csv row 2" in err


def test_renamed_optional_column_is_explained(tmp_path, capsys):
    err = run_error(
        tmp_path,
        capsys,
        {
            "title_abstract/anouk.csv": "record_id,decision,criterion,note,date\n"
            "s1-exit,exclude,C2,,2026-01-10"
        },
    )
    assert "column(s) criteria not found" in err
    assert "'criterion' looks like 'criteria': rename it back" in err


def test_decision_by_doi(tmp_path):
    from slrflow.tables import read_csv

    review = tmp_path / "review"
    write_decisions(
        review,
        "title_abstract",
        "anouk.csv",
        "doi,decision,criteria,note,date\nhttps://doi.org/10.1000/EXIT,include,,,2026-01-10",
    )
    assert main(screen_args(write_run(tmp_path), review, tmp_path / "out")) == 0
    log = read_csv(tmp_path / "out" / "log.csv")
    row = log[log["source"] == "reviewer"].iloc[0]
    # s1-exit and its duplicate s2-dup share the DOI and one reference
    assert (row["id_given"], row["reference_id"]) == ("https://doi.org/10.1000/EXIT", "s1-exit")


def test_doi_of_two_references_is_refused(tmp_path, capsys):
    from screening_review import CLUSTERS, RECORDS

    review = tmp_path / "review"
    write_decisions(
        review,
        "title_abstract",
        "anouk.csv",
        "doi,decision,criteria,note,date\n10.1000/exit,include,,,2026-01-10",
    )
    # deduplication kept the two records with this DOI apart
    run = write_run(tmp_path, RECORDS, dict(CLUSTERS, **{"s2-dup": "s2-dup"}))
    assert main(screen_args(run, review, tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert "row 2, field doi: DOI '10.1000/exit' belongs to several references" in err
    assert "s1-exit, s2-dup" in err and "give the record_id instead" in err


def test_automation_by_id_and_stale_id_warning(tmp_path, capsys):
    from screening_review import POLICY
    from slrflow.tables import read_csv

    policy = dict(POLICY, automation=[{"name": "listed", "ids": ["s2-dup", "s9-gone"]}])
    assert main(screen_args(write_run(tmp_path), tmp_path / "review", tmp_path / "o", policy)) == 0
    status = read_csv(tmp_path / "o" / "status.csv")
    exit_ = status[(status["reference_id"] == "s1-exit") & (status["stage"] == "title_abstract")]
    # the id names a duplicate record: its whole reference is removed
    assert exit_[["status", "criteria"]].values.tolist() == [["automation", "listed"]]
    err = capsys.readouterr().err
    assert "automation rule listed: id 's9-gone' is not a record of this run" in err
