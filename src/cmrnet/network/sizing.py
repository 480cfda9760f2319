"""Pure helpers about centres (no Django): size class from beds, network growth figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

SMALL_BELOW = 400  # small: fewer than 400 beds
LARGE_ABOVE = 1000  # large: more than 1000 beds; medium: 400-1000 inclusive
BUSY_SCANS_ABOVE = 100  # the seed's "more than 100 CMR scans annually"


def size_class(beds: int) -> str:
    if beds < SMALL_BELOW:
        return "small"
    if beds > LARGE_ABOVE:
        return "large"
    return "medium"


def centres_per_year(joined: Iterable[dt.date], *, until_year: int | None = None) -> list[tuple[int, int]]:
    """Cumulative number of centres in the network at the end of each year (the growth picture)."""
    dates = sorted(joined)
    if not dates:
        return []
    last = until_year or dates[-1].year
    return [(year, sum(1 for d in dates if d.year <= year)) for year in range(dates[0].year, last + 1)]


def busy_share(volumes: Iterable[int]) -> float | None:
    """Share of centres with more than 100 CMR scans a year, or None for no centres."""
    values = list(volumes)
    if not values:
        return None
    return sum(1 for v in values if v > BUSY_SCANS_ABOVE) / len(values)
