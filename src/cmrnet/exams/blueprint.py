"""Pure blueprint rules: how many items of each topic a form of N items may hold, whether a form
meets the blueprint, and an automatic proposal from the approved items."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The exam's published blueprint (issue 4): code, name, min %, max %.
EACVI_BLUEPRINT = [
    ("physics", "Physics, safety, methods and anatomy", 15, 25),
    ("ischaemic", "Ischaemic heart disease", 15, 25),
    ("non-ischaemic", "Non-ischaemic cardiomyopathies", 15, 25),
    ("masses", "Cardiac masses", 5, 10),
    ("pericardium", "Pericardium", 5, 10),
    ("valves", "Valvular heart disease", 5, 10),
    ("congenital", "Congenital heart disease", 10, 15),
    ("vascular", "Vascular disease", 2, 5),
    ("extracardiac", "Extracardiac findings", 2, 5),
]

EPS = 1e-9


@dataclass(frozen=True)
class TopicBound:
    code: str
    name: str
    min_percent: float
    max_percent: float

    def min_count(self, n: int) -> int:
        return math.ceil(self.min_percent * n / 100 - EPS)

    def max_count(self, n: int) -> int:
        return math.floor(self.max_percent * n / 100 + EPS)


@dataclass(frozen=True)
class TopicCheck:
    code: str
    name: str
    count: int
    share: float  # percent of the form
    min_percent: float
    max_percent: float
    min_count: int
    max_count: int

    @property
    def met(self) -> bool:
        return self.min_count <= self.count <= self.max_count

    @property
    def problem(self) -> str:
        if self.count < self.min_count:
            return f"needs at least {self.min_count} item(s)"
        if self.count > self.max_count:
            return f"allows at most {self.max_count} item(s)"
        return ""


def check(bounds: Sequence[TopicBound], counts: Mapping[str, int]) -> list[TopicCheck]:
    """Per-topic count, share and whether the bound is met, for a form with these topic counts."""
    n = sum(counts.values())
    return [TopicCheck(b.code, b.name, counts.get(b.code, 0), 100.0 * counts.get(b.code, 0) / n if n else 0.0,
                       b.min_percent, b.max_percent, b.min_count(n), b.max_count(n)) for b in bounds]


def target_counts(bounds: Sequence[TopicBound], n: int, available: Mapping[str, int]) -> dict[str, int]:
    """Counts per topic summing to n (when the pool allows): every minimum first, then the topic
    furthest below the middle of its band, never above its maximum unless nothing else is left."""
    counts = {b.code: min(b.min_count(n), available.get(b.code, 0)) for b in bounds}
    mid = {b.code: (b.min_percent + b.max_percent) / 200 * n for b in bounds}
    while sum(counts.values()) < n:
        open_ = [b for b in bounds if counts[b.code] < min(b.max_count(n), available.get(b.code, 0))]
        if not open_:
            open_ = [b for b in bounds if counts[b.code] < available.get(b.code, 0)]
            if not open_:
                break
        best = max(open_, key=lambda b: (mid[b.code] - counts[b.code], -bounds.index(b)))
        counts[best.code] += 1
    return counts


def propose(bounds: Sequence[TopicBound], n: int, pool: Mapping[str, Sequence[int]], *,
            seed: int = 0) -> list[int]:
    """Pick n item ids from `pool` ({topic code: approved item ids}) meeting the blueprint if possible."""
    counts = target_counts(bounds, n, {k: len(v) for k, v in pool.items()})
    rng = random.Random(seed)
    chosen: list[int] = []
    for b in bounds:
        ids = sorted(pool.get(b.code, []))
        chosen.extend(sorted(rng.sample(ids, counts[b.code])))
    return chosen
