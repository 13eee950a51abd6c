"""Prioritised screening: metrics, the stopping rule, the ranker and ``slrflow simulate``.

Expected figures are worked out by hand in the comments next to them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from slrflow.cli import main
from slrflow.screening import metrics, stopping
from slrflow.screening.rank import (
    Ranker,
    Settings,
    criteria_text_from,
    load_criteria_text,
    rank,
)
from slrflow.screening.simulate import batch_size, choose_priors, load_dataset, replay

# -- metrics ------------------------------------------------------------------------------------
# Ten records, includes screened 1st and 3rd.
ORDER = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]


def test_recall_at_ten_percent_counts_the_first_tenth():
    # 10% of 10 records = 1 record, holding 1 of the 2 includes.
    assert metrics.recall_at(ORDER, 0.10) == 0.5
    # 30% = 3 records: both includes.
    assert metrics.recall_at(ORDER, 0.30) == 1.0
    # 10% of 250 is 25 records, not 26 through float rounding; 10% of 251 is 26.
    assert metrics.n_screened_at(0.10, 250) == 25
    assert metrics.n_screened_at(0.10, 251) == 26


def test_wss_at_95():
    # 95% of 2 includes needs both: found after 3 records; (10 - 3) / 10 - 0.05 = 0.65.
    assert metrics.wss(ORDER, 0.95) == pytest.approx(0.65)
    # 20 includes: 95% is 19 of them (19/20 = 0.95 exactly), found after 19 records of 100.
    labels = [1] * 19 + [0] * 20 + [1] + [0] * 60
    assert metrics.records_to_recall(labels, 0.95) == 19
    assert metrics.wss(labels, 0.95) == pytest.approx(81 / 100 - 0.05)
    # A random-looking order (includes last) saves nothing: WSS = 0 - 0.05.
    assert metrics.wss([0, 0, 0, 1], 0.95) == pytest.approx(-0.05)


def test_atd_and_erf():
    # Includes found after 1 and 3 of 10 records: mean of 0.1 and 0.3.
    assert metrics.atd(ORDER) == pytest.approx(0.2)
    # After 1 record: found 1, random expects 2 * 1/10 = 0.2; (1 - 0.2) / 2 = 0.4.
    assert metrics.erf(ORDER, 0.10) == pytest.approx(0.4)
    curve = metrics.recall_curve(ORDER)
    assert curve[0] == 0.5 and curve[2] == 1.0 and curve[-1] == 1.0


def test_metrics_reject_orders_without_includes_or_bad_labels():
    with pytest.raises(ValueError, match="no included"):
        metrics.wss([0, 0, 0])
    with pytest.raises(ValueError, match="0 .* or 1"):
        metrics.atd([1, 2, 0])


# -- stopping rule ------------------------------------------------------------------------------
def test_k_target_is_the_fewest_missed_includes_that_break_the_target():
    # 19 found: 1 more include would give 19/20 = 95% (met); 2 more give 19/21 < 95%.
    assert stopping.k_target(19, 19, 0.95) == 2
    # 40 found: 2 missed give 40/42 = 95.2% (met), 3 missed give 40/43 = 93.0%.
    assert stopping.k_target(40, 40, 0.95) == 3
    # An urn drawn after 38 of the 40 were found must then hold 40 - 38 + 3 = 5.
    assert stopping.k_target(40, 38, 0.95) == 5


def test_p_missed_target_by_hand():
    # Urn of 10, target needs K = 2 hidden includes; 5 drawn, none included:
    # P(X = 0) = C(8, 5) / C(10, 5) = 56 / 252.
    p = stopping.p_missed_target(5, 0, 10, r_seen=19, r_before=19, recall_target=0.95)
    assert p == pytest.approx(56 / 252)
    # All 10 drawn: the 2 includes could not have been missed.
    assert stopping.p_missed_target(10, 0, 10, 19, 19) == 0.0


def test_buscar_p_takes_the_best_suffix():
    # 6 records, screened [1, 0, 0]; r_seen = 1.
    # last 1 ([0]): urn 4, K = floor(1/0.95 - 1) + 1 = 1: P(X=0) = 3/4
    # last 2 ([0, 0]): urn 5, K = 1: P(X=0) = 3/5
    # last 3 ([1, 0, 0]): urn 6, K = floor(1/0.95) + 1 = 2: P(X<=1) = 1 - C(4,1)/C(6,3) = 0.8
    p, size = stopping.buscar_p([1, 0, 0], 6, 0.95)
    assert p == pytest.approx(0.6)
    assert size == 2
    # Everything screened: the target is met for sure.
    assert stopping.buscar_p([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], 10)[0] == 0.0


def test_random_sample_size_by_hand():
    # 10 left, K = 2: P(none in n) = (10 - n)(9 - n) / 90; n = 7 gives 6/90 = 0.067,
    # n = 8 gives 2/90 = 0.022 < 0.05.
    assert stopping.random_sample_size(10, 19, 0.95, 0.95) == 8
    # Nothing left to sample.
    assert stopping.random_sample_size(0, 5) == 0


def test_unfound_upper_by_hand():
    # 5 of 10 drawn, none included. P(X=0 | K): K=3: C(7,5)/C(10,5) = 21/252 = 0.083 >= 0.05,
    # K=4: C(6,5)/C(10,5) = 6/252 = 0.024 < 0.05, so at most 3 includes hide in the other 5.
    assert stopping.unfound_upper(5, 0, 10, 0.95) == 3


def test_estimate_with_a_random_sample():
    # 12 records: 2 screened by rank (both included), then 5 drawn at random, none included.
    result = stopping.estimate([1, 1, 0, 0, 0, 0, 0], 12, sample_start=2)
    # Urn of 10, K = floor(2/0.95 - 2) + 1 = 1: P(X = 0) = 5/10.
    assert result.p_value == pytest.approx(0.5)
    assert not result.target_met
    assert (result.method, result.basis) == ("buscar", "random sample")
    assert result.unfound_estimate == 0
    assert result.unfound_upper == 3  # as in test_unfound_upper_by_hand
    # 5 left with K = 1: P(none in n) = (5 - n)/5 < 0.05 only at n = 5.
    assert result.screen_next == 5


def test_estimate_met_when_everything_is_screened():
    result = stopping.estimate([1, 0, 1, 0, 0], 5)
    assert result.target_met and result.screen_next == 0 and result.unfound_upper == 0


# -- ranker -------------------------------------------------------------------------------------
REFERENCES = pd.DataFrame(
    {
        "reference_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
        "title": [
            "Mentoring to prevent radicalisation of young people",
            "Nitrogen uptake of wheat under drought",
            "A family support programme against violent radicalisation: an evaluation",
            "Soil microbes and crop yield",
            "Deradicalisation mentoring for people with psychosocial problems",
            "Irrigation scheduling for maize",
        ],
        "abstract": [
            "An intervention against radicalisation with mentoring.",
            "Wheat crops and nitrogen fertiliser.",
            "Families of radicalising youth received support against extremism.",
            "",
            "Mentoring intervention reduced extremist attitudes and radicalisation.",
            "Crop water use and yield.",
        ],
    }
)


def test_ranker_puts_the_obviously_relevant_record_first():
    result = rank(REFERENCES, {"r1": "include", "r2": "exclude"}, seed=3)
    assert set(result["reference_id"]) == {"r3", "r4", "r5", "r6"}
    assert result["rank"].tolist() == [1, 2, 3, 4]
    assert result.iloc[0]["reference_id"] == "r5"
    assert set(result.iloc[:2]["reference_id"]) == {"r3", "r5"}
    assert "mentoring" in result.iloc[0]["top_terms"].split("; ")
    assert result.iloc[0]["basis"] == "model"


def test_ranker_cold_start_follows_the_criteria_text():
    criteria = "Interventions against radicalisation and violent extremism"
    result = rank(REFERENCES, {}, criteria_text=criteria)
    assert result.iloc[0]["basis"] == "criteria"
    assert set(result.iloc[:3]["reference_id"]) == {"r1", "r3", "r5"}
    assert "radicalisation" in result.iloc[0]["top_terms"]


def test_cold_start_criteria_terms_with_a_star_match_word_beginnings():
    references = pd.DataFrame(
        {
            "reference_id": ["a", "b", "c"],
            "title": ["Soil and crops", "An evaluation of a programme", "Maize yield"],
            "abstract": ["", "", ""],
        }
    )
    result = rank(references, {}, criteria_text="evaluat*")
    assert result.iloc[0]["reference_id"] == "b"
    assert result.iloc[0]["top_terms"] == "evaluation"


def test_ranker_without_criteria_or_includes_uses_a_seeded_order():
    first = rank(REFERENCES, {"r2": 0}, seed=1)
    again = rank(REFERENCES, {"r2": 0}, seed=1)
    assert first.equals(again)
    assert first.iloc[0]["basis"] == "none"
    assert len(first) == 5


def test_ranker_accepts_a_decisions_table_and_skips_undecided():
    decisions = pd.DataFrame({"reference_id": ["r1", "r2", "r4"], "decision": ["1", "0", "maybe"]})
    result = rank(REFERENCES, decisions)
    assert "r4" in set(result["reference_id"])  # a maybe is not a decision to learn from
    assert "r1" not in set(result["reference_id"])


def test_criteria_text_from_a_criteria_file(tmp_path: Path):
    path = tmp_path / "criteria.yaml"
    path.write_text(
        "criteria:\n"
        "  - id: C1\n"
        "    text: Primary data\n"
        "    key_terms: [interview, survey]\n"
        "  - id: C2\n"
        "    description: Interventions against radicalisation\n"
        "    terms:\n"
        "      en: [evaluat*]\n"
        "      nl: [radicalisering]\n"
        "reasons:\n"
        "  - id: duplicate\n"
        "    text: Duplicate missed by deduplication\n",
        encoding="utf-8",
    )
    text = load_criteria_text(path)
    for part in (
        "Primary data",
        "interview",
        "survey",
        "radicalisation",
        "evaluat*",
        "radicalisering",
    ):
        assert part in text
    assert "C1" not in text
    assert "Duplicate" not in text  # exclusion reasons say nothing about relevance
    assert criteria_text_from(["plain", {"id": "C3"}]) == "plain"


def test_ranker_top_terms_are_the_largest_contributions():
    ranker = Ranker(["apple banana", "banana cherry", "cherry date"], seed=0)
    ranker.fit([0, 2], [1, 0])
    assert ranker.top_terms(1, 1) == ["banana"]
    assert ranker.top_terms(2, 3) == []  # cherry and date count against inclusion


# -- simulation ---------------------------------------------------------------------------------
def write_dataset(path: Path, labels, *, column="label_included", abstracts=True) -> Path:
    relevant = "mentoring intervention against radicalisation of youth {i}"
    other = "crop yield of wheat and maize under irrigation {i}"
    rows = []
    for i, label in enumerate(labels):
        text = (relevant if str(label) == "1" else other).format(i=i)
        row = {"record_id": f"id{i}", "title": text.split(" of ")[0]}
        if abstracts:
            row["abstract"] = text if i % 3 else ""  # some abstracts empty: title is used
        row[column] = label
        rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def run_cli(args, capsys):
    code = main(["simulate", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_simulate_command_writes_the_screening_order(tmp_path: Path, capsys):
    labels = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    data = write_dataset(tmp_path / "set.csv", labels)
    out = tmp_path / "order.csv"
    args = [data, "--seed", 2, "-o", out, "--metrics", tmp_path / "m.csv"]
    code, stdout, stderr = run_cli(args, capsys)
    assert code == 0, stderr
    order = pd.read_csv(out)
    assert order["position"].tolist() == list(range(1, 21))
    assert sorted(order["row"]) == list(range(20))
    assert order["prior"].tolist()[:2] == [1, 1] and order["prior"].sum() == 2
    assert order.iloc[:2]["label"].sum() == 1  # one prior include, one prior exclude
    assert (order["label"] == np.asarray(labels)[order["row"]]).all()
    assert order.loc[order["row"] == 3, "record_id"].item() == "id3"
    # Separable text: the three includes left come straight after the priors.
    assert order.iloc[2:5]["label"].tolist() == [1, 1, 1]
    for name in ("recall@10%", "WSS@95", "ATD", "stopping rule"):
        assert name in stdout
    figures = pd.read_csv(tmp_path / "m.csv")
    # 18 records after the priors, the 3 includes first: WSS@95 = (18 - 3)/18 - 0.05.
    assert figures["wss@95"].item() == pytest.approx(15 / 18 - 0.05, abs=1e-6)


def test_simulate_reads_an_included_column_and_a_named_one(tmp_path: Path, capsys):
    labels = [1, 0, 1, 0, 0, 0]
    data = write_dataset(tmp_path / "a.csv", labels, column="included", abstracts=False)
    code, _, err = run_cli([data, "-o", tmp_path / "a_out.csv"], capsys)
    assert code == 0, err
    data = write_dataset(tmp_path / "b.csv", labels, column="final")
    code, _, err = run_cli([data, "--label-column", "final", "-o", tmp_path / "b_out.csv"], capsys)
    assert code == 0, err


@pytest.mark.parametrize(
    ("labels", "column", "extra", "message"),
    [
        ([1, 0, 0], "verdict", [], "no label column"),
        ([1, 0, 2, 0], "label_included", [], "line 4, column label_included: label '2'"),
        ([1, 0, "", 0], "label_included", [], "line 4, column label_included: label empty"),
        ([0, 0, 0, 0], "label_included", [], "needs both included and excluded"),
        ([1, 0, 0, 0], "label_included", ["--n-prior-included", "2"], "only 1 included"),
        ([1, 0, 0, 0], "label_included", ["--label-column", "nope"], "no column 'nope'"),
    ],
)
def test_simulate_bad_input_is_one_clear_message(
    tmp_path: Path, capsys, labels, column, extra, message
):
    data = write_dataset(tmp_path / "bad.csv", labels, column=column)
    code, _, err = run_cli([data, "-o", tmp_path / "o.csv", *extra], capsys)
    assert code == 2
    assert message in err
    assert str(data) in err or "prior" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def test_simulate_missing_file_and_missing_title(tmp_path: Path, capsys):
    code, _, err = run_cli([tmp_path / "none.csv", "-o", tmp_path / "o.csv"], capsys)
    assert code == 2 and "no such file" in err
    path = tmp_path / "notitle.csv"
    path.write_text("abstract,label_included\nx,1\ny,0\n", encoding="utf-8")
    code, _, err = run_cli([path, "-o", tmp_path / "o.csv"], capsys)
    assert code == 2 and "no title column" in err


def test_priors_and_batches():
    labels = np.array([0, 1, 0, 0, 1, 0])
    priors = choose_priors(labels, 1, 2, seed=5)
    assert labels[priors].sum() == 1 and priors.size == 3
    assert np.array_equal(priors, choose_priors(labels, 1, 2, seed=5))
    # 5% of those screened so far, at least 1.
    assert batch_size(0) == 1 and batch_size(39) == 1 and batch_size(40) == 2
    assert batch_size(100) == 5 and batch_size(1000) == 50
    assert batch_size(100, 0.02) == 2 and batch_size(49, 0.02) == 1


def test_batch_share_sets_how_often_the_replay_retrains(tmp_path: Path, capsys):
    # 8 includes with telling text among 40: after the priors (1 include) the 7 left come
    # first. Share 0: one record per retraining, 7 retrainings to find them. Share 1: batches
    # of 1, 1, 2, 4 records (as many as screened so far), so 4 retrainings.
    relevant = "mentoring intervention against radicalisation of youth {i}"
    other = "crop yield of wheat and maize under irrigation {i}"
    labels = np.array([1 if i % 5 == 0 else 0 for i in range(40)])
    texts = [(relevant if y else other).format(i=i) for i, y in enumerate(labels)]
    priors = choose_priors(labels, seed=0)
    every = replay(texts, labels, priors, seed=0, batch_share=0.0)
    doubling = replay(texts, labels, priors, seed=0, batch_share=1.0)
    assert every.retrainings == 7 and doubling.retrainings == 4
    assert every.screened_labels[:7].sum() == doubling.screened_labels[:7].sum() == 7
    # At least a tenth of the 40 records (4) between retrainings: batches of 4 and 4.
    tenth = replay(texts, labels, priors, seed=0, batch_share=0.0, min_batch_share=0.1)
    assert tenth.retrainings == 2 and tenth.screened_labels[:7].sum() == 7
    assert batch_size(10, 0.05, 4) == 4 and batch_size(100, 0.05, 4) == 5
    data = write_dataset(tmp_path / "set.csv", labels)
    code, _, err = run_cli([data, "-o", tmp_path / "o.csv", "--batch-share", "1.5"], capsys)
    assert code == 2 and "--batch-share must be between 0 and 1, got 1.5" in err
    assert not (tmp_path / "o.csv").exists()


def test_replay_is_deterministic_and_complete():
    texts = [f"word{i % 4} common text {i}" for i in range(30)]
    labels = np.array([1 if i % 4 == 0 else 0 for i in range(30)])
    priors = choose_priors(labels, seed=0)
    first = replay(texts, labels, priors, seed=0)
    again = replay(texts, labels, priors, seed=0)
    assert np.array_equal(first.order, again.order)
    assert sorted(first.order.tolist()) == list(range(30))
    assert first.stop_recall is None or first.stop_recall >= 0


def test_simulation_on_a_real_set_saves_work(shared_data: Path):
    path = shared_data / "screening" / "Donners_2021" / "Donners_2021.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    data = load_dataset(path)
    priors = choose_priors(data.labels, 1, 1, seed=0)
    result = replay(data.texts, data.labels, priors, seed=0)
    figures = result.metrics()
    # Random order gives WSS@95 near 0 and recall@10% near 0.1.
    assert figures["wss@95"] > 0.4
    assert figures["recall@10%"] > 0.4
    assert result.stop_at is not None and result.stop_recall >= 0.95
    assert math.isclose(result.labels.sum(), 15)


def brute_force_buscar(labels, n_total, target=0.95):
    """buscar's calculate_h0 as published: every suffix, one by one."""
    from scipy.stats import hypergeom

    r_seen, n, best = sum(labels), len(labels), 1.0
    for size in range(1, n + 1):
        k = sum(labels[n - size :])
        k_hat = math.floor(r_seen / target - (r_seen - k) + 1e-9) + 1
        urn = n_total - (n - size)
        p = 0.0 if k_hat > urn else hypergeom.cdf(k, urn, k_hat, size)
        best = min(best, p)
    return best


def test_buscar_p_equals_testing_every_suffix():
    rng = np.random.default_rng(7)
    for _ in range(40):
        n_total = int(rng.integers(5, 120))
        n = int(rng.integers(1, n_total + 1))
        labels = (rng.random(n) < rng.uniform(0.02, 0.5)).astype(int).tolist()
        expected = brute_force_buscar(labels, n_total)
        assert stopping.buscar_p(labels, n_total)[0] == pytest.approx(expected, abs=1e-12)


def test_find_datasets(tmp_path: Path):
    from slrflow.screening.datasets import find_datasets

    (tmp_path / "set_b").mkdir()
    (tmp_path / "set_b" / "b.csv").write_text("title,label_included\n", encoding="utf-8")
    (tmp_path / "set_a").mkdir()
    (tmp_path / "set_a" / "z.csv").write_text("", encoding="utf-8")
    (tmp_path / "set_a" / "a.csv").write_text("", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    found = find_datasets(None, tmp_path)
    assert list(found) == ["set_a", "set_b"]
    assert found["set_a"].name == "a.csv"
    assert find_datasets(None, tmp_path / "missing") == {}
    assert find_datasets(["x/one.csv"], tmp_path) == {"one": Path("x/one.csv")}
    assert find_datasets({"n": "p.csv"}) == {"n": Path("p.csv")}


def test_simulation_report_draws_curves_and_sums_up(tmp_path: Path, capsys):
    labels = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    data = write_dataset(tmp_path / "set.csv", labels)
    orders, figures = [], []
    for seed in (0, 1):
        orders.append(tmp_path / f"seed{seed}.csv")
        figures.append(tmp_path / f"seed{seed}.metrics.csv")
        args = [data, "--seed", seed, "-o", orders[-1], "--metrics", figures[-1]]
        assert run_cli(args, capsys)[0] == 0
    out = tmp_path / "report"
    args = ["simulation-report", "--orders", *orders, "--metrics", *figures]
    args += ["--svg", out / "c.svg", "--png", out / "c.png", "--summary", out / "s.csv"]
    assert main([str(a) for a in args]) == 0
    summary = pd.read_csv(out / "s.csv", dtype=str)
    assert summary["seed"].tolist() == ["0", "1", "mean"]
    mean = float(summary.loc[2, "wss@95"])
    assert mean == pytest.approx(summary.loc[:1, "wss@95"].astype(float).mean(), abs=1e-6)
    first = (out / "c.svg").read_bytes()
    assert b"<svg" in first and (out / "c.png").stat().st_size > 0
    assert main([str(a) for a in args]) == 0
    assert (out / "c.svg").read_bytes() == first  # same inputs, same bytes


def test_the_svm_guides_only_the_first_share_of_the_screening():
    texts = [f"topic{i % 3} shared words {i}" for i in range(10)]
    joined = Settings(svm_until_share=0.5)  # while fewer than 5 of 10 are screened
    without = Settings(svm_weight=0.0)
    early = ([0, 1, 2], [1, 0, 0])
    later = ([0, 1, 2, 3, 4, 5], [1, 0, 0, 1, 0, 0])
    with_svm = Ranker(texts, settings=joined).fit(*early).weights
    assert not np.allclose(with_svm, Ranker(texts, settings=without).fit(*early).weights)
    # 6 screened of 10 is past half: the SVM is left out, the rest is the same model.
    assert np.allclose(
        Ranker(texts, settings=joined).fit(*later).weights,
        Ranker(texts, settings=without).fit(*later).weights,
    )


def test_character_ngrams_score_but_only_words_explain():
    texts = ["apple banana", "banana cherry", "cherry date"]
    ranker = Ranker(texts, seed=0, settings=Settings(char_weight=1.0))
    # Words: apple, banana, cherry, date and the pairs "apple banana", "banana cherry",
    # "cherry date"; the character n-grams of the words come after them.
    assert ranker.n_word_features == 7
    assert ranker.features.shape[1] > 7
    ranker.fit([0, 2], [1, 0])
    assert ranker.top_terms(1, 3) == ["banana"]
