"""Classical test theory: item analysis, distractor analysis and test statistics.

All statistics are vectorised over candidates (matrix-vector products and one
``bincount``); nothing loops over candidates.  Undefined values (zero variance,
too few candidates) are ``NaN``; :mod:`cmrnet.psychometrics.report` turns them
into JSON ``null``.

Definitions (see docs/psychometrics.md):

* correlations use population moments (the n vs n-1 choice cancels in a ratio);
* the reported SD and variance use n-1 (as ltm/Moodle);
* alpha = K/(K-1) * (1 - sum(var_j) / var(T)) with variances on the same
  denominator; for 0/1 marks this is KR-20;
* SEM = SD * sqrt(1 - alpha);
* skewness and kurtosis are Moodle's k-statistic ratios k3/k2^1.5 and k4/k2^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "TestStats",
    "ItemAnalysisResult",
    "item_analysis",
    "test_statistics",
    "upper_lower_weights",
    "kstat_skew_kurtosis",
    "UPPER_LOWER_FRACTION",
]

UPPER_LOWER_FRACTION = 0.27


@dataclass(frozen=True)
class TestStats:
    """Whole-test statistics on the total scores."""

    n_candidates: int
    n_items: int
    max_score: float
    mean: float
    sd: float  # n-1 denominator
    variance: float  # n-1 denominator
    alpha: float  # Cronbach's alpha; KR-20 for 0/1 marks
    sem: float  # SD * sqrt(1 - alpha)
    median: float
    skewness: float  # k3 / k2**1.5 (Moodle)
    kurtosis: float  # k4 / k2**2, excess (Moodle)
    minimum: float
    maximum: float
    distribution: dict[float, int]  # total score -> number of candidates

    @property
    def error_ratio(self) -> float:
        """Moodle's error ratio: 100 * sqrt(1 - alpha) (SEM as % of SD)."""
        return float(100.0 * np.sqrt(1.0 - self.alpha))


@dataclass(frozen=True)
class ItemAnalysisResult:
    """Per-item arrays (length n_items) plus the test statistics.

    Option arrays have one column per option letter and a last column for
    omitted answers; they are ``None`` when only marks (no letters) are known.
    """

    item_ids: list[str]
    p: np.ndarray  # facility: mean mark / max mark
    r_pb: np.ndarray  # item-total point-biserial (item included)
    r_pbc: np.ndarray  # corrected item-rest point-biserial
    d27: np.ndarray  # upper 27% minus lower 27% facility
    alpha_if_deleted: np.ndarray
    item_variance: np.ndarray  # population variance of the marks
    totals: np.ndarray  # total score per candidate
    test: TestStats
    options: str | None = None
    key: np.ndarray | None = None  # key option codes
    option_counts: np.ndarray | None = None  # (n_items, n_options + 1)
    option_proportions: np.ndarray | None = None
    option_rest_r: np.ndarray | None = None  # corr(chose option, rest score)


def _div(num, den):
    """num / den with NaN where den <= 1e-15 (a zero variance), without warnings."""
    out = np.full(np.shape(den), math.nan)
    np.divide(num, den, out=out, where=den > 1e-15)
    return out


def kstat_skew_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Skewness k3/k2^(3/2) and excess kurtosis k4/k2^2 from k-statistics.

    As Moodle's quiz statistics (and SAS/Excel SKEW, KURT).  NaN when n < 3
    (skewness), n < 4 (kurtosis) or the variance is zero.
    """
    x = np.asarray(x)
    n = x.size
    if n < 3:
        return math.nan, math.nan
    dev = x - x.mean()
    dev2 = dev * dev  # products, not dev ** k: a power is 10x slower
    m2, m3, m4 = dev2.mean(), (dev2 * dev).mean(), (dev2 * dev2).mean()
    k2 = n * m2 / (n - 1)
    k3 = n * n * m3 / ((n - 1) * (n - 2))
    skew = float(_div(k3, k2 ** 1.5))
    if n < 4:
        return skew, math.nan
    k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
    return skew, float(_div(k4, k2 * k2))


def _distribution(totals: np.ndarray, max_score: float) -> dict[float, int]:
    """Candidates at each total: every whole score 0..max, or each distinct fractional total.

    Totals are rounded to 9 decimals first, so the float noise of fractional marks
    (0.1 + 0.2) is not a score of its own.
    """
    t = np.round(totals, 9)
    whole = np.rint(t)
    if (t == whole).all() and float(max_score).is_integer():
        counts = np.bincount(whole.astype(np.int64), minlength=int(max_score) + 1)
        return {int(s): int(c) for s, c in enumerate(counts)}
    values, counts = np.unique(t, return_counts=True)
    return {float(v): int(c) for v, c in zip(values, counts)}


def test_statistics(totals: np.ndarray, item_var_sum: float, n_items: int,
                    max_score: float) -> TestStats:
    """Test statistics from the totals (one or more candidates) and the sum of
    item variances (population)."""
    t = np.asarray(totals)
    n = t.size
    var_pop = float(t.var())
    var = var_pop * n / (n - 1) if n > 1 else math.nan
    alpha = n_items / (n_items - 1) * (1.0 - float(_div(item_var_sum, var_pop))) if n_items > 1 else math.nan
    sd = math.sqrt(var)
    skew, kurt = kstat_skew_kurtosis(t)
    return TestStats(
        n_candidates=n, n_items=n_items, max_score=float(max_score),
        mean=float(t.mean()), sd=sd, variance=var,
        alpha=alpha, sem=sd * math.sqrt(max(1.0 - alpha, 0.0)),  # alpha <= 1 but for rounding
        median=float(np.median(t)), skewness=skew, kurtosis=kurt,
        minimum=float(t.min()), maximum=float(t.max()),
        distribution=_distribution(t, max_score),
    )


def upper_lower_weights(totals: np.ndarray, fraction: float = UPPER_LOWER_FRACTION
                        ) -> tuple[np.ndarray, np.ndarray, float]:
    """Weights of each candidate in the upper and lower groups, and group size g.

    g = fraction * n (not rounded; 0 < fraction <= 0.5).  Candidates strictly
    above (below) the boundary score get weight 1; those tied at the boundary
    share the remaining weight equally, so both groups weigh exactly g and ties
    are treated symmetrically (no arbitrary tie-breaking by candidate order).
    """
    t = np.asarray(totals)
    n = t.size
    g = fraction * n
    kth = math.ceil(g) - 1  # the boundary is the (kth + 1)-th highest total

    def group(values: np.ndarray) -> np.ndarray:
        boundary = np.partition(values, n - 1 - kth)[n - 1 - kth]
        above = values > boundary
        tie = values == boundary
        w = np.where(above, 1.0, 0.0)
        w[tie] = (g - above.sum()) / tie.sum()
        return w

    return group(t), group(-t), g


def _score_option_histogram(codes: np.ndarray, totals: np.ndarray, n_options: int
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Joint counts of (total score, item, option) for 0/1-scored option codes.

    Returns ``(scores, order, starts, hist)``: the distinct totals (``scores``),
    the candidates sorted by total (``order``), the first sorted position of each
    distinct total (``starts``), and ``hist[s, j, o]``, the number of candidates
    with total ``scores[s]`` who chose option ``o`` on item ``j`` (the last
    column is omitted).

    Every CTT statistic of a 0/1 item depends on the candidates only through
    their total score and the option they chose, so this (distinct totals x
    items x options) table is all the analysis needs.  It is built from the
    int8 codes sorted by total, one comparison per option and block: no
    (candidates x items) index or weight array is ever made.
    """
    k = codes.shape[1]
    whole = totals.astype(np.min_scalar_type(k))  # totals <= k; up to 16 bits sort by radix
    order = np.argsort(whole, kind="stable")
    sizes = np.bincount(whole)
    scores = np.flatnonzero(sizes)
    ends = np.cumsum(sizes)[scores]
    starts = ends - sizes[scores]
    ranked = np.take(codes, order, axis=0)  # int8 rows, ordered by total
    hist = np.empty((scores.size, k, n_options + 1), dtype=np.int64)
    for s, (lo, hi) in enumerate(zip(starts, ends)):
        block = ranked[lo:hi]
        for o in range(n_options):
            hist[s, :, o] = (block == o).view(np.uint8).sum(axis=0, dtype=np.int32)
    hist[:, :, n_options] = sizes[scores][:, None] - hist[:, :, :n_options].sum(axis=2)
    return scores, order, starts, hist


@dataclass(frozen=True)
class _ItemSums:
    """Per-item moments every statistic is computed from (population denominators)."""

    mean_mark: np.ndarray
    item_var: np.ndarray
    cov_it: np.ndarray  # cov(x_j, T)
    up_minus_low: np.ndarray  # sum of x_j over the upper group minus over the lower group
    option_counts: np.ndarray | None = None  # (k, n_options + 1)
    option_cov_t: np.ndarray | None = None  # cov(chose option, T)


def _mark_sums(x: np.ndarray, totals: np.ndarray, w_diff: np.ndarray) -> _ItemSums:
    """Moments of a mark matrix from one fused product X.T @ [1, T - mean, w_up - w_low]."""
    n = x.shape[0]
    fused = x.T @ np.column_stack([np.ones(n), totals - totals.mean(), w_diff])
    mean_mark = fused[:, 0] / n
    item_var = np.vecdot(x, x, axis=0) / n - mean_mark ** 2
    return _ItemSums(mean_mark, np.maximum(item_var, 0.0), fused[:, 1] / n, fused[:, 2])


def _option_sums(codes: np.ndarray, key: np.ndarray, n_options: int, totals: np.ndarray,
                 w_diff: np.ndarray) -> _ItemSums:
    """Moments of 0/1 marks and of every option, from the score-option histogram."""
    if codes.min() < -1 or codes.max() >= n_options:
        raise ValueError(f"option codes must be -1 (omitted) or 0..{n_options - 1}")
    if key.min() < 0 or key.max() >= n_options:
        raise ValueError(f"key codes must be 0..{n_options - 1}")
    n, k = codes.shape
    scores, order, starts, hist = _score_option_histogram(codes, totals, n_options)
    counts = hist.sum(axis=0)
    cov_ot = (np.tensordot(scores, hist, axes=1) - counts * totals.mean()) / n
    right = hist[:, np.arange(k), key]  # (distinct totals, items): candidates who chose the key
    mean_mark = right.sum(axis=0) / n
    return _ItemSums(mean_mark, mean_mark * (1 - mean_mark), cov_ot[np.arange(k), key],
                     w_diff[order][starts] @ right, counts, cov_ot)


def _option_rest_r(sums: _ItemSums, key: np.ndarray, var_rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Option proportions and option-rest correlations r(chose option, T - x_j)."""
    n = sums.option_counts.sum(axis=1, keepdims=True)
    prop = sums.option_counts / n
    is_key = np.arange(prop.shape[1])[None, :] == key[:, None]
    cov_ox = np.where(is_key, sums.item_var[:, None], -prop * sums.mean_mark[:, None])
    r = _div(sums.option_cov_t - cov_ox, np.sqrt(prop * (1 - prop) * var_rest[:, None]))
    return prop, r


def item_analysis(scores: np.ndarray, *, item_ids: list[str] | None = None,
                  codes: np.ndarray | None = None, key: np.ndarray | None = None,
                  options: str | None = None, max_marks: np.ndarray | float = 1.0,
                  fraction: float = UPPER_LOWER_FRACTION,
                  totals: np.ndarray | None = None) -> ItemAnalysisResult:
    """Item and test statistics for a mark matrix (candidates x items).

    ``scores`` may hold fractional marks (max ``max_marks`` per item).  When
    ``codes`` (option codes, -1 = omitted), ``key`` (key codes) and ``options``
    are given, the distractor analysis is added; ``scores`` must then be the
    0/1 scoring of ``codes`` against ``key``, and the statistics are computed
    from the codes.  ``totals`` (optional) are the row sums of ``scores`` when
    the caller already has them; they are then used as given.
    """
    x = np.asarray(scores, dtype=float)
    n, k = x.shape
    if n == 0:
        raise ValueError("item analysis needs at least one candidate")
    ids = list(item_ids) if item_ids is not None else [f"item{j + 1}" for j in range(k)]
    mm = np.broadcast_to(max_marks, (k,))
    totals = x.sum(axis=1) if totals is None else np.asarray(totals)
    w_up, w_low, g = upper_lower_weights(totals, fraction)
    if codes is None:
        sums = _mark_sums(x, totals, w_up - w_low)
    elif key is None or options is None:
        raise ValueError("codes need key and options")
    else:
        key = np.asarray(key)
        sums = _option_sums(np.asarray(codes), key, len(options), totals, w_up - w_low)
    tc = totals - totals.mean()
    var_t = float(tc @ tc / n)
    item_var, cov_it = sums.item_var, sums.cov_it
    var_rest = np.maximum(var_t - 2 * cov_it + item_var, 0.0)  # 0, not -1e-17, for one item
    r_pb = _div(cov_it, np.sqrt(item_var * var_t))
    r_pbc = _div(cov_it - item_var, np.sqrt(item_var * var_rest))
    sum_var = float(item_var.sum())
    if k > 2:
        aid = (k - 1) / (k - 2) * (1 - _div(sum_var - item_var, var_rest))
    else:
        aid = np.full(k, math.nan)
    test = test_statistics(totals, sum_var, k, float(mm.sum()))
    extra = {}
    if sums.option_counts is not None:
        prop, r_opt = _option_rest_r(sums, key, var_rest)
        extra = dict(options=options, key=key, option_counts=sums.option_counts,
                     option_proportions=prop, option_rest_r=r_opt)
    return ItemAnalysisResult(
        item_ids=ids, p=sums.mean_mark / mm, r_pb=r_pb, r_pbc=r_pbc, d27=sums.up_minus_low / g / mm,
        alpha_if_deleted=aid, item_variance=item_var, totals=totals, test=test, **extra)
