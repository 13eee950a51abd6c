"""PRISMA counts of a hand-written review searched in two rounds: the updated-review template
derived from the search log, the same records as one new review, the other-methods and awaiting
boxes, the PRISMA2020 CSV, and a mismatch that fails naming its records.

Searches (round = the search log's ``update``):

    db24  Scopus, database, round 0       db25   Scopus, database, round 1
    ps24  PsycINFO, database, round 0     cit25  Citation searching, other, round 1
    web24 Websites, other, round 0

References (the first record listed is the reference's own record, the others duplicates):

    A  db24-a, ps24-a        included             H  db25-h, cit25-h    included
    B  db24-b                excluded TA (C2)     I  db25-i, db25-i2    excluded FT (C3)
    C  ps24-c, web24-c       included             J  db25-j             automation (before_2000)
    D  web24-d               included             K  db25-k             TA conflict open
    E  db24-e                awaiting TA          L  db25-l             not retrieved
    F  db25-f, db24-f        included (both rounds; its own record is the 2025 one)
    G  db24-g, cit25-g       excluded TA (C1) (both rounds)
    M  cit25-m               included             N  cit25-n            excluded TA (C4)
    O  cit25-o, cit25-o2     full text awaiting a decision

22 records: 9 from round 0, 13 from round 1 (7 db25 + 6 cit25).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from slrflow import prisma, tables
from slrflow.cli import main
from slrflow.figures import prisma_diagram
from slrflow.screening import ScreeningError
from slrflow.screening.counts import Box, prisma_counts
from slrflow.screening.criteria import load_criteria

CRITERIA = load_criteria(
    Path(__file__).resolve().parents[1] / "resources" / "example" / "criteria.yaml"
)
TYPES = {"db24": "database", "ps24": "database", "web24": "other", "db25": "database",
         "cit25": "other"}  # fmt: skip
NAMES = {"db24": "Scopus", "ps24": "PsycINFO", "web24": "Websites", "db25": "Scopus",
         "cit25": "Citation searching"}  # fmt: skip
ROUNDS = {"db24": 0, "ps24": 0, "web24": 0, "db25": 1, "cit25": 1}
RULES = ["before_2000"]


def _box(record: str, ref: str, box: str = "duplicates_removed", reason: str = "") -> Box:
    return Box(record, record.split("-")[0], ref, box, reason, (reason,) if reason else ())


BOXES = [
    _box("db24-a", "db24-a", "reports_included"),
    _box("ps24-a", "db24-a"),
    _box("db24-b", "db24-b", "records_excluded", "C2"),
    _box("ps24-c", "ps24-c", "reports_included"),
    _box("web24-c", "ps24-c"),
    _box("web24-d", "web24-d", "reports_included"),
    _box("db24-e", "db24-e", "records_awaiting_screening"),
    _box("db24-f", "db25-f"),
    _box("db24-g", "db24-g", "records_excluded", "C1"),
    _box("db25-f", "db25-f", "reports_included"),
    _box("db25-h", "db25-h", "reports_included"),
    _box("db25-i", "db25-i", "reports_excluded", "C3"),
    _box("db25-i2", "db25-i"),
    _box("db25-j", "db25-j", "automation_ineligible", "before_2000"),
    _box("db25-k", "db25-k", "records_awaiting_resolution"),
    _box("db25-l", "db25-l", "reports_not_retrieved", "not_retrievable"),
    _box("cit25-g", "db24-g"),
    _box("cit25-h", "db25-h"),
    _box("cit25-m", "cit25-m", "reports_included"),
    _box("cit25-n", "cit25-n", "records_excluded", "C4"),
    _box("cit25-o", "cit25-o", "reports_awaiting_assessment"),
    _box("cit25-o2", "cit25-o"),
]


def _counts(rounds=ROUNDS):
    return prisma_counts(
        BOXES, CRITERIA, source_types=TYPES, databases=NAMES, rules=RULES, rounds=rounds
    )


def _text(fig) -> str:
    return re.sub(r"\s+", " ", " | ".join(t.get_text() for ax in fig.axes for t in ax.texts))


def test_update_template_counts_by_hand():
    counts, _ = _counts()
    c = counts.totals
    # Previous version: the 9 round-0 records. A (on db24-a), C (ps24-c), D (web24-d) and F
    # (on db24-f: F has a 2025 record too, but a 2024 one, so it was found then) are included:
    # 4 reports. E waits for title/abstract: 1. The other 4 records (ps24-a, web24-c duplicates;
    # db24-b, db24-g excluded) are in the previous version's diagram: 9 - 4 - 1 = 4.
    assert (c["previous_records"], c["previous_reports"], c["previous_awaiting"]) == (9, 4, 1)
    assert c["previous_other"] == 4
    # Databases and registers, round 1: the 7 db25 records. Duplicates: db25-f (of F, found in
    # 2024) and db25-i2 (of db25-i): 2. Automation: J. Screened 7 - 2 - 1 = 4 (H, I, K, L).
    assert c["database_results"] == 7 and "register_results" not in c
    assert counts.parts["duplicates"] == {
        "of records found by previous searches": 1,
        "within the update searches": 1,
    }
    assert (c["excluded_automatic"], c["records_screened"]) == (1, 4)
    # 4 screened - 0 excluded - 1 awaiting (K, conflict) = 3 sought (H, I, L); L not retrieved
    # -> 2 assessed; I excluded (C3) -> 1 included (H).
    assert (c["records_excluded"], c["records_awaiting"], c["dbr_sought_reports"]) == (0, 1, 3)
    assert counts.parts["records_awaiting"] == {"conflict not yet settled": 1}
    assert (c["dbr_notretrieved_reports"], c["dbr_assessed"], c["dbr_excluded"]) == (1, 2, 1)
    assert counts.parts["dbr_excluded"] == {
        "C3 Focus on psychopathology or psychosocial factors": 1
    }
    # Other methods, round 1: the 6 cit25 records. Duplicates: cit25-g (of G, 2024), cit25-h
    # (H was found by db25 too), cit25-o2 (of cit25-o): 3. N excluded on title/abstract:
    # 6 - 3 - 1 = 2 sought (M, O), both retrieved and assessed; O waits for a decision,
    # M is included.
    assert c["citations_results"] == 6 and "website_results" not in c
    assert counts.parts["other_duplicates"] == {
        "of records found by previous searches": 1,
        "also found via databases and registers": 1,
        "within other methods": 1,
    }
    assert (c["other_records_excluded"], c["other_sought_reports"]) == (1, 2)
    assert (c["other_assessed"], c["other_excluded"], c["other_awaiting_assessment"]) == (2, 0, 1)
    # New: H + M = 2 reports; total 4 + 2 = 6.
    assert (c["new_reports"], c["new_studies"]) == (2, 2)
    assert (c["previous_studies"], c["total_studies"], c["total_reports"]) == (4, 6, 6)
    assert prisma.check(counts) == []


def test_every_record_in_exactly_one_box():
    counts, placed = _counts()
    assert [p.record_id for p in placed] == [b.record_id for b in BOXES]
    ends = {p.record_id: (p.node, p.detail) for p in placed}
    # F's own record is the 2025 one, yet F counts in the previous version (on its 2024 record)
    assert ends["db24-f"] == ("previous_reports", "")
    assert ends["db25-f"] == ("duplicates", "of records found by previous searches")
    assert ends["cit25-g"] == ("other_duplicates", "of records found by previous searches")
    assert ends["cit25-h"] == ("other_duplicates", "also found via databases and registers")
    assert ends["db24-e"] == ("previous_awaiting", "")
    assert ends["cit25-n"] == ("other_records_excluded", "C4 Targeted intervention against "
                               "radicalisation or extremism")  # fmt: skip
    tally = pd.Series([p.node for p in placed]).value_counts().to_dict()
    assert sum(tally.values()) == 22
    for node, n in tally.items():
        assert counts[node] == n, node
    assert set(tally) <= set(prisma.TERMINAL)


def test_same_records_as_one_new_review_by_hand():
    counts, _ = _counts(rounds={})
    c = counts.totals
    assert not counts.is_update
    # Databases: db24 5 + ps24 2 + db25 7 = 14 records of 11 references (A B C E F G H I J K L;
    # C and G count here as they have a database record) -> 3 duplicates (ps24-a, db24-f,
    # db25-i2); J by automation; 10 screened.
    assert counts.parts["database_results"] == {"PsycINFO": 2, "Scopus": 12}
    assert (c["duplicates"], c["excluded_automatic"], c["records_screened"]) == (3, 1, 10)
    # B (C2) and G (C1) excluded, E and K awaiting: 10 - 2 - 2 = 6 sought (A C F H I L);
    # L not retrieved, 5 assessed, I excluded: 4 included (A C F H).
    assert (c["records_excluded"], c["records_awaiting"], c["dbr_sought_reports"]) == (2, 2, 6)
    assert counts.parts["records_awaiting"] == {
        "awaiting reviewers": 1,
        "conflict not yet settled": 1,
    }
    assert (c["dbr_assessed"], c["dbr_excluded"]) == (5, 1)
    # Other methods: web24 2 + cit25 6 = 8 records; D M N O are theirs alone; web24-c,
    # cit25-g, cit25-h were found by databases too, cit25-o2 duplicates cit25-o: 4 removed;
    # N excluded: 8 - 4 - 1 = 3 sought (D M O); O awaits; D and M included.
    assert (c["website_results"], c["citations_results"], c["other_duplicates"]) == (2, 6, 4)
    assert (c["other_records_excluded"], c["other_sought_reports"], c["other_assessed"]) == (
        1, 3, 3,
    )  # fmt: skip
    assert (c["other_awaiting_assessment"], c["new_reports"]) == (1, 6)
    assert prisma.check(counts) == []


def test_studies_told_apart_from_reports_across_rounds():
    counts, placed = _counts()
    previous = [p.reference_id for p in placed if p.node == "previous_reports"]
    assert sorted(previous) == ["db24-a", "db25-f", "ps24-c", "web24-d"]
    # S1 = reports A and C (one study, two previous reports); S2 = F (previous) and H (new):
    # a previous study with a new report; S3 = M: new; S4 = D: previous.
    studies = [["db24-a", "ps24-c"], ["db25-f", "db25-h"], ["cit25-m"], ["web24-d"]]
    out = prisma.with_studies(counts, studies, previous_reports=previous)
    assert (out["previous_studies"], out["new_studies"], out["total_studies"]) == (3, 1, 4)
    assert (out["previous_reports"], out["new_reports"], out["total_reports"]) == (4, 2, 6)
    assert prisma.check(out) == []
    with pytest.raises(prisma.CountsError, match="--boxes"):
        prisma.with_studies(counts, studies)


def test_config_numbers_override_the_search_log():
    counts, _ = _counts()
    out = prisma.with_previous(counts, 10, 12)
    assert (out["previous_studies"], out["previous_reports"], out["total_reports"]) == (10, 12, 14)
    assert "previous_records" not in out and "previous_other" not in out
    assert prisma.check(out) == []


def test_prisma2020_csv_has_the_update_nodes_and_no_others():
    counts, _ = _counts()
    frame = prisma.to_prisma2020(counts)
    n = dict(zip(frame["data"], frame["n"], strict=True))
    assert (n["previous_studies"], n["previous_reports"]) == ("4", "4")
    assert (n["new_studies"], n["new_reports"]) == ("2", "2")
    assert (n["total_studies"], n["total_reports"]) == ("6", "6")
    assert n["database_specific_results"] == "Scopus, 7"
    # The R package finds a node by grep on `data`: no row may contain another node's name.
    names = [d for d in frame["data"] if d != "NA"]
    for name in names:
        assert [d for d in names if name in d] == [name] or name in (
            "database_results", "register_results"  # their *_specific_results rows, as in R
        ), name  # fmt: skip
    assert not set(prisma.EXTENSION) & set(names)
    # a new review still writes totals that agree: previous 0 + new
    new, _ = _counts(rounds={})
    n = dict(zip(*[prisma.to_prisma2020(new)[k] for k in ("data", "n")], strict=True))
    assert (n["previous_reports"], n["new_reports"], n["total_reports"]) == ("0", "6", "6")


def test_both_templates_draw_the_new_boxes():
    update, _ = _counts()
    text = _text(prisma_diagram.draw(update))
    for expected in (
        "Previous studies",
        "Studies included in previous version of review (n = 4)",
        "References of previous searches awaiting a decision (n = 1)",
        "Total studies included in review (n = 6)",
        "of records found by previous searches (n = 1)",
        "Records awaiting screening (n = 1)",
        "Records removed before retrieval:",
        "Records excluded on title and abstract (n = 1)",
        "Reports awaiting a decision (n = 1)",
    ):
        assert expected in text, expected
    text = _text(prisma_diagram.draw(_counts(rounds={})[0]))
    assert "Previous studies" not in text
    assert "Records awaiting screening (n = 2)" in text
    assert "Duplicate records removed (n = 4)" in text  # the other-methods column's
    assert "also found via databases and registers (n = 3)" in text


def test_a_record_without_a_box_fails_naming_it():
    broken = list(BOXES)
    broken[5] = _box("web24-d", "web24-d", "reports_lost")
    with pytest.raises(ScreeningError) as info:
        prisma_counts(broken, CRITERIA, source_types=TYPES, databases=NAMES, rounds=ROUNDS)
    assert "web24-d" in str(info.value) and "reports_lost" in str(info.value)
    # two records of one reference both claim to be its own record
    broken = list(BOXES)
    broken[1] = _box("ps24-a", "db24-a", "records_excluded", "C1")
    with pytest.raises(ScreeningError, match="db24-a, ps24-a"):
        prisma_counts(broken, CRITERIA, source_types=TYPES, databases=NAMES, rounds=ROUNDS)


def test_prisma_cli_fails_on_a_mismatch_naming_the_records(tmp_path, capsys):
    counts, placed = _counts()
    boxes = pd.DataFrame(
        [(p.record_id, p.reference_id, p.node, p.detail) for p in placed],
        columns=["record_id", "reference_id", "prisma", "prisma_detail"],
    )
    tables.write_csv(boxes, tmp_path / "boxes.csv")
    prisma.write_counts(counts, tmp_path / "counts.csv")
    args = ["prisma", str(tmp_path / "counts.csv"), "-o", str(tmp_path / "p.svg"),
            "--boxes", str(tmp_path / "boxes.csv"), "--r-csv", str(tmp_path / "r.csv")]  # fmt: skip
    assert main(args) == 0
    r = tables.read_csv(tmp_path / "r.csv")
    assert dict(zip(r["data"], r["n"], strict=True))["total_reports"] == "6"
    # The full-text exclusion of I is lost from the table: the step no longer adds up, and
    # the record list names the record it misses.
    frame = tables.read_csv(tmp_path / "counts.csv")
    frame = frame[frame["node"] != "dbr_excluded"]
    tables.write_csv(frame, tmp_path / "counts.csv")
    (tmp_path / "p.svg").unlink()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "reports assessed - excluded - awaiting a decision vs reports of new" in err
    assert "dbr_excluded: the counts table says 0, " in err and "db25-i" in err
    assert not (tmp_path / "p.svg").exists()


def test_a_bare_number_of_studies_is_split_by_estimate():
    counts, _ = _counts()
    # 5 studies, 4 previous reports, 2 new reports: 5 - 4 = 1 new study (at most 2), 4 previous
    out = prisma.with_studies(counts, 5)
    assert (out["previous_studies"], out["new_studies"], out["total_studies"]) == (4, 1, 5)
    # a new review: every study is new
    new = prisma.with_studies(_counts(rounds={})[0], 5)
    assert (new["new_studies"], "total_studies" in new) == (5, False)


def test_a_frozen_previous_version_with_corrections_still_adds_up():
    counts, _ = _counts()
    # the search log's earlier rounds give 4 previous studies of 4 reports included now. The
    # frozen version had 5 of 5; 2 of them are no longer included (a correction), so 1 included
    # now was still awaiting then: 5 - 2 + 1 = 4. The totals stay those of the current review.
    out = prisma.with_published(
        counts, studies=5, reports=5, withdrawn_studies=2, withdrawn_reports=2
    )
    c = out.totals
    assert (c["previous_studies"], c["previous_reports"]) == (5, 5)
    assert (c["previous_withdrawn_studies"], c["previous_added_studies"]) == (2, 1)
    assert (c["previous_withdrawn_reports"], c["previous_added_reports"]) == (2, 1)
    assert (c["total_studies"], c["total_reports"]) == (6, 6)
    assert prisma.check(out) == []
    text = _text(prisma_diagram.draw(out))
    assert "Studies included in previous version of review (n = 5)" in text
    assert "Reports no longer included (corrections) (n = 2)" in text
    assert "Reports of previous searches included since (n = 1)" in text
    # numbers the record matching could not explain are taken as withdrawn
    out = prisma.with_published(counts, studies=5, reports=5)
    assert (out["previous_withdrawn_reports"], out["previous_added_reports"]) == (1, 0)
    assert out["total_reports"] == 6 and prisma.check(out) == []
    # the same numbers as derived: nothing withdrawn or added, no extra box
    out = prisma.with_published(counts, studies=4, reports=4)
    assert "previous_withdrawn_reports" not in out and "previous_added_reports" not in out
    assert "no longer included" not in _text(prisma_diagram.draw(out))
