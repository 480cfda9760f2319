"""Standard setting: modified Angoff, Hofstee compromise, Cohen method.

Cut scores are on the raw-score scale (number of marks) of the retained items;
a candidate passes when total >= cut.  Methods and choices are documented in
docs/psychometrics.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .io import InputError

__all__ = [
    "AngoffResult",
    "HofsteeResult",
    "CohenResult",
    "angoff",
    "hofstee",
    "cohen",
    "fail_rate",
]


@dataclass(frozen=True)
class AngoffResult:
    cut: float  # sum over retained items of the mean rating
    cut_percent: float  # cut / number of retained items * 100
    n_items: int
    n_judges: int
    item_ids: list[str]  # retained items
    judge_ids: list[str]
    item_means: np.ndarray  # mean rating per retained item
    judge_cuts: np.ndarray  # each judge's own cut (sum of his ratings)
    judge_sd: float  # SD of judge cuts (n-1); NaN with one judge
    judge_se: float  # judge_sd / sqrt(n_judges)
    excluded: list[str]


@dataclass(frozen=True)
class HofsteeResult:
    cut: float  # intersection (score scale, continuous)
    cut_score: float  # smallest attainable score >= cut (operational pass mark)
    fail_rate: float  # observed proportion below cut_score
    intersects: bool  # False when the line misses the curve inside the box
    cut_min: float
    cut_max: float
    fail_min: float
    fail_max: float
    note: str


@dataclass(frozen=True)
class CohenResult:
    cut: float
    reference_score: float  # score at the chosen percentile
    percentile: float
    fraction: float
    guessing: float
    method: str  # numpy percentile method


def angoff(ratings: np.ndarray, item_ids: Sequence[str] | None = None,
           judge_ids: Sequence[str] | None = None, *,
           exclude: Sequence[str] = (), retained: Sequence[str] | None = None,
           exclude_judges: Sequence[str] = ()) -> AngoffResult:
    """Modified Angoff cut from a judges x items matrix of probabilities (0-1).

    Items in ``exclude`` (or not in ``retained``, when given) are dropped;
    judges in ``exclude_judges`` are dropped.
    """
    r = np.asarray(ratings, dtype=float)
    if r.ndim != 2 or r.size == 0:
        raise InputError("ratings must be a non-empty judges x items matrix")
    if not np.isfinite(r).all() or (r < 0).any() or (r > 1).any():
        raise InputError("ratings must be probabilities between 0 and 1")
    items = list(item_ids) if item_ids is not None else [f"item{j + 1}" for j in range(r.shape[1])]
    judges = list(judge_ids) if judge_ids is not None else [f"judge{i + 1}" for i in range(r.shape[0])]
    if len(items) != r.shape[1] or len(judges) != r.shape[0]:
        raise InputError("ids do not match the ratings matrix")
    drop = set(exclude)
    unknown = [i for i in list(drop) + list(retained or []) if i not in items]
    unknown += [j for j in exclude_judges if j not in judges]
    if unknown:
        raise InputError(f"unknown item/judge id(s): {', '.join(sorted(set(unknown)))}")
    keep_items = [j for j, i in enumerate(items) if i not in drop
                  and (retained is None or i in set(retained))]
    keep_judges = [j for j, i in enumerate(judges) if i not in set(exclude_judges)]
    if not keep_items or not keep_judges:
        raise InputError("no items or no judges left after exclusion")
    sub = r[np.ix_(keep_judges, keep_items)]
    judge_cuts = sub.sum(axis=1)
    nj = len(keep_judges)
    sd = float(judge_cuts.std(ddof=1)) if nj > 1 else float("nan")
    cut = float(sub.mean(axis=0).sum())
    return AngoffResult(
        cut=cut, cut_percent=100.0 * cut / len(keep_items), n_items=len(keep_items),
        n_judges=nj, item_ids=[items[j] for j in keep_items],
        judge_ids=[judges[j] for j in keep_judges], item_means=sub.mean(axis=0),
        judge_cuts=judge_cuts, judge_sd=sd, judge_se=sd / np.sqrt(nj) if nj > 1 else float("nan"),
        excluded=[i for i in items if i in drop or (retained is not None and i not in set(retained))],
    )


def fail_rate(totals: np.ndarray, cut: float) -> float:
    """Proportion of candidates with total < cut."""
    t = np.asarray(totals, dtype=float)
    return float((t < cut - 1e-9).mean())


def _curve(totals: np.ndarray, max_score: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes of the observed fail-rate curve F(c) = P(total < c), linearly joined.

    Nodes are every whole score 0..max_score when all totals are whole numbers,
    else 0, the distinct totals and max_score.
    """
    t = np.sort(np.asarray(totals, dtype=float))
    if np.allclose(t, np.rint(t)) and float(max_score).is_integer():
        nodes = np.arange(int(max_score) + 1, dtype=float)
    else:
        nodes = np.unique(np.concatenate([[0.0, max_score], t]))
    return nodes, np.searchsorted(t, nodes - 1e-9, side="left") / t.size


def hofstee(totals: np.ndarray, max_score: float, *, cut_min: float, cut_max: float,
            fail_min: float, fail_max: float, percent: bool = True) -> HofsteeResult:
    """Hofstee compromise cut.

    ``cut_min``/``cut_max`` are the judges' (mean) minimum and maximum
    acceptable cut, as % of ``max_score`` when ``percent`` (default) else as
    raw scores; ``fail_min``/``fail_max`` are the minimum and maximum
    acceptable fail rates, in % when ``percent`` else as proportions.

    The line from (cut_min, fail_max) to (cut_max, fail_min) is intersected with
    the observed fail-rate curve.  If the curve lies above the line over the
    whole range (too many would fail even at cut_min) the cut is cut_min; if
    below it everywhere (even cut_max fails too few) the cut is cut_max;
    ``intersects`` is then False and ``note`` says which bound was used.
    """
    scale = max_score / 100.0 if percent else 1.0
    fscale = 0.01 if percent else 1.0
    c0, c1 = cut_min * scale, cut_max * scale
    f0, f1 = fail_min * fscale, fail_max * fscale
    if not (0 <= c0 < c1 <= max_score) or not (0 <= f0 < f1 <= 1):
        raise InputError("Hofstee needs 0 <= cut_min < cut_max <= max score and "
                         "0 <= fail_min < fail_max <= 100 %")
    nodes, curve = _curve(totals, max_score)

    def line(c):
        return f1 + (f0 - f1) * (c - c0) / (c1 - c0)

    grid = np.unique(np.concatenate([[c0, c1], nodes[(nodes > c0) & (nodes < c1)]]))
    h = np.interp(grid, nodes, curve) - line(grid)  # non-decreasing
    if h[0] >= 0:
        cut, hit, note = c0, h[0] == 0, "fail-rate curve above the line: cut = minimum cut"
    elif h[-1] <= 0:
        cut, hit, note = c1, h[-1] == 0, "fail-rate curve below the line: cut = maximum cut"
    else:
        i = int(np.argmax(h >= 0))
        cut = grid[i - 1] + (grid[i] - grid[i - 1]) * (-h[i - 1]) / (h[i] - h[i - 1])
        hit, note = True, "intersection"
    cut = float(cut)
    cut_score = _operational(totals, cut)
    return HofsteeResult(cut=cut, cut_score=cut_score, fail_rate=fail_rate(totals, cut_score),
                         intersects=bool(hit), cut_min=c0, cut_max=c1, fail_min=f0, fail_max=f1,
                         note=note)


def _operational(totals: np.ndarray, cut: float) -> float:
    """Smallest whole score >= cut when totals are whole numbers, else the cut itself."""
    t = np.asarray(totals, dtype=float)
    if np.allclose(t, np.rint(t)):
        return float(np.ceil(cut - 1e-9))
    return cut


def cohen(totals: np.ndarray, *, percentile: float = 95.0, fraction: float = 0.60,
          guessing: float = 0.0, method: str = "inverted_cdf") -> CohenResult:
    """Cohen method: cut = guessing + fraction * (P95 - guessing).

    With the defaults (guessing = 0) this is Cohen-Schotanus & van der Vleuten
    (2010): 60 % of the score of the candidate at the 95th percentile.  The
    percentile uses numpy's ``inverted_cdf`` (nearest rank: the score of the
    candidate ranked ceil(0.95 n) from the bottom), so it is an actual
    candidate's score; pass ``method="linear"`` for interpolation.
    """
    t = np.asarray(totals, dtype=float)
    if t.size == 0:
        raise InputError("no candidates")
    if not 0 < percentile <= 100 or not 0 < fraction <= 1:
        raise InputError("percentile must be in (0, 100] and fraction in (0, 1]")
    ref = float(np.percentile(t, percentile, method=method))
    cut = guessing + fraction * (ref - guessing)
    return CohenResult(cut=float(cut), reference_score=ref, percentile=percentile,
                       fraction=fraction, guessing=guessing, method=method)
