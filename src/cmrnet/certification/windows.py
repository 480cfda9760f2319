"""Certification dates: pure functions of dates (no database, time passed in as `today`).

Calendar months come from `cmrnet.rules.dates.add_months` (the 31st becomes the month's last day),
so "6 months before 31 August" is 28/29 February, as a person would count it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cmrnet.rules.dates import add_months

CERTIFICATE_YEARS = 5                 # "The certification is valid for 5 years"
WINDOW_MONTHS_BEFORE = 6              # "from six months before ...
WINDOW_MONTHS_AFTER = 6               # ... to six months after the current certification expiration date"
REMINDER_EVERY_MONTHS = 3             # reminder e-mails every 3 months inside the window
DECISION_MONTHS = 3                   # "Results are sent by email within 3 months of submitting"
REMOTE_REQUEST_DAYS = 28              # "reply to the candidates within four weeks"
EXAM_RESULTS_DAYS = 56                # exam results within 8 weeks


def certificate_valid_until(awarded_on: dt.date) -> dt.date:
    """A certificate awarded on D is valid for 5 years: until the same calendar day 5 years later
    (29 February becomes 28 February)."""
    return add_months(awarded_on, 12 * CERTIFICATE_YEARS)


def renewed_valid_until(expires_on: dt.date, renewed_on: dt.date) -> dt.date:
    """A recertification is valid "for a further 5-year period": 5 years from the old expiry date, or from
    the renewal date if that is later (renewing early never shortens the time already granted)."""
    return add_months(max(expires_on, renewed_on), 12 * CERTIFICATE_YEARS)


@dataclass(frozen=True)
class Window:
    opens: dt.date
    closes: dt.date  # inclusive

    def contains(self, day: dt.date) -> bool:
        return self.opens <= day <= self.closes

    def position(self, day: dt.date) -> str:
        if day < self.opens:
            return "early"
        return "open" if day <= self.closes else "late"


def recertification_window(expires_on: dt.date, *, extended_until: dt.date | None = None) -> Window:
    """From 6 calendar months before to 6 calendar months after the expiry date, both days included.

    An approved extension moves the closing day (never earlier than the regular close).
    """
    closes = add_months(expires_on, WINDOW_MONTHS_AFTER)
    if extended_until is not None and extended_until > closes:
        closes = extended_until
    return Window(opens=add_months(expires_on, -WINDOW_MONTHS_BEFORE), closes=closes)


def reminder_dates(expires_on: dt.date) -> list[dt.date]:
    """Reminder e-mails every 3 months inside the window: at opening, then every 3 months while
    at least one month of the window remains (a reminder on the closing day would come too late).

    For a window of 12 months: 6 and 3 months before expiry, on the expiry date, 3 months after.
    """
    window = recertification_window(expires_on)
    dates, step = [], 0
    while True:
        day = add_months(window.opens, step)
        if add_months(day, 1) > window.closes:
            return dates
        dates.append(day)
        step += REMINDER_EVERY_MONTHS


def decision_due(submitted_on: dt.date) -> dt.date:
    return add_months(submitted_on, DECISION_MONTHS)


def remote_request_due(submitted_on: dt.date) -> dt.date:
    return submitted_on + dt.timedelta(days=REMOTE_REQUEST_DAYS)


def exam_results_due(sat_on: dt.date) -> dt.date:
    return sat_on + dt.timedelta(days=EXAM_RESULTS_DAYS)


def is_overdue(due_on: dt.date, *, done_on: dt.date | None, today: dt.date) -> bool:
    """Overdue: not done by the due day (done late counts as overdue too, for the record)."""
    return (done_on or today) > due_on


def extension_deadline(current_deadline: dt.date, months: int) -> dt.date:
    return add_months(current_deadline, months)
