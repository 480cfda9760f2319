"""Writes for programmes: keyword-only, atomic, audited. Live sessions go through `cmrnet.live.services`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.core.files import atomic_with_files
from cmrnet.people.models import User
from cmrnet.people.roles import Role
from cmrnet.programmes import progress, selectors
from cmrnet.programmes.models import (LIVE_KINDS, LIVE_SESSION_KIND, SMALL_GROUP_KINDS, Assessment, CompletionCertificate, Determination,
                                      EnrolmentPolicy, Enrolment, Module, Programme, ProgrammeSession, ScmrVerification,
                                      Seat, SessionKind, WatchProgress)

PROGRAMME_FIELDS = [
    "title", "description", "host_centre", "director", "lead", "starts_on", "ends_on", "time_zone", "capacity",
    "delivery_mode", "enrolment_policy", "mentor_cap", "virtual_share_max", "in_person_below_level", "stress_in_person",
    "devices_in_person", "requires_in_person_assessment", "lead_equivalent_expert", "lead_equivalent_evidence",
    "lead_equivalent_note", "training_record_note", "training_record_document", "video_equipment_statement",
    "privacy_statement", "scmr_feedback_arrangement",
]
MODULE_FIELDS = ["order", "title", "objectives", "session_kinds", "covers_safety"]
SESSION_FIELDS = ["kind", "title", "module", "mentor", "cap", "video", "video_seconds", "materials", "case_link",
                  "covers_safety", "in_person_topic"]
Status = Enrolment.Status


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --------------------------------------------------------------------------- programmes
@atomic_with_files
def create_programme(*, by: User, faculty=(), **values) -> Programme:
    _require(selectors.can_create(by), "Only programme directors and network administrators create programmes.")
    unknown = set(values) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ValueError(f"Not programme fields: {', '.join(sorted(unknown))}")
    programme = Programme(created_by=by, **values)
    programme.full_clean()
    programme.save()
    programme.faculty.set(faculty)
    record(actor=by, action="programme.created", obj=programme, changes=diff({}, snapshot(programme, PROGRAMME_FIELDS)),
           data={"faculty": [p.pk for p in faculty]})
    return programme


@atomic_with_files
def update_programme(*, by: User, programme: Programme, faculty=None, **values) -> Programme:
    _require(selectors.can_manage(by, programme), "Only the programme's director changes it.")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = snapshot(programme, PROGRAMME_FIELDS)
    for name, value in values.items():
        if name not in PROGRAMME_FIELDS:
            raise ValueError(f"Not a programme field: {name}")
        if name in ("lead_equivalent_evidence", "training_record_document") and not value:
            continue  # an empty upload keeps the stored document
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    changes = diff(before, snapshot(programme, PROGRAMME_FIELDS))
    if faculty is not None:
        old = sorted(programme.faculty.values_list("pk", flat=True))
        programme.faculty.set(faculty)
        if old != sorted(p.pk for p in faculty):
            changes["faculty"] = [old, sorted(p.pk for p in faculty)]
    if changes:
        record(actor=by, action="programme.updated", obj=programme, changes=changes)
    return programme


@transaction.atomic
def add_module(*, by: User, programme: Programme, title: str, objectives: str, session_kinds=(), covers_safety: bool = False,
               order: int | None = None) -> Module:
    _require(selectors.can_manage(by, programme), "Only the programme's director changes its modules.")
    bad = [k for k in session_kinds if k not in SessionKind.values]
    if bad:
        raise ValidationError({"session_kinds": f"Unknown session kinds: {', '.join(bad)}"})
    if order is None:
        order = programme.modules.count() + 1
    module = Module(programme=programme, title=title, objectives=objectives, session_kinds=list(session_kinds),
                    covers_safety=covers_safety, order=order)
    module.full_clean()
    module.save()
    record(actor=by, action="programme.module_added", obj=programme, changes=diff({}, snapshot(module, MODULE_FIELDS)),
           data={"module_id": module.pk})
    return module


@transaction.atomic
def update_module(*, by: User, module: Module, **values) -> Module:
    """Change a module (title, objectives, session kinds, safety, order); audited with the changes."""
    _require(selectors.can_manage(by, module.programme), "Only the programme's director changes its modules.")
    module = Module.objects.select_for_update().get(pk=module.pk)
    unknown = set(values) - set(MODULE_FIELDS)
    if unknown:
        raise ValueError(f"Not module fields: {', '.join(sorted(unknown))}")
    bad = [k for k in values.get("session_kinds", ()) if k not in SessionKind.values]
    if bad:
        raise ValidationError({"session_kinds": f"Unknown session kinds: {', '.join(bad)}"})
    before = snapshot(module, MODULE_FIELDS)
    for name, value in values.items():
        setattr(module, name, list(value) if name == "session_kinds" else value)
    module.full_clean()
    module.save()
    changes = diff(before, snapshot(module, MODULE_FIELDS))
    if changes:
        record(actor=by, action="programme.module_updated", obj=module.programme, changes=changes,
               data={"module_id": module.pk})
    return module


@transaction.atomic
def open_enrolment(*, by: User, programme: Programme, today: dt.date) -> Programme:
    """Open enrolment; refused while a mandatory stipulation is unmet (the message lists what is missing)."""
    _require(selectors.can_manage(by, programme), "Only the programme's director opens enrolment.")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    result = selectors.checklist(programme, today=today)
    if not result.may_open:
        raise ValidationError(["Enrolment cannot open; missing: " + "; ".join(result.missing)])
    if not programme.enrolment_open:
        programme.enrolment_open = True
        programme.save(update_fields=["enrolment_open"])
        record(actor=by, action="programme.enrolment_opened", obj=programme, changes={"enrolment_open": [False, True]})
    return programme


@transaction.atomic
def close_enrolment(*, by: User, programme: Programme) -> Programme:
    _require(selectors.can_manage(by, programme), "Only the programme's director closes enrolment.")
    if programme.enrolment_open:
        programme.enrolment_open = False
        programme.save(update_fields=["enrolment_open"])
        record(actor=by, action="programme.enrolment_closed", obj=programme, changes={"enrolment_open": [True, False]})
    return programme


@atomic_with_files
def record_verification(*, by: User, programme: Programme, verified_on: dt.date, reference: str, document=None) -> ScmrVerification:
    """SCMR's verification of the programme (date, reference, its letter)."""
    _require(selectors.can_manage(by, programme), "Only the programme's director records SCMR's verification.")
    if not reference.strip():
        raise ValidationError({"reference": "Give SCMR's reference."})
    verification = ScmrVerification(programme=programme, verified_on=verified_on, reference=reference.strip(),
                                    recorded_by=by)
    if document:
        verification.document = document
    verification.full_clean()
    verification.save()
    record(actor=by, action="programme.scmr_verified", obj=programme,
           data={"verified_on": verified_on, "reference": verification.reference, "document": verification.document})
    return verification


# --------------------------------------------------------------------------- enrolment
def _locked(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _place(enrolment: Enrolment, *, now: dt.datetime) -> None:
    """Enrol, or put on the waiting list when the programme is at capacity (caller holds the programme lock)."""
    if selectors.seats_taken(enrolment.programme) < enrolment.programme.capacity:
        enrolment.status = Status.ENROLLED
    else:
        enrolment.status, enrolment.waitlisted_at = Status.WAITLISTED, now
    enrolment.decided_at = now


def _save_status(enrolment: Enrolment, *, by: User, old: str | None, action: str, now: dt.datetime) -> Enrolment:
    enrolment.save()
    record(actor=by, action=action, obj=enrolment.programme, changes={"status": [old, enrolment.status]},
           data={"enrolment_id": enrolment.pk, "trainee_id": enrolment.trainee_id}, at=now)
    return enrolment


@transaction.atomic
def apply(*, by: User, programme: Programme, statement: str = "", now: dt.datetime) -> Enrolment:
    """A trainee applies (programmes enrolling by application, while enrolment is open)."""
    programme = _locked(programme)
    _require(by.has_role(Role.TRAINEE), "Only trainees apply to programmes.")
    if not programme.enrolment_open:
        raise ValidationError("Enrolment is not open for this programme.")
    if programme.enrolment_policy != EnrolmentPolicy.APPLICATION:
        raise ValidationError("This programme enrols by invitation only.")
    existing = selectors.enrolment_of(by, programme)
    if existing and existing.status not in (Status.DECLINED, Status.WITHDRAWN):
        raise ValidationError(f"You are already {existing.get_status_display().lower()} for this programme.")
    enrolment = existing or Enrolment(programme=programme, trainee=by, created_at=now)
    old = existing.status if existing else None
    enrolment.status, enrolment.statement = Status.APPLIED, statement.strip()
    return _save_status(enrolment, by=by, old=old, action="programme.applied", now=now)


@transaction.atomic
def invite_trainee(*, by: User, programme: Programme, trainee: User, now: dt.datetime) -> Enrolment:
    programme = _locked(programme)
    _require(selectors.can_manage(by, programme), "Only the programme's director invites trainees.")
    if not programme.enrolment_open:
        raise ValidationError("Open enrolment before inviting trainees.")
    if not trainee.has_role(Role.TRAINEE):
        raise ValidationError({"trainee": f"{trainee} is not a trainee."})
    existing = selectors.enrolment_of(trainee, programme)
    if existing and existing.status not in (Status.DECLINED, Status.WITHDRAWN):
        raise ValidationError(f"{trainee} is already {existing.get_status_display().lower()}.")
    enrolment = existing or Enrolment(programme=programme, trainee=trainee, created_at=now)
    old = existing.status if existing else None
    enrolment.status = Status.INVITED
    return _save_status(enrolment, by=by, old=old, action="programme.invited", now=now)


@transaction.atomic
def accept(*, by: User, enrolment: Enrolment, now: dt.datetime) -> Enrolment:
    """The director accepts an application, or the trainee accepts an invitation: enrolled, or on the
    waiting list when the programme is full."""
    programme = _locked(enrolment.programme)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == Status.APPLIED:
        _require(selectors.can_manage(by, programme), "Only the programme's director accepts applications.")
    elif enrolment.status == Status.INVITED:
        _require(by.pk == enrolment.trainee_id, "Only the invited trainee accepts an invitation.")
    else:
        raise ValidationError(f"Nothing to accept: the enrolment is {enrolment.get_status_display().lower()}.")
    old = enrolment.status
    _place(enrolment, now=now)
    return _save_status(enrolment, by=by, old=old, action="programme.accepted", now=now)


@transaction.atomic
def decline(*, by: User, enrolment: Enrolment, now: dt.datetime) -> Enrolment:
    """The director turns down an application, or the trainee declines an invitation."""
    programme = _locked(enrolment.programme)
    allowed = (enrolment.status == Status.APPLIED and selectors.can_manage(by, programme)) or (
        enrolment.status == Status.INVITED and by.pk == enrolment.trainee_id)
    _require(allowed, "Not yours to decline.")
    old = enrolment.status
    enrolment.status, enrolment.decided_at = Status.DECLINED, now
    return _save_status(enrolment, by=by, old=old, action="programme.declined", now=now)


@transaction.atomic
def withdraw(*, by: User, enrolment: Enrolment, now: dt.datetime) -> Enrolment:
    """The trainee (or the director) ends an enrolment; the first on the waiting list moves up."""
    programme = _locked(enrolment.programme)
    _require(by.pk == enrolment.trainee_id or selectors.can_manage(by, programme), "Not yours to withdraw.")
    if enrolment.status not in (Status.ENROLLED, Status.WAITLISTED, Status.APPLIED, Status.INVITED):
        raise ValidationError(f"The enrolment is {enrolment.get_status_display().lower()}.")
    old = enrolment.status
    enrolment.status = Status.WITHDRAWN
    _save_status(enrolment, by=by, old=old, action="programme.withdrawn", now=now)
    Seat.objects.filter(trainee=enrolment.trainee, session__programme=programme).delete()
    if old == Status.ENROLLED:
        waiting = selectors.waiting_list(programme)
        if waiting:
            first = waiting[0]
            first.status, first.decided_at = Status.ENROLLED, now
            _save_status(first, by=by, old=Status.WAITLISTED, action="programme.moved_up", now=now)
    return enrolment


@transaction.atomic
def set_competence_level(*, by: User, enrolment: Enrolment, level: int) -> Enrolment:
    """Set the trainee's level. Places the trainee holds in sessions that are now in person for them (stress
    testing, implanted-device scanning below the programme's level) are given up, and listed on the returned
    enrolment as `released_places` (session titles)."""
    from cmrnet.live.models import Participant

    _require(selectors.can_teach(by, enrolment.programme), "Only the programme's faculty set a trainee's level.")
    if level not in (0, 1, 2, 3):
        raise ValidationError({"competence_level": "A level from 0 to 3."})
    enrolment = Enrolment.objects.select_for_update().select_related("programme__host_centre").get(pk=enrolment.pk)
    old = enrolment.competence_level
    enrolment.competence_level = level
    enrolment.save(update_fields=["competence_level"])
    released = []
    for seat in Seat.objects.filter(trainee=enrolment.trainee, session__programme=enrolment.programme).select_related(
            "session__live_session"):
        if selectors.virtual_refusal(enrolment, seat.session):
            released.append(seat.session)
            seat.delete()
            if seat.session.live_session_id:
                Participant.objects.filter(room__session=seat.session.live_session, person=enrolment.trainee).delete()
    record(actor=by, action="programme.competence_level_set", obj=enrolment.programme,
           changes={"competence_level": [old, level]},
           data={"enrolment_id": enrolment.pk, "places_released": [s.pk for s in released]})
    enrolment.released_places = [s.title for s in released]
    return enrolment


# --------------------------------------------------------------------------- sessions
@atomic_with_files
def add_session(*, by: User, programme: Programme, kind: str, title: str, module: Module | None = None,
                mentor: User | None = None, starts_at: dt.datetime | None = None, ends_at: dt.datetime | None = None,
                time_zone: str = "", cap: int | None = None, cases=(), case_link: str = "", covers_safety: bool = False, description: str = "", video=None,
                video_seconds: int | None = None, materials=None, scanner=None, in_person_topic: str = "",
                co_mentors=()) -> ProgrammeSession:
    """Add a session. Live kinds are scheduled as live sessions (room, .ics, presence) at the host centre
    with the mentor invited; a recorded lecture needs its video and length."""
    from cmrnet.live import services as live
    from cmrnet.live.models import ParticipantRole

    _require(selectors.can_manage(by, programme), "Only the programme's director adds sessions.")
    if kind not in SessionKind.values:
        raise ValidationError({"kind": f"Unknown session kind {kind!r}."})
    if module is not None and module.programme_id != programme.pk:
        raise ValidationError({"module": "Not a module of this programme."})
    if mentor is not None and not selectors.is_faculty(mentor, programme):
        raise ValidationError({"mentor": f"{mentor} is not on the programme's faculty."})
    co_mentors = list(co_mentors)
    _check_co_mentors(programme, kind, mentor, co_mentors)
    cases = list(cases)
    _check_cases(kind, cases)
    if in_person_topic and kind not in LIVE_KINDS:
        raise ValidationError({"in_person_topic": "Stress testing and implanted-device scanning are live sessions, "
                                                  "not recorded lectures."})
    session = ProgrammeSession(programme=programme, module=module, kind=kind, title=title, description=description,
                               mentor=mentor, cap=cap, case_link=case_link.strip(), covers_safety=covers_safety, video_seconds=video_seconds,
                               in_person_topic=in_person_topic or "")
    if kind == SessionKind.RECORDED_LECTURE:
        if not video:
            raise ValidationError({"video": "A recorded lecture needs its video."})
        if not video_seconds:
            raise ValidationError({"video_seconds": "Give the recording's length in seconds."})
        session.video = video
    elif kind in LIVE_KINDS:
        if starts_at is None or ends_at is None:
            raise ValidationError({"starts_at": "A live session needs its start and end."})
        if session.is_small_group and mentor is None:
            raise ValidationError({"mentor": "A small-group session needs its mentor (the cap is per mentor)."})
        participants = [(m, ParticipantRole.MENTOR) for m in ([mentor] if mentor else []) + co_mentors]
        session.live_session = live.schedule_session(
            by=by, title=f"{programme.title}: {title}", starts_at=starts_at, ends_at=ends_at, kind=LIVE_SESSION_KIND[kind],
            time_zone=time_zone or programme.time_zone, centre=programme.host_centre, scanner=scanner,
            description=description, participants=participants)
    if materials:
        session.materials = materials
    session.full_clean()
    session.save()
    session.co_mentors.set(co_mentors)
    session.cases.set(cases)
    record(actor=by, action="programme.session_added", obj=programme, changes=diff({}, snapshot(session, SESSION_FIELDS)),
           data={"session_id": session.pk, "live_session_id": session.live_session_id,
                 "co_mentors": [m.pk for m in co_mentors], "cases": [c.pseudonym for c in cases]})
    return session


def _check_cases(kind: str, cases: list) -> None:
    """A reading set: interpretation sessions only, published case-library cases only."""
    from cmrnet.library.models import CaseStatus

    if not cases:
        return
    if kind != SessionKind.INTERPRETATION:
        raise ValidationError({"cases": "A reading set is for interpretation sessions."})
    unpublished = [c.pseudonym for c in cases if c.status != CaseStatus.PUBLISHED]
    if unpublished:
        raise ValidationError({"cases": f"Not published in the case library: {', '.join(unpublished)}."})


def _assign_readings(session: ProgrammeSession, trainee: User, *, by: User) -> int:
    """The session's reading set, for a trainee holding a place: each case an assignment in the interpretation
    app, reviewed by one of the session's mentors (places spread over the mentors in the order taken)."""
    from cmrnet.interpretation.services import assign_session_reading

    mentors = session.mentors
    if not mentors or session.kind != SessionKind.INTERPRETATION:
        return 0
    order = list(session.seats.order_by("created_at", "pk").values_list("trainee_id", flat=True))
    mentor = mentors[order.index(trainee.pk) % len(mentors)] if trainee.pk in order else mentors[0]
    note = f"{session.programme.title}: {session.title}"
    return sum(1 for case in session.cases.filter(status="published")
               if assign_session_reading(by=by, mentor=mentor, trainee=trainee, case=case, note=note))


def _check_co_mentors(programme: Programme, kind: str, mentor: User | None, co_mentors: list) -> None:
    if not co_mentors:
        return
    if kind not in SMALL_GROUP_KINDS:
        raise ValidationError({"co_mentors": "Further mentors are for small groups (their cap is per mentor)."})
    if mentor is None:
        raise ValidationError({"co_mentors": "Choose the session's mentor first."})
    if any(m.pk == mentor.pk for m in co_mentors):
        raise ValidationError({"co_mentors": f"{mentor} is already the session's mentor."})
    outside = [str(m) for m in co_mentors if not selectors.is_faculty(m, programme)]
    if outside:
        raise ValidationError({"co_mentors": f"Not on the programme's faculty: {', '.join(outside)}."})


SESSION_UPDATABLE = ("title", "description", "module", "mentor", "cap", "covers_safety", "case_link", "in_person_topic",
                     "video_seconds")


@transaction.atomic
def update_session(*, by: User, session: ProgrammeSession, co_mentors=None, cases=None, **values) -> ProgrammeSession:
    """Change what a session is about (not its kind or times: those stay with the live session). A new mentor
    is invited to the live room; the same checks as when adding apply. Audited with the changes."""
    from cmrnet.live import services as live
    from cmrnet.live.models import ParticipantRole
    programme = session.programme
    _require(selectors.can_manage(by, programme), "Only the programme's director changes its sessions.")
    session = ProgrammeSession.objects.select_for_update(of=("self",)).select_related("live_session").get(pk=session.pk)
    unknown = set(values) - set(SESSION_UPDATABLE)
    if unknown:
        raise ValueError(f"Not changeable session fields: {', '.join(sorted(unknown))}")
    module, mentor = values.get("module"), values.get("mentor")
    if module is not None and module.programme_id != programme.pk:
        raise ValidationError({"module": "Not a module of this programme."})
    if mentor is not None and not selectors.is_faculty(mentor, programme):
        raise ValidationError({"mentor": f"{mentor} is not on the programme's faculty."})
    if "mentor" in values and mentor is None and session.is_small_group:
        raise ValidationError({"mentor": "A small-group session needs its mentor (the cap is per mentor)."})
    if co_mentors is not None:
        co_mentors = list(co_mentors)
        _check_co_mentors(programme, session.kind, mentor if "mentor" in values else session.mentor, co_mentors)
    if cases is not None:
        cases = list(cases)
        _check_cases(session.kind, cases)
    if values.get("in_person_topic") and session.kind not in LIVE_KINDS:
        raise ValidationError({"in_person_topic": "Stress testing and implanted-device scanning are live sessions, "
                                                  "not recorded lectures."})
    if "video_seconds" in values and session.kind == SessionKind.RECORDED_LECTURE and not values["video_seconds"]:
        raise ValidationError({"video_seconds": "Give the recording's length in seconds."})
    before = snapshot(session, SESSION_FIELDS)
    for name, value in values.items():
        if name in ("case_link", "description", "in_person_topic"):
            value = (value or "").strip()
        setattr(session, name, value)
    session.full_clean()
    session.save()
    changes = diff(before, snapshot(session, SESSION_FIELDS))
    if co_mentors is not None:
        old = sorted(session.co_mentors.values_list("pk", flat=True))
        session.co_mentors.set(co_mentors)
        if old != sorted(m.pk for m in co_mentors):
            changes["co_mentors"] = [old, sorted(m.pk for m in co_mentors)]
    if session.live_session_id:
        for person in ([mentor] if mentor is not None else []) + (co_mentors or []):
            live.invite(by=None, room=session.live_session.room, person=person, role=ParticipantRole.MENTOR)
    if cases is not None:
        old = sorted(session.cases.values_list("pseudonym", flat=True))
        session.cases.set(cases)
        if old != sorted(c.pseudonym for c in cases):
            changes["cases"] = [old, sorted(c.pseudonym for c in cases)]
            for seat in session.seats.select_related("trainee"):   # trainees already holding a place get the new cases
                _assign_readings(session, seat.trainee, by=by)
    if changes:
        record(actor=by, action="programme.session_updated", obj=programme, changes=changes, data={"session_id": session.pk})
    return session


def _invite_to_room(session: ProgrammeSession, trainee: User) -> None:
    from cmrnet.live import services as live
    from cmrnet.live.models import ParticipantRole

    if session.live_session_id:
        live.invite(by=None, room=session.live_session.room, person=trainee, role=ParticipantRole.TRAINEE)


def take_seat(*, by: User, session: ProgrammeSession, now: dt.datetime) -> Seat:
    """An enrolled trainee takes a place in a small group (refused when the group is at its cap per mentor,
    or when the session is an in-person component for the trainee's competence level), and is invited to the
    session's live room. A refusal is audited too (in its own transaction)."""
    with transaction.atomic():
        session = ProgrammeSession.objects.select_for_update(of=("self",)).select_related(
            "programme__host_centre", "live_session").get(pk=session.pk)
        enrolment = selectors.enrolment_of(by, session.programme)
        if enrolment is None or enrolment.status not in selectors.ACTIVE:
            raise PermissionDenied("Only trainees enrolled in the programme take a place in its sessions.")
        if not session.is_small_group:
            raise ValidationError("Every enrolled trainee may attend this session: no place to take.")
        existing = Seat.objects.filter(session=session, trainee=by).first()
        refusal = selectors.virtual_refusal(enrolment, session)
        if existing and refusal is None:
            return existing
        if refusal is None:
            refusal = progress.seat_refusal(seated=session.seats.count(), cap=session.effective_cap, already_seated=False,
                                            mentors=session.mentor_count)
        if refusal is None:
            seat = Seat.objects.create(session=session, trainee=by, created_at=now)
            _invite_to_room(session, by)
            _assign_readings(session, by, by=by)
            record(actor=by, action="programme.seat_taken", obj=session.programme, data={"session_id": session.pk}, at=now)
            return seat
    with transaction.atomic():
        record(actor=by, action="programme.seat_refused", obj=session.programme,
               data={"session_id": session.pk, "reason": refusal, "competence_level": enrolment.competence_level}, at=now)
    raise ValidationError(refusal)


@transaction.atomic
def leave_seat(*, by: User, session: ProgrammeSession, now: dt.datetime) -> None:
    from cmrnet.live.models import Participant

    deleted, _ = Seat.objects.filter(session=session, trainee=by).delete()
    if deleted:
        if session.live_session_id:
            Participant.objects.filter(room=session.live_session.room, person=by).delete()
        record(actor=by, action="programme.seat_left", obj=session.programme, data={"session_id": session.pk}, at=now)


def join_refusal(user: User, session: ProgrammeSession) -> str | None:
    """Why `user` may not enter the session's room now: the cap per mentor is checked again at join, and a
    stress-testing or implanted-device session is refused to trainees below the programme's competence level."""
    if session.live_session_id is None:
        return "This session has no live room."
    return _trainee_refusal(user, session)


def _trainee_refusal(user: User, session: ProgrammeSession) -> str | None:
    if selectors.can_teach(user, session.programme):
        return None
    enrolment = selectors.enrolment_of(user, session.programme)
    if enrolment is None or enrolment.status not in selectors.ACTIVE:
        return "Only trainees enrolled in the programme join its sessions."
    refusal = selectors.virtual_refusal(enrolment, session)
    if refusal:
        return refusal
    if session.is_small_group:
        seated = Seat.objects.filter(session=session, trainee=user).exists()
        mentors = session.mentor_count
        if not seated:
            return progress.seat_refusal(seated=session.seats.count(), cap=session.effective_cap, already_seated=False,
                                         mentors=mentors) or "Take a place in this small group first."
        # the cap lowered (or a mentor fewer) after places were taken: the first `capacity` places keep their right
        first = list(session.seats.order_by("created_at", "pk").values_list("trainee_id", flat=True)[: session.capacity])
        if user.pk not in first:
            return progress.full_message(cap=session.effective_cap, mentors=max(1, mentors))
    return None


def room_refusal(user: User, room) -> str | None:
    """The live room's gate (registered with `live.selectors.register_join_gate`): a room of a programme session
    applies the same refusals as the programme's join page, to the programme's trainees, whichever way they come
    in (room page or WebSocket). Others keep the live room's own rules."""
    if not room.session_id:
        return None
    session = (ProgrammeSession.objects.select_related("programme__host_centre", "live_session")
               .filter(live_session_id=room.session_id).first())
    if session is None or selectors.enrolment_of(user, session.programme) is None:
        return None
    return _trainee_refusal(user, session)


def join_session(*, by: User, session: ProgrammeSession, now: dt.datetime):
    """Enter a session's live room through the programme: refused (audited) as `join_refusal` says; an enrolled
    trainee of a session without places is invited to the room on the way in. Returns the room."""
    from cmrnet.live.models import Participant

    refusal = join_refusal(by, session)
    if refusal:
        with transaction.atomic():
            record(actor=by, action="programme.join_refused", obj=session.programme,
                   data={"session_id": session.pk, "reason": refusal}, at=now)
        raise ValidationError(refusal)
    room = session.live_session.room
    if not selectors.can_teach(by, session.programme) and not Participant.objects.filter(room=room, person=by).exists():
        from cmrnet.live import services as live
        from cmrnet.live.models import ParticipantRole

        with transaction.atomic():  # on the way in: no invitation e-mail
            live.invite(by=None, room=room, person=by, role=ParticipantRole.TRAINEE, notify=False)
    return room


@transaction.atomic
def record_watch(*, by: User, session: ProgrammeSession, start: float, end: float, now: dt.datetime) -> WatchProgress:
    """The player reports a stretch watched ([start, end) seconds); distinct seconds are kept."""
    if session.kind != SessionKind.RECORDED_LECTURE:
        raise ValidationError("Only recorded lectures have watch progress.")
    enrolment = selectors.enrolment_of(by, session.programme)
    if enrolment is None or enrolment.status not in selectors.ACTIVE:
        raise PermissionDenied("Only enrolled trainees record watch progress.")
    if end < start or start < 0:
        raise ValidationError("A watched stretch ends after it starts.")
    progress_row, created = WatchProgress.objects.select_for_update().get_or_create(
        session=session, trainee=by, defaults={"updated_at": now})
    before = progress_row.seconds_watched
    merged = progress.merge([*progress_row.intervals, [int(start), int(round(end))]], length=session.video_seconds)
    progress_row.intervals = [list(i) for i in merged]
    progress_row.seconds_watched = progress.seconds_covered(merged)
    progress_row.updated_at = now
    progress_row.save()
    was = progress.watched_enough(before, session.video_seconds)
    now_done = progress.watched_enough(progress_row.seconds_watched, session.video_seconds)
    if now_done and not was:
        record(actor=by, action="programme.lecture_watched", obj=session.programme,
               data={"session_id": session.pk, "seconds": progress_row.seconds_watched}, at=now)
    return progress_row


# --------------------------------------------------------------------------- assessment, determination, certificate
@transaction.atomic
def record_assessment(*, by: User, enrolment: Enrolment, assessed_on: dt.date, in_person: bool = True, note: str = "") -> Assessment:
    _require(selectors.can_teach(by, enrolment.programme), "Only the programme's faculty record assessments.")
    assessment = Assessment.objects.create(enrolment=enrolment, assessed_on=assessed_on, in_person=in_person, assessor=by, note=note)
    record(actor=by, action="programme.assessment_recorded", obj=enrolment.programme,
           data={"enrolment_id": enrolment.pk, "assessed_on": assessed_on, "in_person": in_person})
    return assessment


@transaction.atomic
def record_determination(*, by: User, enrolment: Enrolment, competent: bool, decided_on: dt.date, note: str = "") -> Determination:
    """The director's final determination of competency. When the programme requires it, a competent
    determination needs an in-person assessment entry on or before the day."""
    programme = enrolment.programme
    _require(by.pk == programme.director_id, "Only the programme director records the final determination.")
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in (Status.ENROLLED, Status.COMPLETED):
        raise ValidationError(f"The trainee is {enrolment.get_status_display().lower()}, not enrolled.")
    if hasattr(enrolment, "determination"):
        raise ValidationError("The final determination is already recorded.")
    assessment = enrolment.assessments.filter(in_person=True, assessed_on__lte=decided_on).last()
    if competent and programme.requires_in_person_assessment and assessment is None:
        raise ValidationError("This programme requires an in-person assessment before the final determination: record it first.")
    determination = Determination.objects.create(enrolment=enrolment, competent=competent, decided_on=decided_on,
                                                 decided_by=by, note=note, assessment=assessment)
    old = enrolment.status
    if competent:
        enrolment.status = Status.COMPLETED
        enrolment.save(update_fields=["status"])
    record(actor=by, action="programme.determination_recorded", obj=programme, changes={"status": [old, enrolment.status]},
           data={"enrolment_id": enrolment.pk, "competent": competent, "decided_on": decided_on})
    return determination


@transaction.atomic
def issue_certificate(*, by: User, enrolment: Enrolment, now: dt.datetime) -> CompletionCertificate:
    from cmrnet.certification.models import new_code

    _require(by.pk == enrolment.programme.director_id, "Only the programme director issues the completion certificate.")
    determination = getattr(enrolment, "determination", None)
    if determination is None or not determination.competent:
        raise ValidationError("A completion certificate needs the director's determination that the trainee is competent.")
    existing = CompletionCertificate.objects.filter(enrolment=enrolment).first()
    if existing:
        return existing
    certificate = CompletionCertificate.objects.create(enrolment=enrolment, code=new_code(), issued_at=now, issued_by=by)
    record(actor=by, action="programme.certificate_issued", obj=enrolment.programme,
           data={"enrolment_id": enrolment.pk, "certificate_id": certificate.pk}, at=now)
    return certificate


def virtual_share(programme: Programme):
    """The programme's share as the rule engine takes it (Fraction)."""
    from fractions import Fraction

    return Fraction(Decimal(programme.virtual_share_max))


# --------------------------------------------------------------------------- feedback surveys
@transaction.atomic
def create_survey(*, by: User, programme: Programme, title: str, phase: str, audience: str, opens_on: dt.date,
                  closes_on: dt.date, questions: list[tuple[str, str]], min_group_size: int = 5):
    from cmrnet.programmes.models import Question, Survey

    _require(selectors.can_manage(by, programme), "Only the programme's director creates its surveys.")
    if not questions:
        raise ValidationError({"questions": "A survey needs at least one question."})
    survey = Survey(programme=programme, title=title, phase=phase, audience=audience, opens_on=opens_on, closes_on=closes_on,
                    min_group_size=min_group_size, created_by=by)
    survey.full_clean()
    survey.save()
    for order, (text, kind) in enumerate(questions, start=1):
        question = Question(survey=survey, order=order, text=text.strip(), kind=kind)
        question.full_clean(exclude=["survey"])
        question.save()
    record(actor=by, action="programme.survey_created", obj=programme,
           data={"survey_id": survey.pk, "questions": len(questions), "audience": audience, "phase": phase})
    return survey


SURVEY_FIELDS = ["title", "phase", "audience", "opens_on", "closes_on", "min_group_size"]


@transaction.atomic
def update_survey(*, by: User, survey, questions: list[tuple[str, str]] | None = None, **values):
    """Change a survey's title, window or minimum group size; its audience, phase and questions only while
    nobody has answered (answers are kept apart from people and cannot follow a changed question)."""
    from cmrnet.programmes.models import Question, Survey

    _require(selectors.can_manage(by, survey.programme), "Only the programme's director changes its surveys.")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    unknown = set(values) - set(SURVEY_FIELDS)
    if unknown:
        raise ValueError(f"Not survey fields: {', '.join(sorted(unknown))}")
    answered = survey.submissions.exists()
    if answered:
        locked = [n for n in ("phase", "audience") if n in values and values[n] != getattr(survey, n)]
        if questions is not None and [(q.text, q.kind) for q in survey.questions.all()] != list(questions):
            locked.append("questions")
        if locked:
            raise ValidationError({name: "People have answered this survey: this cannot change any more." for name in locked})
    if questions is not None and not questions:
        raise ValidationError({"questions": "A survey needs at least one question."})
    before = snapshot(survey, SURVEY_FIELDS)
    for name, value in values.items():
        setattr(survey, name, value)
    survey.full_clean()
    survey.save()
    changes = diff(before, snapshot(survey, SURVEY_FIELDS))
    if questions is not None and not answered:
        old = [(q.text, q.kind) for q in survey.questions.all()]
        if old != list(questions):
            survey.questions.all().delete()
            for order, (text, kind) in enumerate(questions, start=1):
                question = Question(survey=survey, order=order, text=text.strip(), kind=kind)
                question.full_clean(exclude=["survey"])
                question.save()
            changes["questions"] = [len(old), len(questions)]
    if changes:
        record(actor=by, action="programme.survey_updated", obj=survey.programme, changes=changes,
               data={"survey_id": survey.pk})
    return survey


@transaction.atomic
def submit_survey(*, by: User, survey, answers: dict[int, object], today: dt.date) -> None:
    """Record one person's answers, kept apart from who answered; once per person, within the window."""
    from cmrnet.programmes.models import Answer, Question, Submission

    refusal = selectors.survey_refusal(by, survey, today=today)
    if refusal:
        raise ValidationError(refusal)
    questions = {q.pk: q for q in survey.questions.all()}
    rows = []
    for qid, value in answers.items():
        question = questions.get(int(qid))
        if question is None:
            raise ValidationError(f"Question {qid} is not in this survey.")
        if question.kind == Question.Kind.LIKERT:
            if value in (None, ""):
                continue
            if int(value) not in range(1, 6):
                raise ValidationError({f"q{qid}": "Choose 1 to 5."})
            rows.append(Answer(question=question, likert=int(value)))
        elif str(value or "").strip():
            rows.append(Answer(question=question, text=str(value).strip()[:4000]))
    Submission.objects.create(survey=survey, respondent=by, submitted_on=today)
    Answer.objects.bulk_create(rows)
    record(actor=by, action="programme.survey_answered", obj=survey.programme, data={"survey_id": survey.pk})


# --------------------------------------------------------------------------- outcomes
def _outcome_of(enrolment: Enrolment, *, now: dt.datetime) -> dict:
    from cmrnet.logbook.models import Case, CaseRole, TrainingMode, TrainingPeriod
    from cmrnet.people.models import ExamPass

    programme, trainee = enrolment.programme, enrolment.trainee
    own = trainee.centre.name if trainee.centre_id else ""
    off_site = 0
    for period in TrainingPeriod.objects.filter(trainee=trainee, mode=TrainingMode.IN_PERSON, end_date__gte=programme.starts_on,
                                                start_date__lte=programme.ends_on).exclude(centre__iexact=own):
        start, end = max(period.start_date, programme.starts_on), min(period.end_date, programme.ends_on)
        off_site += (end - start).days + 1
    from django.db.models import Q

    first = (Case.objects.filter(trainee=trainee, role=CaseRole.PRIMARY_OPERATOR, study_date__gte=programme.starts_on)
             .filter(Q(supervisor__isnull=True) | Q(mode=TrainingMode.VIRTUAL)).order_by("study_date").first())
    progress_row = selectors.progress_of(selectors.attendance_record(trainee, programme, now=now))
    passed = ExamPass.objects.filter(person=trainee, exam_date__gte=programme.starts_on).exists()
    return {"off_site_days": off_site, "days_to_first_own_scan": (first.study_date - programme.starts_on).days if first else None,
            "attendance_percent": progress_row.percent if progress_row.expected else None,
            "completed": enrolment.status == Status.COMPLETED, "exam_passed": True if passed else None}


@transaction.atomic
def refresh_outcomes(*, by: User, programme: Programme, now: dt.datetime):
    """(Re)compute the programme cohort's outcome records from cmrnet's records."""
    from cmrnet.programmes.models import Cohort, OutcomeRecord

    _require(selectors.can_teach(by, programme), "Only the programme's faculty compute its outcomes.")
    cohort, _ = Cohort.objects.get_or_create(programme=programme, defaults={
        "name": programme.title, "kind": Cohort.Kind.NETWORK, "year": programme.starts_on.year})
    cohort.records.all().delete()
    enrolments = programme.enrolments.filter(status__in=selectors.ACTIVE).select_related("trainee", "trainee__centre")
    OutcomeRecord.objects.bulk_create([OutcomeRecord(cohort=cohort, person=e.trainee, **_outcome_of(e, now=now))
                                       for e in enrolments])
    record(actor=by, action="programme.outcomes_refreshed", obj=programme, data={"participants": enrolments.count()}, at=now)
    return cohort


@transaction.atomic
def import_outcomes(*, by: User | None, name: str, kind: str, rows: list[dict], source: str = "", year: int | None = None):
    """A cohort's figures from elsewhere (e.g. a survey of traditionally trained fellows): no person is stored."""
    from cmrnet.programmes.models import Cohort, OutcomeRecord

    if by is not None:
        _require(by.has_role(Role.NETWORK_ADMIN, Role.PROGRAMME_DIRECTOR), "Only directors and administrators import outcomes.")
    cohort, created = Cohort.objects.get_or_create(name=name, defaults={"kind": kind, "source": source, "year": year})
    if cohort.programme_id:
        raise ValidationError({"name": "That is a programme's cohort, computed from its records."})
    if not created:
        cohort.kind, cohort.source, cohort.year = kind, source, year
        cohort.save(update_fields=["kind", "source", "year"])
    cohort.records.all().delete()
    allowed = {"off_site_days", "days_to_first_own_scan", "attendance_percent", "completed", "exam_passed", "survey_score",
               "surveyed"}
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - allowed
        if unknown:
            raise ValidationError(f"Row {number}: unknown fields {', '.join(sorted(unknown))}.")
    OutcomeRecord.objects.bulk_create([OutcomeRecord(cohort=cohort, **row) for row in rows])
    record(actor=by, action="programme.outcomes_imported", obj=cohort, data={"rows": len(rows), "source": source})
    return cohort
