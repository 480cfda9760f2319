"""PURE PYTHON: Bland-Altman agreement of a trainee's measurements with the references.

Bland JM, Altman DG. Statistical methods for assessing agreement between two methods of clinical
measurement. Lancet 1986;i:307-10. Difference = trainee - reference; bias = mean difference;
limits of agreement = bias ± 1.96 SD of the differences (sample SD, n - 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z = 1.96


@dataclass(frozen=True)
class BlandAltman:
    n: int
    bias: float
    sd: float | None              # None with a single pair (no spread to estimate)
    lower: float | None
    upper: float | None
    points: tuple[tuple[float, float], ...]   # (mean of the pair, difference)


def bland_altman(pairs: list[tuple[float, float]]) -> BlandAltman | None:
    """``pairs`` of (trainee, reference). None for no pairs; SD and limits None for one pair."""
    pairs = [(float(a), float(b)) for a, b in pairs]
    if not pairs:
        return None
    points = tuple(((a + b) / 2, a - b) for a, b in pairs)
    diffs = [d for _, d in points]
    n = len(diffs)
    bias = math.fsum(diffs) / n
    if n < 2:
        return BlandAltman(n, bias, None, None, None, points)
    sd = math.sqrt(math.fsum((d - bias) ** 2 for d in diffs) / (n - 1))
    return BlandAltman(n, bias, sd, bias - Z * sd, bias + Z * sd, points)
