"""Classical statistics at their edges: every formula checked against an independent
computation, at the sizes where a wrong constant would show (issue 9: alpha-if-deleted
beyond k = 3, marks out of more than 1, one or two candidates, ties, float noise)."""

import math
import warnings

import numpy as np
import pytest

from cmrnet.psychometrics import analyse_exam, encode_letters, item_analysis, kstat_skew_kurtosis
from cmrnet.psychometrics.ctt import _div, upper_lower_weights
from cmrnet.psychometrics.ctt import test_statistics as statistics_of_totals


def _alpha(x):
    """Cronbach's alpha straight from its definition (population variances)."""
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0).sum() / x.sum(axis=1).var())


def _letters_and_marks(seed, n=300, k=6, options="ABCDE"):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    correct = rng.random((n, k)) < 1 / (1 + np.exp(-1.3 * (theta[:, None] - np.linspace(-1, 1, k))))
    key = rng.integers(0, len(options), k).astype(np.int8)
    wrong = (key + rng.integers(1, len(options), (n, k))) % len(options)
    codes = np.where(correct, key, wrong).astype(np.int8)
    codes[rng.random((n, k)) < 0.05] = -1
    return codes, key, (codes == key).astype(float)


@pytest.mark.parametrize("k", [4, 5, 7])
def test_alpha_if_deleted_equals_alpha_of_the_other_items(k):
    """(k-1)/(k-2) and (k-1)*(k-2) agree only at k = 3."""
    _, _, x = _letters_and_marks(seed=k, k=k)
    res = item_analysis(x)
    expected = [_alpha(np.delete(x, j, axis=1)) for j in range(k)]
    np.testing.assert_allclose(res.alpha_if_deleted, expected, rtol=1e-12)
    assert res.test.alpha == pytest.approx(_alpha(x), rel=1e-12)


def test_alpha_if_deleted_for_fractional_marks_at_five_items():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, size=(40, 5)) / 2  # marks 0, 0.5, 1
    res = item_analysis(x)
    np.testing.assert_allclose(res.alpha_if_deleted, [_alpha(np.delete(x, j, 1)) for j in range(5)],
                               rtol=1e-12)


def test_two_items_have_alpha_but_no_alpha_if_deleted():
    x = np.array([[1, 1], [1, 0], [0, 1], [0, 0], [1, 1]], dtype=float)
    res = item_analysis(x)
    assert res.test.alpha == pytest.approx(_alpha(x), rel=1e-12)
    assert np.isnan(res.alpha_if_deleted).all()


def test_one_item_has_no_alpha():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = item_analysis(np.array([[1.0], [0.0], [1.0]]))
    assert math.isnan(res.r_pbc[0]) and res.r_pb[0] == pytest.approx(1.0)
    assert math.isnan(res.test.alpha) and math.isnan(res.test.sem)
    assert res.test.sd == pytest.approx(np.std([1, 0, 1], ddof=1))


def test_marks_out_of_two():
    """Facility and d27 are divided by the item's maximum mark; the score range is 0..2k."""
    x = np.array([[2, 2, 1], [2, 1, 1], [1, 0, 0], [0, 0, 0]], dtype=float)  # totals 5, 4, 1, 0
    res = item_analysis(x, max_marks=2)
    np.testing.assert_allclose(res.p, [5 / 8, 3 / 8, 2 / 8])
    # g = 1.08: upper = candidate 1 (w 1) + candidate 2 (w .08); lower = candidate 4 (w 1) + 3 (w .08)
    upper = x[0] + 0.08 * x[1]
    lower = x[3] + 0.08 * x[2]
    np.testing.assert_allclose(res.d27, (upper - lower) / 1.08 / 2)
    assert res.test.max_score == 6
    assert res.test.distribution == {0: 1, 1: 1, 2: 0, 3: 0, 4: 1, 5: 1, 6: 0}
    # correlations do not depend on the scale of the marks
    np.testing.assert_allclose(res.r_pb, item_analysis(x / 2, max_marks=1).r_pb, rtol=1e-12)


def test_per_item_maximum_marks():
    x = np.array([[1, 3], [0, 2], [1, 0], [0, 1]], dtype=float)
    res = item_analysis(x, max_marks=np.array([1.0, 3.0]))
    np.testing.assert_allclose(res.p, [0.5, 0.5])
    assert res.test.max_score == 4


@pytest.mark.parametrize("seed", [1, 2])
def test_letters_and_marks_give_the_same_item_statistics(seed):
    """The score-option histogram (letters) and the fused product (marks) agree."""
    codes, key, x = _letters_and_marks(seed)
    by_letters = item_analysis(x, codes=codes, key=key, options="ABCDE")
    by_marks = item_analysis(x)
    for name in ("p", "r_pb", "r_pbc", "d27", "alpha_if_deleted", "item_variance"):
        np.testing.assert_allclose(getattr(by_letters, name), getattr(by_marks, name),
                                   rtol=1e-11, atol=1e-13, err_msg=name)
    assert by_letters.test == by_marks.test


def test_option_statistics_against_direct_computation():
    codes, key, x = _letters_and_marks(seed=3, n=120)
    res = item_analysis(x, codes=codes, key=key, options="ABCDE")
    assert res.option_counts.dtype.kind == "i"
    totals = x.sum(axis=1)
    for j in range(x.shape[1]):
        rest = totals - x[:, j]
        for o in range(6):
            chose = (codes[:, j] == (o if o < 5 else -1)).astype(float)
            assert res.option_counts[j, o] == chose.sum()
            assert res.option_proportions[j, o] == chose.mean()
            if 0 < chose.sum() < 120:
                assert res.option_rest_r[j, o] == pytest.approx(np.corrcoef(chose, rest)[0, 1], abs=1e-12)
            else:
                assert math.isnan(res.option_rest_r[j, o])
    np.testing.assert_array_equal(res.option_counts.sum(axis=1), 120)


def test_totals_above_255_are_not_truncated():
    """300 items: totals need more than 8 bits in the score-option table."""
    rng = np.random.default_rng(5)
    codes = np.where(rng.random((12, 300)) < np.linspace(0.2, 0.95, 12)[:, None], 0, 1).astype(np.int8)
    key = np.zeros(300, dtype=np.int8)
    x = (codes == key).astype(float)
    assert x.sum(axis=1).max() > 255
    by_letters = item_analysis(x, codes=codes, key=key, options="AB")
    by_marks = item_analysis(x)
    np.testing.assert_allclose(by_letters.d27, by_marks.d27, atol=1e-12)
    np.testing.assert_allclose(by_letters.r_pbc, by_marks.r_pbc, atol=1e-12)


def test_default_item_ids_and_boolean_marks():
    x = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1]])
    res = item_analysis(x.astype(bool))
    assert res.item_ids == ["item1", "item2", "item3"]
    ref = item_analysis(x.astype(float))
    np.testing.assert_array_equal(res.item_variance, ref.item_variance)
    np.testing.assert_array_equal(res.p, ref.p)


def test_precomputed_totals_are_used_as_given():
    _, _, x = _letters_and_marks(seed=6, n=50)
    totals = x.sum(axis=1)
    res = item_analysis(x, totals=totals)
    assert res.totals is totals


def test_upper_lower_fraction_is_used():
    x = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    res = item_analysis(x, fraction=0.5)  # g = 2: the top two and the bottom two
    np.testing.assert_allclose(res.d27, [(2 - 1) / 2, (2 - 0) / 2, (1 - 0) / 2])


def test_upper_lower_weights_of_three_candidates():
    up, low, g = upper_lower_weights(np.array([3.0, 2.0, 1.0]))
    assert g == pytest.approx(0.81)
    np.testing.assert_allclose(up, [0.81, 0, 0])
    np.testing.assert_allclose(low, [0, 0, 0.81])


def test_upper_lower_weights_of_many_tied_candidates_match_a_sort():
    rng = np.random.default_rng(7)
    totals = rng.integers(0, 40, 5000).astype(float)
    up, low, g = upper_lower_weights(totals)
    ranked = np.sort(totals)[::-1]
    boundary = ranked[math.ceil(g) - 1]
    above, tie = totals > boundary, totals == boundary
    np.testing.assert_allclose(up[above], 1.0)
    np.testing.assert_allclose(up[tie], (g - above.sum()) / tie.sum())
    assert up[~above & ~tie].sum() == 0
    assert up.sum() == pytest.approx(g) and low.sum() == pytest.approx(g)
    low_boundary = np.sort(totals)[math.ceil(g) - 1]
    np.testing.assert_allclose(low[totals < low_boundary], 1.0)


def _weights_by_sorting(totals, g):
    """Upper-group weights the slow, obvious way: sort, take the boundary, share the ties."""
    boundary = np.sort(totals)[::-1][math.ceil(g) - 1]
    above, tie = totals > boundary, totals == boundary
    return np.where(above, 1.0, 0.0) + np.where(tie, (g - above.sum()) / tie.sum(), 0.0)


@pytest.mark.parametrize(("seed", "n"), [(15, 338), (138, 300), (212, 400)])
def test_upper_lower_weights_of_distinct_totals_match_a_sort(seed, n):
    totals = np.random.default_rng(seed).permutation(n) / 4
    up, low, g = upper_lower_weights(totals)
    np.testing.assert_allclose(up, _weights_by_sorting(totals, g))
    np.testing.assert_allclose(low, _weights_by_sorting(-totals, g))


def test_one_candidate():
    res = analyse_exam(item_ids=["q1", "q2", "q3"], codes=encode_letters([["A", "B", ""]]),
                       key={"q1": "A", "q2": "A", "q3": "A"})
    t = res.test
    assert t.n_candidates == 1 and t.mean == 1.0 and t.median == 1.0
    assert t.minimum == t.maximum == 1.0
    assert all(math.isnan(v) for v in (t.variance, t.sd, t.alpha, t.sem, t.skewness, t.kurtosis))
    assert t.distribution == {0: 0, 1: 1, 2: 0, 3: 0}
    assert [it.p for it in res.items] == [1.0, 0.0, 0.0]


def test_two_candidates_have_a_variance():
    res = item_analysis(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]]))
    assert res.test.variance == pytest.approx(0.5) and res.test.sd == pytest.approx(math.sqrt(0.5))


def test_no_candidates_is_an_error():
    with pytest.raises(ValueError, match="^item analysis needs at least one candidate$"):
        item_analysis(np.zeros((0, 3)))


def test_identical_items_have_alpha_one_and_no_measurement_error():
    col = np.array([1, 0, 1, 1, 0, 1, 0, 0], dtype=float)
    res = item_analysis(np.column_stack([col] * 4))
    assert res.test.alpha == pytest.approx(1.0, abs=1e-12)
    assert res.test.sem == pytest.approx(0.0, abs=1e-6)


def test_skewness_from_three_values_kurtosis_from_four():
    skew, kurt = kstat_skew_kurtosis(np.array([0.0, 1.0, 5.0]))
    d = np.array([0.0, 1.0, 5.0]) - 2.0
    m2, m3 = (d ** 2).mean(), (d ** 3).mean()
    assert skew == pytest.approx(9 * m3 / 2 / (3 * m2 / 2) ** 1.5)
    assert math.isnan(kurt)
    skew4, kurt4 = kstat_skew_kurtosis(np.array([0.0, 1.0, 5.0, 2.0]))
    assert math.isfinite(skew4) and math.isfinite(kurt4)


def test_constant_totals_give_undefined_shape_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert all(math.isnan(v) for v in kstat_skew_kurtosis(np.full(6, 3.0)))
        res = item_analysis(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]))
    assert math.isnan(res.test.skewness) and math.isnan(res.test.alpha)


def test_float_noise_below_1e_9_is_not_a_score_of_its_own():
    stats = statistics_of_totals(np.array([2.0000000004, 2.0, 3.0]), 0.5, 3, 3)
    assert stats.distribution == {0: 0, 1: 0, 2: 2, 3: 1}
    stats = statistics_of_totals(np.array([2.000000002, 2.0, 3.0]), 0.5, 3, 3)
    assert stats.distribution == {2.0: 1, 2.000000002: 1, 3.0: 1}


def test_fractional_totals_with_a_whole_maximum_list_each_distinct_total():
    stats = statistics_of_totals(np.array([0.5, 1.5, 1.5, 3.0]), 0.5, 3, 3)
    assert stats.distribution == {0.5: 1, 1.5: 2, 3.0: 1}


def test_zero_variance_threshold():
    out = _div(np.array([1.0, 1.0, 1.0, 2.0]), np.array([0.0, 1e-15, 2e-15, 4.0]))
    assert math.isnan(out[0]) and math.isnan(out[1])
    np.testing.assert_allclose(out[2:], [5e14, 0.5])


def test_bad_codes_and_keys_are_rejected():
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    ok = np.array([[0, 1], [1, 0]], dtype=np.int8)
    key = np.array([0, 0], dtype=np.int8)
    for bad in ([[0, 2], [1, 0]], [[0, -2], [1, 0]]):
        with pytest.raises(ValueError, match=r"option codes must be -1 \(omitted\) or 0\.\.1$"):
            item_analysis(x, codes=np.array(bad, dtype=np.int8), key=key, options="AB")
    for bad_key in ([0, 2], [-1, 0]):
        with pytest.raises(ValueError, match=r"key codes must be 0\.\.1$"):
            item_analysis(x, codes=ok, key=np.array(bad_key, dtype=np.int8), options="AB")
    with pytest.raises(ValueError, match="^codes need key and options$"):
        item_analysis(x, codes=ok, key=key)
    with pytest.raises(ValueError, match="^codes need key and options$"):
        item_analysis(x, codes=ok, options="AB")
