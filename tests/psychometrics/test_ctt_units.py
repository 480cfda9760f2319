"""Formulas on tiny hand-computed matrices, and edge cases."""

import json
import math

import numpy as np
import pytest

from cmrnet.psychometrics import (
    analyse_exam,
    encode_letters,
    item_analysis,
    kstat_skew_kurtosis,
    score_responses,
)
from cmrnet.psychometrics.ctt import upper_lower_weights

# totals 3, 2, 1, 0; p = .75 .5 .25
X = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)


def test_hand_computed_test_statistics():
    s = item_analysis(X).test
    assert s.mean == 1.5
    assert s.variance == pytest.approx(5 / 3)
    assert s.sd == pytest.approx(math.sqrt(5 / 3))
    # alpha = 3/2 * (1 - (.1875 + .25 + .1875) / 1.25)
    assert s.alpha == pytest.approx(0.75)
    assert s.sem == pytest.approx(math.sqrt(5 / 3) * 0.5)
    assert s.median == 1.5
    assert s.distribution == {0: 1, 1: 1, 2: 1, 3: 1}
    assert s.skewness == pytest.approx(0.0, abs=1e-12)
    assert s.kurtosis == pytest.approx(-1.2)  # as Excel KURT(0,1,2,3)


def test_hand_computed_item_statistics():
    r = item_analysis(X)
    np.testing.assert_allclose(r.p, [.75, .5, .25])
    # item 1: cov(X1,T) = .375, var = .1875, var T = 1.25
    assert r.r_pb[0] == pytest.approx(.375 / math.sqrt(.1875 * 1.25))
    # item 1 rest = 2,1,0,0: cov .1875, var .6875
    assert r.r_pbc[0] == pytest.approx(math.sqrt(.1875 / .6875))
    # alpha without item 1: 2 * (1 - (.25 + .1875) / .6875)
    assert r.alpha_if_deleted[0] == pytest.approx(2 * (1 - .4375 / .6875))
    # g = 1.08: upper = candidate 1 (w 1) + candidate 2 (w .08); lower = 4 (w 1) + 3 (w .08)
    np.testing.assert_allclose(r.d27, [1 - .08 / 1.08, 1.0, 1 / 1.08])


def test_upper_lower_ties_share_weight():
    totals = np.array([5, 4, 4, 4, 1, 0, 0, 0, 0, 2])
    up, low, g = upper_lower_weights(totals, 0.27)
    assert g == pytest.approx(2.7)
    assert up.sum() == pytest.approx(g) and low.sum() == pytest.approx(g)
    np.testing.assert_allclose(up[:4], [1, 1.7 / 3, 1.7 / 3, 1.7 / 3])
    np.testing.assert_allclose(low[5:9], 2.7 / 4)
    assert up[4:].sum() == 0 and low[:5].sum() == 0


def test_option_rest_hand_example():
    codes = encode_letters([["A", "A"], ["A", "B"], ["A", ""], ["B", "C"]], "ABC")
    key = np.array([0, 0], dtype=np.int8)
    x = score_responses(codes, key)
    np.testing.assert_array_equal(x, [[1, 1], [1, 0], [1, 0], [0, 0]])
    r = item_analysis(x, codes=codes, key=key, options="ABC")
    np.testing.assert_array_equal(r.option_counts, [[3, 1, 0, 0], [1, 1, 1, 1]])
    np.testing.assert_allclose(r.option_proportions[1], .25)
    # item 1, option B: chose B = (0,0,0,1), rest = (1,0,0,0) -> corr = -1/3
    assert r.option_rest_r[0, 1] == pytest.approx(-1 / 3)
    assert r.option_rest_r[0, 0] == pytest.approx(r.r_pbc[0])
    assert math.isnan(r.option_rest_r[0, 2])  # nobody chose C
    # item 2, omitted = (0,0,1,0), rest = (1,1,1,0): corr = 1/3
    assert r.option_rest_r[1, 3] == pytest.approx(1 / 3)


def test_all_correct_item_is_null_in_json():
    codes = encode_letters([["A", "B"], ["A", "A"], ["A", "B"], ["A", ""]])
    res = analyse_exam(item_ids=["q1", "q2"], codes=codes, key={"q1": "A", "q2": "B"})
    item = res.items[0]
    assert item.p == 1.0 and math.isnan(item.r_pb) and math.isnan(item.r_pbc)
    assert "too_easy" in item.flags and "no_variance" in item.flags
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["items"][0]["r_pb"] is None and d["items"][0]["r_pbc"] is None
    assert d["items"][0]["alpha_if_deleted"] is None  # two items: undefined
    assert d["items"][1]["p"] == 0.5


def test_removal_recomputes_alpha_and_totals():
    ids = ["i1", "i2", "i3"]
    full = analyse_exam(item_ids=ids, scores=X)
    kept = analyse_exam(item_ids=ids, scores=X, retained=["i1", "i2"])
    assert kept.test.n_items == 2 and kept.scored.removed == ["i3"]
    np.testing.assert_array_equal(kept.scored.totals, [2, 2, 1, 0])
    assert kept.test.alpha == pytest.approx(full.items[2].alpha_if_deleted)
    assert kept.test.alpha == pytest.approx(2 * (1 - .4375 / .6875))
    assert kept.test.max_score == 2


def test_rekey_rescores():
    codes = encode_letters([["A"], ["B"], ["B"], ["C"]])
    res = analyse_exam(item_ids=["q"], codes=codes, key={"q": "A"}, key_override={"q": "B"})
    np.testing.assert_array_equal(res.scored.totals, [0, 1, 1, 0])
    assert res.items[0].key == "B" and res.items[0].p == 0.5


def test_fractional_marks():
    x = np.array([[1, 0.5], [0.5, 0.5], [0, 0]])
    r = item_analysis(x)
    np.testing.assert_allclose(r.p, [0.5, 1 / 3])
    np.testing.assert_allclose(r.item_variance, [1 / 6, 1 / 18])
    assert r.test.distribution == {0.0: 1, 1.0: 1, 1.5: 1}
    assert r.test.alpha == pytest.approx(2 * (1 - (1 / 6 + 1 / 18) / np.var([1.5, 1, 0])))


def test_kstats_match_textbook():
    x = np.array([2.0, 8, 0, 4, 1, 9, 9, 0])
    n, d = x.size, x - x.mean()
    m2, m3 = (d ** 2).mean(), (d ** 3).mean()
    g1 = m3 / m2 ** 1.5
    skew, _ = kstat_skew_kurtosis(x)
    assert skew == pytest.approx(g1 * math.sqrt(n * (n - 1)) / (n - 2))  # adjusted G1
    assert all(math.isnan(v) for v in kstat_skew_kurtosis(np.array([1.0, 2.0])))
