"""Writes for live tele-supervision: keyword-only, atomic, audited; e-mails after commit.

Programmes (issue 12) build on these: a programme's live session is `schedule_session(...)` and its
attendance is `selectors.session_attendance(...)`. See docs/tele-supervision.md ("API for other apps").
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.live import attendance as att
from cmrnet.live import selectors, tasks
from cmrnet.live.models import (ChatMessage, LiveSession, Participant, ParticipantRole, Presence, Response, Room,
                                TrainingCredit)
from cmrnet.people.models import Supervision, User

SESSION_FIELDS = ["title", "kind", "description", "starts_at", "ends_at", "time_zone", "centre", "scanner"]
# Changing these re-sends the calendar entry (a new SEQUENCE) to every participant.
CALENDAR_FIELDS = {"title", "description", "starts_at", "ends_at", "time_zone"}
MAX_CHAT = 1000


def new_peer_id() -> str:
    return secrets.token_hex(8)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError("Session times must carry a time zone.")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The session ends before it starts."})
    if ends_at - starts_at > dt.timedelta(hours=12):
        raise ValidationError({"ends_at": "A live session lasts at most 12 hours."})


def _check_scanner(centre, scanner) -> None:
    if scanner is not None and (centre is None or scanner.centre_id != centre.pk):
        raise ValidationError({"scanner": f"{scanner.name} is not a scanner of the session's centre."})


# --------------------------------------------------------------------------- sessions
@transaction.atomic
def schedule_session(*, by: User, title: str, starts_at: dt.datetime, ends_at: dt.datetime, kind: str = "supervised_scan",
                     time_zone: str = "", centre=None, scanner=None, description: str = "", cap: int | None = None,
                     participants: Iterable[tuple[User, str]] = ()) -> LiveSession:
    """Put a session on the calendar with its room; invite `participants` ((person, role) pairs), who
    get an e-mail with the .ics after commit."""
    _require(selectors.can_schedule(by), "Only mentors, programme directors and network administrators schedule sessions.")
    _check_times(starts_at, ends_at)
    _check_scanner(centre, scanner)
    session = LiveSession(title=title, kind=kind, description=description, starts_at=starts_at, ends_at=ends_at,
                          time_zone=time_zone or by.zone.key, centre=centre, scanner=scanner, organiser=by)
    session.full_clean()
    session.save()
    room = Room(title=title, origin=Room.Origin.SESSION, session=session, centre=centre, scanner=scanner, opened_by=by)
    if cap is not None:
        room.cap = cap
    room.full_clean()
    room.save()
    record(actor=by, action="live.session_scheduled", obj=session, changes=diff({}, snapshot(session, SESSION_FIELDS)),
           data={"room_id": room.pk, "cap": room.cap})
    for person, role in participants:
        invite(by=by, room=room, person=person, role=role)
    return session


@transaction.atomic
def update_session(*, by: User, session: LiveSession, **values) -> LiveSession:
    """Change a session; a change of time or title raises the calendar SEQUENCE and re-sends the .ics."""
    _require(selectors.can_manage_session(by, session), "Only the organiser or an administrator changes this session.")
    unknown = set(values) - set(SESSION_FIELDS)
    if unknown:
        raise ValueError(f"Not session fields: {', '.join(sorted(unknown))}")
    before = snapshot(session, SESSION_FIELDS)
    for name, value in values.items():
        setattr(session, name, value)
    _check_times(session.starts_at, session.ends_at)
    _check_scanner(session.centre, session.scanner)
    changes = diff(before, snapshot(session, SESSION_FIELDS))
    if not changes:
        return session
    if CALENDAR_FIELDS & set(changes):
        session.sequence += 1
        session.reminder_sent_at = None
    session.full_clean()
    session.save()
    Room.objects.filter(session=session).update(title=session.title, centre=session.centre, scanner=session.scanner)
    record(actor=by, action="live.session_updated", obj=session, changes=changes)
    if CALENDAR_FIELDS & set(changes):
        transaction.on_commit(lambda: tasks.send_session_invitations.enqueue(session.pk, "updated"))
    return session


@transaction.atomic
def cancel_session(*, by: User, session: LiveSession, now: dt.datetime) -> LiveSession:
    _require(selectors.can_manage_session(by, session), "Only the organiser or an administrator cancels this session.")
    if session.cancelled:
        raise ValidationError("The session is already cancelled.")
    session.cancelled_at = now
    session.sequence += 1
    session.save(update_fields=["cancelled_at", "sequence"])
    record(actor=by, action="live.session_cancelled", obj=session, changes={"cancelled_at": [None, now]})
    transaction.on_commit(lambda: tasks.send_session_invitations.enqueue(session.pk, "cancelled"))
    return session


# --------------------------------------------------------------------------- participants
@transaction.atomic
def invite(*, by: User | None, room: Room, person: User, role: str, notify: bool = True) -> Participant:
    """Invite `person` to `room` in `role` (idempotent: a second call changes the role). A new
    participant of a scheduled session gets the invitation e-mail with the .ics unless `notify` is False."""
    if by is not None:
        _require(selectors.can_manage_room(by, room), "Only the organiser or an administrator invites to this room.")
    if role not in ParticipantRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if not person.is_active:
        raise ValidationError({"person": f"{person} has no active account."})
    participant, created = Participant.objects.get_or_create(room=room, person=person, defaults={"role": role, "invited_by": by})
    if not created and participant.role == role:
        return participant
    old_role = None if created else participant.role
    participant.role = role
    participant.save(update_fields=["role"])
    record(actor=by, action="live.participant_invited", obj=room, changes={"participant": [None, str(person)], "role": [old_role, role]},
           data={"person_id": person.pk, "session_id": room.session_id})
    if created and notify and room.session_id and not room.session.cancelled:
        transaction.on_commit(lambda: tasks.send_invitation.enqueue(participant.pk))
    return participant


@transaction.atomic
def remove_participant(*, by: User, participant: Participant) -> None:
    _require(selectors.can_manage_room(by, participant.room), "Only the organiser or an administrator removes participants.")
    record(actor=by, action="live.participant_removed", obj=participant.room,
           changes={"participant": [str(participant.person), None]}, data={"person_id": participant.person_id})
    participant.delete()


@transaction.atomic
def respond(*, by: User, participant: Participant, response: str) -> Participant:
    """The invited person accepts or declines (their answer shows in the .ics PARTSTAT)."""
    _require(by.pk == participant.person_id, "Only the invited person answers an invitation.")
    if response not in (Response.ACCEPTED, Response.DECLINED):
        raise ValidationError({"response": "Accept or decline."})
    old = participant.response
    participant.response = response
    participant.save(update_fields=["response"])
    record(actor=by, action="live.invitation_answered", obj=participant.room, changes={"response": [old, response]})
    return participant


# --------------------------------------------------------------------------- ad hoc rooms
@transaction.atomic
def open_supervision_room(*, by: User, supervision: Supervision, scanner=None) -> Room:
    """A room opened now from a mentor-trainee supervision link; both are invited. The site is the
    trainee's centre."""
    _require(by.pk in (supervision.trainee_id, supervision.supervisor_id),
             "Only the mentor or the trainee of this supervision opens a room for it.")
    centre = supervision.trainee.centre
    _check_scanner(centre, scanner)
    room = Room(title=f"Supervision: {supervision.supervisor} with {supervision.trainee}", origin=Room.Origin.SUPERVISION,
                supervision=supervision, centre=centre, scanner=scanner, opened_by=by)
    room.full_clean()
    room.save()
    record(actor=by, action="live.room_opened", obj=room, data={"supervision_id": supervision.pk})
    invite(by=None, room=room, person=supervision.supervisor, role=ParticipantRole.MENTOR)
    invite(by=None, room=room, person=supervision.trainee, role=ParticipantRole.TRAINEE)
    Participant.objects.filter(room=room).update(response=Response.ACCEPTED)
    return room


@transaction.atomic
def close_room(*, by: User, room: Room, now: dt.datetime) -> Room:
    _require(selectors.can_manage_room(by, room), "Only the person who opened the room or an administrator closes it.")
    room.closed_at = now
    room.save(update_fields=["closed_at"])
    Presence.objects.filter(room=room, left_at__isnull=True).update(left_at=now)
    record(actor=by, action="live.room_closed", obj=room)
    grant = selectors.active_grant(room, now=now)
    if grant:
        _end(grant, by=by, at=now, ending="room_closed")
    return room


# --------------------------------------------------------------------------- presence (called by the room's WebSocket)
class RoomRefused(Exception):
    """A person may not enter the room now; the message says why."""


def record_join(*, room: Room, person: User, peer_id: str, kind: str = Presence.Kind.PERSON, at: dt.datetime) -> Presence:
    """Enter a room (one connection). Refused without a right, when closed, or when full. Audited,
    refusals too (in their own transaction, so the refusal stays recorded)."""
    with transaction.atomic():
        refusal = selectors.join_refusal(person, room, on=at.date())
        if refusal is None and selectors.room_is_full(Room.objects.select_for_update().get(pk=room.pk), now=at):
            refusal = f"The room is full ({room.cap} connections)."
        if refusal is None:
            presence = Presence.objects.create(room=room, person=person, peer_id=peer_id, kind=kind, joined_at=at, last_seen=at)
            record(actor=person, action="live.room_joined", obj=room, data={"peer_id": peer_id, "kind": kind}, at=at)
            return presence
    with transaction.atomic():
        record(actor=person, action="live.room_refused", obj=room, data={"reason": refusal}, at=at)
    raise RoomRefused(refusal)


@transaction.atomic
def record_leave(*, presence_id: int, at: dt.datetime) -> Presence | None:
    presence = Presence.objects.select_related("room", "person").filter(pk=presence_id, left_at__isnull=True).first()
    if presence is None:
        return None
    presence.left_at = at
    presence.last_seen = at
    presence.save(update_fields=["left_at", "last_seen"])
    record(actor=presence.person, action="live.room_left", obj=presence.room, at=at,
           data={"peer_id": presence.peer_id, "minutes": int((at - presence.joined_at).total_seconds() // 60)})
    return presence


def touch_presence(*, presence_id: int, at: dt.datetime) -> None:
    """A heartbeat: the connection is still there (not audited)."""
    Presence.objects.filter(pk=presence_id, left_at__isnull=True).update(last_seen=at)


@transaction.atomic
def post_chat(*, room: Room, author: User, text: str, at: dt.datetime) -> ChatMessage:
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": "Type a message."})
    if len(text) > MAX_CHAT:
        raise ValidationError({"text": f"A message holds at most {MAX_CHAT} characters."})
    if not selectors.can_join_room(author, room, on=at.date()):
        raise PermissionDenied("Only people in the room write in its chat.")
    return ChatMessage.objects.create(room=room, author=author, text=text, sent_at=at)


# --------------------------------------------------------------------------- records
@transaction.atomic
def credit_training(*, by: User, trainee: User, supervisor: User, start: dt.date, end: dt.date, now: dt.datetime):
    """Turn the trainee's supervised scanning time in live rooms between `start` and `end` into one
    logbook training period, flagged remote / virtual, at pro rata hours per week. Each room is credited
    once. Only the trainee writes their logbook."""
    from cmrnet.logbook.models import TrainingMode
    from cmrnet.logbook.services import add_training

    _require(by.pk == trainee.pk, "Only the trainee adds training to their logbook.")
    if end < start:
        raise ValidationError({"end": "The period ends before it starts."})
    rooms = selectors.creditable_scanning(trainee, supervisor=supervisor, start=start, end=end, now=now)
    if not rooms:
        raise ValidationError(f"No supervised scanning time with {supervisor} between {start} and {end} is left to credit.")
    minutes = sum(c.minutes for c in rooms)
    weekly = att.hours_per_week(minutes, start, end)
    if weekly <= 0:
        raise ValidationError({"start": f"{minutes} minutes over {(end - start).days + 1} days round to 0 hours a week; choose a shorter span."})
    centres = sorted({str(c.room.centre) for c in rooms if c.room.centre_id})
    period = add_training(by=by, trainee=trainee, start_date=start, end_date=end, hours_per_week=weekly,
                          supervisor=supervisor, centre=", ".join(centres)[:200], mode=TrainingMode.VIRTUAL)
    TrainingCredit.objects.bulk_create([TrainingCredit(room=c.room, trainee=trainee, period=period, minutes=c.minutes) for c in rooms])
    record(actor=by, action="live.training_credited", obj=period, data={"rooms": [c.room.pk for c in rooms], "minutes": minutes})
    return period


def send_due_reminders(*, now: dt.datetime) -> int:
    """E-mail the participants of sessions starting within CMRNET_LIVE_REMINDER_MINUTES (once per
    session and time); returns how many sessions were reminded."""
    from django.conf import settings

    due = LiveSession.objects.filter(cancelled_at__isnull=True, reminder_sent_at__isnull=True, starts_at__gt=now,
                                     starts_at__lte=now + dt.timedelta(minutes=settings.CMRNET_LIVE_REMINDER_MINUTES))
    count = 0
    for session in due:
        with transaction.atomic():
            if LiveSession.objects.filter(pk=session.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                record(actor=None, action="live.reminder_sent", obj=session, at=now)
                transaction.on_commit(lambda pk=session.pk: tasks.send_session_reminder.enqueue(pk))
                count += 1
    return count


# --------------------------------------------------------------------------- scan control
def grant_group(grant_id: int) -> str:
    return f"live-vnc-grant-{grant_id}"


def _announce(room_id: int, grant_id: int | None, *, ended: bool = False) -> None:
    """After commit: tell the room (pages update) and, when a grant ends, its relay (which cuts at once)."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if ended and grant_id:
        async_to_sync(layer.group_send)(grant_group(grant_id), {"type": "grant.ended"})
    async_to_sync(layer.group_send)(f"live-room-{room_id}", {"type": "grant.changed"})


def _end(grant, *, by, at: dt.datetime, ending: str):
    grant.ended_at, grant.ended_by, grant.ending = at, by, ending
    grant.save(update_fields=["ended_at", "ended_by", "ending"])
    seconds = int((at - grant.granted_at).total_seconds())
    record(actor=by, action="live.scan_control_ended", obj=grant.room, at=at,
           data={"grant_id": grant.pk, "grantee": grant.grantee.email, "mode": grant.mode, "ending": ending,
                 "duration_seconds": seconds, "scanner": str(grant.scanner)})
    transaction.on_commit(lambda: _announce(grant.room_id, grant.pk, ended=True))
    return grant


@transaction.atomic
def grant_scan_control(*, by: User, room: Room, grantee: User, mode: str = "view", minutes: int | None = None,
                       now: dt.datetime):
    """A local participant hands the room's scanner console to a named remote expert (view only by
    default) for `minutes` (at most CMRNET_SCAN_CONTROL_MAX_MINUTES). A grant already running ends."""
    from django.conf import settings

    from cmrnet.live.models import ScanControlGrant

    room = Room.objects.select_for_update(of=("self",)).select_related("scanner").get(pk=room.pk)
    _require(selectors.can_hand_over(by, room, on=now.date()), "Only people at the site hand over scan control.")
    if room.scanner is None or not room.scanner.vnc_configured:
        raise ValidationError("This room's scanner has no console VNC endpoint configured.")
    if grantee not in selectors.remote_experts(room, on=now.date()):
        raise ValidationError({"grantee": f"{grantee} is not a remote expert invited to this room."})
    if mode not in ScanControlGrant.Mode.values:
        raise ValidationError({"mode": f"Unknown mode {mode!r}."})
    limit = settings.CMRNET_SCAN_CONTROL_MAX_MINUTES
    minutes = min(minutes or limit, limit)
    if minutes < 1:
        raise ValidationError({"minutes": "At least one minute."})
    current = selectors.active_grant(room, now=now)
    if current:
        _end(current, by=by, at=now, ending=ScanControlGrant.Ending.REPLACED)
    grant = ScanControlGrant.objects.create(room=room, scanner=room.scanner, granted_by=by, grantee=grantee, mode=mode,
                                            granted_at=now, expires_at=now + dt.timedelta(minutes=minutes))
    record(actor=by, action="live.scan_control_granted", obj=room, at=now,
           data={"grant_id": grant.pk, "grantee": grantee.email, "mode": mode, "minutes": minutes, "scanner": str(room.scanner)})
    transaction.on_commit(lambda: _announce(room.pk, grant.pk))
    return grant


@transaction.atomic
def take_back_scan_control(*, by: User, grant, now: dt.datetime):
    """Any local participant takes the console back: the relay is cut at once (it is told, and it
    re-checks the grant twice a second)."""
    from cmrnet.live.models import ScanControlGrant

    grant = ScanControlGrant.objects.select_for_update().select_related("room", "grantee", "scanner").get(pk=grant.pk)
    _require(selectors.can_hand_over(by, grant.room, on=now.date()), "Only people at the site take back scan control.")
    if not grant.is_active(now):
        raise ValidationError("This grant has already ended.")
    return _end(grant, by=by, at=now, ending=ScanControlGrant.Ending.TAKEN_BACK)


def end_expired_grants(*, now: dt.datetime) -> int:
    """Record the end of grants whose time ran out (their relays stop by themselves at expiry)."""
    from cmrnet.live.models import ScanControlGrant

    count = 0
    for grant in ScanControlGrant.objects.filter(ended_at__isnull=True, expires_at__lte=now).select_related("room", "grantee", "scanner"):
        with transaction.atomic():
            _end(grant, by=None, at=grant.expires_at, ending=ScanControlGrant.Ending.EXPIRED)
            count += 1
    return count


def record_relay(*, grant, person: User, event: str, at: dt.datetime, data: dict | None = None) -> None:
    """Audit the console connection itself opening and closing (who, which scanner, how long)."""
    with transaction.atomic():
        record(actor=person, action=f"live.scan_control_{event}", obj=grant.room, at=at,
               data={"grant_id": grant.pk, "mode": grant.mode, "scanner": str(grant.scanner), **(data or {})})


# --------------------------------------------------------------------------- on-call expert support
ROTA_FIELDS = ["expert", "centre", "weekday", "starts", "ends", "time_zone", "tier", "valid_from", "valid_until"]


def _rota_snapshot(entry) -> dict:
    return {k: v.isoformat(timespec="minutes") if isinstance(v, dt.time) else v for k, v in snapshot(entry, ROTA_FIELDS).items()}


def user_group(user_id: int) -> str:
    return f"live-user-{user_id}"


def _push(user_ids, message: dict) -> None:
    """Live notification to every open cmrnet page of these people (after commit)."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    for user_id in user_ids:
        async_to_sync(layer.group_send)(user_group(user_id), {"type": "notify", "message": message})


@transaction.atomic
def add_rota_entry(*, by: User, expert: User, weekday: int, starts: dt.time, ends: dt.time, time_zone: str, centre=None,
                   tier: int = 1, valid_from: dt.date | None = None, valid_until: dt.date | None = None, today: dt.date):
    from cmrnet.live.models import RotaEntry
    from cmrnet.people.selectors import holds_current_level3

    _require(selectors.can_manage_rota(by, centre), "Only network administrators (or a centre's director, for it) manage the rota.")
    if not holds_current_level3(expert, today):
        raise ValidationError({"expert": f"{expert} holds no current Level 3 (EACVI or SCMR) today."})
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": "The slot ends before it begins."})
    entry = RotaEntry(expert=expert, centre=centre, weekday=weekday, starts=starts, ends=ends, time_zone=time_zone, tier=tier,
                      valid_from=valid_from, valid_until=valid_until, created_by=by)
    entry.full_clean()
    entry.save()
    record(actor=by, action="live.rota_added", obj=entry, changes=diff({}, _rota_snapshot(entry)))
    return entry


@transaction.atomic
def remove_rota_entry(*, by: User, entry) -> None:
    _require(selectors.can_manage_rota(by, entry.centre), "Only network administrators (or a centre's director) manage the rota.")
    record(actor=by, action="live.rota_removed", obj=entry, changes=diff(_rota_snapshot(entry), {}))
    entry.delete()


def help_call_message(request, *, tier: int | None = None) -> dict:
    """The live notification of a call for help (what an expert's page shows)."""
    return {"type": "help", "request": request.pk, "centre": str(request.centre), "scanner": str(request.scanner or ""),
            "reason": request.reason, "tier": tier, "url": f"/live/help/{request.pk}/", "accept": f"/live/help/{request.pk}/accept/"}


def _call_next_tier(request, *, now: dt.datetime) -> list[User]:
    """Call the next tier of experts on call now (those not called yet); returns who was called."""
    from cmrnet.live.models import HelpCall

    tiers = selectors.call_tiers_now(request.centre, now=now, exclude=(request.requested_by_id,))
    called = set(request.calls.values_list("expert_id", flat=True))
    while request.tiers_called < len(tiers):
        tier, experts = tiers[request.tiers_called]
        experts = [e for e in experts if e.pk not in called]
        request.tiers_called += 1
        if experts:
            HelpCall.objects.bulk_create([HelpCall(request=request, expert=e, tier=tier, called_at=now) for e in experts])
            request.last_called_at = now
            request.save(update_fields=["tiers_called", "last_called_at"])
            record(actor=None, action="live.help_called", obj=request, at=now,
                   data={"tier": tier, "step": request.tiers_called, "experts": [e.email for e in experts]})
            message = help_call_message(request, tier=tier)
            ids = [e.pk for e in experts]
            transaction.on_commit(lambda: _push(ids, message))
            transaction.on_commit(lambda: tasks.send_help_call.enqueue(request.pk, ids))
            return experts
    request.last_called_at = now
    request.save(update_fields=["tiers_called", "last_called_at"])
    return []


@transaction.atomic
def request_expert_help(*, by: User, scanner, reason: str, now: dt.datetime):
    """Ask the on-call experts for help with a scan: a room opens for it, the first tier is called at once
    (live notification and e-mail)."""
    from cmrnet.live.models import HelpRequest

    _require(selectors.can_request_help(by), "Staff at a site request expert help.")
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say in a few words what you need help with."})
    if len(reason) > 300:
        raise ValidationError({"reason": "At most 300 characters."})
    if scanner is not None and scanner.centre_id != by.centre_id:
        raise ValidationError({"scanner": f"{scanner.name} is not a scanner of {by.centre}."})
    room = Room(title=f"Expert help: {by.centre}{f' {scanner.name}' if scanner else ''}", origin=Room.Origin.HELP, centre=by.centre,
                scanner=scanner, opened_by=by)
    room.full_clean()
    room.save()
    role = ParticipantRole.TRAINEE if by.has_role("trainee") and not by.has_role("technologist", "nurse") else ParticipantRole.SITE_STAFF
    Participant.objects.create(room=room, person=by, role=role, response=Response.ACCEPTED)
    request = HelpRequest.objects.create(requested_by=by, centre=by.centre, scanner=scanner, reason=reason, room=room, created_at=now)
    record(actor=by, action="live.help_requested", obj=request, at=now, data={"reason": reason, "room_id": room.pk,
                                                                               "scanner": str(scanner or "")})
    _call_next_tier(request, now=now)
    return request


@transaction.atomic
def accept_help_request(*, by: User, request, now: dt.datetime):
    """The first called expert to accept joins the room (invited as remote expert); the others are told."""
    from cmrnet.live.models import HelpRequest

    request = HelpRequest.objects.select_for_update().select_related("room", "centre").get(pk=request.pk)
    if not request.calls.filter(expert=by).exists():
        raise PermissionDenied("Only an expert called for this request accepts it.")
    if request.status == HelpRequest.Status.ACCEPTED:
        raise ValidationError(f"Already answered by {request.accepted_by}.")
    if request.status == HelpRequest.Status.CANCELLED:
        raise ValidationError("The request was cancelled.")
    request.status, request.accepted_by, request.accepted_at = HelpRequest.Status.ACCEPTED, by, now
    request.save(update_fields=["status", "accepted_by", "accepted_at"])
    Participant.objects.update_or_create(room=request.room, person=by, defaults={"role": ParticipantRole.EXPERT,
                                                                                  "response": Response.ACCEPTED})
    record(actor=by, action="live.help_accepted", obj=request, at=now,
           data={"seconds_to_answer": round(request.seconds_to_answer), "tier": request.tiers_called})
    others = [pk for pk in request.calls.exclude(expert=by).values_list("expert_id", flat=True)]
    taken = {"type": "help-taken", "request": request.pk, "by": str(by)}
    answered = {"type": "help-accepted", "request": request.pk, "by": str(by), "url": f"/live/rooms/{request.room_id}/"}
    transaction.on_commit(lambda: _push(others, taken))
    transaction.on_commit(lambda: _push([request.requested_by_id], answered))
    return request


@transaction.atomic
def cancel_help_request(*, by: User, request, now: dt.datetime):
    from cmrnet.live.models import HelpRequest

    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    _require(by.pk == request.requested_by_id or (by.centre_id == request.centre_id and by.has_role(*selectors.SITE_STAFF_ROLES)),
             "Only the site cancels its request.")
    if request.status != HelpRequest.Status.OPEN:
        raise ValidationError("Only a waiting request can be cancelled.")
    request.status, request.cancelled_at = HelpRequest.Status.CANCELLED, now
    request.save(update_fields=["status", "cancelled_at"])
    record(actor=by, action="live.help_cancelled", obj=request, at=now)
    ids = list(request.calls.values_list("expert_id", flat=True))
    transaction.on_commit(lambda: _push(ids, {"type": "help-taken", "request": request.pk, "by": "nobody: cancelled"}))
    return request


def escalate_due_requests(*, now: dt.datetime) -> int:
    """Call the next tier for every request unanswered for CMRNET_ONCALL_ESCALATION_MINUTES since its last
    call; returns how many requests escalated. Run every minute (`cmrnet live-tick`)."""
    from django.conf import settings

    from cmrnet.live import oncall
    from cmrnet.live.models import HelpRequest

    after = dt.timedelta(minutes=settings.CMRNET_ONCALL_ESCALATION_MINUTES)
    count = 0
    for request in HelpRequest.objects.filter(status=HelpRequest.Status.OPEN, last_called_at__lte=now - after).select_related("centre"):
        with transaction.atomic():
            locked = HelpRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status == HelpRequest.Status.OPEN and oncall.escalation_due(locked.last_called_at, now=now, after=after):
                if _call_next_tier(locked, now=now):
                    count += 1
    return count
