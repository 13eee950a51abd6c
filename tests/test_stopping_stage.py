"""The stopping estimate after a run: ``slrflow stopping`` and :mod:`slrflow.screening.progress`.

The expected figures are worked out by hand from the formula in
:mod:`slrflow.screening.stopping`: ``K = floor(r_seen / tau - r_before) + 1`` and the
p-value ``P(X <= k)``, ``X ~ Hypergeom(urn, K, sample)``, smallest over the suffixes of the
screening order that start at the beginning or right after an include.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from slrflow.cli import main
from slrflow.screening.progress import (
    COLUMNS,
    SAMPLE_COLUMNS,
    screening_order,
    stopping_estimate,
)
from slrflow.tables import read_csv, write_csv

STATUS_COLUMNS = ["reference_id", "stage", "status", "criteria"]
LOG_COLUMNS = ["source", "stage", "reviewer", "file", "row", "reference_id", "decision", "date"]


def _status(rows):
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _log(rows):
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


def example():
    """Six references at title/abstract (r7 was removed by a rule, r8 never reached it).

    Screened in this order (earliest decision date; within a day by row of the decision
    files, then file; undated last): r4 include (2025-01-01; bram's later vote does not
    count), r3 exclude (2025-01-02, row 2 of bram.csv) and r1 exclude (2025-01-02, row 3 of
    anouk.csv), r2 exclude (no date). r5 and r6 are unscreened.
    """
    status = _status(
        [
            ("r1", "title_abstract", "exclude", "population"),
            ("r1", "retrieval", "not_reached", ""),
            ("r2", "title_abstract", "exclude", "population"),
            ("r3", "title_abstract", "exclude", "design"),
            ("r4", "title_abstract", "include", ""),
            ("r4", "retrieval", "retrieved", ""),
            ("r5", "title_abstract", "pending", ""),
            ("r6", "title_abstract", "pending", ""),
            ("r7", "title_abstract", "automation", "not_english_or_dutch"),
        ]
    )
    ta, anouk, bram = "title_abstract", "title_abstract/anouk.csv", "title_abstract/bram.csv"
    log = _log(
        [
            ("reviewer", ta, "anouk", anouk, "3", "r1", "exclude", "2025-01-02"),
            ("resolution", ta, "anouk", "resolutions.csv", "2", "r1", "exclude", "2025-01-09"),
            ("reviewer", ta, "anouk", anouk, "4", "r2", "exclude", ""),
            ("reviewer", ta, "bram", bram, "2", "r3", "exclude", "2025-01-02"),
            ("reviewer", ta, "bram", bram, "3", "r4", "include", "2025-01-05"),
            ("reviewer", ta, "anouk", anouk, "2", "r4", "include", "2025-01-01"),
            # a later stage's decision on r4 and an automation row do not count
            ("reviewer", "retrieval", "anouk", "retrieval/anouk.csv", "2", "r4", "retrieved",
             "2024-12-01"),
            ("automation", ta, "automation", "", "", "r7", "exclude", ""),
        ]
    )  # fmt: skip
    return status, log


def test_screening_order_by_first_decision_date():
    status, log = example()
    order, labels, unscreened = screening_order(status, log)
    assert order == ["r4", "r3", "r1", "r2"]
    assert labels == [1, 0, 0, 0]
    assert unscreened == ["r5", "r6"]


def test_screening_order_keeps_the_rows_of_an_undated_sheet():
    # A sheet screened top to bottom without dates: the order is its rows' (the ranking's),
    # not the reference ids', so the include met first stays first.
    refs = ["r9", "r3", "r7", "r1"]
    status = _status([(r, "title_abstract", "exclude", "design") for r in refs])
    status.loc[status["reference_id"] == "r9", "status"] = "include"
    log = _log(
        [
            ("reviewer", "title_abstract", "anouk", "title_abstract/anouk.xlsx", str(row), r,
             "exclude", "")
            for row, r in enumerate(refs, start=2)
        ]
    )  # fmt: skip
    order, labels, _ = screening_order(status, log)
    assert order == refs
    assert labels == [1, 0, 0, 0]
    # A conflict settled in row 2 of an undated resolutions file keeps the place where the
    # reviewer screened it (row 4), not the resolution's.
    settled = _log(
        [("resolution", "title_abstract", "anouk", "title_abstract/resolutions.xlsx", "2", "r7",
          "exclude", "")]
    )  # fmt: skip
    assert screening_order(status, pd.concat([log, settled]))[0] == refs
    # Row 10 comes after row 9 (numbers, not text).
    log.loc[log["reference_id"] == "r9", "row"] = "10"
    assert screening_order(status, log)[0] == ["r3", "r7", "r1", "r9"]


def test_estimate_worked_by_hand():
    # 6 references, labels [1, 0, 0, 0], tau 0.95, r_seen 1.
    # Suffix from the start: urn 6, sample 4, k 1, K = floor(1/0.95 - 0) + 1 = 2:
    #   P(X <= 1) = 1 - C(2,2)C(4,2)/C(6,4) = 1 - 6/15 = 0.6.
    # Suffix after the include: urn 5, sample 3, k 0, K = floor(1/0.95 - 1) + 1 = 1:
    #   P(X = 0) = C(4,3)/C(5,3) = 4/10 = 0.4   <- the smallest: p = 0.4, not below 0.05.
    # Still unfound: 0 of 3 in the sample -> estimate 0; upper bound: K = 2 still gives
    #   P(X = 0) = C(3,3)/C(5,3) = 0.1 >= 0.05 and K can be at most 5 - 3 = 2 -> 2.
    # Random sample: K = k_target(1, 1) = 1 among the 2 unscreened; one drawn leaves
    #   P(X = 0) = 1/2, two leave 0 -> 2.
    # (In reference-id order the labels would be [0, 0, 0, 1] and p = 0.6.)
    status, log = example()
    row, sample = stopping_estimate(status, log, method="buscar")
    assert row["method"] == "buscar"
    assert row["references"] == 6
    assert row["screened"] == 4
    assert row["includes_found"] == 1
    assert row["unscreened"] == 2
    assert row["p_value"] == pytest.approx(0.4)
    assert row["target_met"] == "no"
    assert row["missing_estimate"] == 0
    assert row["missing_upper"] == 2
    assert row["random_sample_size"] == 2
    assert sorted(sample) == ["r5", "r6"]
    assert "screen the 2 reference(s) in stopping_sample.csv" in row["advice"]


def test_target_met_after_many_excludes():
    # One include, then 60 excludes; 1 reference unscreened (62 in all). After the include:
    # urn 61, sample 60, K = floor(1/0.95 - 1) + 1 = 1: P(X = 0) = C(60,60)/C(61,60) = 1/61.
    refs = [f"r{i:02d}" for i in range(62)]
    status = _status(
        [(r, "title_abstract", "include" if i == 0 else "exclude", "") for i, r in enumerate(refs)]
    )
    status.loc[61, "status"] = "pending"
    log = _log(
        [("reviewer", "title_abstract", "anouk", "anouk.csv", str(i + 2), r, "x",
          f"2025-01-{1 + i // 3:02d}") for i, r in enumerate(refs[:61])]
    )  # fmt: skip
    row, sample = stopping_estimate(status, log, method="buscar")
    assert row["p_value"] == pytest.approx(1 / 61, abs=1e-6)
    assert row["target_met"] == "yes"
    assert row["missing_upper"] == 0
    assert row["random_sample_size"] == 0
    assert sample == []
    assert row["advice"].startswith(
        "Recall of 95% with 95% confidence (buscar hypergeometric test) is reached"
    )
    assert "you may stop" in row["advice"]


def test_a_conflict_counts_as_an_include():
    status, log = example()
    status.loc[status["reference_id"] == "r2", "status"] = "conflict"
    _, labels, _ = screening_order(status, log)
    assert labels == [1, 0, 0, 1]


def test_stopped_by_the_unscreened_rule():
    # The review stopped: r5 and r6 were removed by the unscreened rule; they still count as
    # unscreened, and the advice says the estimate does not support the stop.
    status, log = example()
    stopped = status["reference_id"].isin(["r5", "r6"]) & (status["stage"] == "title_abstract")
    status.loc[stopped, ["status", "criteria"]] = ["automation", "stopped_screening"]
    rule = {"name": "stopped_screening", "unscreened": {"recall": 0.95}}
    row, _ = stopping_estimate(
        status, log, method="buscar", unscreened_rule="stopped_screening", stopped_rule=rule
    )
    assert (row["references"], row["unscreened"]) == (6, 2)
    assert row["p_value"] == pytest.approx(0.4)
    assert "stopped under rule stopped_screening" in row["advice"]
    assert "does not support" in row["advice"]


def test_nothing_screened_yet():
    status = _status([(r, "title_abstract", "pending", "") for r in ("a", "b", "c")])
    row, sample = stopping_estimate(status, _log([]))
    assert (row["references"], row["screened"], row["unscreened"]) == (3, 0, 3)
    assert row["target_met"] == "no" and row["p_value"] == "" and sample == []
    assert row["advice"].startswith("No reference has been screened")


def test_no_include_yet():
    status, log = example()
    status.loc[status["reference_id"] == "r4", "status"] = "exclude"
    row, sample = stopping_estimate(status, log)
    assert row["includes_found"] == 0
    assert row["target_met"] == "no" and sample == []
    assert row["advice"].startswith("No include found yet")


def test_everything_screened():
    status, log = example()
    status = status[~status["reference_id"].isin(["r5", "r6"])]
    row, sample = stopping_estimate(status, log)
    assert (row["references"], row["screened"], row["unscreened"]) == (4, 4, 0)
    assert row["target_met"] == "yes" and row["missing_upper"] == 0 and sample == []
    assert row["advice"].startswith("Every reference has been screened")


def test_no_reference_at_the_stage():
    row, sample = stopping_estimate(_status([]), _log([]))
    assert row["references"] == 0 and sample == []
    assert "nothing to estimate" in row["advice"]


def test_sample_is_a_stable_subset():
    # Ten unscreened after one include: the sample is smaller than the remainder, drawn the
    # same way every time whatever the order of the rows.
    status, log = example()
    more = _status([(f"u{i}", "title_abstract", "pending", "") for i in range(40)])
    status = pd.concat([status, more], ignore_index=True)
    row, sample = stopping_estimate(status, log, method="buscar")
    assert 0 < row["random_sample_size"] == len(sample) < row["unscreened"] == 42
    again, sample2 = stopping_estimate(status.iloc[::-1], log.iloc[::-1], method="buscar")
    assert sample2 == sample and again == row


def _write_inputs(tmp_path):
    status, log = example()
    write_csv(status, tmp_path / "status.csv")
    write_csv(log, tmp_path / "log.csv")
    refs = pd.DataFrame(
        [(f"r{i}", f"Title {i}", "Doe, J.", "2020", "J", f"10.1/{i}") for i in range(1, 8)],
        columns=["reference_id", "title", "authors", "year", "journal", "doi"],
    )
    write_csv(refs, tmp_path / "references.csv")


def test_cli_writes_stopping_and_sample(tmp_path, capsys):
    _write_inputs(tmp_path)
    policy = json.dumps(
        {"reviewers": ["anouk"], "stopping": {"method": "buscar", "recall": 0.9, "confidence": 0.9}}
    )
    out = tmp_path / "out"
    args = ["stopping", "--status", str(tmp_path / "status.csv"), "--log",
            str(tmp_path / "log.csv"), "--references", str(tmp_path / "references.csv"),
            "--policy", policy, "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    table = read_csv(out / "stopping.csv")
    assert list(table.columns) == COLUMNS and len(table) == 1
    row = table.iloc[0]
    # recall 0.9 gives the same K as 0.95 here (floor(1/0.9) = 1): p = 0.4, not below 0.1
    assert (row["recall_target"], row["confidence"], row["p_value"]) == ("0.9", "0.9", "0.4")
    assert row["target_met"] == "no" and row["random_sample_size"] == "2"
    assert row["method"] == "buscar"
    assert (
        "Recall of 90% with 90% confidence (buscar hypergeometric test) is not shown yet"
        in (row["advice"])
    )
    sample = read_csv(out / "stopping_sample.csv")
    assert list(sample.columns) == SAMPLE_COLUMNS
    assert sorted(sample["reference_id"]) == ["r5", "r6"]
    assert list(sample["position"]) == ["1", "2"]
    assert set(sample["title"]) == {"Title 5", "Title 6"}
    files = [out / "stopping.csv", out / "stopping_sample.csv"]
    first = [f.read_bytes() for f in files]
    assert main(args) == 0
    assert [f.read_bytes() for f in files] == first
    assert "stopping:" in capsys.readouterr().err


def test_cli_bad_input(tmp_path, capsys):
    _write_inputs(tmp_path)
    write_csv(pd.DataFrame({"reference_id": ["r1"]}), tmp_path / "status.csv")
    code = main(["stopping", "--status", str(tmp_path / "status.csv"), "--log",
                 str(tmp_path / "log.csv"), "--references", str(tmp_path / "references.csv"),
                 "-o", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "status.csv" in err and "stage" in err and "slrflow screen" in err


def test_counting_rule_asks_to_go_on_in_ranked_order():
    # The example's order [1, 0, 0, 0] of 6: one include, three excludes. Found 1 at a 95%
    # target allows no include unfound; with two references left the counting estimate is far
    # from sure of that, so it is not met, and it asks for no random sample.
    status, log = example()
    row, sample = stopping_estimate(status, log, method="counting")
    assert row["method"] == "counting"
    assert row["target_met"] == "no" and row["random_sample_size"] == 0 and sample == []
    assert 0 < row["missing_estimate"] <= 2 and row["missing_upper"] <= 2
    assert "(counting-process estimate) is not shown yet" in row["advice"]
    assert "keep screening in the order of the screening sheets" in row["advice"]


def _early_includes(pending: int = 1):
    """Ten includes, then 200 excludes, then ``pending`` unscreened references."""
    refs = [f"r{i:03d}" for i in range(210 + pending)]
    status = _status(
        [(r, "title_abstract", "include" if i < 10 else "exclude", "") for i, r in enumerate(refs)]
    )
    status.loc[210:, "status"] = "pending"
    log = _log(
        [("reviewer", "title_abstract", "anouk", "anouk.csv", str(i + 2), r, "x", "")
         for i, r in enumerate(refs[:210])]
    )  # fmt: skip
    return status, log


def test_a_counting_stop_below_the_checked_targets_says_so():
    status, log = _early_includes()
    row, _ = stopping_estimate(status, log, method="counting", recall_target=0.8)
    assert row["target_met"] == "yes"
    assert "Below a 90% target the counting rule has stopped short" in row["advice"]
    assert "buscar keeps its confidence" in row["advice"]
    for target in (0.9, 0.95):
        row, _ = stopping_estimate(status, log, method="counting", recall_target=target)
        assert row["target_met"] == "yes" and "Below a" not in row["advice"]
    # buscar says nothing of the kind
    row, _ = stopping_estimate(status, log, method="buscar", recall_target=0.8)
    assert "Below a" not in row["advice"]
