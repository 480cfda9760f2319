"""Attendance arithmetic, without a database: merging reconnections, stale connections, pro rata hours."""

import datetime as dt
from decimal import Decimal

import pytest

from cmrnet.live import attendance as att

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_overlapping_connections_are_counted_once():
    # A reload: the new connection opens before the old one is noticed as closed.
    assert att.attended_seconds([(at(0), at(30)), (at(29), at(60))]) == 60 * 60


def test_touching_intervals_join_and_gaps_do_not_count():
    assert att.merge([(at(10), at(20)), (at(0), at(10))]) == [(at(0), at(20))]
    assert att.attended_seconds([(at(0), at(10)), (at(20), at(25))]) == 15 * 60


def test_window_clips_presence_to_the_session():
    assert att.attended_seconds([(at(-15), at(30)), (at(110), at(150))], window=(at(0), at(120))) == 40 * 60
    assert att.attended_seconds([(at(-15), at(0))], window=(at(0), at(120))) == 0


def test_interval_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        att.merge([(at(10), at(5))])


def test_open_connection_counts_to_now():
    start, end = att.presence_interval(at(0), None, at(119.5), now=at(120), stale_after=dt.timedelta(seconds=60))
    assert (start, end) == (at(0), at(120))


def test_stale_connection_ends_when_last_seen_at_the_boundary():
    stale = dt.timedelta(seconds=60)
    # exactly 60 s since the last heartbeat: still open
    assert att.presence_interval(at(0), None, at(119), now=at(120), stale_after=stale)[1] == at(120)
    # 61 s: its server died, it ends when last seen
    assert att.presence_interval(at(0), None, at(119) - dt.timedelta(seconds=1), now=at(120), stale_after=stale)[1] == at(119) - dt.timedelta(seconds=1)


def test_a_left_connection_ends_when_it_left():
    assert att.presence_interval(at(0), at(45), at(45), now=at(300), stale_after=dt.timedelta(seconds=60)) == (at(0), at(45))


@pytest.mark.parametrize(("minutes", "start", "end", "expected"), [
    (35 * 60, dt.date(2026, 3, 2), dt.date(2026, 3, 8), Decimal("35.0")),    # one full week of full time
    (180, dt.date(2026, 3, 2), dt.date(2026, 3, 8), Decimal("3.0")),         # 3 h in one week
    (180, dt.date(2026, 3, 2), dt.date(2026, 3, 15), Decimal("1.5")),        # 3 h over two weeks
    (180, dt.date(2026, 3, 10), dt.date(2026, 3, 10), Decimal("21.0")),      # 3 h in one day = 21 h/week pro rata
    (5, dt.date(2026, 3, 1), dt.date(2026, 3, 31), Decimal("0.0")),          # too little to show at 0.1 h
    (60, dt.date(2026, 3, 1), dt.date(2026, 3, 3), Decimal("2.3")),          # 7/3 = 2.333 -> 2.3
])
def test_hours_per_week_pro_rata(minutes, start, end, expected):
    assert att.hours_per_week(minutes, start, end) == expected


def test_pro_rata_period_holds_the_attended_time():
    weekly = att.hours_per_week(240, dt.date(2026, 3, 2), dt.date(2026, 3, 29))  # 4 h over 4 weeks
    assert weekly * 4 == Decimal("4.0")


def test_hours_per_week_refuses_a_reversed_period():
    with pytest.raises(ValueError):
        att.hours_per_week(60, dt.date(2026, 3, 2), dt.date(2026, 3, 1))
