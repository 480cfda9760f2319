"""Attendance from presence, and attended supervised scanning time turned into a remote training period."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.live import selectors, services
from cmrnet.logbook.models import TrainingPeriod
from tests.live.conftest import START


def _present(room, person, start_min, end_min, peer="p"):
    presence = services.record_join(room=room, person=person, peer_id=f"{peer}{start_min}", at=START + dt.timedelta(minutes=start_min))
    services.record_leave(presence_id=presence.pk, at=START + dt.timedelta(minutes=end_min))


def test_attendance_per_participant_from_presence(session, trainee, remote_mentor, technologist):
    _present(session.room, trainee, -10, 50)          # early: counts from the start
    _present(session.room, trainee, 49, 90)           # a reload overlapping the first connection
    _present(session.room, remote_mentor, 0, 120)
    _present(session.room, technologist, 30, 40)      # site staff, not invited
    rows = {r.person: r for r in selectors.session_attendance(session, now=START + dt.timedelta(hours=3))}
    assert rows[trainee].minutes == 90 and rows[trainee].first_join == START - dt.timedelta(minutes=10)
    assert rows[remote_mentor].minutes == 120 and rows[remote_mentor].invited
    assert rows[technologist].minutes == 10 and not rows[technologist].invited and rows[technologist].role == "site_staff"


def test_an_invited_person_who_never_came_has_zero(session, trainee):
    rows = {r.person: r for r in selectors.session_attendance(session, now=START)}
    assert rows[trainee].minutes == 0 and not rows[trainee].attended and rows[trainee].first_join is None


def test_supervised_time_becomes_a_remote_training_period(session, trainee, remote_mentor, supervision):
    _present(session.room, trainee, 0, 120)
    _present(session.room, remote_mentor, 30, 120)    # supervised for 90 of the trainee's 120 minutes
    period = services.credit_training(by=trainee, trainee=trainee, supervisor=remote_mentor, start=dt.date(2026, 3, 9),
                                      end=dt.date(2026, 3, 15), now=START + dt.timedelta(hours=3))
    assert period.mode == "virtual" and period.get_mode_display() == "Remote / virtual"
    assert period.hours_per_week == Decimal("1.5") and period.supervisor == remote_mentor
    assert period.centre == session.centre.name
    with pytest.raises(ValidationError, match="left to credit"):   # each room counts once
        services.credit_training(by=trainee, trainee=trainee, supervisor=remote_mentor, start=dt.date(2026, 3, 9),
                                 end=dt.date(2026, 3, 15), now=START + dt.timedelta(hours=3))
    period.delete()   # deleting the period in the logbook frees the time again
    assert selectors.creditable_scanning(trainee, supervisor=remote_mentor, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 15),
                                         now=START + dt.timedelta(hours=3))[0].minutes == 90


def test_time_outside_the_chosen_dates_or_without_the_supervisor_is_not_credited(session, trainee, remote_mentor, supervision):
    _present(session.room, trainee, 0, 60)
    with pytest.raises(ValidationError):
        services.credit_training(by=trainee, trainee=trainee, supervisor=remote_mentor, start=dt.date(2026, 3, 9),
                                 end=dt.date(2026, 3, 15), now=START + dt.timedelta(hours=3))
    _present(session.room, remote_mentor, 0, 60)
    with pytest.raises(ValidationError):
        services.credit_training(by=trainee, trainee=trainee, supervisor=remote_mentor, start=dt.date(2026, 3, 11),
                                 end=dt.date(2026, 3, 15), now=START + dt.timedelta(hours=3))


def test_didactic_sessions_are_not_scanning_time(remote_mentor, trainee, supervision):
    didactic = services.schedule_session(by=remote_mentor, title="Lecture", kind="didactic", starts_at=START,
                                         ends_at=START + dt.timedelta(hours=1), participants=[(trainee, "trainee")])
    _present(didactic.room, trainee, 0, 60)
    _present(didactic.room, remote_mentor, 0, 60)
    assert selectors.creditable_scanning(trainee, supervisor=remote_mentor, start=START.date(), end=START.date(),
                                         now=START + dt.timedelta(hours=2)) == []


def test_only_the_trainee_credits_their_logbook(session, trainee, remote_mentor):
    with pytest.raises(PermissionDenied):
        services.credit_training(by=remote_mentor, trainee=trainee, supervisor=remote_mentor, start=START.date(),
                                 end=START.date(), now=START)
    assert not TrainingPeriod.objects.exists()
