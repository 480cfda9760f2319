"""Unidimensional IRT calibration by marginal maximum likelihood (MML).

Models (logistic, slope-intercept form ``P(x=1 | theta) = 1 / (1 + exp(-(a*theta + d)))``,
difficulty ``b = -d / a``):

* ``rasch``: a = 1 for every item, ability theta ~ N(0, 1) (ltm's
  ``rasch(data, constraint = cbind(K + 1, 1))``);
* ``1pl``:   one common slope a estimated, theta ~ N(0, 1) (ltm's ``rasch(data)``);
* ``2pl``:   a_j and d_j per item, theta ~ N(0, 1) (ltm's ``ltm(data ~ z1)``,
  mirt's ``mirt(data, 1)``).

Estimation: Bock-Aitkin EM over a quadrature of the N(0, 1) prior, on response
patterns compressed to unique rows with counts; each M-step is one Newton step
per item, vectorised over items.  EM is accelerated with SQUAREM (Varadhan &
Roland 2008) with a monotonicity safeguard.

Quadrature (``rule``): ``"grid"`` (default, as mirt) is ``n_quad`` equally
spaced nodes on [-6, 6] weighted by the normal density; ``"hermite"`` is
Gauss-Hermite (as ltm).  The grid is the accurate one for long tests, whose
posteriors of theta are narrow; both are computed in log space, so any
``n_quad`` works (Gauss-Hermite weights of 401 nodes are below 1e-308).

Standard errors: the observed information (minus the Hessian of the marginal
log-likelihood) by Louis' (1982) method, from the posterior of the final
E-step: complete-data information minus the posterior covariance of the
complete-data score.  It is exact (it equals a finite-difference Hessian) and
costs a few E-steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from threadpoolctl import threadpool_limits

__all__ = ["IRTResult", "fit_irt", "compress_patterns", "quadrature", "MODELS", "RULES"]

MODELS = ("rasch", "1pl", "2pl")
RULES = ("grid", "hermite")
GRID_BOUND = 6.0
# patterns x items x nodes below which BLAS runs on one thread: at this size the
# products are too small to gain from threads, and on a shared machine they lose
SINGLE_THREAD_BELOW = 5e8


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
    rule: str = "grid"


def compress_patterns(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique 0/1 response patterns (float64) and their counts."""
    x = np.asarray(scores)
    if x.ndim != 2 or not np.isin(x, (0, 1)).all():
        raise ValueError("IRT needs a 0/1 mark matrix (no fractional marks)")
    packed = np.packbits(x.astype(np.uint8), axis=1)
    _, first, counts = np.unique(packed, axis=0, return_index=True, return_counts=True)
    return x[first].astype(np.float64), counts.astype(np.float64)


def _log_normalise(logw: np.ndarray) -> np.ndarray:
    top = logw.max()
    return logw - (top + np.log(np.exp(logw - top).sum()))


def _hermite_log_weights(nodes: np.ndarray) -> np.ndarray:
    """log of 1 / (n p_{n-1}(x)^2), p the orthonormal probabilists' Hermite polynomials.

    The three-term recurrence is rescaled whenever a value passes 1e100, and the
    scale is carried as a logarithm, so nothing overflows.
    """
    n = nodes.size
    prev, cur = np.zeros_like(nodes), np.ones_like(nodes)  # p_{-1}, p_0
    log_scale = np.zeros_like(nodes)
    for k in range(n - 1):  # cur becomes p_{k+1}
        prev, cur = cur, (nodes * cur - np.sqrt(k) * prev) / np.sqrt(k + 1)
        big = np.abs(cur) > 1e100
        scale = np.where(big, np.abs(cur), 1.0)
        prev, cur = prev / scale, cur / scale
        log_scale += np.log(scale)
    return -np.log(n) - 2 * (np.log(np.abs(cur)) + log_scale)


@lru_cache(maxsize=16)
def quadrature(n_quad: int, rule: str = "grid") -> tuple[np.ndarray, np.ndarray]:
    """Nodes and log-weights (summing to 1) of the N(0, 1) prior."""
    if rule not in RULES:
        raise ValueError(f"unknown quadrature rule {rule!r} (expected one of {', '.join(RULES)})")
    if n_quad < 3:
        raise ValueError("n_quad must be at least 3")
    if rule == "grid":
        nodes = np.linspace(-GRID_BOUND, GRID_BOUND, n_quad)
        logw = -0.5 * nodes ** 2
    else:
        # Golub-Welsch: the nodes are the eigenvalues of the Jacobi matrix
        off = np.sqrt(np.arange(1.0, n_quad))
        with threadpool_limits(limits=1, user_api="blas"):  # threads make this 30x slower here
            nodes = np.linalg.eigvalsh(np.diag(off, 1) + np.diag(off, -1))
        logw = _hermite_log_weights(nodes)
    nodes.flags.writeable = False
    logw = _log_normalise(logw)
    logw.flags.writeable = False
    return nodes, logw


@dataclass(frozen=True)
class _EStep:
    loglik: float
    post: np.ndarray  # (patterns, nodes): count * posterior of theta given the pattern
    n_q: np.ndarray  # expected number of candidates at each node
    r_jq: np.ndarray  # expected number correct on item j at each node
    prob: np.ndarray  # (items, nodes): P(correct | theta_q)


class _Problem:
    """Compressed data, quadrature and the E-step."""

    def __init__(self, patterns, counts, nodes, logw):
        self.u, self.w = patterns, counts
        self.nodes, self.logw = nodes, logw

    def estep(self, a, d) -> _EStep:
        z = a[:, None] * self.nodes[None, :] + d[:, None]
        log_p, log_q = -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)
        ll = self.u @ (log_p - log_q) + log_q.sum(axis=0) + self.logw
        top = ll.max(axis=1, keepdims=True)
        post = np.exp(ll - top)
        norm = post.sum(axis=1, keepdims=True)
        loglik = float(self.w @ (top[:, 0] + np.log(norm[:, 0])))
        post *= self.w[:, None] / norm
        return _EStep(loglik, post, post.sum(axis=0), self.u.T @ post, np.exp(log_p))


def _unpack(model, x, k):
    if model == "rasch":
        return np.ones(k), x
    if model == "1pl":
        return np.full(k, x[0]), x[1:]
    return x[:k], x[k:]


def _gradient(model, prob: _Problem, x, k):
    """Analytic gradient of the marginal log-likelihood (Fisher's identity)."""
    e = prob.estep(*_unpack(model, x, k))
    resid = e.r_jq - e.n_q[None, :] * e.prob
    g_d, g_a = resid.sum(axis=1), resid @ prob.nodes
    if model == "rasch":
        return g_d
    if model == "1pl":
        return np.concatenate([[g_a.sum()], g_d])
    return np.concatenate([g_a, g_d])


def _mstep(model, prob: _Problem, x, k, e: _EStep):
    """One Newton step per item on the expected complete-data log-likelihood of E-step ``e``."""
    a, d = _unpack(model, x, k)
    resid = e.r_jq - e.n_q[None, :] * e.prob
    info = e.n_q[None, :] * e.prob * (1.0 - e.prob)
    t = prob.nodes
    g_d, h_dd = resid.sum(axis=1), info.sum(axis=1)
    if model == "rasch":
        return np.clip(g_d / h_dd, -1, 1) + d
    g_a, h_da, h_aa = resid @ t, info @ t, info @ (t * t)
    if model == "1pl":
        s_aa = h_aa.sum() - (h_da ** 2 / h_dd).sum()
        step_a = (g_a.sum() - (h_da * g_d / h_dd).sum()) / s_aa
        step_a = float(np.clip(step_a, -0.5, 0.5))
        step_d = np.clip((g_d - h_da * step_a) / h_dd, -1, 1)
        return np.concatenate([[a[0] + step_a], d + step_d])
    det = h_aa * h_dd - h_da ** 2
    step_a = np.clip((h_dd * g_a - h_da * g_d) / det, -0.5, 0.5)
    step_d = np.clip((h_aa * g_d - h_da * g_a) / det, -1, 1)
    return np.concatenate([a + step_a, d + step_d])


def _squarem(model, prob, x, k, tol, max_iter):
    """SQUAREM-accelerated EM; returns (x, E-step at x, iterations, converged).

    Each iteration costs three E-steps: the E-step of the accepted point is
    reused as the first E-step of the next iteration.
    """
    e = prob.estep(*_unpack(model, x, k))
    for it in range(1, max_iter + 1):
        x1 = _mstep(model, prob, x, k, e)
        x2 = _mstep(model, prob, x1, k, prob.estep(*_unpack(model, x1, k)))
        r, v = x1 - x, x2 - 2 * x1 + x
        nr, nv = np.linalg.norm(r), np.linalg.norm(v)
        x_new = x2
        if nr >= tol and nv > 0:
            alpha = -max(nr / nv, 1.0)
            x_ext = x - 2 * alpha * r + alpha ** 2 * v
            x_new = _mstep(model, prob, x_ext, k, prob.estep(*_unpack(model, x_ext, k)))
        e_new = prob.estep(*_unpack(model, x_new, k))
        if x_new is not x2 and not (np.isfinite(e_new.loglik) and e_new.loglik >= e.loglik - 1e-9):
            x_new, e_new = x2, prob.estep(*_unpack(model, x2, k))
        step = np.max(np.abs(x_new - x))
        x, e = x_new, e_new
        if step < tol:
            return x, e, it, True
    return x, e, max_iter, False


def _information_2pl(prob: _Problem, e: _EStep) -> np.ndarray:
    """Observed information of (a_1..a_K, d_1..d_K) by Louis' method.

    -Hessian = sum_p w_p (E_post[-H_c] - Cov_post[s_c]) with the complete-data
    score s_c = (u_j - P_jq) (theta_q, 1) per item and the complete-data Hessian
    H_c = -P_jq Q_jq (theta_q, 1)(theta_q, 1)^T.  Every posterior expectation is a
    product of the E-step's (patterns x nodes) posterior with the patterns.
    """
    u, w, t = prob.u, prob.w, prob.nodes
    k = u.shape[1]
    pq, post, n_q = e.prob, e.post, e.n_q
    powers = [np.ones_like(t), t, t * t]
    # sum_p w_p E_post[s s^T] for the blocks with theta^m, m = 0 (d,d), 1 (a,d), 2 (a,a)
    second = []
    for m in range(3):
        c = post @ powers[m]  # sum_q w_p post_pq theta_q^m
        cross = (e.r_jq * powers[m]) @ pq.T  # sum_pq w post theta^m u_pj P_lq
        second.append(u.T @ (c[:, None] * u) - cross - cross.T + (pq * (n_q * powers[m])) @ pq.T)
    # sum_p w_p E_post[s] E_post[s]^T, with E_post[s] the per-pattern gradient
    norm_post = post / w[:, None]
    g_d = u - norm_post @ pq.T
    g_a = u * (norm_post @ t)[:, None] - norm_post @ (pq * t).T
    g = np.hstack([g_a, g_d]) * np.sqrt(w)[:, None]
    outer = g.T @ g  # one symmetric product (numpy uses syrk for g.T @ g)
    cov_s = np.block([[second[2], second[1]], [second[1].T, second[0]]]) - outer
    pqq = pq * (1 - pq) * n_q
    complete = np.zeros((2 * k, 2 * k))
    idx = np.arange(k)
    complete[idx, idx] = pqq @ (t * t)
    complete[idx, idx + k] = complete[idx + k, idx] = pqq @ t
    complete[idx + k, idx + k] = pqq.sum(axis=1)
    return complete - cov_s


def _information(model, prob: _Problem, e: _EStep, k: int) -> np.ndarray:
    """Observed information of the model's free parameters (chain rule from the 2PL's)."""
    info = _information_2pl(prob, e)
    if model == "2pl":
        return info
    if model == "rasch":
        return info[k:, k:]
    jac = np.zeros((2 * k, k + 1))  # (a_j, d_j) from (a, d_1..d_K)
    jac[:k, 0] = 1.0
    jac[k:, 1:] = np.eye(k)
    return jac.T @ info @ jac


def _standard_errors(model, prob, x, k, e: _EStep):
    try:
        cov = np.linalg.inv(_information(model, prob, e, k))
    except np.linalg.LinAlgError:
        cov = np.full((x.size, x.size), np.nan)
    a, d = _unpack(model, x, k)
    var = np.diag(cov)
    if model == "rasch":
        se_d = np.sqrt(np.maximum(var, 0))
        return None, se_d, se_d
    if model == "1pl":
        var_a, var_d, cov_ad = var[0], var[1:], cov[0, 1:]
        se_a = np.full(k, np.sqrt(max(var_a, 0)))
    else:
        var_a, var_d, cov_ad = var[:k], var[k:], np.diag(cov[:k, k:])
        se_a = np.sqrt(np.maximum(var_a, 0))
    # delta method for b = -d/a: db/dd = -1/a, db/da = d/a^2
    var_b = var_d / a ** 2 + var_a * d ** 2 / a ** 4 - 2 * cov_ad * d / a ** 3
    return se_a, np.sqrt(np.maximum(var_b, 0)), np.sqrt(np.maximum(var_d, 0))


def _start(model, scores, k):
    p = np.clip(scores.mean(axis=0), 0.01, 0.99)
    d = np.log(p / (1 - p)) * 1.2
    if model == "rasch":
        return d
    if model == "1pl":
        return np.concatenate([[1.0], d])
    return np.concatenate([np.ones(k), d])


def fit_irt(scores: np.ndarray, model: str = "2pl", *, item_ids: list[str] | None = None,
            n_quad: int = 61, rule: str = "grid", tol: float = 1e-7, max_iter: int = 5000,
            se: bool = True) -> IRTResult:
    """Calibrate a 0/1 mark matrix (candidates x items) by MML.

    ``model`` is ``"rasch"``, ``"1pl"`` or ``"2pl"``; ``rule`` is ``"grid"``
    or ``"hermite"``.  Items answered correctly by everybody or nobody have no
    finite estimate; remove them first.
    """
    if model not in MODELS:
        raise ValueError(f"unknown IRT model {model!r} (expected one of {', '.join(MODELS)})")
    nodes, logw = quadrature(n_quad, rule)
    x = np.asarray(scores, dtype=float)
    k = x.shape[1]
    p = x.mean(axis=0)
    if ((p <= 0) | (p >= 1)).any():
        raise ValueError("IRT: items with p = 0 or p = 1 have no finite estimate; remove them")
    patterns, counts = compress_patterns(x)
    prob = _Problem(patterns, counts, nodes, logw)
    small = patterns.shape[0] * k * n_quad < SINGLE_THREAD_BELOW
    with threadpool_limits(limits=1 if small else None, user_api="blas"):
        params, e, n_iter, ok = _squarem(model, prob, _start(model, x, k), k, tol, max_iter)
        se_a = se_b = se_d = None
        if se:
            se_a, se_b, se_d = _standard_errors(model, prob, params, k, e)
    a, d = _unpack(model, params, k)
    ids = list(item_ids) if item_ids is not None else [f"item{j + 1}" for j in range(k)]
    return IRTResult(model=model, item_ids=ids, a=a, b=-d / a, d=d, loglik=e.loglik,
                     n_iter=n_iter, converged=ok, n_quad=n_quad, n_patterns=len(counts),
                     se_a=se_a, se_b=se_b, se_d=se_d, rule=rule)
