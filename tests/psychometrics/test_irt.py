"""IRT internals: pattern compression, recovery on simulated data, errors."""

import numpy as np
import pytest

from cmrnet.psychometrics import compress_patterns, fit_irt
from cmrnet.psychometrics import irt as irt_mod


def test_compress_patterns_counts():
    x = np.array([[1, 0], [1, 0], [0, 0], [1, 1], [0, 0], [1, 0]])
    pats, counts = compress_patterns(x)
    got = {tuple(p.astype(int)): int(c) for p, c in zip(pats, counts)}
    assert got == {(1, 0): 3, (0, 0): 2, (1, 1): 1}


def test_2pl_recovers_generating_parameters():
    rng = np.random.default_rng(3)
    a = np.array([0.8, 1.0, 1.5, 2.0, 1.2, 0.6, 1.8, 1.0])
    b = np.array([-1.5, -0.5, 0.0, 0.5, 1.0, -1.0, 0.3, 1.5])
    theta = rng.normal(size=20000)
    x = (rng.random((20000, 8)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))).astype(float)
    res = fit_irt(x, "2pl")
    assert res.converged
    np.testing.assert_allclose(res.a, a, atol=0.12)
    np.testing.assert_allclose(res.b, b, atol=0.1)
    # the MLE: analytic gradient of the marginal log-likelihood vanishes
    prob = irt_mod._Problem(*compress_patterns(x), *irt_mod.quadrature(res.n_quad))
    grad = irt_mod._gradient("2pl", prob, np.concatenate([res.a, res.d]), 8)
    assert np.abs(grad).max() < 1e-3
    assert (res.se_a < 0.1).all() and (res.se_b < 0.1).all()


def test_model_ordering_of_loglik():
    rng = np.random.default_rng(5)
    theta = rng.normal(size=3000)
    x = (rng.random((3000, 6)) < 1 / (1 + np.exp(-(theta[:, None] - np.linspace(-1, 1, 6)))))
    lls = [fit_irt(x.astype(float), m, se=False).loglik for m in ("rasch", "1pl", "2pl")]
    assert lls[0] <= lls[1] + 1e-6 <= lls[2] + 2e-6


def test_irt_rejects_constant_items_and_bad_model():
    x = np.array([[1, 0], [1, 1], [1, 0]], dtype=float)
    with pytest.raises(ValueError, match="p = 0 or p = 1"):
        fit_irt(x, "2pl")
    with pytest.raises(ValueError, match="unknown IRT model"):
        fit_irt(x, "3pl")
