"""Angoff, Hofstee and Cohen on hand-computed examples."""

import math

import numpy as np
import pytest

from cmrnet.psychometrics import InputError, angoff, cohen, fail_rate, hofstee

RATINGS = np.array([[.5, .6, .7, .8], [.4, .5, .6, .7], [.6, .7, .8, .9]])
ITEMS = ["item1", "item2", "item3", "item4"]


def test_angoff_cut_and_judge_spread():
    res = angoff(RATINGS, ITEMS, ["j1", "j2", "j3"])
    assert res.cut == pytest.approx(2.6)
    np.testing.assert_allclose(res.judge_cuts, [2.6, 2.2, 3.0])
    assert res.judge_sd == pytest.approx(0.4)
    assert res.judge_se == pytest.approx(0.4 / math.sqrt(3))
    assert res.cut_percent == pytest.approx(65.0)
    np.testing.assert_allclose(res.item_means, [.5, .6, .7, .8])


def test_angoff_exclude_and_retained():
    res = angoff(RATINGS, ITEMS, exclude=["item4"])
    assert res.cut == pytest.approx(1.8) and res.n_items == 3 and res.excluded == ["item4"]
    assert res.judge_sd == pytest.approx(0.3)
    same = angoff(RATINGS, ITEMS, retained=["item1", "item2", "item3"])
    assert same.cut == pytest.approx(1.8)
    one_judge = angoff(RATINGS, ITEMS, exclude_judges=["judge1", "judge2"])
    assert one_judge.cut == pytest.approx(3.0) and math.isnan(one_judge.judge_sd)


def test_angoff_rejects_bad_input():
    with pytest.raises(InputError, match="unknown"):
        angoff(RATINGS, ITEMS, exclude=["item9"])
    with pytest.raises(InputError, match="between 0 and 1"):
        angoff(RATINGS * 100, ITEMS)


TOTALS = np.array([2, 3, 4, 5, 5, 6, 6, 7, 8, 9])


def test_fail_rate():
    assert fail_rate(TOTALS, 6) == 0.5
    assert fail_rate(TOTALS, 5.5) == 0.5
    assert fail_rate(TOTALS, 2) == 0.0


def test_hofstee_intersection_hand_example():
    # F(4)=.2, F(5)=.3, F(6)=.5; line (4, .5) -> (8, .1): L(5)=.4, L(6)=.3
    res = hofstee(TOTALS, 10, cut_min=40, cut_max=80, fail_min=10, fail_max=50)
    assert res.intersects and res.note == "intersection"
    assert res.cut == pytest.approx(5 + 1 / 3)
    assert res.cut_score == 6 and res.fail_rate == 0.5
    raw = hofstee(TOTALS, 10, cut_min=4, cut_max=8, fail_min=.1, fail_max=.5, percent=False)
    assert raw.cut == pytest.approx(res.cut)


def test_hofstee_no_intersection():
    high = hofstee(TOTALS, 10, cut_min=70, cut_max=90, fail_min=0, fail_max=20)
    assert not high.intersects and high.cut == pytest.approx(7) and "minimum" in high.note
    low = hofstee(TOTALS, 10, cut_min=10, cut_max=30, fail_min=60, fail_max=90)
    assert not low.intersects and low.cut == pytest.approx(3) and "maximum" in low.note
    with pytest.raises(InputError):
        hofstee(TOTALS, 10, cut_min=80, cut_max=40, fail_min=10, fail_max=50)


def test_cohen_hand_example():
    totals = np.arange(1, 21)
    res = cohen(totals)
    assert res.reference_score == 19  # candidate ranked ceil(.95 * 20) = 19th
    assert res.cut == pytest.approx(0.6 * 19)
    lin = cohen(totals, method="linear")
    assert lin.reference_score == pytest.approx(19.05) and lin.cut == pytest.approx(11.43)
    g = cohen(totals, guessing=4)
    assert g.cut == pytest.approx(4 + 0.6 * 15)


def test_cut_recomputed_on_retained_items():
    from cmrnet.psychometrics import score_exam
    x = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    full = score_exam(item_ids=["a", "b", "c"], scores=x)
    kept = score_exam(item_ids=["a", "b", "c"], scores=x, retained=["a", "b"])
    assert cohen(full.totals).reference_score == 3 and cohen(kept.totals).reference_score == 2
    assert kept.max_score == 2
