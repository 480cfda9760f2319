"""Published values from reference-data/psychometrics/README.md, to the stated precision."""

import numpy as np
import pytest

from cmrnet.psychometrics import (
    analyse_exam,
    fit_irt,
    item_analysis,
    read_key_csv,
    read_responses_csv,
    read_scored_csv,
)


@pytest.fixture(scope="module")
def lsat6(ref):
    return read_scored_csv(ref / "lsat6_scored.csv")


@pytest.fixture(scope="module")
def lsat7(ref):
    return read_scored_csv(ref / "lsat7_scored.csv")


def test_lsat6_classical(lsat6):
    assert lsat6.scores.shape == (1000, 5)
    res = item_analysis(lsat6.scores, item_ids=lsat6.item_ids)
    np.testing.assert_allclose(res.p, [.924, .709, .553, .763, .870], atol=5e-4)
    assert res.test.distribution == {0: 3, 1: 20, 2: 85, 3: 237, 4: 357, 5: 298}
    assert res.test.mean == pytest.approx(3.819, abs=5e-4)
    assert res.test.sd == pytest.approx(1.035, abs=5e-4)
    assert res.test.alpha == pytest.approx(.2950, abs=5e-5)
    np.testing.assert_allclose(res.r_pb, [.362, .567, .618, .534, .435], atol=5e-4)
    # SEM = SD * sqrt(1 - alpha)
    assert res.test.sem == pytest.approx(res.test.sd * np.sqrt(1 - res.test.alpha))


def test_lsat6_rasch(lsat6):
    res = fit_irt(lsat6.scores, "rasch")
    assert res.converged
    np.testing.assert_array_equal(res.a, 1.0)
    np.testing.assert_allclose(res.b, [-2.8720, -1.0630, -0.2576, -1.3881, -2.2188], atol=5e-4)
    assert res.loglik == pytest.approx(-2473.054, abs=5e-3)
    assert res.se_b is not None and (res.se_b > 0).all()


def test_lsat6_1pl_common_slope(lsat6):
    res = fit_irt(lsat6.scores, "1pl")
    np.testing.assert_allclose(res.a, .7551, atol=5e-4)
    np.testing.assert_allclose(res.b, [-3.6153, -1.3224, -0.3176, -1.7301, -2.7802], atol=1e-3)
    assert res.loglik == pytest.approx(-2466.938, abs=5e-3)


@pytest.mark.parametrize("n_quad", [21, 61])
def test_lsat6_2pl(lsat6, n_quad):
    res = fit_irt(lsat6.scores, "2pl", n_quad=n_quad)
    np.testing.assert_allclose(res.a, [.8254, .7229, .8905, .6886, .6575], atol=5e-3)
    np.testing.assert_allclose(res.b, [-3.3597, -1.3696, -0.2799, -1.8659, -3.1236], atol=1e-2)
    np.testing.assert_allclose(res.d, -res.a * res.b)
    assert res.loglik == pytest.approx(-2466.653, abs=5e-3)
    assert res.n_patterns <= 32


def test_lsat7_2pl_mirt(lsat7):
    res = item_analysis(lsat7.scores)
    np.testing.assert_allclose(res.p, [.828, .658, .772, .606, .843], atol=5e-4)
    irt = fit_irt(lsat7.scores, "2pl")
    np.testing.assert_allclose(irt.a, [.988, 1.081, 1.706, .7651, .7358], atol=1e-2)
    np.testing.assert_allclose(irt.d, [1.8561, .808, 1.8043, .486, 1.8545], atol=1e-2)
    np.testing.assert_allclose(irt.b, -irt.d / irt.a)


def test_moodle_vector(ref):
    t = read_scored_csv(ref / "moodle_results00.csv", fractional=True,
                        ignore_columns=("summarks",))
    assert t.scores.shape == (25, 7)
    s = item_analysis(t.scores).test
    assert s.median == pytest.approx(4.5, abs=1e-9)
    assert s.mean == pytest.approx(4.617333332, abs=1e-9)
    assert s.sd == pytest.approx(0.8117265554, abs=1e-9)
    assert s.skewness == pytest.approx(-0.0925025, abs=1e-7)
    assert s.kurtosis == pytest.approx(-0.7073969, abs=1e-7)
    assert 100 * s.alpha == pytest.approx(-87.2230935542, abs=1e-8)
    assert s.error_ratio == pytest.approx(136.8294900795, abs=1e-8)
    assert s.sem == pytest.approx(1.1106813066, abs=1e-9)


def test_ctt_data_item_rest(ref):
    resp = read_responses_csv(ref / "ctt_responses.csv")
    key = read_key_csv(ref / "ctt_key.csv")
    assert resp.codes.shape == (100, 20) and resp.options == "ABCD"
    res = analyse_exam(item_ids=resp.item_ids, codes=resp.codes, key=key, options="ABCD")
    marks = res.scored.scores
    # scoring from letters equals an independent rescoring
    letters = np.array(list("ABCD"))[resp.codes]
    expect = np.array([[letters[i, j] == key[item] for j, item in enumerate(resp.item_ids)]
                       for i in range(100)], dtype=float)
    np.testing.assert_array_equal(marks, expect)
    # item-rest point-biserial is the Pearson correlation of the item with the rest score
    totals = marks.sum(axis=1)
    for j, item in enumerate(res.items):
        direct = np.corrcoef(marks[:, j], totals - marks[:, j])[0, 1]
        assert item.r_pbc == pytest.approx(direct, abs=1e-12)
        assert item.r_pbc < item.r_pb
        # the key's option-rest correlation is the item-rest correlation
        assert item.options[item.key]["r_rest"] == pytest.approx(item.r_pbc, abs=1e-12)
        assert sum(o["count"] for o in item.options.values()) == 100
    assert 0.7 < res.test.alpha < 0.9


def test_sat12_runs_and_flags_item32(ref):
    resp = read_responses_csv(ref / "sat12_responses.csv")
    key = read_key_csv(ref / "sat12_key.csv")
    res = analyse_exam(item_ids=resp.item_ids, codes=resp.codes, key=key)
    assert res.test.n_candidates == 600 and res.test.n_items == 32
    assert sum(res.test.distribution.values()) == 600
    omitted = sum(i.options["omitted"]["count"] for i in res.items)
    assert omitted == int((resp.codes < 0).sum()) > 0
    # item 32: option C is chosen by 44 % and correlates positively with the rest score,
    # the published key E hardly discriminates -> possible mis-key, suggested C
    item32 = res.items[31]
    assert "possible_miskey" in item32.flags and item32.suggested_key == "C"
    rekeyed = analyse_exam(item_ids=resp.item_ids, codes=resp.codes, key=key,
                           key_override={"item32": "C"})
    assert rekeyed.items[31].r_pbc > 0.1
    assert "possible_miskey" not in rekeyed.items[31].flags
    assert rekeyed.test.alpha > res.test.alpha
