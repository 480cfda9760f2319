"""Reads for live tele-supervision. Who may join a room is decided here, once, for pages, API and
WebSockets alike (`can_join_room`)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cmrnet.live import attendance as att
from cmrnet.live.models import EXPERT_ROLES, LiveSession, Participant, ParticipantRole, Presence, Room, TrainingCredit
from cmrnet.people.models import Supervision, User
from cmrnet.people.roles import Role

# People of the room's centre with one of these roles are its site staff: they may join its rooms.
SITE_STAFF_ROLES = (Role.TECHNOLOGIST, Role.NURSE, Role.MENTOR, Role.PROGRAMME_DIRECTOR)
SCHEDULER_ROLES = (Role.MENTOR, Role.PROGRAMME_DIRECTOR, Role.NETWORK_ADMIN)
# A connection not heard from for this long is counted as gone (its server stopped without closing it).
STALE_AFTER = dt.timedelta(seconds=60)


def _current_supervisions(on: dt.date) -> QuerySet[Supervision]:
    return Supervision.objects.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def _site_staff_q(user: User, prefix: str) -> Q:
    if user.centre_id and user.has_role(*SITE_STAFF_ROLES):
        return Q(**{f"{prefix}centre_id": user.centre_id})
    return Q(pk__in=[])


def rooms_for_user(user: User, *, on: dt.date) -> QuerySet[Room]:
    """Rooms `user` has a right to join on day `on`: invited (whatever they answered), the site's staff,
    or a current supervisor of a trainee invited to it."""
    if not user.is_authenticated:
        return Room.objects.none()
    trainees = _current_supervisions(on).filter(supervisor=user).values("trainee_id")
    invited = Participant.objects.filter(person=user).values("room_id")
    supervised = Participant.objects.filter(person_id__in=trainees, role=ParticipantRole.TRAINEE).values("room_id")
    return Room.objects.filter(Q(pk__in=invited) | Q(pk__in=supervised) | _site_staff_q(user, ""))


def can_join_room(user: User, room: Room, *, on: dt.date) -> bool:
    return rooms_for_user(user, on=on).filter(pk=room.pk).exists()


# Other apps refuse entry to rooms of their own sessions through gates: gate(user, room) -> reason or None
# (programmes: small-group caps and in-person components by competence level). Registered in AppConfig.ready.
_JOIN_GATES: list = []


def register_join_gate(gate) -> None:
    if gate not in _JOIN_GATES:
        _JOIN_GATES.append(gate)


def join_refusal(user: User, room: Room, *, on: dt.date) -> str | None:
    """Why `user` may not enter `room` now, or None."""
    if not user.is_authenticated:
        return "Sign in first."
    if not can_join_room(user, room, on=on):
        return "You are not invited to this room and hold no right to it."
    if room.closed_at is not None:
        return "This room is closed."
    if room.session_id and room.session.cancelled:
        return "This session was cancelled."
    for gate in _JOIN_GATES:
        refusal = gate(user, room)
        if refusal:
            return refusal
    return None


def get_room_for_user(user: User, pk: int, *, on: dt.date) -> Room:
    try:
        return rooms_for_user(user, on=on).select_related("session", "centre", "scanner").get(pk=pk)
    except Room.DoesNotExist:
        raise Http404("No such room.") from None


def is_local(user: User, room: Room) -> bool:
    """At the site: a person of the room's centre (they may hand over and take back scan control)."""
    return bool(room.centre_id) and user.centre_id == room.centre_id


def participant_role(user: User, room: Room) -> str:
    """The role `user` takes in the room: their invitation's, else site staff or supervisor."""
    p = Participant.objects.filter(room=room, person=user).first()
    if p:
        return p.role
    if is_local(user, room):
        return "site_staff"
    return "mentor"  # a current supervisor of a trainee in the room


def is_remote_expert(user: User, room: Room) -> bool:
    return participant_role(user, room) in EXPERT_ROLES and not is_local(user, room)


# --------------------------------------------------------------------------- sessions
def can_schedule(user: User) -> bool:
    return user.is_authenticated and user.has_role(*SCHEDULER_ROLES)


def sessions_for_user(user: User, *, on: dt.date) -> QuerySet[LiveSession]:
    """Sessions `user` may see: network administrators all; others those they organise or whose room
    they may join."""
    if not user.is_authenticated:
        return LiveSession.objects.none()
    qs = LiveSession.objects.select_related("centre", "scanner", "organiser", "room")
    if user.has_role(Role.NETWORK_ADMIN):
        return qs
    rooms = rooms_for_user(user, on=on).values("pk")
    return qs.filter(Q(organiser=user) | Q(room__in=rooms)).distinct()


def get_session_for_user(user: User, pk: int, *, on: dt.date) -> LiveSession:
    try:
        return sessions_for_user(user, on=on).get(pk=pk)
    except LiveSession.DoesNotExist:
        raise Http404("No such session.") from None


def can_manage_session(user: User, session: LiveSession) -> bool:
    """The organiser, network administrators, and the programme director of the session's centre."""
    if not user.is_authenticated:
        return False
    if user.pk == session.organiser_id or user.has_role(Role.NETWORK_ADMIN):
        return True
    return user.has_role(Role.PROGRAMME_DIRECTOR) and bool(session.centre_id) and user.centre_id == session.centre_id


def can_manage_room(user: User, room: Room) -> bool:
    if room.session_id:
        return can_manage_session(user, room.session)
    return user.is_authenticated and (user.pk == room.opened_by_id or user.has_role(Role.NETWORK_ADMIN))


def upcoming_sessions(user: User, *, now: dt.datetime, limit: int = 10) -> list[LiveSession]:
    return list(sessions_for_user(user, on=now.date()).filter(ends_at__gte=now, cancelled_at__isnull=True)[:limit])


def local_times(session: LiveSession, zone) -> tuple[dt.datetime, dt.datetime]:
    return session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)


# --------------------------------------------------------------------------- presence and attendance
def open_presences(room: Room, *, now: dt.datetime) -> QuerySet[Presence]:
    """Connections open now (and heard from recently)."""
    return Presence.objects.filter(room=room, left_at__isnull=True, last_seen__gte=now - STALE_AFTER)


def room_is_full(room: Room, *, now: dt.datetime) -> bool:
    return open_presences(room, now=now).count() >= room.cap


@dataclass(frozen=True)
class AttendanceRow:
    person: User
    role: str
    response: str
    first_join: dt.datetime | None
    last_leave: dt.datetime | None
    minutes: int
    invited: bool

    @property
    def attended(self) -> bool:
        return self.minutes > 0

    @property
    def role_label(self) -> str:
        return ParticipantRole(self.role).label if self.role in ParticipantRole.values else self.role

    @property
    def response_label(self) -> str:
        from cmrnet.live.models import Response

        return Response(self.response).label if self.response else "not invited"


def _intervals(presences, *, now: dt.datetime) -> dict[int, list[att.Interval]]:
    by_person: dict[int, list[att.Interval]] = {}
    for p in presences:
        by_person.setdefault(p.person_id, []).append(
            att.presence_interval(p.joined_at, p.left_at, p.last_seen, now=now, stale_after=STALE_AFTER))
    return by_person


def attendance(room: Room, *, now: dt.datetime, window: att.Interval | None = None) -> list[AttendanceRow]:
    """Per participant (invited or not): first join, last leave and minutes present, from the presence
    rows. `window` (a session's start and end) limits what counts; None counts all presence."""
    presences = list(Presence.objects.filter(room=room).select_related("person"))
    intervals = _intervals(presences, now=now)
    people = {p.person_id: p.person for p in presences}
    invited = {p.person_id: p for p in Participant.objects.filter(room=room).select_related("person")}
    rows = []
    for person_id in dict.fromkeys([*invited, *intervals]):
        spans = att.merge(intervals.get(person_id, []))
        participant = invited.get(person_id)
        person = participant.person if participant else people[person_id]
        rows.append(AttendanceRow(
            person=person, role=participant.role if participant else participant_role(person, room),
            response=participant.response if participant else "", invited=participant is not None,
            first_join=spans[0][0] if spans else None, last_leave=spans[-1][1] if spans else None,
            minutes=att.attended_seconds(spans, window=window) // 60))
    return sorted(rows, key=lambda r: (not r.invited, r.role, r.person.full_name))


def session_attendance(session: LiveSession, *, now: dt.datetime) -> list[AttendanceRow]:
    """Attendance for a scheduled session: presence between its start and end only."""
    return attendance(session.room, now=now, window=(session.starts_at, session.ends_at))


@dataclass(frozen=True)
class CreditableRoom:
    room: Room
    day: dt.date
    minutes: int


def creditable_scanning(trainee: User, *, supervisor: User, start: dt.date, end: dt.date,
                        now: dt.datetime) -> list[CreditableRoom]:
    """Rooms of supervised scanning the trainee attended between `start` and `end` (inclusive, in the
    trainee's time zone) and not yet credited: the minutes the trainee and the supervisor were both
    present (supervised time only)."""
    zone = trainee.zone
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    credited = TrainingCredit.objects.filter(trainee=trainee).values("room_id")
    rooms = (Room.objects.filter(presences__person=trainee, presences__joined_at__lt=hi)
             .exclude(pk__in=credited).select_related("session").distinct())
    found = []
    for room in rooms:
        if not room.counts_as_scanning:
            continue
        presences = Presence.objects.filter(room=room, person__in=[trainee, supervisor])
        spans = _intervals(presences, now=now)
        window = (max(lo, room.session.starts_at), min(hi, room.session.ends_at)) if room.session_id else (lo, hi)
        both = _overlap(att.merge(spans.get(trainee.pk, [])), att.merge(spans.get(supervisor.pk, [])))
        minutes = att.attended_seconds(both, window=window) // 60
        if minutes > 0:
            first = min(s for s, _ in spans[trainee.pk])
            found.append(CreditableRoom(room=room, day=first.astimezone(zone).date(), minutes=minutes))
    return sorted(found, key=lambda c: c.day)


def _overlap(a: list[att.Interval], b: list[att.Interval]) -> list[att.Interval]:
    """Intersection of two merged interval lists."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if e > s:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


# --------------------------------------------------------------------------- media servers
def ice_servers(user: User, *, now: dt.datetime) -> list[dict]:
    """STUN/TURN servers for the browser (RTCPeerConnection iceServers). TURN credentials are
    time-limited (coturn's use-auth-secret scheme): the shared secret never leaves the server."""
    servers: list[dict] = []
    if settings.CMRNET_STUN_URLS:
        servers.append({"urls": list(settings.CMRNET_STUN_URLS)})
    if settings.CMRNET_TURN_URLS:
        expiry = int(now.timestamp()) + settings.CMRNET_TURN_CREDENTIAL_SECONDS
        username = f"{expiry}:{user.pk}"
        digest = hmac.new(settings.CMRNET_TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
        servers.append({"urls": list(settings.CMRNET_TURN_URLS), "username": username,
                        "credential": base64.b64encode(digest).decode()})
    return servers


# --------------------------------------------------------------------------- scan control
def active_grant(room: Room, *, now: dt.datetime):
    from cmrnet.live.models import ScanControlGrant

    return (ScanControlGrant.objects.filter(room=room, ended_at__isnull=True, expires_at__gt=now)
            .select_related("grantee", "granted_by", "scanner").first())


def grant_for_relay(user: User, grant_id: int, *, now: dt.datetime):
    """The grant, if it is `user`'s and active now: the only way a VNC connection is relayed."""
    from cmrnet.live.models import ScanControlGrant

    if not user.is_authenticated:
        return None
    return (ScanControlGrant.objects.filter(pk=grant_id, grantee=user, ended_at__isnull=True, expires_at__gt=now)
            .select_related("scanner", "room").first())


def can_hand_over(user: User, room: Room, *, on: dt.date) -> bool:
    """Local participants (people of the site with a right to the room) grant and take back scan control."""
    return is_local(user, room) and can_join_room(user, room, on=on)


def remote_experts(room: Room, *, on: dt.date) -> list[User]:
    """Invited mentors and experts from elsewhere: who may be handed scan control."""
    people = [p.person for p in Participant.objects.filter(room=room, role__in=EXPERT_ROLES).select_related("person")]
    return [p for p in people if not is_local(p, room)]


# --------------------------------------------------------------------------- on-call expert support
HELP_REQUESTER_ROLES = (Role.TECHNOLOGIST, Role.NURSE, Role.TRAINEE, Role.MENTOR, Role.PROGRAMME_DIRECTOR)


def can_request_help(user: User) -> bool:
    """Staff at a site (technologists, nurses, trainees, mentors, directors with a centre) ask for help."""
    return user.is_authenticated and bool(user.centre_id) and user.has_role(*HELP_REQUESTER_ROLES)


def can_manage_rota(user: User, centre=None) -> bool:
    """Network administrators manage every slot; a programme director the slots of their own centre."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.NETWORK_ADMIN):
        return True
    return centre is not None and user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id == centre.pk


def rota(*, centre=None) -> QuerySet:
    from cmrnet.live.models import RotaEntry

    qs = RotaEntry.objects.select_related("expert", "centre")
    return qs.filter(centre=centre) if centre is not None else qs


def is_on_rota(user: User) -> bool:
    from cmrnet.live.models import RotaEntry

    return user.is_authenticated and RotaEntry.objects.filter(expert=user).exists()


def call_tiers_now(centre, *, now: dt.datetime, exclude: tuple[int, ...] = ()) -> list[tuple[int, list[User]]]:
    """The experts to call for a request from `centre` at `now`, as (rota tier, experts) in calling order:
    on the rota now and holding a current Level 3 today (`people.selectors.holds_current_level3`)."""
    from cmrnet.live import oncall
    from cmrnet.people.selectors import holds_current_level3

    day = timezone.localdate(now)
    tiers = oncall.call_tiers([e.as_slot() for e in rota()], at=now, centre_id=centre.pk)
    people = User.objects.in_bulk([pk for _, ids in tiers for pk in ids])
    out = []
    for tier, ids in tiers:
        experts = [people[pk] for pk in ids if pk not in exclude and people[pk].is_active and holds_current_level3(pk, day)]
        if experts:
            out.append((tier, experts))
    return out


def help_requests_for_user(user: User) -> QuerySet:
    """Requests `user` may see: their own, their centre's (site staff), those they were called for or
    answered; network administrators all."""
    from cmrnet.live.models import HelpRequest

    qs = HelpRequest.objects.select_related("centre", "scanner", "requested_by", "accepted_by", "room")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(Role.NETWORK_ADMIN):
        return qs
    visible = Q(requested_by=user) | Q(calls__expert=user) | Q(accepted_by=user)
    if user.centre_id and user.has_role(*SITE_STAFF_ROLES):
        visible |= Q(centre_id=user.centre_id)
    return qs.filter(visible).distinct()


def get_help_request_for_user(user: User, pk: int):
    from cmrnet.live.models import HelpRequest

    try:
        return help_requests_for_user(user).get(pk=pk)
    except HelpRequest.DoesNotExist:
        raise Http404("No such request.") from None


def help_figures(centres) -> list[tuple]:
    """Per centre: (centre, CentreFigures) over all its requests (cancelled ones excluded)."""
    from cmrnet.live import oncall
    from cmrnet.live.models import HelpRequest

    waits: dict[int, list] = {}
    for centre_id, created, accepted in (HelpRequest.objects.filter(centre__in=centres).exclude(status=HelpRequest.Status.CANCELLED)
                                         .values_list("centre_id", "created_at", "accepted_at")):
        waits.setdefault(centre_id, []).append((accepted - created).total_seconds() if accepted else None)
    return [(c, oncall.figures(waits[c.pk])) for c in centres if c.pk in waits]


def open_calls_for(user: User) -> list:
    """Requests still waiting for an answer that `user` was called for."""
    from cmrnet.live.models import HelpRequest

    return list(HelpRequest.objects.filter(status=HelpRequest.Status.OPEN, calls__expert=user).select_related("centre", "scanner")
                .distinct().order_by("created_at"))
