"""Pure rules of delivery: the start window, the deadline, the remaining time, the shuffle plan.

Time is always an argument (`now=`); nothing here reads the clock or the database.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence

DEFAULT_DURATION_MINUTES = 180  # 100 items in three hours with no break (EACVI exam format)
RESULTS_DUE_WEEKS = 8  # "results are communicated to candidates in the eight weeks after the examination"
OPTION_LETTERS = "ABCDE"


def in_start_window(now: dt.datetime, opens: dt.datetime, closes: dt.datetime) -> bool:
    """A candidate may start from `opens` up to and including `closes`."""
    return opens <= now <= closes


def deadline(started_at: dt.datetime, duration_minutes: int, extra_minutes: int = 0) -> dt.datetime:
    """The attempt's deadline: start + the sitting's duration + the candidate's extra time."""
    return started_at + dt.timedelta(minutes=duration_minutes + extra_minutes)


def remaining_seconds(now: dt.datetime, deadline_at: dt.datetime) -> int:
    """Whole seconds left (rounded down), never negative."""
    return max(0, math.floor((deadline_at - now).total_seconds()))


def remaining_milliseconds(now: dt.datetime, deadline_at: dt.datetime) -> int:
    """Milliseconds left, never negative (what the page's countdown starts from)."""
    return max(0, math.floor((deadline_at - now).total_seconds() * 1000))


def is_past(now: dt.datetime, deadline_at: dt.datetime) -> bool:
    """No answer is accepted at or after the deadline."""
    return now >= deadline_at


def results_due(exam_date: dt.date) -> dt.date:
    return exam_date + dt.timedelta(weeks=RESULTS_DUE_WEEKS)


def shuffle_plan(seed: int, form_item_ids: Sequence[int], *, shuffle_items: bool,
                 shuffle_options: bool) -> tuple[list[int], dict[str, str]]:
    """Item order and option order per item for one attempt, deterministic in `seed`.

    Returns (form item ids in shown order, {str(form_item_id): canonical letters in shown order}).
    """
    rng = random.Random(seed)
    order = list(form_item_ids)
    if shuffle_items:
        rng.shuffle(order)
    options = {}
    for fid in form_item_ids:
        letters = list(OPTION_LETTERS)
        if shuffle_options:
            rng.shuffle(letters)
        options[str(fid)] = "".join(letters)
    return order, options


# --- registration (seed 004, *Upcoming exams*: "Registration will open 3 months prior to exam date.") --------

REGISTRATION_OPENS_MONTHS = 3


def registration_opens(exam_date: dt.date) -> dt.date:
    """The same calendar day 3 months before the exam (the month's last day when that day does not exist)."""
    from cmrnet.rules.dates import add_months

    return add_months(exam_date, -REGISTRATION_OPENS_MONTHS)


def registration_closes(exam_date: dt.date) -> dt.date:
    """By default the day before the exam: a candidate registers before exam day."""
    return exam_date - dt.timedelta(days=1)


def in_registration_window(today: dt.date, opens: dt.date, closes: dt.date) -> bool:
    """Both days included."""
    return opens <= today <= closes


def registration_refusal(*, today: dt.date, opens: dt.date, closes: dt.date, exam_date: dt.date,
                         registration_number: str, registration_valid_until: dt.date | None,
                         physician_declared: bool) -> str:
    """Why a candidate may not register themselves, or "" (seed 004: the exam "is open to qualified
    physicians"; the registration must be current on file). Current means valid on the exam day."""
    if today < opens:
        return f"Registration for this sitting opens on {opens}."
    if today > closes:
        return f"Registration for this sitting closed on {closes}."
    if not physician_declared:
        return "The exam is open to qualified physicians: confirm that you are one."
    if not registration_number.strip() or registration_valid_until is None:
        return "Record your medical registration (number and valid-until date) on your profile first."
    if registration_valid_until < exam_date:
        return (f"Your medical registration on file is valid until {registration_valid_until}, before the exam "
                f"on {exam_date}: update it on your profile.")
    return ""
