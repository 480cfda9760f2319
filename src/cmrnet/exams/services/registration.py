"""Self-registration for a sitting and the board's registration settings (window, start-time slots).

Every registration, the candidate's own included, is made by `forms.register_candidate`, so one function
decides who may be registered at all (e.g. nobody who can see item content); this module adds the
candidate's own conditions: the window (seed 004: "Registration will open 3 months prior to exam date"),
eligibility ("open to qualified physicians", a current registration on file) and slot capacity
("depending on slot availability").
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.exams import timing
from cmrnet.exams.models import Registration, Sitting, SittingSlot
from cmrnet.exams.services.forms import register_candidate

REGISTRATION_SETTINGS = ["self_registration", "registration_opens_on", "registration_closes_on"]


def places_left(slot: SittingSlot) -> int:
    return max(0, slot.capacity - slot.registrations.count())


def self_registration_refusal(*, sitting: Sitting, candidate, slot: SittingSlot | None, today: dt.date,
                              physician_declared: bool = True) -> str:
    """The first reason `candidate` may not register themselves for `sitting` in `slot` today, or ""."""
    if not sitting.self_registration:
        return "The exam board registers the candidates of this sitting."
    if sitting.is_released:
        return "Results are released: registrations are closed."
    opens, closes = sitting.registration_window
    refusal = timing.registration_refusal(
        today=today, opens=opens, closes=closes, exam_date=sitting.exam_date,
        registration_number=candidate.registration_number, registration_valid_until=candidate.registration_valid_until,
        physician_declared=physician_declared)
    if refusal:
        return refusal
    if slot is None and sitting.slots.exists():
        return "Choose a start time."
    if slot is not None and places_left(slot) == 0:
        return f"The start time {sitting.clock(slot.starts_at)} is full: choose another."
    return ""


@transaction.atomic
def register_self(*, candidate, sitting: Sitting, slot: SittingSlot | None, physician_declared: bool,
                  today: dt.date) -> Registration:
    """The candidate registers themselves; the slot row is locked so two candidates never take its last place."""
    if slot is not None:
        if slot.sitting_id != sitting.pk:
            raise ValidationError({"slot": "This start time belongs to another sitting."})
        slot = SittingSlot.objects.select_for_update().get(pk=slot.pk)
    refusal = self_registration_refusal(sitting=sitting, candidate=candidate, slot=slot, today=today,
                                        physician_declared=physician_declared)
    if refusal:
        raise ValidationError(refusal)
    return register_candidate(by=candidate, sitting=sitting, candidate=candidate, slot=slot, today=today)


@transaction.atomic
def cancel_own_registration(*, candidate, registration: Registration, today: dt.date) -> None:
    """A candidate withdraws while the registration window is open and before starting."""
    if registration.candidate_id != candidate.pk:
        raise ValidationError("This is not your registration.")
    opens, closes = registration.sitting.registration_window
    if not timing.in_registration_window(today, opens, closes):
        raise ValidationError(f"Registrations can be withdrawn only until {closes}; contact the exam board.")
    if hasattr(registration, "attempt"):
        raise ValidationError("You have started: the registration cannot be withdrawn.")
    record(actor=candidate, action="sitting.registration_withdrawn", obj=registration.sitting,
           data={"candidate_id": candidate.pk, "slot_id": registration.slot_id})
    registration.delete()


@transaction.atomic
def set_registration_settings(*, by, sitting: Sitting, self_registration: bool,
                              registration_opens_on: dt.date | None, registration_closes_on: dt.date | None) -> Sitting:
    opens = registration_opens_on or timing.registration_opens(sitting.exam_date)
    closes = registration_closes_on or timing.registration_closes(sitting.exam_date)
    if closes < opens:
        raise ValidationError({"registration_closes_on": f"Registration closes on or after it opens ({opens})."})
    if closes >= sitting.exam_date:
        raise ValidationError({"registration_closes_on": f"Registration closes before the exam ({sitting.exam_date})."})
    before = snapshot(sitting, REGISTRATION_SETTINGS)
    sitting.self_registration = self_registration
    sitting.registration_opens_on, sitting.registration_closes_on = registration_opens_on, registration_closes_on
    sitting.save(update_fields=REGISTRATION_SETTINGS)
    record(actor=by, action="sitting.registration_settings_changed", obj=sitting,
           changes=diff(before, snapshot(sitting, REGISTRATION_SETTINGS)), data={"opens": opens, "closes": closes})
    return sitting


@transaction.atomic
def add_slot(*, by, sitting: Sitting, starts_at: dt.datetime, capacity: int) -> SittingSlot:
    """A start time inside the sitting's start window, with its capacity."""
    if not sitting.start_opens <= starts_at <= sitting.start_closes:
        raise ValidationError({"starts_at": f"Start times lie in the start window ({sitting.clock(sitting.start_opens)} "
                                            f"to {sitting.clock(sitting.start_closes)})."})
    if capacity < 1:
        raise ValidationError({"capacity": "A start time has at least one place."})
    if sitting.slots.filter(starts_at=starts_at).exists():
        raise ValidationError({"starts_at": "This start time already exists."})
    slot = SittingSlot.objects.create(sitting=sitting, starts_at=starts_at, capacity=capacity)
    record(actor=by, action="sitting.slot_added", obj=sitting, data={"slot_id": slot.pk, "starts_at": starts_at,
                                                                     "capacity": capacity})
    return slot


@transaction.atomic
def set_slot_capacity(*, by, slot: SittingSlot, capacity: int) -> SittingSlot:
    slot = SittingSlot.objects.select_for_update().get(pk=slot.pk)
    taken = slot.registrations.count()
    if capacity < max(1, taken):
        raise ValidationError({"capacity": f"{taken} candidates already hold this start time: at least {max(1, taken)}."})
    before = slot.capacity
    slot.capacity = capacity
    slot.save(update_fields=["capacity"])
    record(actor=by, action="sitting.slot_capacity_changed", obj=slot.sitting, changes={"capacity": [before, capacity]},
           data={"slot_id": slot.pk})
    return slot
