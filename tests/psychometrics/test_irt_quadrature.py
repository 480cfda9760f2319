"""IRT quadrature: finite for any number of nodes, and the default accurate on long tests."""

import numpy as np
import pytest

from cmrnet.psychometrics import fit_irt, read_scored_csv
from cmrnet.psychometrics import irt as irt_mod
from cmrnet.psychometrics.irt import quadrature

LSAT6_A = [.8254, .7229, .8905, .6886, .6575]
LSAT6_B = [-3.3597, -1.3696, -0.2799, -1.8659, -3.1236]


def simulate_2pl(n, k, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.5, 2.0, k), rng.normal(0.0, 1.0, k)
    theta = rng.normal(size=n)
    return (rng.random((n, k)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))).astype(float)


@pytest.mark.parametrize("n_quad", [5, 21, 61, 150])
def test_gauss_hermite_matches_numpy_where_numpy_is_finite(n_quad):
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_quad)
    ours, log_w = quadrature(n_quad, "hermite")
    np.testing.assert_allclose(ours, nodes, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_w), weights / weights.sum(), rtol=1e-10, atol=0)


@pytest.mark.parametrize("rule", ["grid", "hermite"])
@pytest.mark.parametrize("n_quad", [201, 401])
def test_many_nodes_give_finite_log_weights_with_normal_moments(rule, n_quad):
    nodes, log_w = quadrature(n_quad, rule)
    assert np.isfinite(nodes).all() and np.isfinite(log_w).all()
    w = np.exp(log_w)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    assert w @ nodes == pytest.approx(0.0, abs=1e-12)
    assert w @ nodes ** 2 == pytest.approx(1.0, abs=1e-7)
    assert w @ nodes ** 4 == pytest.approx(3.0, abs=1e-5)  # the grid stops at +-6: 3e-6 of the tail


def test_numpy_gauss_hermite_overflows_at_401_nodes():
    """Why the weights are computed in log space: numpy's are NaN at 401 nodes."""
    with np.errstate(all="ignore"):
        _, weights = np.polynomial.hermite_e.hermegauss(401)
    assert np.isnan(weights).any()


@pytest.mark.parametrize("rule", ["grid", "hermite"])
def test_fit_with_401_nodes_is_finite_and_reproduces_ltm(ref, rule):
    lsat6 = read_scored_csv(ref / "lsat6_scored.csv")
    res = fit_irt(lsat6.scores, "2pl", n_quad=401, rule=rule)
    assert res.converged and res.n_quad == 401 and res.rule == rule
    assert np.isfinite(res.loglik) and np.isfinite(res.se_b).all()
    np.testing.assert_allclose(res.a, LSAT6_A, atol=5e-3)
    np.testing.assert_allclose(res.b, LSAT6_B, atol=1e-2)
    assert res.loglik == pytest.approx(-2466.653, abs=5e-3)


def test_fit_with_401_nodes_on_a_long_test_equals_the_default():
    x = simulate_2pl(1000, 100, seed=21)
    wide = fit_irt(x, "2pl", n_quad=401, rule="hermite", se=False)
    default = fit_irt(x, "2pl", se=False)
    assert np.isfinite(wide.a).all() and np.isfinite(wide.b).all()
    np.testing.assert_allclose(wide.a, default.a, atol=5e-3)
    np.testing.assert_allclose(wide.b, default.b, atol=5e-3)


def _loglik_change_of_one_more_em_step(x, res):
    prob = irt_mod._Problem(*irt_mod.compress_patterns(x), *quadrature(res.n_quad, res.rule))
    params = np.concatenate([res.a, res.d])
    e = prob.estep(res.a, res.d)
    nxt = irt_mod._mstep("2pl", prob, params, x.shape[1], e)
    return abs(prob.estep(*irt_mod._unpack("2pl", nxt, x.shape[1])).loglik - e.loglik)


def test_default_agrees_with_a_tight_201_node_fit_on_a_long_test():
    """Issue 14: within 0.005 in a and b (61 Gauss-Hermite nodes were 0.011 off in b)."""
    x = simulate_2pl(2000, 100, seed=31)
    default = fit_irt(x, "2pl", se=False)
    tight = fit_irt(x, "2pl", n_quad=201, tol=1e-10, se=False)
    assert default.converged and tight.converged
    assert _loglik_change_of_one_more_em_step(x, tight) < 1e-9
    assert np.abs(default.a - tight.a).max() <= 0.005
    assert np.abs(default.b - tight.b).max() <= 0.005
    # and the tight fit does not depend on the rule either
    tight_gh = fit_irt(x, "2pl", n_quad=201, rule="hermite", tol=1e-10, se=False)
    np.testing.assert_allclose(tight_gh.b, tight.b, atol=5e-4)


@pytest.mark.parametrize("model", ["rasch", "1pl"])
def test_default_agrees_with_a_tight_fit_for_rasch_and_1pl(model):
    x = simulate_2pl(1500, 80, seed=33)
    default = fit_irt(x, model, se=False)
    tight = fit_irt(x, model, n_quad=201, tol=1e-10, se=False)
    assert np.abs(default.a - tight.a).max() <= 0.005
    assert np.abs(default.b - tight.b).max() <= 0.005


def test_bad_quadrature_is_rejected():
    x = simulate_2pl(200, 4, seed=1)
    with pytest.raises(ValueError, match="unknown quadrature rule"):
        fit_irt(x, "2pl", rule="simpson")
    with pytest.raises(ValueError, match="at least 3"):
        fit_irt(x, "2pl", n_quad=2)
