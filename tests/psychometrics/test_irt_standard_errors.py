"""IRT standard errors: Louis' observed information equals the Hessian of the marginal
log-likelihood, and reproduces the standard errors ltm prints for LSAT6."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from cmrnet.psychometrics import analyse_exam, fit_irt, read_scored_csv
from cmrnet.psychometrics import irt as irt_mod


def _free_params(model, res):
    if model == "rasch":
        return res.d.copy()
    if model == "1pl":
        return np.concatenate([[res.a[0]], res.d])
    return np.concatenate([res.a, res.d])


def _finite_difference_hessian(model, x, params, h=1e-3):
    """Central second differences of the marginal log-likelihood itself (no gradient code)."""
    k = x.shape[1]
    prob = irt_mod._Problem(*irt_mod.compress_patterns(x), *irt_mod.quadrature(61))

    def loglik(v):
        return prob.estep(*irt_mod._unpack(model, v, k)).loglik

    n = params.size
    hess = np.empty((n, n))
    with threadpool_limits(limits=1, user_api="blas"):
        return _fill_hessian(loglik, params, hess, n, h)


def _fill_hessian(loglik, params, hess, n, h):
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            hess[i, j] = hess[j, i] = (loglik(params + ei + ej) - loglik(params + ei - ej)
                                       - loglik(params - ei + ej) + loglik(params - ei - ej)) / (4 * h * h)
    return hess


def _delta_se_b(model, params, cov, k):
    a, d = irt_mod._unpack(model, params, k)
    if model == "rasch":
        return np.sqrt(np.diag(cov))
    if model == "1pl":
        var_a, var_d, cov_ad = cov[0, 0], np.diag(cov)[1:], cov[0, 1:]
    else:
        var_a, var_d, cov_ad = np.diag(cov)[:k], np.diag(cov)[k:], np.diag(cov[:k, k:])
    return np.sqrt(var_d / a ** 2 + var_a * d ** 2 / a ** 4 - 2 * cov_ad * d / a ** 3)


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(11)
    a = np.array([0.7, 1.2, 1.8, 0.9, 1.4, 1.0])
    b = np.array([-1.2, -0.4, 0.1, 0.6, 1.1, -0.8])
    theta = rng.normal(size=600)
    return (rng.random((600, 6)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))).astype(float)


@pytest.mark.parametrize("model", ["rasch", "1pl", "2pl"])
def test_information_equals_finite_difference_hessian(small, model):
    res = fit_irt(small, model, tol=1e-10)
    params = _free_params(model, res)
    hess = _finite_difference_hessian(model, small, params)
    prob = irt_mod._Problem(*irt_mod.compress_patterns(small), *irt_mod.quadrature(61))
    info = irt_mod._information(model, prob, prob.estep(*irt_mod._unpack(model, params, 6)), 6)
    np.testing.assert_allclose(info, -hess, rtol=0, atol=1e-4 * np.abs(hess).max())
    cov = np.linalg.inv(-hess)
    k = small.shape[1]
    if model == "2pl":
        np.testing.assert_allclose(res.se_a, np.sqrt(np.diag(cov)[:k]), rtol=1e-4)
        np.testing.assert_allclose(res.se_d, np.sqrt(np.diag(cov)[k:]), rtol=1e-4)
    elif model == "1pl":
        np.testing.assert_allclose(res.se_a, np.sqrt(cov[0, 0]), rtol=1e-4)
        np.testing.assert_allclose(res.se_d, np.sqrt(np.diag(cov)[1:]), rtol=1e-4)
    else:
        assert res.se_a is None
    np.testing.assert_allclose(res.se_b, _delta_se_b(model, params, cov, k), rtol=1e-4)


def test_standard_errors_are_exact_on_a_longer_test_too():
    """30 items, 2PL: the 60 x 60 information against central differences of the
    analytic gradient (Fisher's identity), as ltm computes its Hessian."""
    rng = np.random.default_rng(12)
    a, b = rng.uniform(0.6, 1.8, 30), rng.normal(size=30)
    theta = rng.normal(size=800)
    x = (rng.random((800, 30)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))).astype(float)
    res = fit_irt(x, "2pl", tol=1e-10)
    params, h = _free_params("2pl", res), 1e-5
    prob = irt_mod._Problem(*irt_mod.compress_patterns(x), *irt_mod.quadrature(61))
    with threadpool_limits(limits=1, user_api="blas"):
        hess = np.column_stack([(irt_mod._gradient("2pl", prob, params + e, 30)
                                 - irt_mod._gradient("2pl", prob, params - e, 30)) / (2 * h)
                                for e in np.eye(params.size) * h])
    se = np.sqrt(np.diag(np.linalg.inv(-(hess + hess.T) / 2)))
    np.testing.assert_allclose(np.concatenate([res.se_a, res.se_d]), se, rtol=1e-4)


# ltm's summary() of its LSAT example (Rizopoulos 2006): ltm(LSAT ~ z1) and rasch(LSAT),
# 21 Gauss-Hermite nodes, numerical Hessian at ltm's optimum (max |grad| 0.024).
LTM_2PL_SE_A = [.2581, .1867, .2326, .1852, .2100]
LTM_2PL_SE_B = [.8669, .3073, .0997, .4341, .8700]
LTM_1PL_SE_A = .0694
LTM_1PL_SE_B = [.3266, .1422, .0977, .1691, .2510]


def test_lsat6_standard_errors_reproduce_ltm(ref):
    lsat6 = read_scored_csv(ref / "lsat6_scored.csv")
    two = fit_irt(lsat6.scores, "2pl")
    np.testing.assert_allclose(two.se_a, LTM_2PL_SE_A, atol=1e-3)
    np.testing.assert_allclose(two.se_b, LTM_2PL_SE_B, rtol=3e-3)
    one = fit_irt(lsat6.scores, "1pl")
    np.testing.assert_allclose(one.se_a, LTM_1PL_SE_A, atol=1e-4)
    np.testing.assert_allclose(one.se_b, LTM_1PL_SE_B, atol=1e-4)


def test_analysis_reports_standard_errors_unless_asked_not_to():
    rng = np.random.default_rng(13)
    theta = rng.normal(size=400)
    x = (rng.random((400, 5)) < 1 / (1 + np.exp(-(theta[:, None] - np.linspace(-1, 1, 5))))).astype(float)
    ids = [f"q{j}" for j in range(5)]
    with_se = analyse_exam(item_ids=ids, scores=x, irt="2pl").to_dict()["irt"]
    assert with_se["rule"] == "grid" and with_se["n_quad"] == 61
    assert all(0 < it["se_a"] < 1 and 0 < it["se_b"] < 1 for it in with_se["items"])
    without = analyse_exam(item_ids=ids, scores=x, irt="2pl", irt_se=False).to_dict()["irt"]
    assert all(it["se_a"] is None for it in without["items"])
