"""Training time: calendar days weighted by full-time equivalence, overlaps counted once.

Pure functions, no rule-set access, so the web app can call them on entry:

- ``find_overlaps(periods)``: every pair of periods sharing calendar days (the entry warning);
- ``fte_segments(parts)``: the training as runs of days with one full-time-equivalent share each,
  where a day counts once and at most at full time (1.0), however many periods cover it;
- ``count_training(segments, window_months, pro_rata_window)``: the months that count, for the
  reading documented in docs/rules.md ("continuous, or split within a 24-month window extended
  pro rata").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Iterable

from .dates import add_months, calendar_months
from .model import TrainingPeriod

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Overlap:
    """Two training periods that share the calendar days ``start`` .. ``end`` (inclusive)."""

    first: str
    second: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def message(self) -> str:
        return (f"training periods {self.first} and {self.second} overlap on {self.days} days "
                f"({self.start} .. {self.end}); each day counts once, at most at full time")


def find_overlaps(periods: Iterable[TrainingPeriod]) -> list[Overlap]:
    """Every pair of periods sharing at least one calendar day, in date order."""
    ordered = sorted(periods, key=lambda p: (p.start_date, p.end_date, p.period_id))
    found = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1:]:
            if second.start_date > first.end_date:
                break
            found.append(Overlap(first.period_id, second.period_id, second.start_date,
                                 min(first.end_date, second.end_date)))
    return found


def overlaps_with(period: TrainingPeriod, others: Iterable[TrainingPeriod]) -> list[Overlap]:
    """The overlaps a new or edited ``period`` would have with ``others`` (itself excluded by id)."""
    return [o for o in find_overlaps([period, *(p for p in others if p.period_id != period.period_id)])
            if period.period_id in (o.first, o.second)]


def share_of_full_time(hours_per_week: float, full_time_hours: Fraction) -> Fraction:
    """hours / full time, at most 1 (a full-time threshold of 0 makes every period full time)."""
    if not full_time_hours:
        return Fraction(1)
    return min(Fraction(str(hours_per_week)) / full_time_hours, Fraction(1))


@dataclass(frozen=True)
class Segment:
    """Consecutive days ``start`` .. ``end`` (inclusive) trained at one full-time share ``fte``."""

    start: date
    end: date
    fte: Fraction
    period_ids: tuple[str, ...]

    @property
    def months(self) -> Fraction:
        return calendar_months(self.start, self.end) * self.fte


def fte_segments(parts: Iterable[tuple[date, date, Fraction, str]]) -> list[Segment]:
    """Sweep the parts (start, end, share, period id): on each day the shares add up, capped at 1.

    Adjacent runs with the same share are joined, so a whole calendar month stays whole.
    """
    events: dict[date, list[tuple[Fraction, str, int]]] = {}
    for start, end, share, period_id in parts:
        if share <= 0 or end < start:
            continue
        events.setdefault(start, []).append((share, period_id, 1))
        events.setdefault(end + ONE_DAY, []).append((share, period_id, -1))
    segments: list[Segment] = []
    active: dict[str, Fraction] = {}
    days = sorted(events)
    for day, following in zip(days, days[1:] + [None]):
        for share, period_id, sign in events[day]:
            active[period_id] = active.get(period_id, Fraction(0)) + sign * share
            if active[period_id] == 0:
                del active[period_id]
        if following is None or not active:
            continue
        fte = min(sum(active.values()), Fraction(1))      # active is not empty here
        ids = tuple(sorted(active))
        end = following - ONE_DAY
        last = segments[-1] if segments else None
        if last is not None and last.fte == fte and last.end + ONE_DAY == day:
            segments[-1] = Segment(last.start, end, fte, tuple(sorted(set(last.period_ids) | set(ids))))
        else:
            segments.append(Segment(day, end, fte, ids))
    return segments


def stretches(segments: list[Segment]) -> list[list[Segment]]:
    """Runs of segments without a gap day between them: each run is continuous training."""
    runs: list[list[Segment]] = []
    for segment in segments:
        if runs and runs[-1][-1].end + ONE_DAY == segment.start:
            runs[-1].append(segment)
        else:
            runs.append([segment])
    return runs


@dataclass(frozen=True)
class TrainingCount:
    """What counts: the FTE months, the chosen stretches' span and the periods in/out of it."""

    months: Fraction
    start: date | None
    end: date | None
    counted: tuple[str, ...]
    outside: tuple[str, ...]
    split: bool                # more than one stretch counted (split training)


def _months_of(run_list: list[list[Segment]]) -> tuple[Fraction, Fraction]:
    """(FTE months, calendar months of the training days) of a non-empty list of stretches."""
    fte = sum(s.months for run in run_list for s in run)
    calendar = sum(calendar_months(s.start, s.end) for run in run_list for s in run)
    return fte, calendar


def window_allows(start: date, end: date, fte: Fraction, calendar: Fraction, window_months: int,
                  pro_rata: bool) -> bool:
    """Split training from ``start`` to ``end`` fits the window.

    Full time: end before start + window months.  Pro rata: the window is stretched by the
    average full-time share of the training days (all at 0.5: twice as long; all full time: the
    same as without pro rata, since calendar_months(start, end) <= W exactly when end < start + W).
    """
    if not pro_rata:
        return end < add_months(start, window_months)
    return calendar_months(start, end) * fte <= window_months * calendar


def count_training(segments: list[Segment], window_months: int, pro_rata_window: bool) -> TrainingCount:
    """The most FTE months that count under the reading "continuous, or split in a window".

    One continuous stretch counts in full, however long (a long part-time period counts pro rata).
    Several stretches (split training) count together only when they lie in one window of
    ``window_months`` calendar months (0 = no window), extended pro rata when ``pro_rata_window``.
    The best choice wins; on a tie the earliest.
    """
    runs = stretches(segments)
    every_id = tuple(sorted({pid for s in segments for pid in s.period_ids}))
    if not runs:
        return TrainingCount(Fraction(0), None, None, (), (), False)
    if not window_months:
        fte, _ = _months_of(runs)
        return TrainingCount(fte, runs[0][0].start, runs[-1][-1].end, every_id, (), len(runs) > 1)
    # Each stretch's sums once; for each first stretch the later ones are added one by one, so every
    # (first, last) pair costs O(1) and many short periods (up to the import's 200) stay fast.
    sums = [_months_of([run]) for run in runs]
    best: tuple[Fraction, int, int] | None = None
    for first in range(len(runs)):
        start = runs[first][0].start
        fte, calendar = sums[first]
        for last in range(first, len(runs)):
            if last > first:
                fte, calendar = fte + sums[last][0], calendar + sums[last][1]
            if best is not None and fte <= best[0]:
                continue            # cannot win (a tie keeps the earlier choice): skip the window check
            if last > first and not window_allows(start, runs[last][-1].end, fte, calendar,
                                                  window_months, pro_rata_window):
                continue
            best = (fte, first, last)
    fte, first, last = best
    counted = tuple(sorted({pid for run in runs[first:last + 1] for s in run for pid in s.period_ids}))
    outside = tuple(pid for pid in every_id if pid not in counted)
    return TrainingCount(fte, runs[first][0].start, runs[last][-1].end, counted, outside, last > first)
