"""CME credits: how many of each claimed activity's credits are accepted, and why.

Rules (EACVI, "Requirements for CME/CPD"): 1 credit = 1 hour; self-directed
learning is refused; each claim needs its attendance certificate; nothing
attended more than 2 years before the exam; a multimodality meeting's credits
are divided by its number of modalities unless the catalogue says otherwise;
a catalogued meeting is capped at its catalogue credits; a general meeting
counts only where catalogued; at most 8 credits per day of a congress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from .dates import add_years
from .model import CmeActivity
from .ruleset import CatalogueEntry, CmeSettings


@dataclass(frozen=True)
class CmeCredit:
    """Accepted credits for one activity, with the reason for every reduction."""

    activity_id: str
    claimed: Fraction
    accepted: Fraction
    reasons: tuple[str, ...]
    source_key: str

    @property
    def reduced(self) -> bool:
        return self.accepted < self.claimed


def fmt(value: Fraction | float | int) -> str:
    """A number for a message: integers plain, others with up to 2 decimals."""
    number = float(value)
    return str(int(number)) if number == int(number) else f"{number:.2f}".rstrip("0")


def source_key(activity: CmeActivity) -> str:
    """The 'single source, congress or event' an activity belongs to."""
    if activity.catalog_id:
        return activity.catalog_id.strip().lower()
    return f"{activity.provider.strip().lower()}|{activity.title.strip().lower()}"


def accepted_credits(activity: CmeActivity, settings: CmeSettings, exam_date: date | None) -> CmeCredit:
    """Credits of one activity that count, and why any were not accepted."""
    claimed = Fraction(activity.credits)
    key = source_key(activity)
    refusal = _refusal(activity, settings, exam_date)
    if refusal:
        return CmeCredit(activity.activity_id, claimed, Fraction(0), (refusal,), key)
    reasons: list[str] = []
    entry = settings.catalogue.get(activity.catalog_id) if activity.catalog_id else None
    if activity.catalog_id and entry is None:
        reasons.append(f"catalogue id {activity.catalog_id!r} is not in the catalogue; counted as claimed")
    credits = _divided(claimed, activity, entry, reasons)
    credits = _catalogue_capped(credits, entry, reasons)
    credits = _daily_capped(credits, activity, settings, reasons)
    return CmeCredit(activity.activity_id, claimed, credits, tuple(reasons), key)


def _refusal(activity: CmeActivity, settings: CmeSettings, exam_date: date | None) -> str:
    if activity.kind in settings.rejected_kinds:
        return f"{activity.kind.replace('_', '-')} learning is not accepted"
    if not activity.has_certificate:
        return "no attendance certificate"
    if exam_date is not None:
        earliest = add_years(exam_date, -settings.max_years_before_exam)
        if activity.end_date < earliest:
            return (f"attended more than {settings.max_years_before_exam} years before the exam "
                    f"(ended {activity.end_date}, earliest accepted {earliest})")
    return ""


def _divided(credits: Fraction, activity: CmeActivity, entry: CatalogueEntry | None, reasons: list[str]) -> Fraction:
    divide = entry.divide_by_modalities if entry else True
    if activity.modalities > 1 and divide:
        reasons.append(f"multimodality: {fmt(credits)} divided by {activity.modalities} modalities")
        return credits / activity.modalities
    return credits


def _catalogue_capped(credits: Fraction, entry: CatalogueEntry | None, reasons: list[str]) -> Fraction:
    if entry is None:
        return credits
    if entry.general_meeting and entry.cmr_credits is None:
        reasons.append(f"{entry.title} is a general meeting without catalogued CMR credits")
        return Fraction(0)
    if entry.cmr_credits is not None and credits > entry.cmr_credits:
        kind = "general meeting: only " if entry.general_meeting else "catalogue allows at most "
        reasons.append(f"{entry.title}: {kind}{fmt(entry.cmr_credits)} CMR credits")
        return entry.cmr_credits
    return credits


def _daily_capped(credits: Fraction, activity: CmeActivity, settings: CmeSettings, reasons: list[str]) -> Fraction:
    if activity.kind != "congress":
        return credits
    days = max((activity.end_date - activity.start_date).days + 1, 1)
    cap = settings.max_credits_per_day * days
    if credits > cap:
        reasons.append(f"at most {fmt(settings.max_credits_per_day)} credits per congress day ({days} days)")
        return cap
    return credits


def cme_credits(activities, settings: CmeSettings, exam_date: date | None) -> list[CmeCredit]:
    """Accepted credits for each activity, in activity order (for display)."""
    return [accepted_credits(a, settings, exam_date) for a in activities]
