"""The stopping rules, worked by hand on small screening orders.

Labels are in screening order (1 included, 0 excluded). The counting-process numbers follow
:mod:`slrflow.screening.counting` with one decay and a large scattered share, so every step can
be done on paper, and its run test's from the gaps between includes; buscar's follow
:mod:`slrflow.screening.stopping`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from slrflow.screening import counting, stopping
from slrflow.screening.automation import stopping_statement


def test_counting_worked_by_hand():
    # Screened [1, 0, 0, 0] of 8 records, no priors, one decay b = ln 2 (the falling part halves
    # with every rank), half the includes scattered (s = 0.5), recall target 50%.
    # Ranks are integrated over [0.5, 8.5]. Falling part: Z = (2^-0.5 - 2^-8.5) / ln 2 =
    # (0.707107 - 0.002762) / 0.693147 = 1.016155; its share over ranks 1-4 (up to 4.5):
    # (2^-0.5 - 2^-4.5) / ln 2 / Z = 0.662913 / 0.693147 / 1.016155 = 0.941177.
    # Flat part over ranks 1-4: 4 / 8 = 0.5. S = 0.5 * 0.941177 + 0.5 * 0.5 = 0.720588.
    # One include found (m = 1): U is negative binomial with 2 successes, p = S. The target is
    # missed when more than floor(1 * 0.5 / 0.5) = 1 include is unfound:
    #   P(U <= 1) = S^2 (1 + 2 (1 - S)) = 0.519248 * 1.558823 = 0.809415 -> P(U > 1) = 0.190585
    # Expected unfound: 2 (1 - S) / S = 2 * 0.279412 / 0.720588 = 0.775510.
    result = counting.curve(
        [1, 0, 0, 0], 8, recall_target=0.5, scattered=0.5, decays=[math.log(2)], powers=[]
    )
    assert result.p_missed[-1] == pytest.approx(0.190585, abs=2e-6)
    assert result.unfound_mean[-1] == pytest.approx(0.775510, abs=2e-6)
    assert result.found.tolist() == [1, 1, 1, 1]
    # Each exclude after the include lowers the chance of a missed target.
    assert np.all(np.diff(result.p_missed) < 0)


def test_counting_learns_the_scattered_share_worked_by_hand():
    # The order of the first test, [1, 0, 0, 0] of 8 with b = ln 2, but the scattered share
    # unknown: none or half, prior weight 1/2 each. Each share is weighted by the density at
    # the include's rank over S^(m + 1) (the rest of the evidence is the same for both):
    #   f(1) = 2^-1 / Z = 0.5 / 1.016155 = 0.492051
    #   s = 0.5: density 0.5 * 0.492051 + 0.5 / 8 = 0.308526, S = 0.720588:
    #            0.308526 / 0.720588^2 = 0.594178
    #   s = 0:   density 0.492051, S = 0.941176: 0.492051 / 0.941176^2 = 0.555480
    # Posterior weights 0.594178 / 1.149658 = 0.516831 and 0.483169. The chance of a missed
    # target is theirs mixed: P(U > 1) is 0.190585 with s = 0.5 (first test) and, with s = 0,
    # 1 - S^2 (1 + 2 (1 - S)) = 1 - 0.885813 * 1.117647 = 0.009974; so
    # 0.516831 * 0.190585 + 0.483169 * 0.009974 = 0.103319. Expected unfound:
    # 0.516831 * 0.775510 + 0.483169 * 2 * 0.058824 / 0.941176 = 0.461204.
    options = {"recall_target": 0.5, "decays": [math.log(2)], "powers": []}
    result = counting.curve([1, 0, 0, 0], 8, scattered=[(0.0, 1), (0.5, 1)], **options)
    assert result.p_missed[-1] == pytest.approx(0.103319, abs=2e-6)
    assert result.unfound_mean[-1] == pytest.approx(0.461204, abs=2e-6)
    # The one-verdict path reads the same evidence.
    assert counting.p_missed(
        [1, 0, 0, 0], 8, scattered=[(0.0, 1), (0.5, 1)], recall_target=0.5, recent=0
    ) == pytest.approx(counting.curve(
        [1, 0, 0, 0], 8, scattered=[(0.0, 1), (0.5, 1)], recall_target=0.5, recent=0
    ).p_missed[-1])  # fmt: skip
    # One share with all the prior weight is that share alone.
    alone = counting.curve([1, 0, 0, 0], 8, scattered=[(0.5, 3)], **options)
    assert alone.p_missed[-1] == pytest.approx(0.190585, abs=2e-6)
    with pytest.raises(ValueError, match="prior weight must be positive"):
        counting.curve([1, 0], 4, scattered=[(0.0, 1), (0.02, 0)])
    with pytest.raises(ValueError, match=r"must be in \[0, 1\)"):
        counting.curve([1, 0], 4, scattered=[(1.0, 1)])


def test_counting_with_the_share_learned_waits_between_none_and_the_larger_share():
    # Forty includes early, then one far down. With no share assumed scattered the rule stops
    # before the late include is met; with the share learned (none or 5%, half each) it waits
    # past it, though not as long as with 5% assumed outright; and the late include, which is
    # evidence of scattered includes, makes it wait longer than the same order without it.
    early = ([1] + [0] * 4) * 40
    late = early + [0] * 300 + [1] + [0] * 1000
    quiet = early + [0] * 1301
    learned = [(0.0, 0.5), (0.05, 0.5)]

    def stop(order, scattered):
        return stopping.stop_point(order, 2000, method="counting", scattered=scattered)[0]

    assert stop(late, 0.0) < len(early) + 301 < stop(late, learned) < stop(late, 0.05)
    assert stop(quiet, learned) < stop(late, learned)


def test_counting_power_law_shape_worked_by_hand():
    # Screened [1, 0, 0] of 4 records, the falling part a power law x ** -2 alone, nothing
    # scattered, recall target 50%. Over [0.5, 4.5]: Z = 1/0.5 - 1/4.5 = 1.777778; share up to
    # rank 3 (3.5): (1/0.5 - 1/3.5) / Z = 1.714286 / 1.777778 = 0.964286 = S. One include:
    # P(U <= 1) = S^2 (1 + 2 (1 - S)) = 0.929847 * 1.071429 = 0.996264 -> P(U > 1) = 0.003736;
    # expected unfound 2 (1 - S) / S = 0.074074.
    result = counting.curve(
        [1, 0, 0], 4, recall_target=0.5, scattered=0.0, decays=[], powers=[2.0], recent=0
    )
    assert result.p_missed[-1] == pytest.approx(0.003736, abs=2e-6)
    assert result.unfound_mean[-1] == pytest.approx(0.074074, abs=2e-6)
    with pytest.raises(ValueError, match="not 1"):
        counting.curve([1, 0], 4, powers=[1.0])
    with pytest.raises(ValueError, match="at least one decay or power"):
        counting.curve([1, 0], 4, decays=[], powers=[])


def test_counting_needs_an_include_and_counts_priors_as_found():
    # No include yet: the rule never stops on a review with no include.
    assert stopping.stop_point([0] * 50, 100, method="counting") is None
    # Priors take no rank and are left out of the recall: a prior include alone, however
    # many excludes follow, is no include found by screening; ranked includes are.
    assert stopping.stop_point([1, 0] + [0] * 400, 500, method="counting", n_priors=2) is None
    stop = stopping.stop_point([1, 0] + [1] * 5 + [0] * 400, 500, method="counting", n_priors=2)
    assert stop is not None and stop[0] > 7


def test_counting_stops_later_when_includes_keep_coming():
    # Includes every 10 records up to rank 200: the rate has not fallen, so no stop there;
    # after them a long run of excludes lets it stop, and only after the last include.
    early = ([1] + [0] * 9) * 20
    stop = stopping.stop_point(early + [0] * 600, 1000, method="counting")
    assert stop is not None and stop[0] > 200
    assert stopping.stop_point(early, 1000, method="counting") is None
    # The more includes are assumed scattered at random, the later it stops.
    later = stopping.stop_point(early + [0] * 600, 1000, method="counting", scattered=0.05)
    assert later is not None and later[0] > stop[0]


def test_run_test_worked_by_hand():
    # Includes at ranks 1 and 3, then excludes. Fewer than three includes: the pace is theirs
    # over the ranks from 0 to the last, 2 / 3; a run of g excludes since rank 3 has chance
    # exp(-2g/3): g = 4 -> exp(-8/3) = 0.069483, g = 5 -> exp(-10/3) = 0.035674.
    p = counting.run_p([1, 0, 1] + [0] * 7)
    assert p[0] == 1.0 and p[2] == 1.0  # right after an include nothing speaks for stopping
    assert p[1] == pytest.approx(math.exp(-1))  # pace 1 / 1, one exclude
    assert p[6] == pytest.approx(0.069483, abs=1e-6)
    assert p[7] == pytest.approx(0.035674, abs=1e-6)
    # Only the last include counts (recent=1): its pace is 1 over ranks 1 to 3, 1/2; five
    # excludes: exp(-2.5) = 0.082085.
    assert counting.run_p([1, 0, 1] + [0] * 7, recent=1)[7] == pytest.approx(0.082085, abs=1e-6)
    # More includes than ``recent``: the last three (ranks 2, 5, 6) over ranks 1 to 6, pace
    # 3/5; five excludes: exp(-3).
    assert counting.run_p([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0])[-1] == pytest.approx(math.exp(-3))
    # No include yet: nothing to compare with.
    assert counting.run_p([0, 0, 0]).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="at least one include"):
        counting.run_p([1, 0], recent=0)


def test_run_test_holds_the_stop_after_a_late_group_of_includes():
    # 50 includes in the first 100 ranks, then three more at ranks 150, 200 and 250: a new
    # group the fitted decay makes little of. The estimate alone stops at 328; the run test
    # waits until the run since rank 250 is unlikely at the pace of the last three (3 over
    # ranks 99 to 250, 3/151): exp(-3g/151) < 0.05 first at g = 151, rank 401, chance exp(-3).
    labels = np.zeros(2000, dtype=int)
    labels[:100:2] = 1
    labels[[149, 199, 249]] = 1
    alone = stopping.stop_point(labels, 2000, method="counting", recent=0)
    both = stopping.stop_point(labels, 2000, method="counting")
    assert alone is not None and alone[0] < 401
    assert both == (401, pytest.approx(math.exp(-3)))
    # The verdict after those 401 decisions says the same, and not one decision earlier.
    assert stopping.estimate(labels[:401], 2000, method="counting").target_met
    assert not stopping.estimate(labels[:400], 2000, method="counting").target_met
    # The rule's chance is the larger of the two.
    result = counting.curve(labels[:401], 2000)
    assert result.p_stop[-1] == max(result.p_missed[-1], result.p_run[-1])


def test_stop_point_matches_testing_while_screening():
    # Testing every prefix one by one gives the same first stop as the one-pass curve.
    rng = np.random.default_rng(3)
    # includes thinning out along the ranking, as prioritised screening finds them
    labels = (rng.random(600) < 0.5 * np.exp(-np.arange(600) / 60)).astype(int)
    labels[0] = 1
    stop = stopping.stop_point(labels, 1000, method="counting", n_priors=0)
    first = next(
        (end for end in range(1, labels.size + 1) if counting.p_missed(labels[:end], 1000) < 0.05),
        None,
    )
    assert stop is not None and stop[0] == first
    # One verdict reads the includes' ranks alone; it agrees with the curve's last point.
    whole = counting.curve(labels[:300], 1000)
    assert counting.p_missed(labels[:300], 1000) == pytest.approx(whole.p_stop[-1], abs=1e-12)
    assert counting.unfound(labels[:300], 1000)[0] == pytest.approx(whole.unfound_mean[-1])
    # Testing every 7 decisions stops at the first multiple of 7 at or after it.
    every = stopping.stop_point(labels, 1000, method="counting", every=7)
    assert every[0] == 7 * math.ceil(first / 7)


def test_buscar_stop_point_worked_by_hand():
    # One include, then excludes, 62 records. After e decisions the best suffix is the one
    # after the include: urn 61, sample e - 1, K = floor(1/0.95 - 1) + 1 = 1, so
    # P(X = 0) = 1 - (e - 1)/61, below 0.05 first at e - 1 = 58: e = 59, p = 3/61.
    at, p = stopping.stop_point([1] + [0] * 60, 62, method="buscar")
    assert at == 59
    assert p == pytest.approx(3 / 61)


def test_estimate_states_method_target_confidence_and_unfound():
    result = stopping.estimate(
        [1, 0, 0, 0], 8, method="counting", recall_target=0.95, confidence=0.9
    )
    assert result.method == "counting"
    assert (result.recall_target, result.confidence) == (0.95, 0.9)
    assert result.screen_next == 0
    assert result.unfound_upper >= 0 and result.unfound_estimate > 0
    assert result.statement.startswith(
        "counting-process estimate: recall target 95%, confidence 90%, includes estimated unfound"
    )
    with pytest.raises(ValueError, match="unknown stopping method 'knee'"):
        stopping.estimate([1, 0], 5, method="knee")


def test_counting_unfound_bounds():
    # Everything screened: nothing unfound.
    assert counting.unfound([1, 0, 1], 3) == (0.0, 0)
    # After [1, 0, 0, 0] of 8 (as worked above) the expected unfound is 0.775510; the bound at
    # 50% is the smallest u with P(U <= u) >= 0.5: P(U = 0) = S^2 = 0.519 >= 0.5, so 0; at
    # 80%, P(U <= 1) = 0.809 is the first to reach it, so 1.
    options = {"scattered": 0.5, "decays": [math.log(2)], "powers": []}
    mean, upper = counting.unfound([1, 0, 0, 0], 8, confidence=0.5, **options)
    assert mean == pytest.approx(0.775510, abs=2e-6)
    assert upper == 0
    assert counting.unfound([1, 0, 0, 0], 8, confidence=0.8, **options)[1] == 1


def test_automation_statement_names_the_stop():
    text = stopping_statement(
        {"recall": 0.95, "confidence": 0.95, "method": "buscar", "unfound": 1.5}
    )
    assert text == (
        "screening stopped by the buscar hypergeometric test at a recall target of 95% "
        "(95% confidence; 1.5 include(s) estimated unfound)"
    )
    assert stopping_statement({"recall": 0.9}) == "screening stopped at a recall target of 90%"


def test_simulation_ranks_on_keywords_and_mesh_terms(tmp_path):
    from slrflow.screening.simulate import load_dataset

    path = tmp_path / "set.csv"
    path.write_text(
        "title,abstract,keywords,mesh,label_included\n"
        "Mentoring,,youth; prevention,Adolescent,1\n"
        "Wheat,Nitrogen,,,0\n",
        encoding="utf-8",
    )
    data = load_dataset(path)
    assert data.texts == ["Mentoring youth; prevention; Adolescent", "Wheat Nitrogen"]
