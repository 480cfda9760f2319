"""High-level exam analysis: scoring on retained items, CTT, flags, optional IRT.

This is the entry point for the Django exam app and the CLI::

    result = analyse_exam(codes=codes, key={"item1": "B", ...}, item_ids=[...],
                          retained=[...], key_override={"item7": "C"},
                          defect_flags={"item3": 12})
    result.to_dict()   # JSON-ready (NaN -> None)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .ctt import ItemAnalysisResult, TestStats, item_analysis
from .flags import FlagThresholds, ItemFlags, flag_items
from .io import InputError
from .irt import IRTResult, fit_irt
from .scoring import key_codes, score_responses, select_items

__all__ = ["ItemReport", "ExamAnalysis", "analyse_exam", "score_exam", "ScoredExam", "clean"]


def clean(value):
    """float/ndarray -> JSON-ready Python values; NaN and inf -> None."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class ScoredExam:
    """Marks on the retained items (after re-keying)."""

    item_ids: list[str]  # retained, in original order
    scores: np.ndarray  # (n_candidates, n_retained) marks
    totals: np.ndarray
    key: dict[str, str] | None  # effective key of the retained items
    codes: np.ndarray | None  # option codes of the retained items
    options: str | None
    removed: list[str]
    max_score: float


def score_exam(*, item_ids: Sequence[str], codes: np.ndarray | None = None,
               key: Mapping[str, str] | None = None, scores: np.ndarray | None = None,
               options: str = "ABCDE", retained: Sequence[str] | None = None,
               key_override: Mapping[str, str] | None = None,
               max_marks: float = 1.0) -> ScoredExam:
    """Score on the retained items: either ``codes`` + ``key`` or a ready ``scores`` matrix."""
    ids = list(item_ids)
    cols = select_items(ids, retained)
    kept = [ids[j] for j in cols]
    removed = [i for i in ids if i not in set(kept)]
    every_item = cols.size == len(ids)  # then no column copy of the matrix
    if codes is not None:
        if key is None:
            raise InputError("option letters need a key")
        kc = key_codes(ids, key, options, key_override)
        c = np.asarray(codes) if every_item else np.asarray(codes)[:, cols]
        x = score_responses(c, kc[cols])
        eff = {ids[j]: options[kc[j]] for j in cols}
        return ScoredExam(kept, x, x.sum(axis=1), eff, c, options, removed, max_marks * len(kept))
    if scores is None:
        raise InputError("need option codes with a key, or a scored matrix")
    if key_override:
        raise InputError("re-keying needs option letters, not a scored matrix")
    x = np.asarray(scores, dtype=float)
    x = x if every_item else x[:, cols]
    return ScoredExam(kept, x, x.sum(axis=1), None, None, None, removed, max_marks * len(kept))


@dataclass(frozen=True)
class ItemReport:
    id: str
    p: float
    r_pb: float
    r_pbc: float
    d27: float
    alpha_if_deleted: float
    key: str | None
    options: dict[str, dict] = field(default_factory=dict)  # letter/"omitted" -> stats
    flags: list[str] = field(default_factory=list)
    suggested_key: str | None = None
    defect_flags: int | None = None

    def to_dict(self) -> dict:
        return clean({"id": self.id, "p": self.p, "r_pb": self.r_pb, "r_pbc": self.r_pbc,
                      "d27": self.d27, "alpha_if_deleted": self.alpha_if_deleted,
                      "options": self.options, "flags": self.flags,
                      "suggested_key": self.suggested_key})


@dataclass(frozen=True)
class ExamAnalysis:
    items: list[ItemReport]
    test: TestStats
    ctt: ItemAnalysisResult
    scored: ScoredExam
    thresholds: FlagThresholds
    irt: IRTResult | None = None

    @property
    def item_ids(self) -> list[str]:
        return self.scored.item_ids

    def to_dict(self) -> dict:
        """The CLI/JSON shape (NaN -> None); extra keys beyond the issue's are additive."""
        t = self.test
        out = {
            "n_candidates": t.n_candidates, "n_items": t.n_items, "mean": t.mean, "sd": t.sd,
            "alpha": t.alpha, "sem": t.sem,
            "items": [item.to_dict() for item in self.items],
            "max_score": t.max_score, "median": t.median, "skewness": t.skewness,
            "kurtosis": t.kurtosis, "min": t.minimum, "max": t.maximum,
            "distribution": {_score_key(s): c for s, c in t.distribution.items()},
            "removed": self.scored.removed,
        }
        if self.irt is not None:
            out["irt"] = irt_dict(self.irt)
        return clean(out)


def _score_key(score) -> str:
    return str(int(score)) if float(score).is_integer() else repr(float(score))


def irt_dict(res: IRTResult) -> dict:
    items = []
    for j, item in enumerate(res.item_ids):
        row = {"id": item, "a": res.a[j], "b": res.b[j], "d": res.d[j]}
        for name in ("se_a", "se_b", "se_d"):
            arr = getattr(res, name)
            row[name] = None if arr is None else arr[j]
        items.append(row)
    return clean({"model": res.model, "loglik": res.loglik, "converged": res.converged,
                  "n_iter": res.n_iter, "n_quad": res.n_quad, "rule": res.rule, "items": items})


def _option_stats(res: ItemAnalysisResult, j: int) -> dict[str, dict]:
    if res.options is None:
        return {}
    labels = list(res.options) + ["omitted"]
    return {lab: {"count": int(res.option_counts[j, o]),
                  "proportion": float(res.option_proportions[j, o]),
                  "r_rest": float(res.option_rest_r[j, o]),
                  "key": bool(o == res.key[j])}
            for o, lab in enumerate(labels)}


def _reports(res: ItemAnalysisResult, flags: list[ItemFlags], scored: ScoredExam,
             defects: list[int] | None) -> list[ItemReport]:
    return [ItemReport(
        id=item, p=float(res.p[j]), r_pb=float(res.r_pb[j]), r_pbc=float(res.r_pbc[j]),
        d27=float(res.d27[j]), alpha_if_deleted=float(res.alpha_if_deleted[j]),
        key=None if scored.key is None else scored.key[item], options=_option_stats(res, j),
        flags=flags[j].flags, suggested_key=flags[j].suggested_key,
        defect_flags=None if defects is None else defects[j])
        for j, item in enumerate(res.item_ids)]


def _fit_variable_items(scored: ScoredExam, model: str, se: bool) -> IRTResult:
    """IRT on the items with 0 < p < 1; the others get NaN parameters."""
    x = scored.scores
    if not np.isin(x, (0.0, 1.0)).all():
        raise InputError("IRT needs 0/1 marks, not fractional marks")
    p = x.mean(axis=0)
    ok = np.flatnonzero((p > 0) & (p < 1))
    if ok.size < 2:
        raise InputError("IRT needs at least two items with 0 < p < 1")
    ids = scored.item_ids
    res = fit_irt(x[:, ok], model, item_ids=[ids[j] for j in ok], se=se)
    if ok.size == len(ids):
        return res

    def expand(arr):
        if arr is None:
            return None
        out = np.full(len(ids), np.nan)
        out[ok] = arr
        return out

    return replace(res, item_ids=list(ids), a=expand(res.a), b=expand(res.b), d=expand(res.d),
                   se_a=expand(res.se_a), se_b=expand(res.se_b), se_d=expand(res.se_d))


def analyse_exam(*, item_ids: Sequence[str], codes: np.ndarray | None = None,
                 key: Mapping[str, str] | None = None, scores: np.ndarray | None = None,
                 options: str = "ABCDE", retained: Sequence[str] | None = None,
                 key_override: Mapping[str, str] | None = None,
                 defect_flags: Mapping[str, int] | None = None,
                 thresholds: FlagThresholds | None = None, max_marks: float = 1.0,
                 irt: str | None = None, irt_se: bool = True) -> ExamAnalysis:
    """Whole analysis on the retained items (after ``key_override``).

    Give either ``codes`` (int8 option codes, -1 omitted) with ``key``
    ({item_id: letter}), or a ``scores`` matrix (0/1 or fractional marks).
    ``irt`` is None, ``"rasch"``, ``"1pl"`` or ``"2pl"``.
    """
    scored = score_exam(item_ids=item_ids, codes=codes, key=key, scores=scores,
                        options=options, retained=retained, key_override=key_override,
                        max_marks=max_marks)
    kc = None
    if scored.codes is not None:
        kc = np.array([options.index(scored.key[i]) for i in scored.item_ids], dtype=np.int8)
    res = item_analysis(scored.scores, item_ids=scored.item_ids, codes=scored.codes, key=kc,
                        options=scored.options, max_marks=max_marks, totals=scored.totals)
    defects = None
    if defect_flags is not None:
        unknown = [i for i in defect_flags if i not in set(item_ids)]
        if unknown:
            raise InputError(f"defect flags for unknown item(s): {', '.join(unknown)}")
        defects = [int(defect_flags.get(i, 0)) for i in scored.item_ids]
    th = thresholds or FlagThresholds()
    flags = flag_items(res, th, defects)
    irt_res = None if irt is None else _fit_variable_items(scored, irt, irt_se)
    return ExamAnalysis(_reports(res, flags, scored, defects), res.test, res, scored, th, irt_res)
