"""Forms (assembly, editing, locking) and sittings (scheduling, registration, incidents)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.exams import blueprint
from cmrnet.exams.models import (
    ExamForm, FormItem, FormStatus, Incident, Item, ItemStatus, Registration, Sitting, Topic,
)
from cmrnet.exams.selectors import item_content_exposure
from cmrnet.exams.timing import DEFAULT_DURATION_MINUTES
from cmrnet.people.timezones import validate_time_zone

SITTING_FIELDS = ["title", "start_opens", "start_closes", "duration_minutes", "shuffle_items", "shuffle_options",
                  "time_zone"]


def ensure_topics() -> None:
    """Seed the blueprint topics (idempotent; the data migration does the same)."""
    for order, (code, name, lo, hi) in enumerate(blueprint.EACVI_BLUEPRINT, start=1):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "min_percent": lo, "max_percent": hi,
                                                         "order": order})


def topic_bounds() -> list[blueprint.TopicBound]:
    return [blueprint.TopicBound(t.code, t.name, t.min_percent, t.max_percent) for t in Topic.objects.all()]


def approved_pool() -> dict[str, list[int]]:
    pool: dict[str, list[int]] = {}
    for item in Item.objects.filter(status=ItemStatus.APPROVED).select_related("current_version__topic"):
        pool.setdefault(item.current_version.topic.code, []).append(item.pk)
    return pool


@transaction.atomic
def propose_form(*, by, title: str, n_items: int, seed: int | None = None) -> ExamForm:
    """A draft form of n approved items chosen to meet the blueprint (the board may then edit it)."""
    if n_items < 1:
        raise ValidationError({"n_items": "A form needs at least one item."})
    pool = approved_pool()
    available = sum(len(v) for v in pool.values())
    if available < n_items:
        raise ValidationError({"n_items": f"Only {available} approved item(s) in the bank."})
    seed = seed if seed is not None else int(timezone.now().timestamp())
    chosen = blueprint.propose(topic_bounds(), n_items, pool, seed=seed)
    form = ExamForm.objects.create(title=title, created_by=by)
    for position, item_id in enumerate(chosen, start=1):
        FormItem.objects.create(form=form, position=position, item_id=item_id)
    record(actor=by, action="exam_form.proposed", obj=form, data={"n_items": len(chosen), "seed": seed,
                                                                  "items": chosen})
    return form


def _draft(form: ExamForm) -> ExamForm:
    form = ExamForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FormStatus.DRAFT:
        raise ValidationError("A locked form cannot be changed.")
    return form


@transaction.atomic
def add_form_item(*, by, form: ExamForm, item: Item) -> FormItem:
    form = _draft(form)
    if item.status != ItemStatus.APPROVED:
        raise ValidationError({"item": "Only approved items can be placed on a form."})
    if form.form_items.filter(item=item).exists():
        raise ValidationError({"item": f"{item.code} is already on this form."})
    position = (form.form_items.aggregate(m=Max("position"))["m"] or 0) + 1
    form_item = FormItem.objects.create(form=form, position=position, item=item)
    record(actor=by, action="exam_form.item_added", obj=form, data={"item": item.code, "position": position})
    return form_item


@transaction.atomic
def remove_form_item(*, by, form: ExamForm, form_item: FormItem) -> None:
    form = _draft(form)
    code = form_item.item.code
    form_item.delete()
    for position, fi in enumerate(form.form_items.order_by("position"), start=1):
        if fi.position != position:
            FormItem.objects.filter(pk=fi.pk).update(position=position)
    record(actor=by, action="exam_form.item_removed", obj=form, data={"item": code})


@transaction.atomic
def lock_form(*, by, form: ExamForm) -> ExamForm:
    """Pin the current version of every item; a locked form never changes."""
    form = _draft(form)
    items = list(form.form_items.select_related("item"))
    if not items:
        raise ValidationError("An empty form cannot be locked.")
    not_ready = [fi.item.code for fi in items if fi.item.status != ItemStatus.APPROVED]
    if not_ready:
        raise ValidationError(f"Items not approved: {', '.join(not_ready)}.")
    for fi in items:
        fi.version_id = fi.item.current_version_id
        fi.save(update_fields=["version"])
    form.status, form.locked_at, form.locked_by = FormStatus.LOCKED, timezone.now(), by
    form.save(update_fields=["status", "locked_at", "locked_by"])
    record(actor=by, action="exam_form.locked", obj=form, changes={"status": [FormStatus.DRAFT, FormStatus.LOCKED]},
           data={"versions": {fi.item.code: fi.version.number for fi in items}})
    return form


@transaction.atomic
def schedule_sitting(*, by, form: ExamForm, title: str, start_opens: dt.datetime, start_closes: dt.datetime,
                     duration_minutes: int = DEFAULT_DURATION_MINUTES, shuffle_items: bool = False,
                     shuffle_options: bool = False, time_zone: str = "") -> Sitting:
    if not form.is_locked:
        raise ValidationError({"form": "Lock the form before scheduling a sitting."})
    if start_closes <= start_opens:
        raise ValidationError({"start_closes": "The start window must close after it opens."})
    if duration_minutes < 1:
        raise ValidationError({"duration_minutes": "The duration must be at least one minute."})
    validate_time_zone(time_zone)
    sitting = Sitting.objects.create(form=form, title=title, start_opens=start_opens, start_closes=start_closes,
                                     duration_minutes=duration_minutes, shuffle_items=shuffle_items,
                                     shuffle_options=shuffle_options, time_zone=time_zone, created_by=by)
    record(actor=by, action="sitting.scheduled", obj=sitting, changes=diff({}, snapshot(sitting, SITTING_FIELDS)),
           data={"form_id": form.pk})
    return sitting


def refuse_if_exposed(*, candidate, sitting: Sitting) -> None:
    """Nobody who can see, or has seen, the items of the sitting's form sits it (every registration
    path and the start of an attempt call this)."""
    reasons = item_content_exposure(candidate, sitting.form)
    if reasons:
        raise ValidationError({"candidate": f"{candidate} cannot be a candidate for {sitting}: {'; '.join(reasons)}. "
                                            "Someone who can see an exam's items may not sit it."})


@transaction.atomic
def register_candidate(*, by, sitting: Sitting, candidate, extra_minutes: int = 0,
                       accommodation_note: str = "", slot=None, reason: str = "",
                       today: dt.date | None = None) -> Registration:
    """The one place a registration is made (by the board, or by the candidate through
    `services.registration.register_self`, which checks window, eligibility and capacity first). On a
    self-registration sitting, the board may register anyone the rules would refuse, with a reason."""
    if sitting.is_released:
        raise ValidationError("Results are released: registrations are closed.")
    if Registration.objects.filter(sitting=sitting, candidate=candidate).exists():
        raise ValidationError({"candidate": f"{candidate} is already registered."})
    refuse_if_exposed(candidate=candidate, sitting=sitting)
    if slot is not None and slot.sitting_id != sitting.pk:
        raise ValidationError({"slot": "This start time belongs to another sitting."})
    self_registered = getattr(by, "pk", None) == candidate.pk
    overrides = ""
    if sitting.self_registration and not self_registered:
        from cmrnet.exams.services.registration import self_registration_refusal

        overrides = self_registration_refusal(sitting=sitting, candidate=candidate, slot=slot,
                                              today=today or timezone.localdate())
        if overrides and not reason.strip():
            raise ValidationError({"reason": f"{overrides} Give the reason for registering this candidate anyway."})
    reg = Registration.objects.create(sitting=sitting, candidate=candidate, extra_minutes=extra_minutes,
                                      accommodation_note=accommodation_note, slot=slot,
                                      self_registered=self_registered, reason=reason.strip())
    record(actor=by, action="sitting.candidate_registered", obj=sitting,
           data={"candidate_id": candidate.pk, "extra_minutes": extra_minutes, "self_registered": self_registered,
                 "slot_id": getattr(slot, "pk", None), "reason": reason.strip(),
                 "overrides": overrides})
    return reg


@transaction.atomic
def update_registration(*, by, registration: Registration, extra_minutes: int, accommodation_note: str = "") -> Registration:
    """Accommodations may change until the candidate starts (the deadline is fixed at start)."""
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if hasattr(reg, "attempt"):
        raise ValidationError("The candidate has started: the deadline is already fixed.")
    before = snapshot(reg, ["extra_minutes", "accommodation_note"])
    reg.extra_minutes, reg.accommodation_note = extra_minutes, accommodation_note
    reg.save(update_fields=["extra_minutes", "accommodation_note"])
    record(actor=by, action="sitting.accommodation_changed", obj=reg.sitting,
           changes=diff(before, snapshot(reg, ["extra_minutes", "accommodation_note"])),
           data={"candidate_id": reg.candidate_id})
    return reg


@transaction.atomic
def unregister_candidate(*, by, registration: Registration) -> None:
    if hasattr(registration, "attempt"):
        raise ValidationError("The candidate has started: the registration cannot be removed.")
    record(actor=by, action="sitting.candidate_unregistered", obj=registration.sitting,
           data={"candidate_id": registration.candidate_id})
    registration.delete()


@transaction.atomic
def record_incident(*, by, sitting: Sitting, note: str, candidate=None, now: dt.datetime | None = None) -> Incident:
    if not note.strip():
        raise ValidationError({"note": "Describe the incident."})
    incident = Incident.objects.create(sitting=sitting, candidate=candidate, note=note, recorded_by=by,
                                       at=now or timezone.now())
    record(actor=by, action="sitting.incident_recorded", obj=sitting,
           data={"candidate_id": getattr(candidate, "pk", None), "note": note})
    return incident
