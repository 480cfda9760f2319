"""The certification events that notify a person, each with a direct link."""

from __future__ import annotations

import datetime as dt

import pytest

from cmrnet.certification import services
from cmrnet.certification.services.requests import logbook_deadline
from cmrnet.notifications.models import Kind, Notification
from cmrnet.notifications.tick import remind_logbook_deadlines


def _only(person, kind):
    return Notification.objects.get(recipient=person, kind=kind)


def test_naming_a_supervisor_asks_them_to_sign_the_declaration(draft, supervisor):
    n = _only(supervisor, Kind.DECLARATION_TO_SIGN)
    assert n.link == f"/certification/applications/{draft.pk}/"
    assert "declaration waits for your signature" in n.subject


def test_assigning_a_grader_notifies_the_grader(in_grading, board_member, grader):
    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    n = _only(grader, Kind.GRADER_ASSIGNED)
    assert n.link == f"/certification/applications/{in_grading.pk}/" and f"#{in_grading.pk}" in n.subject


def test_an_information_request_notifies_the_candidate(in_grading, board_member, candidate):
    services.ask_for_information(by=board_member, application=in_grading, question="Send the report of case c0007.")
    n = _only(candidate, Kind.INFORMATION_REQUESTED)
    assert n.link == f"/certification/applications/{in_grading.pk}/"
    assert "c0007" not in n.subject + n.body  # the question stays on the page


def test_the_logbook_deadline_is_reminded_at_30_days_once(candidate, logbook, today):
    deadline = logbook_deadline(candidate, today=today)
    assert remind_logbook_deadlines(today=deadline - dt.timedelta(days=31)) == 1  # the 90-day reminder
    assert remind_logbook_deadlines(today=deadline - dt.timedelta(days=30)) == 1  # the 30-day reminder
    assert remind_logbook_deadlines(today=deadline - dt.timedelta(days=29)) == 0
    subjects = list(Notification.objects.filter(recipient=candidate, kind=Kind.DEADLINE).values_list("subject", flat=True))
    assert subjects == [f"Logbook deadline {deadline:%Y-%m-%d}: 30 days left", f"Logbook deadline {deadline:%Y-%m-%d}: 31 days left"]


def test_no_deadline_reminder_after_the_deadline(candidate, logbook, today):
    deadline = logbook_deadline(candidate, today=today)
    assert remind_logbook_deadlines(today=deadline + dt.timedelta(days=1)) == 0


def test_recertification_reminders_reach_the_notification_list(certificate, candidate):
    assert services.send_due_reminders(today=dt.date(2031, 5, 23)) == 1
    n = _only(candidate, Kind.DEADLINE)
    assert n.link == f"/certification/certificates/{certificate.pk}/recertify/" and "2031-05-23 to 2032-05-23" in n.body


@pytest.mark.django_db(transaction=True)
def test_the_candidate_is_notified_when_the_certificate_is_issued(certificate, candidate):
    from django.core import mail

    n = Notification.objects.get(recipient=candidate, subject__startswith="Your EACVI CMR Level 2 certificate")
    assert n.link == f"/certification/certificates/{certificate.pk}/pdf/"
    assert any(m.to == [candidate.email] and n.link in m.body for m in mail.outbox)
