"""Who is on call when, and the order of escalation: pure functions, no database."""

import datetime as dt

import pytest

from cmrnet.live.oncall import Slot, call_tiers, covers, escalation_due, figures

UTC = dt.UTC


def berlin(y, m, d, hh, mm=0):
    import zoneinfo

    return dt.datetime(y, m, d, hh, mm, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))


DAY = Slot(expert_id=1, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin")  # Monday 08-18


@pytest.mark.parametrize(("at", "expected"), [
    (berlin(2026, 3, 9, 8, 0), True),      # Monday 08:00: starts
    (berlin(2026, 3, 9, 7, 59), False),
    (berlin(2026, 3, 9, 17, 59), True),
    (berlin(2026, 3, 9, 18, 0), False),    # ends at 18:00, exclusive
    (berlin(2026, 3, 10, 9, 0), False),    # Tuesday
])
def test_a_day_slot_boundaries(at, expected):
    assert covers(DAY, at) is expected


def test_the_slot_is_read_on_its_own_clock():
    # 07:30 UTC on Monday 9 March is 08:30 in Berlin: on call; in Tokyo it is 16:30.
    assert covers(DAY, dt.datetime(2026, 3, 9, 7, 30, tzinfo=UTC))
    tokyo = Slot(expert_id=2, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Asia/Tokyo")
    assert covers(tokyo, dt.datetime(2026, 3, 9, 7, 30, tzinfo=UTC))
    assert not covers(tokyo, dt.datetime(2026, 3, 9, 9, 30, tzinfo=UTC))  # 18:30 in Tokyo


def test_an_overnight_slot_runs_into_the_next_day():
    night = Slot(expert_id=1, weekday=4, starts=dt.time(20), ends=dt.time(6), time_zone="Europe/Berlin")  # Friday 20 - Sat 06
    assert covers(night, berlin(2026, 3, 13, 23, 0))
    assert covers(night, berlin(2026, 3, 14, 5, 59))
    assert not covers(night, berlin(2026, 3, 14, 6, 0))
    assert not covers(night, berlin(2026, 3, 13, 19, 59))
    assert not covers(night, berlin(2026, 3, 15, 2, 0))  # Sunday night is not Friday's slot


def test_a_whole_day_slot():
    whole = Slot(expert_id=1, weekday=6, starts=dt.time(0), ends=dt.time(0), time_zone="Europe/Berlin")
    assert covers(whole, berlin(2026, 3, 15, 0, 0)) and covers(whole, berlin(2026, 3, 15, 23, 59))
    assert not covers(whole, berlin(2026, 3, 16, 0, 0))


def test_across_the_clock_change():
    # Sunday 29 March 2026: Berlin skips 02:00-03:00. A 01:00-04:00 slot covers 3:30 local (= 01:30 UTC).
    slot = Slot(expert_id=1, weekday=6, starts=dt.time(1), ends=dt.time(4), time_zone="Europe/Berlin")
    assert covers(slot, dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    assert not covers(slot, dt.datetime(2026, 3, 29, 2, 0, tzinfo=UTC))  # 04:00 CEST


def test_validity_dates_bound_the_slot():
    slot = Slot(expert_id=1, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin",
                valid_from=dt.date(2026, 3, 9), valid_until=dt.date(2026, 3, 9))
    assert covers(slot, berlin(2026, 3, 9, 9))
    assert not covers(slot, berlin(2026, 3, 16, 9)) and not covers(slot, berlin(2026, 3, 2, 9))


def test_tiers_centre_first_then_network_each_expert_once():
    at = berlin(2026, 3, 9, 10)
    slots = [
        Slot(expert_id=7, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin", tier=2),
        Slot(expert_id=5, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin", tier=1),             # network
        Slot(expert_id=6, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin", tier=1, centre_id=3),  # own centre
        Slot(expert_id=9, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin", tier=1, centre_id=4),  # other centre
        Slot(expert_id=6, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin", tier=3),             # again, later
        Slot(expert_id=8, weekday=1, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin", tier=1),             # not today
    ]
    assert call_tiers(slots, at=at, centre_id=3) == [(1, [6, 5]), (2, [7])]
    assert call_tiers(slots, at=at, centre_id=4) == [(1, [9, 5]), (2, [7]), (3, [6])]


@pytest.mark.parametrize(("minutes", "due"), [(4.99, False), (5, True), (6, True)])
def test_escalation_after_exactly_n_minutes(minutes, due):
    t0 = dt.datetime(2026, 3, 9, 9, tzinfo=UTC)
    assert escalation_due(t0, now=t0 + dt.timedelta(minutes=minutes), after=dt.timedelta(minutes=5)) is due


def test_figures_per_centre():
    f = figures([30, None, 90, 60])
    assert (f.requests, f.answered, f.median_seconds) == (4, 3, 60)
    assert f.answered_share == 0.75 and f.median_minutes == "1 min 00 s"
    assert figures([]).answered_share is None and figures([None]).median_seconds is None
    assert figures([45, 50]).median_minutes == "48 s"  # median 47.5, rounded half to even
