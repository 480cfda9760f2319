"""Pages of live tele-supervision: thin (permission, one selector or service, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmrnet.live import oncall, selectors, services
from cmrnet.live.forms import ControlGrantForm, CreditForm, HelpRequestForm, InviteForm, RespondForm, RotaForm, SessionForm
from cmrnet.live.ics import session_calendar
from cmrnet.live.models import Participant, Room, RotaEntry
from cmrnet.network.models import Centre
from cmrnet.people.models import Supervision, User
from cmrnet.people.selectors import supervisors_of


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def home(request):
    now = timezone.now()
    user = request.user
    supervisions = Supervision.objects.filter(
        ended_on__isnull=True).filter(trainee=user) | Supervision.objects.filter(ended_on__isnull=True, supervisor=user)
    return render(request, "live/home.html", {
        "sessions": selectors.upcoming_sessions(user, now=now, limit=20), "zone": user.zone,
        "rooms": selectors.rooms_for_user(user, on=now.date()).filter(session__isnull=True, closed_at__isnull=True)[:10],
        "can_schedule": selectors.can_schedule(user), "supervisions": supervisions.select_related("trainee", "supervisor"),
        "is_trainee": user.has_role("trainee"), "can_request_help": selectors.can_request_help(user),
    })


@login_required
def session_new(request):
    if not selectors.can_schedule(request.user):
        raise PermissionDenied
    form = SessionForm(request.POST or None, zone=request.user.zone.key)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.schedule_session(by=request.user, **form.session_values())
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "Session scheduled. Invite the participants below.")
            return redirect("live-session", pk=session.pk)
    return render(request, "live/session_form.html", {"form": form, "title": "Schedule a live session"})


@login_required
def session_edit(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk, on=timezone.localdate())
    if not selectors.can_manage_session(request.user, session):
        raise PermissionDenied
    form = SessionForm(request.POST or None, zone=session.time_zone, initial=SessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(by=request.user, session=session, **form.session_values())
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "Session changed; participants get the updated calendar entry.")
            return redirect("live-session", pk=session.pk)
    return render(request, "live/session_form.html", {"form": form, "title": f"Change {session.title}"})


@login_required
def session_detail(request, pk: int):
    now = timezone.now()
    session = selectors.get_session_for_user(request.user, pk, on=now.date())
    can_manage = selectors.can_manage_session(request.user, session)
    mine = Participant.objects.filter(room=session.room, person=request.user).first()
    rows = selectors.session_attendance(session, now=now)
    return render(request, "live/session_detail.html", {
        "session": session, "room": session.room, "can_manage": can_manage, "mine": mine, "attendance": rows,
        "zone": request.user.zone, "local": selectors.local_times(session, request.user.zone),
        "can_join": selectors.can_join_room(request.user, session.room, on=now.date()),
        "invite_form": InviteForm() if can_manage and not session.cancelled else None,
        "participant_times": [(r, selectors.local_times(session, r.person.zone)) for r in rows if r.invited],
    })


@login_required
def session_ics(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk, on=timezone.localdate())
    response = HttpResponse(session_calendar(session, now=timezone.now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cmrnet-session-{session.pk}.ics"'
    return response


@login_required
@require_POST
def session_cancel(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk, on=timezone.localdate())
    try:
        services.cancel_session(by=request.user, session=session, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Session cancelled; participants get a cancellation.")
    return redirect("live-session", pk=session.pk)


@login_required
@require_POST
def session_invite(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk, on=timezone.localdate())
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            p = services.invite(by=request.user, room=session.room, person=form.cleaned_data["person"], role=form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, f"{p.person} invited as {p.get_role_display().lower()}.")
    else:
        messages.error(request, "Choose a person and a role.")
    return redirect("live-session", pk=session.pk)


@login_required
@require_POST
def participant_remove(request, pk: int):
    participant = get_object_or_404(Participant.objects.select_related("room__session"), pk=pk)
    selectors.get_room_for_user(request.user, participant.room_id, on=timezone.localdate())
    services.remove_participant(by=request.user, participant=participant)
    messages.success(request, f"{participant.person} removed.")
    return redirect("live-session", pk=participant.room.session_id) if participant.room.session_id else redirect("live-home")


@login_required
@require_POST
def session_respond(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk, on=timezone.localdate())
    participant = get_object_or_404(Participant, room=session.room, person=request.user)
    form = RespondForm(request.POST)
    if form.is_valid():
        services.respond(by=request.user, participant=participant, response=form.cleaned_data["response"])
        messages.success(request, "Answer saved.")
    return redirect("live-session", pk=session.pk)


@login_required
@require_POST
def supervision_room(request, pk: int):
    supervision = get_object_or_404(Supervision.objects.select_related("trainee__centre", "supervisor"), pk=pk)
    if request.user.pk not in (supervision.trainee_id, supervision.supervisor_id):
        raise PermissionDenied
    room = services.open_supervision_room(by=request.user, supervision=supervision)
    return redirect("live-room", pk=room.pk)


@login_required
def room(request, pk: int):
    now = timezone.now()
    room = selectors.get_room_for_user(request.user, pk, on=now.date())
    refusal = selectors.join_refusal(request.user, room, on=now.date())
    local = selectors.is_local(request.user, room)
    as_console = local and request.GET.get("as") == "console"  # the console is published from the site only
    return render(request, "live/room.html", {
        "room": room, "refusal": refusal, "chat": room.chat.select_related("author")[:200], "local": local,
        "as_console": as_console, "config": _room_config(request, room, now, as_console=as_console),
    })


def _room_config(request, room: Room, now, *, as_console: bool) -> dict:
    """What the room's script needs: no secret (TURN credentials are short-lived, VNC never appears)."""
    from django.conf import settings

    return {"room": room.pk, "wsPath": f"/ws/live/rooms/{room.pk}/", "me": request.user.pk, "name": request.user.full_name,
            "role": selectors.participant_role(request.user, room), "local": selectors.is_local(request.user, room),
            "kind": "console" if as_console else "person", "cap": room.cap,
            "iceServers": selectors.ice_servers(request.user, now=now), "loopbackOnly": settings.CMRNET_LIVE_LOOPBACK_ONLY}


@login_required
@require_POST
def room_close(request, pk: int):
    room = selectors.get_room_for_user(request.user, pk, on=timezone.localdate())
    services.close_room(by=request.user, room=room, now=timezone.now())
    messages.success(request, "Room closed.")
    return redirect("live-home")


@login_required
def training_credit(request):
    now = timezone.now()
    trainee = request.user
    form = CreditForm(request.POST or request.GET or None, supervisors=supervisors_of(trainee))
    found = []
    if form.is_valid():
        d = form.cleaned_data
        found = selectors.creditable_scanning(trainee, supervisor=d["supervisor"], start=d["start"], end=d["end"], now=now)
        if request.method == "POST":
            try:
                period = services.credit_training(by=trainee, trainee=trainee, supervisor=d["supervisor"], start=d["start"],
                                                  end=d["end"], now=now)
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, f"Training period {period.start_date} to {period.end_date} added to your logbook "
                                          f"({period.hours_per_week} h/week, remote).")
                return redirect("logbook-training")
    return render(request, "live/credit.html", {"form": form, "found": found, "total": sum(c.minutes for c in found)})


# --------------------------------------------------------------------------- scan control
def _control_context(request, room: Room) -> dict:
    now = timezone.now()
    grant = selectors.active_grant(room, now=now)
    can_hand_over = selectors.can_hand_over(request.user, room, on=now.date())
    scanner = room.scanner
    return {"room": room, "grant": grant, "can_hand_over": can_hand_over, "zone": request.user.zone,
            "configured": bool(scanner and scanner.vnc_configured), "mine": bool(grant and grant.grantee_id == request.user.pk),
            "form": ControlGrantForm(experts=selectors.remote_experts(room, on=now.date())) if can_hand_over and not grant else None}


@login_required
def room_control(request, pk: int):
    """The scan-control panel of a room (an HTMX fragment): hand over, take back, or open the console."""
    room = selectors.get_room_for_user(request.user, pk, on=timezone.localdate())
    return render(request, "live/_control.html", _control_context(request, room))


@login_required
@require_POST
def room_control_grant(request, pk: int):
    now = timezone.now()
    room = selectors.get_room_for_user(request.user, pk, on=now.date())
    form = ControlGrantForm(request.POST, experts=selectors.remote_experts(room, on=now.date()))
    error = None
    if form.is_valid():
        try:
            services.grant_scan_control(by=request.user, room=room, grantee=form.cleaned_data["grantee"],
                                        mode=form.cleaned_data["mode"], minutes=form.cleaned_data["minutes"], now=now)
        except ValidationError as exc:
            error = _errors(exc)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    return render(request, "live/_control.html", {**_control_context(request, room), "error": error})


@login_required
@require_POST
def room_control_take_back(request, pk: int):
    now = timezone.now()
    room = selectors.get_room_for_user(request.user, pk, on=now.date())
    grant = selectors.active_grant(room, now=now)
    error = None
    if grant is None:
        error = "No one holds the console now."
    else:
        try:
            services.take_back_scan_control(by=request.user, grant=grant, now=now)
        except ValidationError as exc:
            error = _errors(exc)
    return render(request, "live/_control.html", {**_control_context(request, room), "error": error})


@login_required
def room_console(request, pk: int):
    """The remote expert's console: noVNC through the per-grant relay, only while the grant lasts."""
    now = timezone.now()
    room = selectors.get_room_for_user(request.user, pk, on=now.date())
    grant = selectors.active_grant(room, now=now)
    mine = grant if grant and grant.grantee_id == request.user.pk else None
    return render(request, "live/console.html", {"room": room, "grant": mine, "zone": request.user.zone})


# --------------------------------------------------------------------------- on-call expert support
@login_required
def help_home(request):
    user = request.user
    can_request = selectors.can_request_help(user)
    form = HelpRequestForm(request.POST or None, centre=user.centre, initial={"scanner": request.GET.get("scanner")}) if can_request else None
    if request.method == "POST":
        if not can_request:
            raise PermissionDenied
        if form.is_valid():
            try:
                help_request = services.request_expert_help(by=user, scanner=form.cleaned_data["scanner"],
                                                            reason=form.cleaned_data["reason"], now=timezone.now())
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                called = help_request.calls.count()
                if called:
                    messages.success(request, f"{called} on-call expert{'s' if called > 1 else ''} called. Wait in the room: the first to accept joins you.")
                else:
                    messages.error(request, "No expert is on call right now. The request stays open; it is shown to experts as they come on call.")
                return redirect("live-room", pk=help_request.room_id)
    return render(request, "live/help.html", {
        "form": form, "requests": selectors.help_requests_for_user(user)[:30], "zone": user.zone,
        "on_call": selectors.call_tiers_now(user.centre, now=timezone.now()) if user.centre_id else [],
    })


@login_required
def help_detail(request, pk: int):
    help_request = selectors.get_help_request_for_user(request.user, pk)
    return render(request, "live/help_detail.html", {
        "help": help_request, "calls": help_request.calls.select_related("expert"), "zone": request.user.zone,
        "can_accept": help_request.status == "open" and help_request.calls.filter(expert=request.user).exists(),
        "can_cancel": help_request.status == "open" and (request.user.pk == help_request.requested_by_id or (
            request.user.centre_id == help_request.centre_id and request.user.has_role(*selectors.SITE_STAFF_ROLES))),
    })


@login_required
@require_POST
def help_accept(request, pk: int):
    help_request = selectors.get_help_request_for_user(request.user, pk)
    try:
        services.accept_help_request(by=request.user, request=help_request, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("live-help", pk=pk)
    return redirect("live-room", pk=help_request.room_id)


@login_required
@require_POST
def help_cancel(request, pk: int):
    help_request = selectors.get_help_request_for_user(request.user, pk)
    try:
        services.cancel_help_request(by=request.user, request=help_request, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Request cancelled.")
    return redirect("live-help", pk=pk)


def _rota_form(request, data=None):
    from cmrnet.people.models import Certification

    today = timezone.localdate()
    experts = User.objects.filter(pk__in=[c.holder_id for c in Certification.objects.filter(level=3, valid_until__gte=today)
                                          .select_related("holder") if c.is_current_on(today)], is_active=True)
    centres = None if request.user.has_role("network_admin") else Centre.objects.filter(pk=request.user.centre_id)
    return RotaForm(data, experts=experts, zone=request.user.zone.key, centres=centres)


@login_required
def rota_page(request):
    user = request.user
    may_manage = selectors.can_manage_rota(user) or selectors.can_manage_rota(user, Centre.objects.filter(pk=user.centre_id).first())
    form = _rota_form(request, request.POST or None) if may_manage else None
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_rota_entry(by=user, today=timezone.localdate(), **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, "Added to the rota.")
                return redirect("live-rota")
    now = timezone.now()
    entries = list(selectors.rota())
    on_now = {e.pk for e in entries if oncall.covers(e.as_slot(), now)}
    return render(request, "live/rota.html", {"entries": entries, "on_now": on_now, "form": form, "zone": user.zone,
                                              "can_remove": {e.pk for e in entries if selectors.can_manage_rota(user, e.centre)}})


@login_required
@require_POST
def rota_remove(request, pk: int):
    entry = get_object_or_404(RotaEntry.objects.select_related("centre", "expert"), pk=pk)
    services.remove_rota_entry(by=request.user, entry=entry)
    messages.success(request, "Removed from the rota.")
    return redirect("live-rota")
