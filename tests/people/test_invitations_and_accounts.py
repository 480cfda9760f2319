"""Invitations (a person added by an administrator sets their own password), password change from the
profile, and deactivation that keeps the history."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.people.invitations import InvitationInvalid, accept_invitation, invite_person
from cmrnet.people.models import Invitation, User
from cmrnet.people.roles import Role
from cmrnet.people.services import create_person, deactivate_person, reactivate_person
from tests.conftest import PASSWORD

NEW_PASSWORD = "sturdy-violet-lantern-42"
pytestmark = pytest.mark.django_db(transaction=True)  # e-mails leave on commit


def _token(message) -> str:
    return re.search(r"/accounts/invitation/([\w-]+)/", message.body).group(1)


def _add(client, centre, email="nina@example.org"):
    return client.post("/people/new/", {"full_name": "Nina New", "email": email, "centre": centre.pk,
                                         "specialty": "cardiology", "roles": [Role.TRAINEE]})


def test_adding_a_person_emails_an_invitation_on_the_site_address(client_for, admin, centre, settings):
    settings.SITE_URL = "https://cmr.example.org"
    response = _add(client_for(admin), centre)
    person = User.objects.get(email="nina@example.org")
    assert response.status_code == 302 and not person.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.org"]
    assert re.search(r"https://cmr\.example\.org/accounts/invitation/[\w-]{40,}/", mail.outbox[0].body)
    invitation = person.invitations.get()
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=settings.CMRNET_INVITATION_DAYS)
    assert _token(mail.outbox[0]) not in invitation.token_digest  # only a digest is stored
    entry = AuditEntry.objects.get(action="person.invited")
    assert entry.actor == admin and entry.object_id == str(person.pk) and entry.data["resent"] is False


def test_the_link_sets_the_password_once_and_the_person_logs_in(client, client_for, admin, centre):
    _add(client_for(admin), centre)
    token = _token(mail.outbox[0])
    page = client.get(f"/accounts/invitation/{token}/")
    assert page.status_code == 200 and "nina@example.org" in page.content.decode()
    done = client.post(f"/accounts/invitation/{token}/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    assert client.post("/accounts/login/", {"username": "nina@example.org", "password": NEW_PASSWORD}).status_code == 302
    again = client.get(f"/accounts/invitation/{token}/")
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert AuditEntry.objects.filter(action="person.invitation_accepted").count() == 1


def test_an_expired_link_is_refused_with_a_reason(make_person, admin, db):
    person = create_person(by=admin, email="late@example.org", full_name="Late Comer")
    start = timezone.now() - dt.timedelta(days=30)
    invite_person(by=admin, person=person, now=start)
    token = _token(mail.outbox[0])
    with pytest.raises(InvitationInvalid, match="expired"):
        accept_invitation(token=token, password=NEW_PASSWORD)
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_the_link_works_until_its_last_second(admin, db, settings):
    person = create_person(by=admin, email="edge@example.org", full_name="Edge Case")
    start = timezone.now()
    invite_person(by=admin, person=person, now=start)
    token = _token(mail.outbox[0])
    expiry = start + dt.timedelta(days=settings.CMRNET_INVITATION_DAYS)
    with pytest.raises(InvitationInvalid):
        accept_invitation(token=token, password=NEW_PASSWORD, now=expiry)
    accept_invitation(token=token, password=NEW_PASSWORD, now=expiry - dt.timedelta(seconds=1))


def test_resending_withdraws_the_earlier_link(client_for, admin, centre, client):
    c = client_for(admin)
    _add(c, centre)
    person = User.objects.get(email="nina@example.org")
    first = _token(mail.outbox[0])
    assert c.post(f"/people/{person.pk}/invite/").status_code == 302
    assert len(mail.outbox) == 2
    second = _token(mail.outbox[1])
    refused = client.get(f"/accounts/invitation/{first}/")
    assert refused.status_code == 410 and "newer invitation" in refused.content.decode()
    assert client.get(f"/accounts/invitation/{second}/").status_code == 200
    assert AuditEntry.objects.filter(action="person.invited").latest("pk").data["resent"] is True
    detail = c.get(f"/people/{person.pk}/").content.decode()
    assert "Invitation sent; the link works until" in detail and "Re-send invitation" in detail


def test_people_with_a_password_are_not_invited(admin, trainee):
    with pytest.raises(ValidationError, match="already set a password"):
        invite_person(by=admin, person=trainee)


def test_a_weak_password_is_refused_and_the_link_still_works(client, client_for, admin, centre):
    _add(client_for(admin), centre)
    token = _token(mail.outbox[0])
    weak = client.post(f"/accounts/invitation/{token}/", {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    assert Invitation.objects.get().used_at is None


def test_a_made_up_token_is_refused(client, db):
    response = client.get("/accounts/invitation/not-a-real-token/")
    assert response.status_code == 410 and "not valid" in response.content.decode()


def test_only_administrators_invite(client_for, board_member, trainee, admin):
    person = create_person(by=admin, email="x@example.org", full_name="X")
    assert client_for(board_member).post(f"/people/{person.pk}/invite/").status_code == 403
    assert len(mail.outbox) == 0


# --- password change ----------------------------------------------------------------------------------------

def test_a_person_changes_their_password_from_the_profile(client_for, trainee):
    c = client_for(trainee)
    assert "/accounts/password/change/" in c.get(f"/people/{trainee.pk}/").content.decode()
    response = c.post("/accounts/password/change/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                      "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == f"/people/{trainee.pk}/"
    trainee.refresh_from_db()
    assert trainee.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="person.password_changed")
    assert entry.actor == trainee and NEW_PASSWORD not in str(entry.data)
    assert c.get("/").status_code == 200  # still signed in


def test_a_wrong_current_password_changes_nothing(client_for, trainee):
    response = client_for(trainee).post("/accounts/password/change/", {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    trainee.refresh_from_db()
    assert trainee.check_password(PASSWORD)


# --- deactivation ---------------------------------------------------------------------------------------------

def test_deactivation_stops_login_and_sessions_but_keeps_the_person(client_for, client, admin, trainee):
    session = client_for(trainee)
    assert session.get("/").status_code == 200
    response = client_for(admin).post(f"/people/{trainee.pk}/deactivate/", {"reason": "Left the programme"})
    assert response.status_code == 302
    assert session.get("/").status_code == 302  # the open session has ended
    refused = client.post("/accounts/login/", {"username": trainee.email, "password": PASSWORD})
    assert refused.status_code == 200
    trainee.refresh_from_db()
    assert trainee.is_active is False and User.objects.filter(pk=trainee.pk).exists()
    entry = AuditEntry.objects.get(action="person.deactivated")
    assert entry.data["reason"] == "Left the programme" and entry.changes == {"is_active": [True, False]}
    page = client_for(admin).get(f"/people/{trainee.pk}/").content.decode()
    assert "Deactivated: cannot log in; records kept." in page and "Reactivate" in page


def test_deactivation_needs_a_reason_and_an_administrator(admin, trainee, board_member):
    with pytest.raises(ValidationError):
        deactivate_person(by=admin, person=trainee, reason="  ")
    with pytest.raises(Exception, match="network administrator"):
        deactivate_person(by=board_member, person=trainee, reason="x")
    with pytest.raises(ValidationError, match="your own"):
        deactivate_person(by=admin, person=admin, reason="x")


def test_reactivation_restores_login(client, admin, trainee):
    deactivate_person(by=admin, person=trainee, reason="by mistake")
    reactivate_person(by=admin, person=trainee)
    assert client.post("/accounts/login/", {"username": trainee.email, "password": PASSWORD}).status_code == 302
    assert AuditEntry.objects.filter(action="person.reactivated").count() == 1


def test_a_pending_invitation_dies_with_deactivation(admin, db):
    person = create_person(by=admin, email="gone@example.org", full_name="Gone")
    invite_person(by=admin, person=person)
    token = _token(mail.outbox[0])
    deactivate_person(by=admin, person=person, reason="duplicate account")
    with pytest.raises(InvitationInvalid):
        accept_invitation(token=token, password=NEW_PASSWORD)
