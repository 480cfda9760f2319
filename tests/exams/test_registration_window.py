"""The registration window and eligibility as pure rules (no database): seed 004, "Registration will open
3 months prior to exam date"; the exam "is open to qualified physicians" with a current registration."""

import datetime as dt

import pytest

from cmrnet.exams import timing

D = dt.date
EXAM = D(2025, 11, 7)  # the seed's upcoming exam (Friday 07 November 2025)


@pytest.mark.parametrize(("exam", "opens"), [
    (D(2025, 11, 7), D(2025, 8, 7)),
    (D(2026, 5, 31), D(2026, 2, 28)),   # no 31 February: the month's last day
    (D(2028, 5, 31), D(2028, 2, 29)),   # leap year
    (D(2026, 1, 15), D(2025, 10, 15)),  # across the year
])
def test_registration_opens_the_same_calendar_day_3_months_before(exam, opens):
    assert timing.registration_opens(exam) == opens


def test_registration_closes_the_day_before_the_exam():
    assert timing.registration_closes(EXAM) == D(2025, 11, 6)


def refusal(today, *, number="DE-1", valid=D(2030, 1, 1), physician=True):
    return timing.registration_refusal(today=today, opens=timing.registration_opens(EXAM),
                                       closes=timing.registration_closes(EXAM), exam_date=EXAM,
                                       registration_number=number, registration_valid_until=valid,
                                       physician_declared=physician)


def test_the_window_opens_exactly_3_months_before_and_closes_the_day_before():
    assert refusal(D(2025, 8, 6)) == "Registration for this sitting opens on 2025-08-07."
    assert refusal(D(2025, 8, 7)) == ""
    assert refusal(D(2025, 11, 6)) == ""
    assert refusal(D(2025, 11, 7)) == "Registration for this sitting closed on 2025-11-06."


def test_only_qualified_physicians_with_a_registration_valid_on_the_exam_day():
    today = D(2025, 9, 1)
    assert "qualified physicians" in refusal(today, physician=False)
    assert "Record your medical registration" in refusal(today, number="")
    assert "Record your medical registration" in refusal(today, number="  ")
    assert "Record your medical registration" in refusal(today, valid=None)
    assert refusal(today, valid=EXAM) == ""  # valid through the exam day
    assert refusal(today, valid=EXAM - dt.timedelta(days=1)) == (
        "Your medical registration on file is valid until 2025-11-06, before the exam on 2025-11-07: "
        "update it on your profile.")


def test_in_registration_window_includes_both_days():
    opens, closes = D(2025, 8, 7), D(2025, 11, 6)
    assert [timing.in_registration_window(d, opens, closes) for d in
            (D(2025, 8, 6), opens, closes, D(2025, 11, 7))] == [False, True, True, False]
