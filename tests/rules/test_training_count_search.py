"""count_training's search over windows (prefix sums) chooses exactly what summing every pair afresh chooses,
on random split part-time training; and 200 short periods stay fast enough to count (no cubic search)."""

import random
from datetime import date, timedelta
from fractions import Fraction

import pytest

from cmrnet.rules.training import _months_of, count_training, fte_segments, stretches, window_allows


def reference(segments, window_months, pro_rata):
    """The plain search: every (first, last) pair summed afresh; the best wins, a tie keeps the earliest."""
    runs = stretches(segments)
    best = None
    for first in range(len(runs)):
        for last in range(first, len(runs)):
            fte, calendar = _months_of(runs[first:last + 1])
            if last > first and not window_allows(runs[first][0].start, runs[last][-1].end, fte, calendar,
                                                  window_months, pro_rata):
                continue
            if best is None or fte > best[0]:
                best = (fte, runs[first][0].start, runs[last][-1].end)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_the_fast_search_equals_the_plain_one(seed):
    rng = random.Random(seed)
    day, parts = date(2022, 1, 1), []
    for i in range(rng.randint(1, 14)):
        day += timedelta(days=rng.randint(0, 200))
        length = rng.randint(1, 300)
        share = Fraction(rng.choice([7, 14, 17, 20, 28, 35, 40]), 35)
        parts.append((day, day + timedelta(days=length), min(share, Fraction(1)), f"p{i}"))
        if rng.random() < 0.3:
            day += timedelta(days=length + 1)
    segments = fte_segments(parts)
    for window, pro_rata in ((24, True), (24, False), (6, True)):
        got = count_training(segments, window, pro_rata)
        want = reference(segments, window, pro_rata)
        assert (got.months, got.start, got.end) == want


def test_two_hundred_short_periods_are_counted():
    parts = [(date(2024, 1, 1) + timedelta(days=9 * i), date(2024, 1, 1) + timedelta(days=9 * i + 6),
              Fraction(20 + i % 20, 35), f"t{i}") for i in range(200)]
    count = count_training(fte_segments(parts), 24, True)
    assert count.split and len(count.counted) + len(count.outside) == 200
    assert float(count.months) == pytest.approx(18.71, abs=0.01)
