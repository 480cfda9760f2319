"""Calendar arithmetic used by the rules (months and years, not days)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from fractions import Fraction

DAYS_PER_MONTH = Fraction(36525, 1200)   # 365.25 / 12


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February."""
    return add_months(day, 12 * years)


def next_day(day: date) -> date:
    return day + timedelta(days=1)


def calendar_months(start: date, end: date) -> Fraction:
    """Length of the inclusive period start..end in months.

    Whole calendar months are counted first (1 Jan - 31 May is exactly 5),
    the remaining days count as days / (365.25/12).
    """
    stop = next_day(end)
    if stop <= start:
        return Fraction(0)
    whole = (stop.year - start.year) * 12 + (stop.month - start.month)
    while whole > 0 and add_months(start, whole) > stop:
        whole -= 1
    rest = (stop - add_months(start, whole)).days
    return whole + Fraction(rest) / DAYS_PER_MONTH
