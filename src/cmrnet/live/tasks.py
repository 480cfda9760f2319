"""Background work (django-tasks): invitation, update and reminder e-mails. Tasks take ids."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django_tasks import task


def _when(session, person) -> str:
    zone = person.zone
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return f"{start:%A %Y-%m-%d %H:%M} to {end:%H:%M} ({zone.key})"


def _mail_session(session, person, *, subject: str, lead: str) -> None:
    from cmrnet.live.ics import PRIVACY, session_calendar

    room_url = settings.SITE_URL + reverse("live-room", args=[session.room.pk])
    body = "\n\n".join([f"Dear {person.full_name or person.email},", lead, f"{session.title}\n{_when(session, person)}",
                        f"Join the room: {room_url}", PRIVACY, "cmrnet"])
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    method = "CANCEL" if session.cancelled else "REQUEST"
    message.attach("invite.ics", session_calendar(session, now=timezone.now()), f"text/calendar; method={method}")
    message.send(fail_silently=False)


@task()
def send_invitation(participant_id: int) -> None:
    from cmrnet.live.models import Participant

    participant = Participant.objects.select_related("room__session__organiser", "person").filter(pk=participant_id).first()
    if participant is None or participant.room.session is None:
        return
    session = participant.room.session
    _mail_session(session, participant.person, subject=f"Invitation: {session.title}",
                  lead=f"{session.organiser} invites you to a live session ({participant.get_role_display()}).")


@task()
def send_session_invitations(session_id: int, reason: str) -> int:
    """Re-send the calendar entry to every participant after a change ("updated") or cancellation."""
    from cmrnet.live.models import LiveSession

    session = LiveSession.objects.select_related("room", "organiser").get(pk=session_id)
    lead = "The session was cancelled." if reason == "cancelled" else "The session was changed; the new times are below."
    people = [p.person for p in session.room.participants.select_related("person")]
    for person in people:
        _mail_session(session, person, subject=f"{'Cancelled' if reason == 'cancelled' else 'Updated'}: {session.title}", lead=lead)
    return len(people)


@task()
def send_session_reminder(session_id: int) -> int:
    from cmrnet.live.models import LiveSession, Response

    session = LiveSession.objects.select_related("room").get(pk=session_id)
    people = [p.person for p in session.room.participants.exclude(response=Response.DECLINED).select_related("person")]
    for person in people:
        _mail_session(session, person, subject=f"Reminder: {session.title}", lead="Your live session starts soon.")
    return len(people)


@task()
def send_help_call(request_id: int, expert_ids: list[int]) -> int:
    """E-mail the called experts (the live notification has already reached their open pages)."""
    from cmrnet.live.models import HelpRequest
    from cmrnet.people.models import User

    request = HelpRequest.objects.select_related("centre", "scanner", "requested_by").get(pk=request_id)
    url = settings.SITE_URL + reverse("live-help", args=[request.pk])
    for expert in User.objects.filter(pk__in=expert_ids):
        body = "\n\n".join([
            f"Dear {expert.full_name or expert.email},",
            f"{request.requested_by} at {request.centre} asks for on-call expert help"
            f"{f' with {request.scanner}' if request.scanner else ''}:\n{request.reason}",
            f"Accept and join the room (the first to accept joins): {url}", "cmrnet"])
        EmailMessage(f"Expert help requested: {request.centre}", body, settings.DEFAULT_FROM_EMAIL, [expert.email]).send()
    return len(expert_ids)
