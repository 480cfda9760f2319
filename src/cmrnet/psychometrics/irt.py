"""Unidimensional IRT calibration by marginal maximum likelihood (MML).

Models (logistic, slope-intercept form ``P(x=1 | theta) = 1 / (1 + exp(-(a*theta + d)))``,
difficulty ``b = -d / a``):

* ``rasch``: a = 1 for every item, ability theta ~ N(0, 1) (ltm's
  ``rasch(data, constraint = cbind(K + 1, 1))``);
* ``1pl``:   one common slope a estimated, theta ~ N(0, 1) (ltm's ``rasch(data)``);
* ``2pl``:   a_j and d_j per item, theta ~ N(0, 1) (ltm's ``ltm(data ~ z1)``,
  mirt's ``mirt(data, 1)``).

Estimation: Bock-Aitkin EM over Gauss-Hermite quadrature of the N(0, 1) prior
(``n_quad`` nodes, default 61 as mirt; ltm uses 21, which is too coarse
for long tests where the posterior of theta is narrow), on response patterns compressed to
unique rows with counts; each M-step is one Newton step per item, vectorised
over items.  EM is accelerated with SQUAREM (Varadhan & Roland 2008) with a
monotonicity safeguard.  Standard errors come from the inverse of the
observed information: the Hessian of the marginal log-likelihood by central
differences of its analytic gradient (Fisher's identity), as ltm does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["IRTResult", "fit_irt", "compress_patterns", "MODELS"]

MODELS = ("rasch", "1pl", "2pl")


@dataclass(frozen=True)
class IRTResult:
    model: str
    item_ids: list[str]
    a: np.ndarray  # slopes (discrimination)
    b: np.ndarray  # difficulty, -d/a
    d: np.ndarray  # intercepts
    loglik: float  # marginal log-likelihood (no multinomial constant)
    n_iter: int
    converged: bool
    n_quad: int
    n_patterns: int
    se_a: np.ndarray | None = None  # None where not estimated (Rasch) or se=False
    se_b: np.ndarray | None = None
    se_d: np.ndarray | None = None


def compress_patterns(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique 0/1 response patterns (float64) and their counts."""
    x = np.asarray(scores)
    if x.ndim != 2 or not np.isin(x, (0, 1)).all():
        raise ValueError("IRT needs a 0/1 mark matrix (no fractional marks)")
    packed = np.packbits(x.astype(np.uint8), axis=1)
    _, first, counts = np.unique(packed, axis=0, return_index=True, return_counts=True)
    return x[first].astype(np.float64), counts.astype(np.float64)


def _quadrature(n_quad: int) -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_quad)
    return nodes, np.log(weights / weights.sum())


class _Problem:
    """Compressed data, quadrature and the E-step."""

    def __init__(self, patterns, counts, n_quad):
        self.u, self.w = patterns, counts
        self.nodes, self.logw = _quadrature(n_quad)

    def estep(self, a, d):
        z = a[:, None] * self.nodes[None, :] + d[:, None]
        log_p, log_q = -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)
        ll = self.u @ (log_p - log_q) + log_q.sum(axis=0) + self.logw
        top = ll.max(axis=1, keepdims=True)
        post = np.exp(ll - top)
        norm = post.sum(axis=1, keepdims=True)
        loglik = float(self.w @ (top[:, 0] + np.log(norm[:, 0])))
        post *= self.w[:, None] / norm
        return loglik, post.sum(axis=0), self.u.T @ post  # loglik, n_q, r_jq

    def suff(self, a, d, n_q, r_jq):
        """Residuals and weights of the expected complete-data log-likelihood."""
        prob = 1.0 / (1.0 + np.exp(-(a[:, None] * self.nodes[None, :] + d[:, None])))
        resid = r_jq - n_q[None, :] * prob
        info = n_q[None, :] * prob * (1.0 - prob)
        return resid, info


def _unpack(model, x, k):
    if model == "rasch":
        return np.ones(k), x
    if model == "1pl":
        return np.full(k, x[0]), x[1:]
    return x[:k], x[k:]


def _gradient(model, prob: _Problem, x, k):
    a, d = _unpack(model, x, k)
    _, n_q, r_jq = prob.estep(a, d)
    resid, _ = prob.suff(a, d, n_q, r_jq)
    g_d, g_a = resid.sum(axis=1), resid @ prob.nodes
    if model == "rasch":
        return g_d
    if model == "1pl":
        return np.concatenate([[g_a.sum()], g_d])
    return np.concatenate([g_a, g_d])


def _mstep(model, prob: _Problem, x, k):
    """One EM step: E-step at x, then one Newton step per item."""
    a, d = _unpack(model, x, k)
    loglik, n_q, r_jq = prob.estep(a, d)
    resid, info = prob.suff(a, d, n_q, r_jq)
    t = prob.nodes
    g_d, h_dd = resid.sum(axis=1), info.sum(axis=1)
    if model == "rasch":
        return np.clip(g_d / h_dd, -1, 1) + d, loglik
    g_a, h_da, h_aa = resid @ t, info @ t, info @ (t * t)
    if model == "1pl":
        s_aa = h_aa.sum() - (h_da ** 2 / h_dd).sum()
        step_a = (g_a.sum() - (h_da * g_d / h_dd).sum()) / s_aa
        step_a = float(np.clip(step_a, -0.5, 0.5))
        step_d = np.clip((g_d - h_da * step_a) / h_dd, -1, 1)
        return np.concatenate([[a[0] + step_a], d + step_d]), loglik
    det = h_aa * h_dd - h_da ** 2
    step_a = np.clip((h_dd * g_a - h_da * g_d) / det, -0.5, 0.5)
    step_d = np.clip((h_aa * g_d - h_da * g_a) / det, -1, 1)
    return np.concatenate([a + step_a, d + step_d]), loglik


def _squarem(model, prob, x, k, tol, max_iter):
    """SQUAREM-accelerated EM; returns (x, loglik, iterations, converged)."""
    loglik = -np.inf
    for it in range(1, max_iter + 1):
        x1, ll0 = _mstep(model, prob, x, k)
        x2, _ = _mstep(model, prob, x1, k)
        r, v = x1 - x, x2 - 2 * x1 + x
        nv = np.linalg.norm(v)
        if np.linalg.norm(r) < tol:
            x_new = x2
        elif nv > 0:
            alpha = -max(np.linalg.norm(r) / nv, 1.0)
            x_new, _ = _mstep(model, prob, x - 2 * alpha * r + alpha ** 2 * v, k)
        else:
            x_new = x2
        ll_new = prob.estep(*_unpack(model, x_new, k))[0]
        if not np.isfinite(ll_new) or ll_new < ll0 - 1e-9:
            x_new, ll_new = x2, prob.estep(*_unpack(model, x2, k))[0]
        step = np.max(np.abs(x_new - x))
        x, loglik = x_new, ll_new
        if step < tol:
            return x, loglik, it, True
    return x, loglik, max_iter, False


def _covariance(model, prob, x, k, h=1e-4):
    n = x.size
    hess = np.empty((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        hess[:, i] = (_gradient(model, prob, x + e, k) - _gradient(model, prob, x - e, k)) / (2 * h)
    hess = (hess + hess.T) / 2
    try:
        return np.linalg.inv(-hess)
    except np.linalg.LinAlgError:
        return np.full((n, n), np.nan)


def _standard_errors(model, prob, x, k):
    cov = _covariance(model, prob, x, k)
    a, d = _unpack(model, x, k)
    var = np.diag(cov)
    if model == "rasch":
        se_d = np.sqrt(var)
        return None, se_d, se_d
    if model == "1pl":
        var_a, var_d, cov_ad = var[0], var[1:], cov[0, 1:]
        se_a = np.full(k, np.sqrt(var_a))
    else:
        var_a, var_d, cov_ad = var[:k], var[k:], np.diag(cov[:k, k:])
        se_a = np.sqrt(var_a)
    # delta method for b = -d/a: db/dd = -1/a, db/da = d/a^2
    var_b = var_d / a ** 2 + var_a * d ** 2 / a ** 4 - 2 * cov_ad * d / a ** 3
    return se_a, np.sqrt(np.maximum(var_b, 0)), np.sqrt(var_d)


def _start(model, scores, k):
    p = np.clip(scores.mean(axis=0), 0.01, 0.99)
    d = np.log(p / (1 - p)) * 1.2
    if model == "rasch":
        return d
    if model == "1pl":
        return np.concatenate([[1.0], d])
    return np.concatenate([np.ones(k), d])


def fit_irt(scores: np.ndarray, model: str = "2pl", *, item_ids: list[str] | None = None,
            n_quad: int = 61, tol: float = 1e-7, max_iter: int = 5000,
            se: bool = True) -> IRTResult:
    """Calibrate a 0/1 mark matrix (candidates x items) by MML.

    ``model`` is ``"rasch"``, ``"1pl"`` or ``"2pl"``.  Items answered correctly
    by everybody or nobody have no finite estimate; remove them first.
    """
    if model not in MODELS:
        raise ValueError(f"unknown IRT model {model!r} (expected one of {', '.join(MODELS)})")
    x = np.asarray(scores, dtype=float)
    k = x.shape[1]
    p = x.mean(axis=0)
    if ((p <= 0) | (p >= 1)).any():
        raise ValueError("IRT: items with p = 0 or p = 1 have no finite estimate; remove them")
    patterns, counts = compress_patterns(x)
    prob = _Problem(patterns, counts, n_quad)
    params, loglik, n_iter, ok = _squarem(model, prob, _start(model, x, k), k, tol, max_iter)
    a, d = _unpack(model, params, k)
    se_a = se_b = se_d = None
    if se:
        se_a, se_b, se_d = _standard_errors(model, prob, params, k)
    ids = list(item_ids) if item_ids is not None else [f"item{j + 1}" for j in range(k)]
    return IRTResult(model=model, item_ids=ids, a=a, b=-d / a, d=d, loglik=loglik,
                     n_iter=n_iter, converged=ok, n_quad=n_quad, n_patterns=len(counts),
                     se_a=se_a, se_b=se_b, se_d=se_d)
