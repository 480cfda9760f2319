"""Certification dates: pure functions, no database, boundaries on both sides."""

import datetime as dt

import pytest

from cmrnet.certification import windows

D = dt.date


def test_a_certificate_is_valid_for_five_years_to_the_same_day():
    assert windows.certificate_valid_until(D(2026, 11, 23)) == D(2031, 11, 23)


def test_a_certificate_awarded_on_29_february_runs_to_28_february():
    assert windows.certificate_valid_until(D(2028, 2, 29)) == D(2033, 2, 28)


def test_a_renewal_adds_five_years_to_the_old_expiry_when_renewed_early():
    assert windows.renewed_valid_until(D(2031, 11, 23), D(2031, 6, 1)) == D(2036, 11, 23)


def test_a_renewal_after_expiry_runs_five_years_from_the_renewal():
    assert windows.renewed_valid_until(D(2031, 11, 23), D(2032, 2, 1)) == D(2037, 2, 1)


@pytest.mark.parametrize(("day", "position"), [
    (D(2031, 5, 22), "early"),   # the day before the window opens (185 days before expiry)
    (D(2031, 5, 23), "open"),    # opens exactly 6 calendar months before (184 days here)
    (D(2031, 11, 23), "open"),   # the expiry date itself
    (D(2032, 5, 23), "open"),    # the last day: 6 calendar months after expiry
    (D(2032, 5, 24), "late"),    # one day late: refused, full process again
])
def test_the_recertification_window_runs_from_6_months_before_to_6_months_after_expiry(day, position):
    window = windows.recertification_window(D(2031, 11, 23))
    assert window.position(day) == position
    assert window.contains(day) == (position == "open")


def test_the_window_in_days_around_a_31_august_expiry():
    window = windows.recertification_window(D(2031, 8, 31))
    assert window.opens == D(2031, 2, 28)            # 31 Aug - 6 months: the month's last day
    assert (D(2031, 8, 31) - window.opens).days == 184
    assert window.position(D(2031, 8, 31) - dt.timedelta(days=185)) == "early"
    assert window.closes == D(2032, 2, 29)           # leap year


def test_an_approved_extension_moves_the_closing_day_but_never_earlier():
    assert windows.recertification_window(D(2031, 11, 23), extended_until=D(2032, 8, 23)).closes == D(2032, 8, 23)
    assert windows.recertification_window(D(2031, 11, 23), extended_until=D(2031, 12, 1)).closes == D(2032, 5, 23)


def test_reminders_every_3_months_inside_the_window():
    assert windows.reminder_dates(D(2031, 11, 23)) == [D(2031, 5, 23), D(2031, 8, 23), D(2031, 11, 23), D(2032, 2, 23)]


def test_every_reminder_falls_inside_the_window():
    for expiry in (D(2031, 1, 31), D(2031, 8, 31), D(2032, 2, 29)):
        window = windows.recertification_window(expiry)
        dates = windows.reminder_dates(expiry)
        assert len(dates) == 4 and all(window.contains(d) for d in dates)


def test_service_level_due_dates():
    assert windows.decision_due(D(2026, 11, 30)) == D(2027, 2, 28)
    assert windows.remote_request_due(D(2026, 11, 2)) == D(2026, 11, 30)
    assert windows.exam_results_due(D(2026, 9, 1)) == D(2026, 10, 27)


@pytest.mark.parametrize(("done", "today", "overdue"), [
    (None, D(2026, 11, 30), False),          # due today, not done: not yet overdue
    (None, D(2026, 12, 1), True),            # a day later: overdue
    (D(2026, 11, 30), D(2027, 1, 1), False),  # done on the due day
    (D(2026, 12, 1), D(2027, 1, 1), True),   # done a day late
])
def test_overdue(done, today, overdue):
    assert windows.is_overdue(D(2026, 11, 30), done_on=done, today=today) is overdue


def test_an_extension_adds_whole_months_to_the_deadline():
    assert windows.extension_deadline(D(2027, 8, 31), 6) == D(2028, 2, 29)
