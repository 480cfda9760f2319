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


def test_no_training_and_one_stretch_are_not_split():
    assert count_training([], 24, True) == count_training([], 0, False)
    empty = count_training([], 24, True)
    assert (empty.months, empty.start, empty.end, empty.counted, empty.split) == (0, None, None, (), False)
    one = fte_segments([(date(2024, 1, 1), date(2024, 3, 31), Fraction(1), "a")])
    for window in (0, 24):
        count = count_training(one, window, True)
        assert (count.months, count.start, count.end, count.split) == (3, date(2024, 1, 1), date(2024, 3, 31), False)


def test_without_a_window_the_span_runs_from_the_first_to_the_last_day():
    segments = fte_segments([(date(2010, 1, 1), date(2010, 1, 31), Fraction(1), "a"),
                             (date(2020, 1, 1), date(2020, 1, 31), Fraction(1, 2), "b")])
    count = count_training(segments, 0, False)
    assert (count.months, count.start, count.end, count.split) == (Fraction(3, 2), date(2010, 1, 1),
                                                                   date(2020, 1, 31), True)


def test_a_later_stretch_counts_with_the_first_and_an_earlier_one_never_joins_backwards():
    # three full-time months a, b (in one window), c too far: the best is a + b from a's first day
    segments = fte_segments([(date(2020, 1, 1), date(2020, 1, 31), Fraction(1), "a"),
                             (date(2020, 6, 1), date(2020, 6, 30), Fraction(1), "b"),
                             (date(2023, 1, 1), date(2023, 1, 31), Fraction(1), "c")])
    count = count_training(segments, 24, True)
    assert (count.months, count.start, count.end, count.counted) == (2, date(2020, 1, 1), date(2020, 6, 30),
                                                                     ("a", "b"))


def test_a_later_stretch_alone_can_be_the_best():
    segments = fte_segments([(date(2018, 1, 1), date(2018, 1, 31), Fraction(1), "a"),
                             (date(2023, 1, 1), date(2023, 3, 31), Fraction(1), "c")])
    count = count_training(segments, 24, True)
    assert (count.months, count.start, count.end, count.counted, count.outside) == (
        3, date(2023, 1, 1), date(2023, 3, 31), ("c",), ("a",))


def test_a_stretch_that_loses_alone_can_still_win_with_a_later_one():
    # a: 2 months alone, too far from the rest; b (1 month) loses to a alone, but b + c (2.5) wins
    segments = fte_segments([(date(2015, 1, 1), date(2015, 2, 28), Fraction(1), "a"),
                             (date(2023, 1, 1), date(2023, 1, 31), Fraction(1), "b"),
                             (date(2023, 6, 1), date(2023, 7, 15), Fraction(1), "c")])
    count = count_training(segments, 24, True)
    assert count.counted == ("b", "c") and count.start == date(2023, 1, 1) and count.split
    assert count.months > 2


def test_parts_without_days_or_hours_are_ignored_and_later_parts_still_count():
    assert fte_segments([(date(2024, 2, 10), date(2024, 1, 31), Fraction(1), "backwards")]) == []
    segments = fte_segments([(date(2024, 1, 1), date(2024, 1, 31), Fraction(0), "none"),
                             (date(2024, 2, 10), date(2024, 1, 31), Fraction(1), "backwards"),
                             (date(2024, 1, 1), date(2024, 1, 31), Fraction(1, 2), "half")])
    assert [(s.start, s.end, s.fte, s.period_ids) for s in segments] == [
        (date(2024, 1, 1), date(2024, 1, 31), Fraction(1, 2), ("half",))]


def test_the_fixed_window_ends_the_day_before_start_plus_its_months():
    assert window_allows(date(2020, 1, 1), date(2021, 12, 31), Fraction(2), Fraction(2), 24, False)
    assert not window_allows(date(2020, 1, 1), date(2022, 1, 1), Fraction(2), Fraction(2), 24, False)
    # pro rata at full time: the same boundary
    assert window_allows(date(2020, 1, 1), date(2021, 12, 31), Fraction(2), Fraction(2), 24, True)
    assert not window_allows(date(2020, 1, 1), date(2022, 1, 1), Fraction(2), Fraction(2), 24, True)


def test_a_long_part_time_stretch_can_bring_earlier_full_time_back_into_a_pro_rata_window():
    # a + b alone span 27 months at full time (too long); adding c, 45 months at 1/5 time, lowers the
    # average share so much that a + b + c fits the stretched window: the search must not stop at a + b.
    segments = fte_segments([(date(2020, 1, 1), date(2020, 1, 31), Fraction(1), "a"),
                             (date(2022, 1, 1), date(2022, 3, 31), Fraction(1), "b"),
                             (date(2022, 4, 2), date(2025, 12, 31), Fraction(1, 5), "c")])
    pro_rata = count_training(segments, 24, True)
    assert pro_rata.counted == ("a", "b", "c") and pro_rata.start == date(2020, 1, 1)
    fixed = count_training(segments, 24, False)
    assert fixed.counted == ("c",)
