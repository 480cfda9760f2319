"""Issue 13: e-mail choices per person and per kind (at once, daily digest, off where allowed); the digest
and the immediate e-mails follow them; page, API, and the migration that keeps the one old choice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.notifications.mail import RETRY_AFTER, send_digests
from cmrnet.notifications.models import CHOOSABLE_KINDS, REQUIRED_KINDS, Kind, Notification, Preference
from cmrnet.notifications.services import allowed_deliveries, deliveries_for, delivery_for, notify, set_deliveries

pytestmark = pytest.mark.django_db(transaction=True)


def test_without_a_choice_every_kind_is_emailed_at_once(trainee):
    assert deliveries_for(trainee) == {kind: "immediate" for kind in CHOOSABLE_KINDS}
    assert Kind.RESULTS_RELEASED not in CHOOSABLE_KINDS            # the results letter is its own e-mail
    assert delivery_for(trainee, Kind.CASE_QUERIED) == "immediate"


def test_each_kind_follows_its_own_choice(trainee):
    set_deliveries(by=trainee, person=trainee, choices={"case_queried": "off", "cases_verified": "digest"})
    notify(recipient=trainee, kind=Kind.CASE_QUERIED, subject="Queried", link="/logbook/")
    notify(recipient=trainee, kind=Kind.CASES_VERIFIED, subject="Verified", link="/logbook/")
    notify(recipient=trainee, kind=Kind.DEADLINE, subject="Deadline", link="/certification/")
    assert [m.subject for m in mail.outbox] == ["cmrnet: Deadline"]          # only the one left at once
    assert send_digests() == 1
    digest = mail.outbox[-1]
    assert digest.subject == "cmrnet: Verified" and "Queried" not in digest.body
    queried = Notification.objects.get(subject="Queried")
    assert queried.email is False and queried.emailed_at is None            # in the header list, never e-mailed
    assert send_digests(now=timezone.now() + dt.timedelta(days=3)) == 0      # not even as a late retry


def test_a_kind_switched_off_after_a_failed_immediate_email_is_not_retried(trainee):
    from unittest import mock

    with mock.patch("cmrnet.notifications.mail.send_mail", side_effect=OSError("mail server down")):
        try:
            notify(recipient=trainee, kind=Kind.CASE_QUERIED, subject="Queried", link="/logbook/")
        except OSError:
            pass
    assert Notification.objects.get().emailed_at is None
    set_deliveries(by=trainee, person=trainee, choices={"case_queried": "off"})
    assert send_digests(now=timezone.now() + RETRY_AFTER + dt.timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_digest_for_one_kind_leaves_the_others_immediate(trainee, mentor):
    set_deliveries(by=mentor, person=mentor, choices={"cases_waiting": "digest"})
    notify(recipient=mentor, kind=Kind.CASES_WAITING, subject="3 cases wait", link="/logbook/logbooks/")
    notify(recipient=mentor, kind=Kind.GRADER_ASSIGNED, subject="Application assigned", link="/certification/")
    assert [m.subject for m in mail.outbox] == ["cmrnet: Application assigned"]
    assert send_digests() == 1 and mail.outbox[-1].subject == "cmrnet: 3 cases wait"


@pytest.mark.parametrize("kind", sorted(REQUIRED_KINDS))
def test_kinds_that_ask_to_act_before_a_date_cannot_be_switched_off(trainee, kind):
    assert allowed_deliveries(kind) == ("immediate", "digest")
    with pytest.raises(ValidationError) as error:
        set_deliveries(by=trainee, person=trainee, choices={"cases_waiting": "digest", kind: "off"})
    assert kind in error.value.message_dict and "always e-mailed" in error.value.message_dict[kind][0]
    assert Preference.objects.count() == 0                                   # nothing half-written
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():                # and the database refuses it too
        Preference.objects.create(person=trainee, kind=kind, delivery="off")


@pytest.mark.parametrize("choices", [{"nonsense": "digest"}, {"results_released": "digest"}, {"case_queried": "weekly"}])
def test_unknown_kinds_and_choices_are_refused_by_name(trainee, choices):
    with pytest.raises(ValidationError) as error:
        set_deliveries(by=trainee, person=trainee, choices=choices)
    assert list(error.value.message_dict) == list(choices)


def test_nobody_chooses_for_someone_else(trainee, mentor):
    with pytest.raises(PermissionDenied):
        set_deliveries(by=mentor, person=trainee, choices={"case_queried": "off"})


def test_an_unchanged_choice_is_not_audited(trainee):
    set_deliveries(by=trainee, person=trainee, choices={"case_queried": "immediate"})
    assert not AuditEntry.objects.filter(action="notifications.preference_changed").exists()
    set_deliveries(by=trainee, person=trainee, choices={"case_queried": "digest", "deadline": "immediate"})
    entry = AuditEntry.objects.get(action="notifications.preference_changed")
    assert entry.changes == {"case_queried": ["immediate", "digest"]}


def test_the_page_lists_every_kind_and_offers_off_only_where_allowed(client_for, trainee):
    html = client_for(trainee).get("/notifications/preferences/").content.decode()
    for kind in CHOOSABLE_KINDS:
        assert f'name="{kind}" value="digest"' in html
        assert (f'name="{kind}" value="off"' in html) == (kind not in REQUIRED_KINDS)
    assert "Always e-mailed: it asks you to act before a date." in html
    assert 'name="results_released"' not in html


def test_the_page_refuses_off_for_a_required_kind_with_a_message(client_for, trainee):
    form = {kind: "immediate" for kind in CHOOSABLE_KINDS} | {"deadline": "off", "case_queried": "off"}
    response = client_for(trainee).post("/notifications/preferences/", form)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Preference.objects.count() == 0


def test_the_api_reads_and_patches_ones_own_choices(client_for, trainee, mentor):
    c = client_for(trainee)
    rows = c.get("/api/v1/notification-preferences/").json()
    assert [r["kind"] for r in rows] == list(CHOOSABLE_KINDS)
    deadline = next(r for r in rows if r["kind"] == "deadline")
    assert deadline == {"kind": "deadline", "label": "Deadline approaching", "delivery": "immediate",
                        "allowed": ["immediate", "digest"]}
    response = c.patch("/api/v1/notification-preferences/", {"cases_waiting": "digest", "case_queried": "off"},
                       content_type="application/json")
    assert response.status_code == 200
    assert {r["kind"]: r["delivery"] for r in response.json()}["case_queried"] == "off"
    assert delivery_for(trainee, "cases_waiting") == "digest" and delivery_for(mentor, "cases_waiting") == "immediate"
    refused = c.patch("/api/v1/notification-preferences/", {"deadline": "off", "case_queried": "digest"},
                      content_type="application/json")
    assert refused.status_code == 400 and list(refused.json()) == ["deadline"]
    assert delivery_for(trainee, "case_queried") == "off"                     # refused whole
    assert c.patch("/api/v1/notification-preferences/", ["digest"], content_type="application/json").status_code == 400
    assert c.post("/api/v1/notification-preferences/", {}).status_code == 405


def test_the_api_needs_a_login(client):
    assert client.get("/api/v1/notification-preferences/").status_code in (401, 403)
