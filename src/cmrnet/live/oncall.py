"""On-call expert support: who is on call at a moment, in which order requests escalate, and the
figures per centre. Pure functions (no Django), time passed in.

A rota slot covers one weekday from `starts` to `ends` on the clock of its time zone; `ends` at or
before `starts` means the slot runs past midnight into the next day. Slots of tier 1 are called first;
after N minutes without an answer the request escalates to tier 2, and so on. Within a tier the
centre's own experts and the network-wide ones are called together.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    expert_id: int
    weekday: int            # Monday 0 ... Sunday 6, on the slot's own clock
    starts: dt.time
    ends: dt.time
    time_zone: str
    tier: int = 1
    centre_id: int | None = None   # None: network-wide
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


def covers(slot: Slot, at: dt.datetime) -> bool:
    """Is `slot` on call at the instant `at` (an aware datetime)?"""
    local = at.astimezone(zoneinfo.ZoneInfo(slot.time_zone))
    overnight = slot.ends <= slot.starts
    if local.weekday() == slot.weekday and local.time() >= slot.starts and (overnight or local.time() < slot.ends):
        day = local.date()
    elif overnight and local.weekday() == (slot.weekday + 1) % 7 and local.time() < slot.ends:
        day = local.date() - dt.timedelta(days=1)   # the part after midnight belongs to the day the slot began
    else:
        return False
    return (slot.valid_from is None or day >= slot.valid_from) and (slot.valid_until is None or day <= slot.valid_until)


def call_tiers(slots: Iterable[Slot], *, at: dt.datetime, centre_id: int | None) -> list[tuple[int, list[int]]]:
    """Experts on call at `at` for a request from `centre_id`, as (tier, expert ids) in calling order
    (empty tiers skipped); in a tier the centre's own experts come before network-wide ones; each expert
    appears once, at their first tier."""
    relevant = [s for s in slots if (s.centre_id is None or s.centre_id == centre_id) and covers(s, at)]
    tiers: dict[int, list[int]] = {}
    seen: set[int] = set()
    for slot in sorted(relevant, key=lambda s: (s.tier, s.centre_id is None, s.expert_id)):
        if slot.expert_id not in seen:
            seen.add(slot.expert_id)
            tiers.setdefault(slot.tier, []).append(slot.expert_id)
    return [(t, tiers[t]) for t in sorted(tiers)]


def escalation_due(last_called: dt.datetime, *, now: dt.datetime, after: dt.timedelta) -> bool:
    """Unanswered for `after` since the last tier was called (exactly N minutes: due)."""
    return now - last_called >= after


@dataclass(frozen=True)
class CentreFigures:
    requests: int
    answered: int
    median_seconds: float | None

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.requests if self.requests else None

    @property
    def median_minutes(self) -> str:
        """The median time to answer as "m min s s" (or "s s" under a minute)."""
        if self.median_seconds is None:
            return ""
        minutes, seconds = divmod(round(self.median_seconds), 60)
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def figures(waits: Iterable[float | None]) -> CentreFigures:
    """From each request's seconds to answer (None: not answered): count, answered, median time to answer."""
    waits = list(waits)
    answered = [w for w in waits if w is not None]
    return CentreFigures(requests=len(waits), answered=len(answered),
                         median_seconds=statistics.median(answered) if answered else None)
