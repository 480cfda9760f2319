"""Attendance from presence intervals: pure functions (no Django), time passed in.

A person may connect several times (a reload, a second tab for the console): their intervals are
merged before counting, so overlapping connections are never counted twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

Interval = tuple[dt.datetime, dt.datetime]


def presence_interval(joined_at: dt.datetime, left_at: dt.datetime | None, last_seen: dt.datetime, *,
                      now: dt.datetime, stale_after: dt.timedelta) -> Interval:
    """The interval a connection covered. A connection still open counts to `now`, unless it has not
    been seen for `stale_after` (its server died): then it ends when it was last seen."""
    if left_at is not None:
        end = left_at
    elif now - last_seen > stale_after:
        end = last_seen
    else:
        end = now
    return joined_at, max(joined_at, end)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals, sorted; touching intervals join."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(intervals):
        if end < start:
            raise ValueError(f"interval ends ({end}) before it starts ({start})")
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def clip(intervals: Iterable[Interval], window: Interval | None) -> list[Interval]:
    if window is None:
        return list(intervals)
    lo, hi = window
    return [(max(s, lo), min(e, hi)) for s, e in intervals if min(e, hi) > max(s, lo)]


def attended_seconds(intervals: Iterable[Interval], *, window: Interval | None = None) -> int:
    """Seconds covered by the union of `intervals`, within `window` when given."""
    return int(sum((e - s).total_seconds() for s, e in clip(merge(intervals), window)))


def hours_per_week(minutes: int, start: dt.date, end: dt.date) -> Decimal:
    """Pro rata weekly hours so that a training period from `start` to `end` (inclusive) holds exactly
    `minutes` of training: hours / (days / 7), rounded half up to 0.1 h."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    days = (end - start).days + 1
    weekly = Decimal(minutes) / Decimal(60) / (Decimal(days) / Decimal(7))
    return weekly.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
