"""PURE PYTHON: watched share of recorded lectures, attendance thresholds and small-group caps."""

from __future__ import annotations

from fractions import Fraction

# A recorded lecture counts as attended at 90 % watched (issue 12); a live session at 75 % of its
# scheduled time present in the room (a few minutes late or early does not cost the session).
WATCHED_TO_ATTEND = Fraction(9, 10)
PRESENT_TO_ATTEND = Fraction(3, 4)

Interval = tuple[int, int]


def merge(intervals: list[Interval] | list[list[int]], *, length: int | None = None) -> list[Interval]:
    """Sorted, non-overlapping [start, end) intervals, clipped to [0, length]; empty ones dropped."""
    clipped = []
    for start, end in intervals:
        start, end = max(0, int(start)), int(end)
        if length is not None:
            end = min(end, length)
        if end > start:
            clipped.append((start, end))
    merged: list[Interval] = []
    for start, end in sorted(clipped):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def seconds_covered(intervals: list[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def watched_share(seconds_watched: int, length: int | None) -> Fraction:
    if not length:
        return Fraction(0)
    return min(Fraction(1), Fraction(seconds_watched, length))


def watched_enough(seconds_watched: int, length: int | None) -> bool:
    """Attended: at least 90 % of the recording watched (distinct seconds, so replaying does not count twice)."""
    return bool(length) and watched_share(seconds_watched, length) >= WATCHED_TO_ATTEND


def present_enough(present: int, scheduled: int) -> bool:
    """Present for at least three quarters of the scheduled time (both in the same unit, e.g. seconds)."""
    return scheduled > 0 and Fraction(present, scheduled) >= PRESENT_TO_ATTEND


def full_message(*, cap: int, mentors: int = 1) -> str:
    if mentors <= 1:
        return f"This small group is full ({cap} trainees per mentor)."
    return f"This small group is full ({cap * mentors} places: {cap} trainees per mentor, {mentors} mentors)."


def seat_refusal(*, seated: int, cap: int | None, already_seated: bool, mentors: int = 1) -> str | None:
    """Why a trainee may not take a place in a small group now (None: they may). The cap is per mentor: a group
    with several mentors has mentors x cap places."""
    if already_seated or cap is None:
        return None
    if seated >= cap * max(1, mentors):
        return full_message(cap=cap, mentors=max(1, mentors))
    return None


# Stress testing and implanted-device scanning (seed 001: "may require an in-person experience"): when the
# programme marks the topic as an in-person component, a trainee whose competence level is below the
# programme's level does it in person, never in the live room. At the level itself they may take part virtually.
TOPIC_LABELS = {"stress": "Stress testing", "devices": "Implanted-device scanning"}


def in_person_refusal(*, topic: str, in_person_topics: frozenset[str] | set[str], level: int, below_level: int,
                      centre: str = "") -> str | None:
    """Why a trainee at competence `level` may not take part virtually in a session on `topic` (None: they may)."""
    if not topic or topic not in in_person_topics or level >= below_level:
        return None
    where = f" at {centre}" if centre else ""
    return (f"{TOPIC_LABELS.get(topic, topic)} is an in-person component of this programme for trainees below "
            f"competence level {below_level} (yours: {level}): take part in person{where}, not in the live room.")
