"""Issue 13: an invitation e-mail the mail server refuses is recorded on the invitation (not only logged):
the administrator sees it on the person's page with a re-send button, is told in the header list, and
the failure is audited; a later successful re-send clears it."""

from __future__ import annotations

import pytest
from django.core import mail

from cmrnet.audit.models import AuditEntry
from cmrnet.notifications.models import Notification
from cmrnet.people.invitations import delivery_error_text, invite_person
from cmrnet.people.models import User
from cmrnet.people.roles import Role
from cmrnet.people.services import create_person

pytestmark = pytest.mark.django_db(transaction=True)  # e-mails leave on commit

REFUSING = "tests.people.failing_mail.RefusingBackend"


def _add(client, centre, email="nina@example.org"):
    return client.post("/people/new/", {"full_name": "Nina New", "email": email, "centre": centre.pk,
                                         "specialty": "cardiology", "roles": [Role.TRAINEE]}, follow=True)


def test_a_refused_invitation_is_recorded_shown_and_audited(client_for, admin, centre, settings):
    settings.EMAIL_BACKEND = REFUSING
    page = _add(client_for(admin), centre).content.decode()
    person = User.objects.get(email="nina@example.org")                     # the person is still added
    invitation = person.invitations.get()
    assert invitation.delivery_failed_at is not None and invitation.emailed_at is None
    assert invitation.delivery_error.startswith("SMTPRecipientsRefused:") and "Mailbox does not exist" in invitation.delivery_error
    assert "was NOT delivered" in page and "invitation to set a password was sent" not in page
    assert "Invitation e-mail NOT delivered" in page and "Re-send invitation" in page   # the person's page
    entry = AuditEntry.objects.get(action="person.invitation_not_delivered")
    assert entry.object_id == str(person.pk) and entry.data["invitation_id"] == invitation.pk
    told = Notification.objects.get(recipient=admin)
    assert told.subject == "Invitation to nina@example.org not delivered" and told.link == f"/people/{person.pk}/"
    assert told.email is False


def test_a_successful_resend_clears_the_failure(client_for, admin, centre, settings):
    settings.EMAIL_BACKEND = REFUSING
    c = client_for(admin)
    _add(c, centre)
    person = User.objects.get(email="nina@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = c.post(f"/people/{person.pk}/invite/", follow=True).content.decode()
    assert "Invitation sent to nina@example.org" in page and "NOT delivered" not in page
    latest = person.invitations.order_by("-created_at").first()
    assert latest.emailed_at is not None and latest.delivery_failed_at is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.org"]
    assert "Invitation sent; the link works until" in c.get(f"/people/{person.pk}/").content.decode()


def test_a_delivered_invitation_records_when(admin, centre):
    person = create_person(by=admin, email="ok@example.org", full_name="Olga Ok", centre=centre,
                           specialty="cardiology", roles=[Role.TRAINEE])
    invitation = invite_person(by=admin, person=person)
    invitation.refresh_from_db()
    assert invitation.emailed_at is not None and invitation.delivery_failed_at is None and invitation.delivery_error == ""


def test_a_refused_resend_from_the_page_says_so(client_for, admin, centre, settings):
    person = create_person(by=admin, email="typo@exmaple.org", full_name="Tim Typo", centre=centre,
                           specialty="cardiology", roles=[Role.TRAINEE])
    settings.EMAIL_BACKEND = REFUSING
    page = client_for(admin).post(f"/people/{person.pk}/invite/", follow=True).content.decode()
    assert "The invitation e-mail to typo@exmaple.org was NOT delivered" in page
    assert AuditEntry.objects.filter(action="person.invitation_not_delivered").count() == 1


def test_only_administrators_see_the_failure(client_for, admin, centre, settings, mentor):
    settings.EMAIL_BACKEND = REFUSING
    _add(client_for(admin), centre)
    person = User.objects.get(email="nina@example.org")
    response = client_for(mentor).get(f"/people/{person.pk}/")
    assert "NOT delivered" not in response.content.decode()


def test_the_error_text_is_one_short_line():
    error = RuntimeError("line one\n   line two " + "x" * 500)
    text = delivery_error_text(error)
    assert text.startswith("RuntimeError: line one line two ") and len(text) == 300 and "\n" not in text
