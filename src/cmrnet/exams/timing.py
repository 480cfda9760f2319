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
