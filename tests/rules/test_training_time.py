"""training_months: pro rata part-time, overlaps counted once, the 24-month window for split training."""

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from cmrnet.rules import TrainingPeriod, evaluate, find_overlaps, load_ruleset, overlaps_with
from cmrnet.rules.dates import add_months
from cmrnet.rules.training import count_training, fte_segments

from .helpers import compliant, evaluation, rule, with_params

L3 = "level3-direct"


def period(pid, start, end, hours=35.0, supervisor="sup-eacvi-01"):
    return TrainingPeriod(pid, start, end, hours, supervisor, "Home")


def last_day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def training(route, *periods, ruleset=None):
    data = replace(compliant(route), training=tuple(periods))
    if ruleset is None:
        return rule(data, "training_months", route)
    return evaluate(ruleset, route, data, today=date(2026, 1, 1)).rule("training_months")


# --- 1. continuous part-time training counts pro rata ---------------------------------
def test_thirty_months_at_two_fifths_is_twelve_months_and_meets_direct_level3():
    start = date(2024, 1, 1)
    result = training(L3, period("p", start, last_day_before(add_months(start, 30)), 14))
    assert (result.status, result.numbers["have"]) == ("met", 12.0)
    assert result.offending == ()


def test_thirty_months_less_a_day_at_two_fifths_is_short():
    start = date(2024, 1, 1)
    result = training(L3, period("p", start, last_day_before(last_day_before(add_months(start, 30))), 14))
    assert result.status == "not_met"
    assert result.numbers["have"] < 12


def test_sixty_months_at_one_fifth_reaches_direct_level3():
    start = date(2021, 1, 1)
    result = training(L3, period("p", start, last_day_before(add_months(start, 60)), 7))
    assert (result.status, result.numbers["have"]) == ("met", 12.0)


def test_continuous_full_time_longer_than_the_window_counts_in_full():
    start = date(2022, 1, 1)
    result = training(L3, period("p", start, last_day_before(add_months(start, 30))))
    assert result.numbers["have"] == 30.0


# --- 2. overlaps: a calendar day counts once, at most at full time ----------------------
def test_the_same_two_months_entered_twice_count_as_two():
    result = training("level2", period("a", date(2025, 1, 1), date(2025, 2, 28)),
                      period("b", date(2025, 1, 1), date(2025, 2, 28)))
    assert (result.status, result.numbers["have"], result.numbers["overlaps"]) == ("not_met", 2.0, 1)
    assert "each day counted once" in result.message


def test_two_part_time_periods_on_the_same_days_add_up_to_at_most_full_time():
    capped = training("level2", period("a", date(2025, 1, 1), date(2025, 3, 31), 21),
                      period("b", date(2025, 1, 1), date(2025, 3, 31), 21))
    assert capped.numbers["have"] == 3.0
    added = training("level2", period("a", date(2025, 1, 1), date(2025, 5, 31), 7),
                     period("b", date(2025, 1, 1), date(2025, 5, 31), 14))
    assert added.numbers["have"] == 3.0          # 0.2 + 0.4 = 0.6 of five months


def test_overlap_of_one_shared_day_is_found_and_adjacent_periods_are_not():
    a = period("a", date(2025, 1, 1), date(2025, 1, 31))
    touching = period("b", date(2025, 2, 1), date(2025, 2, 28))
    sharing = period("c", date(2025, 1, 31), date(2025, 2, 10))
    assert find_overlaps([a, touching]) == []
    found = find_overlaps([touching, sharing, a])
    assert [(o.first, o.second, o.start, o.end, o.days) for o in found] == [
        ("a", "c", date(2025, 1, 31), date(2025, 1, 31), 1),
        ("c", "b", date(2025, 2, 1), date(2025, 2, 10), 10),
    ]
    assert found[0].message().startswith("training periods a and c overlap on 1 days (2025-01-31 .. 2025-01-31)")


def test_overlaps_with_warns_about_a_new_period_on_entry():
    existing = [period("a", date(2025, 1, 1), date(2025, 3, 31)), period("b", date(2025, 6, 1), date(2025, 6, 30))]
    new = period("new", date(2025, 3, 15), date(2025, 4, 15))
    assert [(o.first, o.second, o.days) for o in overlaps_with(new, existing)] == [("a", "new", 17)]
    assert overlaps_with(period("a", date(2025, 1, 1), date(2025, 2, 1)), existing) == []   # editing itself
    assert overlaps_with(period("x", date(2025, 4, 1), date(2025, 5, 31)), existing) == []


def test_overlap_warning_reaches_the_evaluation():
    data = replace(compliant(), training=(period("a", date(2025, 1, 1), date(2025, 2, 28)),
                                          period("b", date(2025, 2, 1), date(2025, 4, 30))))
    ev = evaluation(data)
    assert ev.rule("training_months").numbers["have"] == 4.0
    assert ev.warnings == ["training periods a and b overlap on 28 days (2025-02-01 .. 2025-02-28); "
                           "each day counts once, at most at full time"]


# --- the 24-month window for split training ---------------------------------------------
def test_split_full_time_periods_ending_on_the_last_day_of_the_window_count():
    first = period("a", date(2023, 1, 1), date(2023, 1, 31))
    end = last_day_before(add_months(date(2023, 1, 1), 24))             # 2024-12-31
    inside = training("level2", first, period("b", date(2024, 11, 1), end))
    assert (inside.status, inside.numbers["have"]) == ("met", 3.0)
    outside = training("level2", first, period("b", date(2024, 11, 2), date(2025, 1, 1)))
    assert outside.status == "not_met"
    assert outside.offending == ("a",)
    assert "outside the 24-month window" in outside.message


def test_split_part_time_training_gets_a_window_extended_pro_rata():
    # two stretches at half time, 40 months from first to last day: 40 x 0.5 = 20 <= 24 months
    periods = (period("a", date(2021, 1, 1), date(2021, 12, 31), 17.5),
               period("b", date(2023, 6, 1), date(2024, 4, 30), 17.5))
    result = training("level2", *periods)
    assert result.numbers["have"] == 11.5
    assert result.offending == ()
    fixed = with_params("level2", load_ruleset("eacvi-2025"), training_window_pro_rata=False)
    strict = training("level2", *periods, ruleset=fixed)
    assert strict.numbers["have"] == 6.0
    assert strict.offending == ("b",)


def test_pro_rata_window_boundary_at_exactly_the_stretched_length():
    segments = fte_segments([(date(2020, 1, 1), date(2020, 12, 31), Fraction(1, 2), "a"),
                             (date(2023, 12, 1), date(2023, 12, 31), Fraction(1, 2), "b")])
    # first day to last: 48 months exactly at 0.5 = 24 -> allowed; one more day is not
    assert count_training(segments, 24, True).counted == ("a", "b")
    later = fte_segments([(date(2020, 1, 1), date(2020, 12, 31), Fraction(1, 2), "a"),
                          (date(2023, 12, 2), date(2024, 1, 1), Fraction(1, 2), "b")])
    assert count_training(later, 24, True).counted == ("a",)


def test_without_a_window_every_period_counts():
    segments = fte_segments([(date(2010, 1, 1), date(2010, 1, 31), Fraction(1), "a"),
                             (date(2020, 1, 1), date(2020, 1, 31), Fraction(1), "b")])
    count = count_training(segments, 0, False)
    assert (count.months, count.counted, count.outside, count.split) == (2, ("a", "b"), (), True)


def test_segments_join_equal_shares_so_whole_months_stay_whole():
    segments = fte_segments([(date(2025, 1, 1), date(2025, 1, 31), Fraction(1), "a"),
                             (date(2025, 2, 1), date(2025, 2, 28), Fraction(1), "b")])
    assert [(s.start, s.end, s.fte, s.period_ids) for s in segments] == [
        (date(2025, 1, 1), date(2025, 2, 28), 1, ("a", "b"))]
    assert segments[0].months == 2


@pytest.mark.parametrize("hours, months", [(35, 3.0), (70, 3.0), (17.5, 1.5), (0, 0.0)])
def test_share_of_full_time_is_capped_at_one(hours, months):
    result = training("level2", period("a", date(2025, 1, 1), date(2025, 3, 31), hours))
    assert result.numbers["have"] == months


def test_uncovered_days_split_continuous_training_into_two_stretches():
    data = compliant()
    gap_cert = [c for c in data.supervisors if c.supervisor_id == "sup-eacvi-01"][0]
    certs = (replace(gap_cert, supervisor_id="sup-gap", awarded_on=date(2020, 1, 1), valid_until=date(2023, 1, 31)),
             replace(gap_cert, supervisor_id="sup-gap", awarded_on=date(2025, 3, 1), valid_until=date(2030, 1, 1)))
    data = replace(data, supervisors=data.supervisors + certs,
                   training=(period("a", date(2023, 1, 1), date(2025, 3, 31), 35, "sup-gap"),))
    result = rule(data, "training_months")
    assert result.numbers["have"] == 1.0        # January 2023 and March 2025 are 26 months apart
    assert (result.numbers["from"], result.numbers["to"]) == ("2023-01-01", "2023-01-31")   # tie: earliest


def test_share_of_full_time():
    from cmrnet.rules.training import share_of_full_time
    assert share_of_full_time(14, Fraction(35)) == Fraction(2, 5)
    assert share_of_full_time(70, Fraction(35)) == 1
    assert share_of_full_time(10, Fraction(0)) == 1


def test_a_one_day_period_counts_one_day():
    segments = fte_segments([(date(2025, 1, 1), date(2025, 1, 1), Fraction(1), "a")])
    assert [(s.start, s.end) for s in segments] == [(date(2025, 1, 1), date(2025, 1, 1))]
    assert count_training(segments, 24, True).months == Fraction(1200, 36525)


def test_adjacent_runs_with_different_shares_stay_apart():
    segments = fte_segments([(date(2025, 1, 1), date(2025, 1, 31), Fraction(1), "a"),
                             (date(2025, 2, 1), date(2025, 2, 28), Fraction(1, 2), "b")])
    assert [(s.fte, s.period_ids) for s in segments] == [(1, ("a",)), (Fraction(1, 2), ("b",))]
    count = count_training(segments, 24, True)
    assert (count.months, count.split, count.counted) == (Fraction(3, 2), False, ("a", "b"))


def test_split_training_is_flagged_and_the_window_message_names_the_reading():
    first = period("a", date(2023, 1, 1), date(2023, 1, 31))
    later = period("b", date(2025, 3, 1), date(2025, 4, 30))
    result = training("level2", first, later)
    assert result.message == ("2 months full-time equivalent of 3 required; 1 periods outside the 24-month window "
                              "(extended pro rata) from 2025-03-01 not counted (a)")
    assert result.missing == ("1 more months of full-time-equivalent training (35 h/week = full time)",
                              "training periods outside one 24-month window do not count (a)")
    fixed = with_params("level2", load_ruleset("eacvi-2025"), training_window_pro_rata=False)
    assert training("level2", first, later, ruleset=fixed).message == (
        "2 months full-time equivalent of 3 required; 1 periods outside the 24-month window (window) "
        "from 2025-03-01 not counted (a)")
    inside = count_training(fte_segments([(date(2024, 1, 1), date(2024, 1, 31), Fraction(1), "a"),
                                          (date(2024, 3, 1), date(2024, 3, 31), Fraction(1), "b")]), 24, True)
    assert (inside.split, inside.start, inside.end) == (True, date(2024, 1, 1), date(2024, 3, 31))


def test_no_training_at_all():
    result = training("level2")
    assert (result.status, result.numbers["have"], result.numbers["from"], result.numbers["to"]) == (
        "not_met", 0.0, None, None)
    assert result.message == "0 months full-time equivalent of 3 required"
