"""The demo has a scheduled session with the demo mentor and trainee; `cmrnet live-tick` sends reminders."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from cmrnet.core.demo import load_demo
from cmrnet.live.models import LiveSession
from cmrnet.network.models import Scanner
from tests.live.conftest import START


def test_demo_has_a_session_for_the_demo_mentor_and_trainee(db):
    load_demo()
    load_demo()  # idempotent
    [session] = LiveSession.objects.filter(title__startswith="Demo:")
    assert {p.person.email for p in session.room.participants.all()} == {"mentor@demo.cmrnet.org", "trainee@demo.cmrnet.org"}
    assert session.scanner.centre == session.centre and Scanner.objects.count() == 4
    assert mail.outbox == []  # the demo sends no invitation e-mails


def test_live_tick_sends_due_reminders(session, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("live_tick", now=(START - dt.timedelta(minutes=30)).isoformat(), stdout=out)
    assert "reminders: 1" in out.getvalue() and len(mail.outbox) == 2


def test_live_tick_refuses_a_naive_time(db):
    with pytest.raises(CommandError, match="time zone offset"):
        call_command("live_tick", now="2026-03-10T09:00:00")
