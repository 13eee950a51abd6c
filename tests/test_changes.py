"""The change lists against a frozen version, worked out by hand on small tables."""

from __future__ import annotations

import pandas as pd

from slrflow.changes import compare
from slrflow.versions import diff_table


def _refs(rows):
    return pd.DataFrame(
        rows, columns=["reference_id", "record_ids", "title", "year", "doi", "box", "reasons"]
    )


THEN = _refs(
    [
        ["a-1", "a-1; b-1", "Alpha", "2020", "", "reports_included", ""],
        ["a-2", "a-2", "Beta", "2021", "", "records_excluded", "C2"],
        ["a-3", "a-3", "Gamma", "2019", "", "reports_included", ""],
        ["a-4", "a-4", "Delta", "2018", "", "records_excluded", "C1"],
        ["a-5", "a-5", "Eps", "2018", "", "records_excluded", "C1"],
    ]
)
LOG_COLUMNS = [
    "source",
    "stage",
    "reviewer",
    "file",
    "row",
    "record_id",
    "reference_id",
    "decision",
    "criteria",
    "note",
    "date",
]


def _log(rows):
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


def test_reference_changes_new_changed_merged_removed_and_the_deciding_row():
    now = _refs(
        [
            # same reference, now represented by another record: unchanged, not listed
            ["b-1", "a-1; b-1", "Alpha", "2020", "", "reports_included", ""],
            # a correction at full text: included then, excluded now
            ["a-3", "a-3", "Gamma", "2019", "", "reports_excluded", "C4"],
            # two references then, one now
            ["a-4", "a-4; a-5", "Delta", "2018", "", "records_excluded", "C1"],
            # only in the new round
            ["c-1", "c-1", "New", "2025", "", "records_awaiting_screening", ""],
        ]
    )
    then_log = _log(
        [
            [
                "reviewer",
                "full_text",
                "ann",
                "screening/full_text/ann.csv",
                "5",
                "a-3",
                "a-3",
                "include",
                "",
                "",
                "2024-01-02",
            ]
        ]
    )
    now_log = _log(
        [
            # the same decision, read from another row now: not new
            [
                "reviewer",
                "full_text",
                "ann",
                "screening/full_text/ann.csv",
                "6",
                "a-3",
                "a-3",
                "include",
                "",
                "",
                "2024-01-02",
            ],
            [
                "resolution",
                "full_text",
                "",
                "screening/resolutions.csv",
                "3",
                "a-3",
                "a-3",
                "exclude",
                "C4",
                "correction",
                "2025-03-01",
            ],
        ]
    )
    got = compare.reference_changes(THEN, now, then_log=then_log, now_log=now_log)
    rows = {r["reference_id"]: r for r in got.to_dict("records")}
    assert list(got["reference_id"]) == ["a-3", "a-4", "c-1", ""]
    assert rows["a-3"]["change"] == "changed"
    assert rows["a-3"]["then"] == "included"
    assert rows["a-3"]["now"] == "excluded at full text (C4)"
    assert (rows["a-3"]["file"], rows["a-3"]["row"]) == ("screening/resolutions.csv", "3")
    assert rows["a-3"]["decisions"] == (
        "screening/resolutions.csv row 3: full_text, resolution, exclude (C4)"
    )
    assert rows["a-4"]["change"] == "merged"
    assert rows["a-4"]["then_reference_ids"] == "a-4; a-5"
    assert rows["c-1"]["change"] == "new" and rows["c-1"]["then"] == ""
    removed = rows[""]
    assert removed["change"] == "removed" and removed["then_reference_ids"] == "a-2"
    assert removed["then"] == "excluded at title/abstract (C2)"


def test_a_changed_reason_alone_is_a_change():
    now = THEN.copy()
    now.loc[1, "reasons"] = "C3"
    got = compare.reference_changes(THEN, now)
    assert got[["reference_id", "change", "then", "now"]].values.tolist() == [
        ["a-2", "changed", "excluded at title/abstract (C2)", "excluded at title/abstract (C3)"]
    ]


def test_diff_table_cell_by_cell_with_repeated_keys_and_link_columns():
    then = pd.DataFrame({"id": ["x", "y", "y"], "name": ["X", "Y1", "Y2"], "_url": ["u", "u", "u"]})
    now = pd.DataFrame({"id": ["y", "y", "z"], "name": ["Y1", "Y2b", "Z"], "_url": ["v", "v", "v"]})
    got = diff_table(then, now, key=["id"])
    assert got.values.tolist() == [
        ["y #2", "changed", "name", "Y2", "Y2b"],
        ["z", "added", "", "", ""],
        ["x", "removed", "", "", ""],
    ]


def test_study_changes_code_by_code():
    then = pd.DataFrame(
        {
            "intervention_id": ["s1", "s2"],
            "intervention": ["One", "Two"],
            "citations": ["c", "c"],
            "we_cognitive": ["Critical thinking; Empathy", "Empathy"],
        }
    )
    now = pd.DataFrame(
        {
            "intervention_id": ["s1", "s3"],
            "intervention": ["One", "Three"],
            "citations": ["changed citation is not a code", "c"],
            "we_cognitive": ["Critical thinking; Perspective taking", ""],
        }
    )
    got = compare.study_changes(then, now)
    assert got.values.tolist() == [
        [
            "s1",
            "One",
            "changed",
            "we_cognitive",
            "Perspective taking",
            "Empathy",
            "Critical thinking; Empathy",
            "Critical thinking; Perspective taking",
        ],
        ["s3", "Three", "added", "", "", "", "", ""],
        ["s2", "Two", "removed", "", "", "", "", ""],
    ]


def test_study_changes_when_nothing_was_coded_then():
    now = pd.DataFrame({"intervention_id": ["s1"], "intervention": ["One"]})
    got = compare.study_changes(None, now)
    assert got[["intervention_id", "change"]].values.tolist() == [["s1", "added"]]


def test_toolkit_changes_name_the_workbook():
    then = pd.DataFrame({"Intervention": ["A"], "Intervention id": ["a"], "Country": ["NL"]})
    now = pd.DataFrame({"Intervention": ["A"], "Intervention id": ["a"], "Country": ["BE"]})
    got = compare.toolkit_changes("Toolkit SLO Interventies", then, now)
    assert got.values.tolist() == [
        ["Toolkit SLO Interventies", "a", "changed", "Country", "NL", "BE"]
    ]
    assert compare.toolkit_changes("Toolkit SLO Interventies", None, None).empty


def test_count_changes_every_number_then_and_now():
    then = pd.DataFrame(
        {"node": ["new_studies", "b", "gone"], "detail": ["", "x", ""], "n": ["3", "2", "1"]}
    )
    now = pd.DataFrame(
        {"node": ["new_studies", "b", "new"], "detail": ["", "x", ""], "n": ["5", "2", "4"]}
    )
    got = compare.count_changes(then, now)
    assert got.astype(str).values.tolist() == [
        ["new_studies", "", "New studies included in review", "3", "5", "2"],
        ["b", "x", "", "2", "2", "0"],
        ["new", "", "", "", "4", "4"],
        ["gone", "", "", "1", "", "-1"],
    ]
