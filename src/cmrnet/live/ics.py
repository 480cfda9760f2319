"""iCalendar (.ics) invitations for live sessions, written with the `icalendar` library (RFC 5545).

The event carries the session's own time zone (with its VTIMEZONE), so every calendar shows it in the
reader's zone; UID and SEQUENCE let a calendar update or cancel the same entry when the session changes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.urls import reverse
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from cmrnet.live.models import LiveSession, Participant, Response

PARTSTAT = {Response.PENDING: "NEEDS-ACTION", Response.ACCEPTED: "ACCEPTED", Response.DECLINED: "DECLINED"}
PRIVACY = "No recording or snapshot is stored by cmrnet. No patient identifiers in chat."


def _address(person, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.full_name or person.email)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def session_calendar(session: LiveSession, *, now: dt.datetime) -> bytes:
    """The session as an iCalendar file: METHOD:REQUEST, or METHOD:CANCEL once cancelled."""
    zone = zoneinfo.ZoneInfo(session.time_zone)
    room_url = settings.SITE_URL + reverse("live-room", args=[session.room.pk])
    cal = Calendar()
    cal.add("prodid", "-//cmrnet//live tele-supervision//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if session.cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{session.uid}@cmrnet")
    event.add("sequence", session.sequence)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", session.title)
    event.add("description", "\n\n".join(filter(None, [
        session.get_kind_display(), session.description, f"Join: {room_url}", PRIVACY])))
    event.add("location", room_url)
    event.add("url", room_url)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event["organizer"] = _address(session.organiser)
    for participant in Participant.objects.filter(room=session.room).select_related("person"):
        event.add("attendee", _address(participant.person, role="REQ-PARTICIPANT", partstat=PARTSTAT[participant.response],
                                       rsvp="TRUE"), encode=0)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{session.title} starts in {settings.CMRNET_LIVE_REMINDER_MINUTES} minutes")
    alarm.add("trigger", dt.timedelta(minutes=-settings.CMRNET_LIVE_REMINDER_MINUTES))
    event.add_component(alarm)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
