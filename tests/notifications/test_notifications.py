"""Notifications: stored for the header list, e-mailed at once or in a daily digest as each person
chooses, always with a direct link on CMRNET_SITE_URL."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.notifications.mail import RETRY_AFTER, send_digests
from cmrnet.notifications.models import CHOOSABLE_KINDS, Delivery, Kind, Notification
from cmrnet.notifications.services import deliveries_for, mark_read, notify, notify_many, set_delivery
from cmrnet.notifications.tick import deadline_threshold

pytestmark = pytest.mark.django_db(transaction=True)  # e-mails leave after commit, as in production


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://cmr.example.org"


def test_immediate_delivery_emails_once_with_the_direct_link(trainee):
    n = notify(recipient=trainee, kind=Kind.CASE_QUERIED, subject="Case C-0001 queried", link="/logbook/cases/1/edit/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [trainee.email] and message.subject == "cmrnet: Case C-0001 queried"
    assert "https://cmr.example.org/logbook/cases/1/edit/" in message.body
    assert "https://cmr.example.org/notifications/preferences/" in message.body
    n.refresh_from_db()
    assert n.emailed_at is not None and n.read_at is None
    assert send_digests(now=timezone.now() + dt.timedelta(days=1)) == 0  # never twice


def test_digest_delivery_sends_one_email_listing_everything_then_nothing(trainee, mentor):
    set_delivery(by=trainee, person=trainee, delivery=Delivery.DIGEST)
    notify(recipient=trainee, kind=Kind.CASE_QUERIED, subject="Case C-0001 queried", link="/logbook/cases/1/edit/")
    notify(recipient=trainee, kind=Kind.INFORMATION_REQUESTED, subject="More information requested",
           link="/certification/applications/4/")
    notify(recipient=mentor, kind=Kind.CASES_WAITING, subject="3 cases wait", link="/logbook/logbooks/")
    assert [m.to for m in mail.outbox] == [[mentor.email]]  # the mentor kept immediate delivery
    assert send_digests() == 1
    digest = mail.outbox[-1]
    assert digest.to == [trainee.email] and "2 things wait for you (daily digest)" in digest.subject
    assert "https://cmr.example.org/logbook/cases/1/edit/" in digest.body
    assert "https://cmr.example.org/certification/applications/4/" in digest.body
    assert send_digests() == 0
    assert len(mail.outbox) == 2


def test_items_are_listed_in_one_email(trainee):
    """What a bulk action uses: one call, one e-mail listing each object."""
    items = [f"2025-03-{d:02d} · C-{d:04d}" for d in range(1, 13)]
    notify(recipient=trainee, kind=Kind.CASES_VERIFIED, subject="12 cases verified by Max Mentor",
           link="/logbook/", items=items)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert all(f"  - {item}" in body for item in items)


def test_a_dedupe_key_notifies_once(trainee):
    first = notify(recipient=trainee, kind=Kind.DEADLINE, subject="x", link="/", dedupe_key="deadline:1:30")
    again = notify(recipient=trainee, kind=Kind.DEADLINE, subject="x", link="/", dedupe_key="deadline:1:30")
    assert first is not None and again is None
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_email_false_lists_without_mailing(trainee):
    notify(recipient=trainee, kind=Kind.RESULTS_RELEASED, subject="Results", link="/exams/", email=False)
    assert Notification.objects.count() == 1 and mail.outbox == []
    assert send_digests(now=timezone.now() + dt.timedelta(days=2)) == 0


def test_deactivated_people_are_not_notified(trainee):
    trainee.is_active = False
    trainee.save()
    assert notify(recipient=trainee, kind=Kind.OTHER, subject="x", link="/") is None


def test_links_must_be_site_paths(trainee):
    with pytest.raises(ValueError, match="path on this site"):
        notify(recipient=trainee, kind=Kind.OTHER, subject="x", link="https://evil.example/")
    with pytest.raises(ValueError, match="kind"):
        notify(recipient=trainee, kind="made_up", subject="x", link="/")


def test_notify_many_notifies_each_person_once(trainee, mentor):
    made = notify_many(recipients=[trainee, mentor, trainee, None], kind=Kind.OTHER, subject="x", link="/")
    assert [n.recipient for n in made] == [trainee, mentor]


def test_a_failed_immediate_email_is_retried_by_the_digest_run(trainee):
    with mock.patch("cmrnet.notifications.mail.send_mail", side_effect=OSError("mail server down")):
        n = notify(recipient=trainee, kind=Kind.OTHER, subject="Retry me", link="/")
    n.refresh_from_db()
    assert n.emailed_at is None and mail.outbox == []
    assert send_digests(now=n.created_at + RETRY_AFTER - dt.timedelta(seconds=1)) == 0
    assert send_digests(now=n.created_at + RETRY_AFTER) == 1
    assert mail.outbox[0].subject == "cmrnet: Retry me"


@pytest.mark.parametrize(("days_left", "expected"), [
    (91, None), (90, 90), (31, 90), (30, 30), (8, 30), (7, 7), (1, 7), (0, 7), (-1, None)])
def test_deadline_reminder_thresholds(days_left, expected):
    assert deadline_threshold(days_left) == expected


# --- pages --------------------------------------------------------------------------------------------------

def test_the_header_shows_the_unread_count_and_the_list_only_ones_own(client_for, trainee, mentor):
    notify(recipient=trainee, kind=Kind.OTHER, subject="For Tara one", link="/")
    notify(recipient=trainee, kind=Kind.OTHER, subject="For Tara two", link="/")
    other = notify(recipient=mentor, kind=Kind.OTHER, subject="For Max", link="/")
    c = client_for(trainee)
    page = c.get("/notifications/").content.decode()
    assert re.search(r'class="count">2<span class="visually-hidden"> unread', page)
    assert "For Tara one" in page and "For Max" not in page
    assert c.get(f"/notifications/{other.pk}/").status_code == 404


def test_opening_marks_read_and_goes_to_the_link(client_for, trainee):
    n = notify(recipient=trainee, kind=Kind.OTHER, subject="Go", link="/logbook/")
    response = client_for(trainee).get(f"/notifications/{n.pk}/")
    assert response.status_code == 302 and response["Location"] == "/logbook/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_all_read(client_for, trainee):
    for i in range(3):
        notify(recipient=trainee, kind=Kind.OTHER, subject=f"n{i}", link="/")
    c = client_for(trainee)
    assert c.post("/notifications/read-all/").status_code == 302
    assert 'class="count"' not in c.get("/notifications/").content.decode()
    assert mark_read(person=trainee) == 0


def test_preferences_are_chosen_by_the_person_per_kind_and_audited(client_for, trainee):
    c = client_for(trainee)
    form = {kind: "immediate" for kind in CHOOSABLE_KINDS} | {"cases_waiting": "digest", "case_queried": "off"}
    assert c.post("/notifications/preferences/", form).status_code == 302
    assert deliveries_for(trainee)["cases_waiting"] == "digest" and deliveries_for(trainee)["case_queried"] == "off"
    assert deliveries_for(trainee)["deadline"] == "immediate"
    entry = AuditEntry.objects.get(action="notifications.preference_changed")
    assert entry.changes == {"cases_waiting": ["immediate", "digest"], "case_queried": ["immediate", "off"]}
    assert "E-mails: at once for 6 kinds, in the daily digest for 1 kind, no e-mail for 1 kind" in \
        c.get("/notifications/").content.decode()


def test_nobody_sets_another_persons_preference(trainee, mentor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        set_delivery(by=mentor, person=trainee, delivery="digest")


MATRIX = {"/notifications/": 200, "/notifications/preferences/": 200, "/notifications/read-all/": 405}


@pytest.mark.parametrize("url", list(MATRIX))
def test_pages_need_login(client, client_for, trainee, url):
    assert client.get(url).status_code == 302
    assert client_for(trainee).get(url).status_code == MATRIX[url]


# --- the daily tick --------------------------------------------------------------------------------------

def test_daily_tick_reminds_supervisors_of_waiting_cases_once_a_day(trainee, mentor):
    from tests.logbook.factories import case_input, supervise

    from cmrnet.logbook.services import add_case

    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    for i in range(3):
        add_case(by=trainee, trainee=trainee, data=case_input(mentor, day=today - dt.timedelta(days=10 + i),
                                                               identifier=f"MRN-{i}"))
    out = StringIO()
    call_command("daily_tick", "--today", today.isoformat(), stdout=out)
    assert "cases waiting 1" in out.getvalue()
    n = Notification.objects.get(recipient=mentor, kind=Kind.CASES_WAITING)
    assert n.subject == "3 cases wait for your verification" and n.items == ["Tara Trainee: 3 pending"]
    assert any(m.to == [mentor.email] and "https://cmr.example.org/logbook/logbooks/" in m.body for m in mail.outbox)
    call_command("daily_tick", "--today", today.isoformat(), stdout=StringIO())
    assert Notification.objects.filter(recipient=mentor, kind=Kind.CASES_WAITING).count() == 1


def test_daily_tick_refuses_a_bad_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("daily_tick", "--today", "2026-13-01")
