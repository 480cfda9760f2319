"""Item flags with configurable thresholds.

Defaults and their sources are documented in docs/psychometrics.md.  A flag is
a prompt for the board to review an item, never an automatic removal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .ctt import ItemAnalysisResult

__all__ = ["FlagThresholds", "ItemFlags", "flag_items", "FLAG_NAMES"]

FLAG_NAMES = (
    "too_easy",
    "too_hard",
    "no_variance",
    "weak_discrimination",
    "negative_discrimination",
    "possible_miskey",
    "many_defect_flags",
)


@dataclass(frozen=True)
class FlagThresholds:
    """Flag thresholds; every comparison is strict unless stated.

    too_easy_p:          flag ``too_easy`` when p > too_easy_p.
    too_hard_p:          flag ``too_hard`` when p < too_hard_p (0.20 is the
                         chance level of a five-option item).
    weak_r_pbc:          flag ``weak_discrimination`` when
                         negative_r_pbc <= r_pbc < weak_r_pbc.
    negative_r_pbc:      flag ``negative_discrimination`` when r_pbc < this.
    miskey_min_r:        a distractor is a possible key when its option-rest
                         correlation is > miskey_min_r and > the key's.
    miskey_min_count:    ... and at least this many candidates chose it.
    defect_share:        flag ``many_defect_flags`` when
                         defect flags / candidates >= defect_share.
    """

    too_easy_p: float = 0.95
    too_hard_p: float = 0.20
    weak_r_pbc: float = 0.10
    negative_r_pbc: float = 0.0
    miskey_min_r: float = 0.0
    miskey_min_count: int = 1
    defect_share: float = 0.05


@dataclass(frozen=True)
class ItemFlags:
    flags: list[str]
    suggested_key: str | None = None


def _suggest_key(result: ItemAnalysisResult, j: int, th: FlagThresholds) -> str | None:
    if result.option_rest_r is None:  # marks only: no options to compare
        return None
    m = len(result.options)
    r = result.option_rest_r[j, :m]
    key = int(result.key[j])
    r_key = r[key] if math.isfinite(r[key]) else -math.inf
    best, best_r = None, max(r_key, th.miskey_min_r)
    for o in range(m):
        if o == key or result.option_counts[j, o] < th.miskey_min_count:
            continue
        if math.isfinite(r[o]) and r[o] > best_r:
            best, best_r = o, r[o]
    return None if best is None else result.options[best]


def _item_flags(result: ItemAnalysisResult, j: int, th: FlagThresholds,
                defects: float | None) -> ItemFlags:
    flags: list[str] = []
    p, r = float(result.p[j]), float(result.r_pbc[j])
    if p > th.too_easy_p:
        flags.append("too_easy")
    if p < th.too_hard_p:
        flags.append("too_hard")
    if result.item_variance[j] <= 1e-15:
        flags.append("no_variance")
    if math.isfinite(r):
        if r < th.negative_r_pbc:
            flags.append("negative_discrimination")
        elif r < th.weak_r_pbc:
            flags.append("weak_discrimination")
    suggested = _suggest_key(result, j, th)
    if suggested is not None:
        flags.append("possible_miskey")
    if defects is not None and defects > 0 and defects / result.test.n_candidates >= th.defect_share:
        flags.append("many_defect_flags")
    return ItemFlags(flags, suggested)


def flag_items(result: ItemAnalysisResult, thresholds: FlagThresholds | None = None,
               defect_flags: Sequence[float] | np.ndarray | None = None) -> list[ItemFlags]:
    """Flags for every item of ``result``.

    ``defect_flags``: optional per-item count of candidates who flagged the
    item as defective (same order as ``result.item_ids``).
    """
    th = thresholds or FlagThresholds()
    k = len(result.item_ids)
    if defect_flags is not None and len(defect_flags) != k:
        raise ValueError(f"defect_flags has {len(defect_flags)} entries for {k} items")
    return [_item_flags(result, j, th, None if defect_flags is None else float(defect_flags[j]))
            for j in range(k)]
