"""Screening: status, conflicts and resolutions, agreement, automation, PRISMA accounting."""

from __future__ import annotations

import math

import pytest

from screening_review import FINAL_BOXES, RECORDS, screen_args, write_decisions, write_run
from slrflow.agreement import cohen_kappa, krippendorff_alpha, pabak, percent_agreement
from slrflow.cli import main
from slrflow.tables import read_csv

HEADER = "record_id,decision,criteria,note,date\n"


def run_screen(tmp_path, review, policy=None, run=None):
    run = run or write_run(tmp_path)
    out = tmp_path / "out"
    assert main(screen_args(run, review, out, policy)) == 0
    return {name: read_csv(out / f"{name}.csv") for name in
            ("log", "status", "conflicts", "agreement", "counts", "flow", "boxes")}  # fmt: skip


def status_of(tables, ref, stage="title_abstract"):
    frame = tables["status"]
    row = frame[(frame["reference_id"] == ref) & (frame["stage"] == stage)]
    assert len(row) == 1
    return row.iloc[0]


# -- agreement measures against hand-worked values ------------------------------------------


def test_kappa_and_pabak_by_hand():
    # 10 references. Both include 3, both exclude 5, A-include/B-exclude 1, A-exclude/B-include 1.
    # po = 8/10 = 0.8. A includes 4/10, B includes 4/10:
    # pe = 0.4*0.4 + 0.6*0.6 = 0.16 + 0.36 = 0.52; kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28/0.48
    # = 0.58333. PABAK (k = 2) = 2*0.8 - 1 = 0.6.
    a = ["i"] * 3 + ["e"] * 5 + ["i", "e"]
    b = ["i"] * 3 + ["e"] * 5 + ["e", "i"]
    assert percent_agreement(a, b) == pytest.approx(0.8)
    assert cohen_kappa(a, b) == pytest.approx(0.28 / 0.48)
    assert pabak(a, b) == pytest.approx(0.6)


def test_kappa_skewed_prevalence_and_three_categories():
    # Skewed: 18 both exclude, 1 both include, 1 A-include/B-exclude (20 references).
    # po = 19/20 = 0.95; A includes 2/20 = 0.1, B includes 1/20 = 0.05;
    # pe = 0.1*0.05 + 0.9*0.95 = 0.005 + 0.855 = 0.86; kappa = (0.95-0.86)/0.14 = 0.642857.
    # PABAK = 2*0.95 - 1 = 0.9 (high agreement that kappa's prevalence penalty hides).
    a = ["e"] * 18 + ["i", "i"]
    b = ["e"] * 18 + ["i", "e"]
    assert cohen_kappa(a, b) == pytest.approx(0.09 / 0.14)
    assert pabak(a, b) == pytest.approx(0.9)
    # k = 3 (include/exclude/maybe): 6 references, 4 agree -> po = 2/3,
    # PABAK = (3 * 2/3 - 1) / 2 = 0.5.
    a = ["i", "e", "m", "e", "i", "m"]
    b = ["i", "e", "m", "e", "e", "i"]
    assert pabak(a, b, k=3) == pytest.approx(0.5)
    # A: i 2, e 2, m 2 -> shares 1/3 each; B: i 2, e 3, m 1 -> 1/3, 1/2, 1/6.
    # pe = 1/3*(1/3 + 1/2 + 1/6) = 1/3; kappa = (2/3 - 1/3) / (2/3) = 0.5.
    assert cohen_kappa(a, b) == pytest.approx(0.5)


def test_kappa_undefined_when_one_category():
    assert math.isnan(cohen_kappa(["e", "e"], ["e", "e"]))
    assert pabak(["e", "e"], ["e", "e"]) == 1.0


def test_krippendorff_alpha_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example:
    # 4 observers, 12 units, missing values; alpha = 0.743.
    n = None
    a = ["1", "2", "3", "3", "2", "1", "4", "1", "2", n, n, n]
    b = ["1", "2", "3", "3", "2", "2", "4", "1", "2", "5", n, "3"]
    c = [n, "3", "3", "3", "2", "3", "4", "2", "2", "5", "1", n]
    d = ["1", "2", "3", "3", "2", "4", "4", "1", "2", "5", "1", n]
    assert krippendorff_alpha([a, b, c, d]) == pytest.approx(0.743, abs=0.0005)


# -- the whole command ----------------------------------------------------------------------

TA_ANOUK = """
record_id,decision,criteria,note,date
s1-exit,include,,,2026-01-10
s1-school,include,,,2026-01-10
s1-theory,exclude,C1; C2,theory only,2026-01-10
s2-family,include,,,2026-01-11
"""
TA_BRAM = """
record_id,decision,criteria,note,date
s2-dup,maybe,,,2026-01-12
s1-school,exclude,C4,,2026-01-12
s1-theory,exclude,C2,,2026-01-12
"""


def test_status_conflict_pending_and_agreement(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", TA_ANOUK)
    write_decisions(review, "title_abstract", "bram.csv", TA_BRAM)
    t = run_screen(tmp_path, review)
    # bram's maybe names the duplicate record s2-dup: it lands on reference s1-exit and, with
    # maybe = include, agrees with anouk's include.
    exit_ = status_of(t, "s1-exit")
    assert (exit_["status"], exit_["reviewers"]) == ("include", "anouk; bram")
    assert status_of(t, "s1-exit", "retrieval")["status"] == "pending"
    assert status_of(t, "s1-school")["status"] == "conflict"
    theory = status_of(t, "s1-theory")
    assert (theory["status"], theory["criteria"]) == ("exclude", "C1; C2")
    family = status_of(t, "s2-family")
    assert (family["status"], family["awaiting"]) == ("pending", "bram")
    conflicts = t["conflicts"]
    assert conflicts["reference_id"].tolist() == ["s1-school"]
    assert conflicts["state"].tolist() == ["open"]
    # 3 references judged by both: exit (i, i), school (i, e), theory (e, e).
    # po = 2/3; A include 2/3, B include 1/3: pe = 2/3*1/3 + 1/3*2/3 = 4/9;
    # kappa = (2/3 - 4/9) / (5/9) = 0.4; PABAK = 2*(2/3) - 1 = 0.333.
    row = t["agreement"].iloc[0]
    assert (row["stage"], row["n"], row["n_agree"]) == ("title_abstract", "3", "2")
    assert (row["cohen_kappa"], row["pabak"], row["percent_agreement"]) == (
        "0.400",
        "0.333",
        "0.667",
    )
    # The log keeps every decision with file and row and how it was used.
    log = t["log"]
    school = log[(log["reference_id"] == "s1-school") & (log["source"] == "reviewer")]
    assert len(school) == 2
    assert all(school["resolution"].str.startswith("conflict open"))
    assert set(log[log["reviewer"] == "bram"]["row"]) == {"2", "3", "4"}


def test_resolution_settles_conflict_and_is_logged(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", TA_ANOUK)
    write_decisions(review, "title_abstract", "bram.csv", TA_BRAM)
    (review / "screening" / "resolutions.csv").write_text(
        "record_id,stage,decision,criteria,resolved_by,date,note\n"
        "s1-school,title_abstract,exclude,C4,anouk; bram,2026-02-01,discussed\n",
        "utf-8",
    )
    t = run_screen(tmp_path, review)
    school = status_of(t, "s1-school")
    assert (school["status"], school["criteria"], school["decided_by"]) == (
        "exclude",
        "C4",
        "resolution",
    )
    assert school["resolved_by"] == "anouk; bram"
    conflict = t["conflicts"].iloc[0]
    assert (conflict["state"], conflict["resolved_decision"]) == ("settled", "exclude (C4)")
    log = t["log"]
    votes = log[(log["reference_id"] == "s1-school") & (log["source"] == "reviewer")]
    assert all(votes["resolution"].str.startswith("settled by anouk; bram"))
    settled = log[log["source"] == "resolution"].iloc[0]
    assert settled["resolution"].startswith("settles conflict (exclude vs include)")
    # The settled exclusion is counted under its criterion.
    counts = t["counts"]
    excluded = counts[counts["node"] == "records_excluded"]
    assert dict(zip(excluded["detail"], excluded["n"], strict=True)) == {
        "": "2", "C1 Primary data": "1", "C4 Targeted intervention against radicalisation or "
        "extremism": "1",
    }  # fmt: skip


def test_automation_counted_separately(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", TA_ANOUK)
    t = run_screen(tmp_path, review)
    for ref, rule in (("s1-old", "before_2000"), ("s1-errat", "doc_type"),
                      ("s2-german", "language")):  # fmt: skip
        row = status_of(t, ref)
        assert (row["status"], row["criteria"]) == ("automation", rule)
    counts = t["counts"]
    auto = counts[counts["node"] == "excluded_automatic"]
    assert dict(zip(auto["detail"], auto["n"], strict=True)) == {
        "": "3", "before_2000": "1", "language": "1", "doc_type": "1",
    }  # fmt: skip
    # Automation is not a human exclusion: records_excluded holds only s1-theory... which needs
    # bram too, so no human exclusion is final yet.
    assert counts[(counts["node"] == "records_excluded") & (counts["detail"] == "")][
        "n"
    ].tolist() == ["0"]
    # records screened = 8 identified - 1 duplicate - 3 automation.
    assert counts[counts["node"] == "records_screened"]["n"].tolist() == ["4"]
    # A decision on an automation-excluded reference is logged, not used.
    write_decisions(review, "title_abstract", "bram.csv", HEADER + "s1-old,include,,,2026-01-12")
    t = run_screen(tmp_path, review)
    old = t["log"][t["log"]["record_id"] == "s1-old"]
    reviewer_row = old[old["source"] == "reviewer"].iloc[0]
    assert reviewer_row["resolution"] == "not used: removed by automation rule before_2000"


def test_accounting_invariant_every_record_in_one_box(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", TA_ANOUK)
    write_decisions(review, "title_abstract", "bram.csv", TA_BRAM)
    t = run_screen(tmp_path, review)
    boxes = t["boxes"]
    assert sorted(boxes["record_id"]) == sorted(r[0] for r in RECORDS)
    assert dict(zip(boxes["record_id"], boxes["box"], strict=True)) == {
        "s1-exit": "reports_awaiting_retrieval",
        "s2-dup": "duplicates_removed",
        "s1-school": "records_awaiting_resolution",
        "s1-old": "automation_ineligible",
        "s1-errat": "automation_ineligible",
        "s1-theory": "records_excluded",
        "s2-family": "records_awaiting_screening",
        "s2-german": "automation_ineligible",
    }
    flow = t["flow"]
    totals = flow[flow["reason"] == ""].set_index("box")["n"].astype(int)
    assert totals[list(FINAL_BOXES)].sum() == totals["records_identified"] == 8


def test_accounting_fails_listing_missing_records(tmp_path, capsys):
    run = write_run(tmp_path)
    # clusters.csv from an older dedup run that lacks one record of the current exports
    clusters = read_csv(run["clusters"])
    clusters = clusters[clusters["record_id"] != "s2-family"]
    clusters.to_csv(run["clusters"], index=False)
    refs = read_csv(run["references"])
    refs[refs["reference_id"] != "s2-family"].to_csv(run["references"], index=False)
    assert main(screen_args(run, tmp_path / "review", tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert "accounting invariant" in err and "s2-family" in err


def test_full_flow_to_included_reconciles(tmp_path):
    review = tmp_path / "review"
    both = "record_id,decision,criteria,note,date\n" + "\n".join(
        f"{r},include,,,2026-01-10" for r in ("s1-exit", "s1-school", "s1-theory", "s2-family")
    )
    write_decisions(review, "title_abstract", "anouk.csv", both)
    write_decisions(review, "title_abstract", "bram.csv", both)
    write_decisions(
        review,
        "retrieval",
        "anouk.csv",
        """
record_id,decision,criteria,note,date
s1-exit,retrieved,,,2026-02-01
s1-school,retrieved,,,2026-02-01
s1-theory,not_retrieved,not_retrievable,library and authors tried,2026-02-01
s2-family,retrieved,,,2026-02-01
""",
    )
    ft = """
record_id,decision,criteria,note,date
s1-exit,include,,,2026-03-01
s1-school,exclude,C3,,2026-03-01
s2-family,{family},,2026-03-01
"""
    write_decisions(review, "full_text", "anouk.csv", ft.format(family="include,"))
    write_decisions(review, "full_text", "bram.csv", ft.format(family="exclude,C1; C4"))
    t = run_screen(tmp_path, review)
    nodes = t["counts"][t["counts"]["detail"] == ""].set_index("node")["n"].astype(int)
    # 8 records - 1 duplicate - 3 automation = 4 screened; 0 excluded -> 4 sought; 1 not
    # retrieved -> 3 assessed; 1 excluded (C3) and 1 awaiting resolution -> 1 included.
    assert nodes["records_screened"] == 4
    assert nodes["dbr_sought_reports"] == 4
    assert nodes["dbr_notretrieved_reports"] == 1
    assert nodes["dbr_assessed"] == 3
    assert nodes["dbr_excluded"] == 1
    assert nodes["new_reports"] == 1
    assert status_of(t, "s2-family", "full_text")["status"] == "conflict"
    # Agreement at full text: exit (i, i), school (e, e), family (i, e): po = 2/3.
    ag = t["agreement"].set_index("stage")
    assert ag.loc["full_text", "n"] == "3"
    assert ag.loc["full_text", "percent_agreement"] == "0.667"


def s1_exit_at_full_text(tmp_path, anouk: str, bram: str) -> dict:
    """Screen a review where both reviewers include s1-exit on title and abstract, bram
    retrieves it, and anouk and bram give ``"<decision>,<criteria>"`` at full text."""
    review = tmp_path / "review"
    both = HEADER + "s1-exit,include,,,2026-01-10"
    write_decisions(review, "title_abstract", "anouk.csv", both)
    write_decisions(review, "title_abstract", "bram.csv", both)
    write_decisions(review, "retrieval", "bram.csv", HEADER + "s1-exit,retrieved,,,2026-02-01")
    write_decisions(review, "full_text", "anouk.csv", HEADER + f"s1-exit,{anouk},,2026-03-01")
    write_decisions(review, "full_text", "bram.csv", HEADER + f"s1-exit,{bram},,2026-03-01")
    return run_screen(tmp_path, review)


def test_fulltext_exclusion_reasons_must_agree(tmp_path):
    t = s1_exit_at_full_text(tmp_path, "exclude,C2", "exclude,C3")
    row = status_of(t, "s1-exit", "full_text")
    assert row["status"] == "conflict"
    assert row["conflict"] == "exclusion reasons differ: C2 vs C3"


def test_maybe_resolve_policy_makes_maybe_a_conflict(tmp_path):
    from screening_review import POLICY

    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", HEADER + "s1-exit,maybe,,,2026-01-10")
    write_decisions(review, "title_abstract", "bram.csv", HEADER + "s1-exit,maybe,,,2026-01-10")
    t = run_screen(tmp_path, review, policy=dict(POLICY, maybe="resolve"))
    row = status_of(t, "s1-exit")
    assert (row["status"], row["conflict"]) == ("conflict", "maybe needs a resolution")
    t = run_screen(tmp_path, review)
    assert status_of(t, "s1-exit")["status"] == "maybe"
    assert status_of(t, "s1-exit", "retrieval")["status"] == "pending"


def test_decisions_carry_over_when_an_export_is_added(tmp_path):
    """A new search brings a record that dedup makes the representative of an old reference:
    the old decisions follow their records to the new reference id; only new references are
    asked for."""
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", TA_ANOUK)
    write_decisions(review, "title_abstract", "bram.csv", TA_BRAM)
    first = run_screen(tmp_path / "first", review)
    assert status_of(first, "s1-exit")["status"] == "include"

    records = list(RECORDS) + [
        ("s3-exit", "s3", "Evaluation of an exit programme for violent extremists", "2015",
         "10.1000/exit", "Article", "English"),
        ("s3-new", "s3", "Online counter-narratives and radicalisation", "2023",
         "10.1000/online", "Article", "English"),
    ]  # fmt: skip
    clusters = {r[0]: r[0] for r in records}
    # s1-exit and s2-dup move to the reference now represented by s3-exit.
    clusters.update({"s1-exit": "s3-exit", "s2-dup": "s3-exit"})
    run = write_run(tmp_path / "second", records=records, clusters=clusters)
    second = run_screen(tmp_path / "second", review, run=run)
    moved = status_of(second, "s3-exit")
    assert (moved["status"], moved["reviewers"]) == ("include", "anouk; bram")
    assert "s1-exit" not in set(second["status"]["reference_id"])
    # every earlier decision still in the log, now attached to the new reference
    log = second["log"]
    assert set(log[log["record_id"].isin(["s1-exit", "s2-dup"])]["reference_id"]) == {"s3-exit"}
    # only the new reference (and the one still pending) await screening
    pending = second["status"][
        (second["status"]["stage"] == "title_abstract") & (second["status"]["awaiting"] != "")
    ]
    assert sorted(pending["reference_id"]) == ["s2-family", "s3-new"]
    # 10 records: 2 duplicates now
    boxes = second["boxes"]
    assert (boxes["box"] == "duplicates_removed").sum() == 2


def test_merged_records_with_disagreeing_carried_decisions_make_a_conflict(tmp_path):
    review = tmp_path / "review"
    write_decisions(
        review,
        "title_abstract",
        "anouk.csv",
        """
record_id,decision,criteria,note,date
s1-exit,include,,,2026-01-10
s2-family,exclude,C2,,2026-01-10
""",
    )
    clusters = {r[0]: r[0] for r in RECORDS} | {"s2-dup": "s1-exit", "s2-family": "s1-exit"}
    run = write_run(tmp_path, clusters=clusters)
    t = run_screen(tmp_path, review, run=run)
    row = status_of(t, "s1-exit")
    assert row["status"] == "conflict"
    assert "anouk" in row["conflict"]


def test_same_inputs_same_bytes(tmp_path):
    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", TA_ANOUK)
    write_decisions(review, "title_abstract", "bram.csv", TA_BRAM)
    run = write_run(tmp_path)
    for out in ("a", "b"):
        assert main(screen_args(run, review, tmp_path / out)) == 0
    for name in ("log", "status", "conflicts", "agreement", "counts", "flow", "boxes"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (
            tmp_path / "b" / f"{name}.csv"
        ).read_bytes()


def test_fulltext_exclusions_naming_overlapping_criteria_need_a_resolution(tmp_path):
    t = s1_exit_at_full_text(tmp_path, "exclude,C3", "exclude,C2; C3")
    row = status_of(t, "s1-exit", "full_text")
    # C3 vs C2; C3: the report's reason must be agreed before PRISMA can count it
    assert (row["status"], row["conflict"]) == (
        "conflict",
        "exclusion reasons differ: C2; C3 vs C3",
    )


def test_prisma_nodes_other_methods_column_reconciles():
    import pandas as pd

    from screening_review import CRITERIA
    from slrflow.prisma import check, from_frame
    from slrflow.screening.counts import Box, prisma_nodes
    from slrflow.screening.criteria import load_criteria

    boxes = [
        Box("d1", "db", "d1", "reports_included"),
        Box("d2", "db", "d1", "duplicates_removed"),
        Box("o1", "cit", "d1", "duplicates_removed"),  # found by databases too: left column
        Box("o2", "cit", "o2", "reports_excluded", "C2", ("C2",)),
        Box("o3", "web", "o3", "reports_included"),
        Box("o4", "web", "o4", "records_excluded", "C4", ("C4",)),
        Box("d3", "db", "d3", "records_excluded", "C1", ("C1",)),
    ]
    rows = prisma_nodes(
        boxes,
        load_criteria(CRITERIA),
        source_types={"db": "database", "cit": "other", "web": "other"},
        databases={"db": "Scopus", "cit": "Citation searching", "web": "Websites"},
    )
    totals = {r["node"]: r["n"] for r in rows if r["detail"] == ""}
    # Left column: 3 database records for 2 references -> 1 duplicate; 2 screened, 1 excluded
    # (d3), 1 sought and assessed (d1), included. Other methods: 4 records; o1 was found by the
    # databases too (a duplicate there), o4 excluded on title/abstract: 4 - 1 - 1 = 2 sought
    # (o2, o3) and assessed, o2 excluded.
    assert totals["database_results"] == 3
    assert totals["duplicates"] == 1
    assert totals["records_screened"] == 2
    assert totals["records_excluded"] == 1
    assert (totals["dbr_sought_reports"], totals["dbr_assessed"], totals["dbr_excluded"]) == (
        1,
        1,
        0,
    )
    assert totals["citations_results"] == 2 and totals["website_results"] == 2
    assert (totals["other_duplicates"], totals["other_records_excluded"]) == (1, 1)
    assert (totals["other_sought_reports"], totals["other_assessed"]) == (2, 2)
    assert totals["other_excluded"] == 1
    assert totals["new_reports"] == 2
    frame = pd.DataFrame(rows).astype(str)
    assert check(from_frame(frame)) == []


def test_three_reviewers_krippendorff_alpha_in_agreement_table(tmp_path):
    from screening_review import POLICY

    # Four references judged by all three reviewers (maybe counts as include):
    # exit i,i,i; school e,e,e; theory i,i,e; family e,e,e.
    # Coincidences (each unit's ordered pairs / (3 - 1)): o_ii = 3 + 1 = 4, o_ee = 3 + 3 = 6,
    # o_ie = o_ei = 1; n_i = 5, n_e = 7, n = 12.
    # alpha = 1 - (n - 1) * (o_ie + o_ei) / (2 * n_i * n_e) = 1 - 11 * 2 / 70 = 0.686.
    review = tmp_path / "review"
    rows = {
        "anouk": ["include,", "exclude,C2", "include,", "exclude,C2"],
        "bram": ["maybe,", "exclude,C2", "include,", "exclude,C4"],
        "carla": ["include,", "exclude,C1", "exclude,C2", "exclude,C2"],
    }
    refs = ["s1-exit", "s1-school", "s1-theory", "s2-family"]
    for name, answers in rows.items():
        text = HEADER + "\n".join(
            f"{ref},{a},,2026-01-10" for ref, a in zip(refs, answers, strict=True)
        )
        write_decisions(review, "title_abstract", f"{name}.csv", text)
    policy = dict(POLICY, reviewers=["anouk", "bram", "carla"])
    t = run_screen(tmp_path, review, policy=policy)
    ag = t["agreement"]
    ta = ag[ag["stage"] == "title_abstract"]
    assert len(ta) == 4  # three pairs and one row for all reviewers
    alpha = ta[ta["reviewer_a"] == "all"].iloc[0]
    assert (alpha["n"], alpha["krippendorff_alpha"]) == ("4", "0.686")
    # anouk-carla: 3 of 4 agree (theory i vs e); anouk i 2/4, carla i 1/4:
    # pe = 0.5*0.25 + 0.5*0.75 = 0.5; kappa = (0.75 - 0.5) / 0.5 = 0.5; PABAK = 0.5.
    pair = ta[(ta["reviewer_a"] == "anouk") & (ta["reviewer_b"] == "carla")].iloc[0]
    assert (pair["n"], pair["cohen_kappa"], pair["pabak"]) == ("4", "0.500", "0.500")


def test_policy_double_share_and_even_assignment():
    from screening_review import POLICY
    from slrflow.screening.policy import parse_policy

    policy = parse_policy(
        dict(POLICY, stages={"title_abstract": {"reviewers_per_record": 1, "double_share": 0.2}})
    )
    refs = [f"ref-{i}" for i in range(2000)]
    needed = [policy.needed(r, "title_abstract") for r in refs]
    assert set(needed) == {1, 2}
    assert 0.17 < needed.count(2) / len(refs) < 0.23  # about the share asked for
    assert needed == [policy.needed(r, "title_abstract") for r in refs]  # stable
    first = [policy.assigned(r, "title_abstract", set())[0] for r in refs]
    assert 0.45 < first.count("anouk") / len(refs) < 0.55  # work shared evenly
    # a reviewer who already judged a reference keeps it
    assert "bram" in policy.assigned("ref-1", "title_abstract", {"bram"})


def test_maybe_at_full_text_always_needs_a_resolution(tmp_path):
    t = s1_exit_at_full_text(tmp_path, "maybe,", "maybe,")
    row = status_of(t, "s1-exit", "full_text")
    assert (row["status"], row["conflict"]) == ("conflict", "maybe needs a resolution")
    boxes = t["boxes"].set_index("record_id")
    assert boxes.loc["s1-exit", "box"] == "reports_awaiting_assessment"


def test_stopped_screening_counts_the_unscreened_as_automation(tmp_path):
    from screening_review import POLICY

    review = tmp_path / "review"
    write_decisions(review, "title_abstract", "anouk.csv", TA_ANOUK)
    write_decisions(review, "title_abstract", "bram.csv", TA_BRAM)
    stop = {
        "name": "stopped_95",
        "unscreened": {"recall": 0.95, "confidence": 0.95, "method": "counting", "unfound": 0.4},
    }
    policy = dict(POLICY, automation=[*POLICY["automation"], stop])
    t = run_screen(tmp_path, review, policy=policy)
    # every reference is judged by someone or removed by an earlier rule: nothing to stop
    assert "stopped_95" not in set(t["status"]["criteria"])
    # anouk now judged only s1-exit; bram's file is unchanged, so no one judged s2-family
    write_decisions(review, "title_abstract", "anouk.csv", HEADER + "s1-exit,include,,,2026-01-10")
    t = run_screen(tmp_path, review, policy=policy)
    ta = t["status"][t["status"]["stage"] == "title_abstract"].set_index("reference_id")
    # s2-family was judged by no one now: removed by the stopping rule, named with its recall
    assert ta.loc["s2-family", "status"] == "automation"
    assert ta.loc["s2-family", "criteria"] == "stopped_95"
    assert ta.loc["s2-family", "votes"] == (
        "stopped_95: screening stopped by the counting-process estimate at a recall target of "
        "95% (95% confidence; 0.4 include(s) estimated unfound)"
    )
    # judged references stay as they are; the earlier rules keep theirs
    assert ta.loc["s1-school", "status"] == "pending"
    assert ta.loc["s1-old", "criteria"] == "before_2000"
    counts = t["counts"]
    auto = counts[counts["node"] == "excluded_automatic"]
    # PRISMA's automation box names the stopping rule's method, target, confidence and the
    # includes it estimated unfound; the diagram shows the words after the rule's name.
    from slrflow.figures.prisma_diagram import reason_label

    stated = (
        "stopped_95 screening stopped by the counting-process estimate at a recall target of "
        "95% (95% confidence; 0.4 include(s) estimated unfound)"
    )
    assert dict(zip(auto["detail"], auto["n"], strict=True))[stated] == "1"
    assert reason_label(stated).startswith("screening stopped by the counting-process estimate")
