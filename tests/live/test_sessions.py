"""Scheduling: who may schedule, times in time zones, invitations with .ics, changes, cancellation, reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from icalendar import Calendar

from cmrnet.audit.models import AuditEntry
from cmrnet.live import services
from cmrnet.live.forms import SessionForm, local_datetime
from tests.live.conftest import START


def _event(raw: bytes):
    cal = Calendar.from_ical(raw)
    return cal, next(c for c in cal.walk("VEVENT"))


def test_a_trainee_cannot_schedule(trainee, centre):
    with pytest.raises(PermissionDenied):
        services.schedule_session(by=trainee, title="x", starts_at=START, ends_at=START + dt.timedelta(hours=1))


def test_end_before_start_and_naive_times_are_refused(remote_mentor):
    with pytest.raises(ValidationError, match="ends before it starts"):
        services.schedule_session(by=remote_mentor, title="x", starts_at=START, ends_at=START)
    with pytest.raises(ValidationError, match="time zone"):
        services.schedule_session(by=remote_mentor, title="x", starts_at=START.replace(tzinfo=None),
                                  ends_at=START.replace(tzinfo=None) + dt.timedelta(hours=1))


def test_a_scanner_of_another_centre_is_refused(remote_mentor, other_centre, scanner):
    with pytest.raises(ValidationError, match="not a scanner of the session's centre"):
        services.schedule_session(by=remote_mentor, title="x", starts_at=START, ends_at=START + dt.timedelta(hours=1),
                                  centre=other_centre, scanner=scanner)


def test_scheduling_creates_the_room_and_audits(session, remote_mentor):
    assert session.room.cap == 6 and session.room.centre == session.centre
    entry = AuditEntry.objects.get(action="live.session_scheduled")
    assert entry.actor == remote_mentor and entry.changes["title"] == [None, "Stress perfusion list"]
    assert AuditEntry.objects.filter(action="live.participant_invited").count() == 2


def test_invitation_mail_carries_an_ics_in_the_session_time_zone(remote_mentor, trainee, centre, django_capture_on_commit_callbacks):
    trainee.time_zone = "America/New_York"
    trainee.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_session(by=remote_mentor, title="LGE teaching list", starts_at=START, ends_at=START + dt.timedelta(hours=2),
                                  time_zone="Europe/Berlin", centre=centre, participants=[(trainee, "trainee")])
    [message] = mail.outbox
    assert message.to == [trainee.email] and message.subject == "Invitation: LGE teaching list"
    assert "Tuesday 2026-03-10 05:00 to 07:00 (America/New_York)" in message.body  # the trainee's own clock
    name, raw, mime = message.attachments[0]
    assert name == "invite.ics" and mime == "text/calendar; method=REQUEST"
    cal, event = _event(raw)
    assert cal["method"] == "REQUEST"
    assert event.decoded("dtstart") == START and str(event.decoded("dtstart").tzinfo) == "Europe/Berlin"
    assert event.decoded("dtstart").hour == 10  # 09:00 UTC is 10:00 in Berlin in March
    attendee = event["attendee"]
    assert str(attendee) == f"mailto:{trainee.email}" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(event["organizer"]) == f"mailto:{remote_mentor.email}"
    assert any(c.name == "VTIMEZONE" and c["tzid"] == "Europe/Berlin" for c in cal.walk("VTIMEZONE"))
    assert "No recording" in str(event["description"])


def test_changing_the_time_raises_the_sequence_and_resends(session, remote_mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(by=remote_mentor, session=session, starts_at=START + dt.timedelta(hours=1),
                                ends_at=START + dt.timedelta(hours=3))
    session.refresh_from_db()
    assert session.sequence == 1
    assert sorted(m.subject for m in mail.outbox) == ["Updated: Stress perfusion list"] * 2
    _, event = _event(mail.outbox[0].attachments[0][1])
    assert event["sequence"] == 1 and event.decoded("dtstart") == START + dt.timedelta(hours=1)


def test_cancelling_sends_a_cancel_with_the_same_uid(session, remote_mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(by=remote_mentor, session=session, now=START - dt.timedelta(days=1))
    cal, event = _event(mail.outbox[0].attachments[0][1])
    assert cal["method"] == "CANCEL" and event["status"] == "CANCELLED" and str(event["uid"]) == f"{session.uid}@cmrnet"
    with pytest.raises(ValidationError):
        services.cancel_session(by=remote_mentor, session=session, now=START)


def test_only_the_organiser_or_admin_changes_a_session(session, trainee, admin):
    with pytest.raises(PermissionDenied):
        services.update_session(by=trainee, session=session, title="mine")
    services.update_session(by=admin, session=session, title="Renamed")
    assert session.room.title == "Stress perfusion list"  # the instance; the row follows:
    session.room.refresh_from_db()
    assert session.room.title == "Renamed"


def test_reminders_go_once_within_the_lead_time(session, django_capture_on_commit_callbacks, settings):
    settings.CMRNET_LIVE_REMINDER_MINUTES = 60
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=START - dt.timedelta(minutes=61)) == 0
        assert services.send_due_reminders(now=START - dt.timedelta(minutes=60)) == 1
        assert services.send_due_reminders(now=START - dt.timedelta(minutes=30)) == 0
    assert sorted(m.subject for m in mail.outbox) == ["Reminder: Stress perfusion list"] * 2


def test_declined_participants_get_no_reminder(session, trainee, django_capture_on_commit_callbacks):
    services.respond(by=trainee, participant=session.room.participants.get(person=trainee), response="declined")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(now=START - dt.timedelta(minutes=10))
    assert [m.to for m in mail.outbox] == [[session.organiser.email]]


def test_only_the_invited_person_answers(session, remote_mentor, trainee):
    participant = session.room.participants.get(person=trainee)
    with pytest.raises(PermissionDenied):
        services.respond(by=remote_mentor, participant=participant, response="accepted")


def test_form_reads_times_on_the_chosen_zone_clock():
    form = SessionForm({"title": "t", "kind": "supervised_scan", "day": "2026-07-01", "start": "09:00", "end": "10:30",
                        "time_zone": "Asia/Tokyo"}, zone="Europe/Berlin")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"].astimezone(dt.UTC) == dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC)


def test_a_wall_time_skipped_by_the_clock_change_is_refused():
    with pytest.raises(Exception, match="does not exist"):
        local_datetime(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Berlin")
    assert local_datetime(dt.date(2026, 3, 29), dt.time(3, 0), "Europe/Berlin").utcoffset() == dt.timedelta(hours=2)
