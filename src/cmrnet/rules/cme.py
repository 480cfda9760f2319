"""CME credits: how many of each claimed activity's credits are accepted, and why.

Rules (EACVI, "Requirements for CME/CPD"): 1 credit = 1 hour; self-directed
learning is refused; each claim needs its attendance certificate; nothing
attended more than 2 years before the exam; a multimodality meeting's credits
are divided by its number of modalities unless the catalogue says otherwise;
a catalogued meeting is capped at its catalogue credits, or granted its
catalogue figure for full attendance (EuroCMR 2021: 18 though the certificate
says 5); a general meeting counts only where catalogued; at most 8 credits per
day of a congress; one event is claimed once.  A certification committee's figure
(``accepted_hours``) replaces the claim, the division and the catalogue; the
refusals and the daily cap still apply.

Catalogue ids are ``<series>`` (every edition, e.g. ``scmr-annual``) or
``<series>-<YYYY>`` (one edition, e.g. ``eurocmr-2021``).  The *event* of a
claim is its series plus the year it took place, so the same annual meeting in
two years is two events; a catalogue entry with ``yearly = false`` (a course,
online content) is one event whatever the year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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


EDITION = re.compile(r"^(?P<series>.+)-(?P<year>(19|20)[0-9]{2})$")


def series_and_year(catalog_id: str) -> tuple[str, int | None]:
    """``eurocmr-2021`` -> ("eurocmr", 2021); ``scmr-annual`` -> ("scmr-annual", None)."""
    cid = catalog_id.strip().lower()
    match = EDITION.match(cid)
    return (match["series"], int(match["year"])) if match else (cid, None)


def catalogue_entry(activity: CmeActivity, settings: CmeSettings) -> tuple[CatalogueEntry | None, str]:
    """The catalogue entry of a claim and a note when the id and the date disagree.

    An edition id (``eurocmr-2021``) applies only to a claim dated that year; otherwise, and for
    an edition not in the catalogue, the series entry (``eurocmr``) applies when there is one.
    """
    if not activity.catalog_id.strip():
        return None, ""
    cid = activity.catalog_id.strip().lower()
    series, year = series_and_year(cid)
    note = ""
    if year is not None and year != activity.start_date.year:
        note = f"catalogue id {activity.catalog_id!r} names {year} but the activity took place in {activity.start_date.year}"
    entry = settings.catalogue.get(cid)
    if entry is not None and not note:
        return entry, ""
    return settings.catalogue.get(series), note


def source_key(activity: CmeActivity, settings: CmeSettings | None = None) -> str:
    """The 'single source, congress or event' an activity belongs to.

    Catalogued: series + year of the activity (a ``yearly = false`` entry: the series alone).
    Not catalogued: provider + title, + the year for a congress (an annual meeting).
    """
    if activity.catalog_id.strip():
        series, _ = series_and_year(activity.catalog_id)
        entry = catalogue_entry(activity, settings)[0] if settings is not None else None
        if entry is not None and not entry.yearly:
            return series
        return f"{series}-{activity.start_date.year}"
    key = f"{activity.provider.strip().lower()}|{activity.title.strip().lower()}"
    return f"{key}|{activity.start_date.year}" if activity.kind == "congress" else key


def accepted_credits(activity: CmeActivity, settings: CmeSettings, exam_date: date | None) -> CmeCredit:
    """Credits of one activity that count, and why any were not accepted."""
    claimed = Fraction(activity.credits)
    key = source_key(activity, settings)
    refusal = _refusal(activity, settings, exam_date)
    if refusal:
        return CmeCredit(activity.activity_id, claimed, Fraction(0), (refusal,), key)
    reasons: list[str] = []
    if activity.accepted_hours is not None:
        why = f": {activity.accepted_reason.strip()}" if activity.accepted_reason.strip() else ""
        reasons.append(f"certification committee accepted {fmt(Fraction(str(activity.accepted_hours)))} h "
                       f"(claimed {fmt(claimed)}){why}")
        credits = _daily_capped(Fraction(str(activity.accepted_hours)), activity, settings, reasons)
        return CmeCredit(activity.activity_id, claimed, credits, tuple(reasons), key)
    entry, note = catalogue_entry(activity, settings)
    if note:
        reasons.append(note)
    if activity.catalog_id.strip() and entry is None:
        reasons.append(f"catalogue id {activity.catalog_id!r} is not in the catalogue; counted as claimed")
    if entry is not None and entry.grant_credits is not None and activity.full_attendance:
        reasons.append(f"{entry.title}: {fmt(entry.grant_credits)} CMR credits granted for full attendance "
                       f"(certificate: {fmt(claimed)})")
        credits = entry.grant_credits
    else:
        credits = _divided(claimed, activity, entry, reasons)
        credits = _catalogue_capped(credits, entry, reasons)
    credits = _daily_capped(credits, activity, settings, reasons)
    return CmeCredit(activity.activity_id, claimed, credits, tuple(reasons), key)


def assess_claims(activities, settings: CmeSettings, exam_date: date | None) -> list[CmeCredit]:
    """Every claim's accepted credits, in date order; a second claim of one event is refused."""
    ordered = sorted(activities, key=lambda a: (a.start_date, a.activity_id))
    first_claim: dict[str, str] = {}
    credits = []
    for activity in ordered:
        credit = accepted_credits(activity, settings, exam_date)
        earlier = first_claim.get(credit.source_key)
        if earlier is not None:
            credit = replace(credit, accepted=Fraction(0),
                             reasons=(f"the same event is already claimed as {earlier}",))
        elif credit.accepted > 0:
            first_claim[credit.source_key] = activity.activity_id
        credits.append(credit)
    return credits


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
    """Accepted credits for each activity, in the given order (for display), duplicates refused."""
    by_id = {c.activity_id: c for c in assess_claims(activities, settings, exam_date)}
    return [by_id[a.activity_id] for a in activities]
