"""Invitations: a person added by an administrator sets their own password through a single-use,
expiring link sent by e-mail. Re-sending withdraws every earlier link; each step is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmrnet.audit.services import record
from cmrnet.core.links import absolute_url
from cmrnet.people.models import Invitation, User

log = logging.getLogger(__name__)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def latest_invitation(person: User) -> Invitation | None:
    return person.invitations.order_by("-created_at").first()


@transaction.atomic
def invite_person(*, by: User | None, person: User, now: dt.datetime | None = None) -> Invitation:
    """Send (or re-send) an invitation: earlier links stop working, the new one expires after
    CMRNET_INVITATION_DAYS days. Refused for a person who already has a password or is deactivated."""
    now = now or timezone.now()
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise ValidationError(f"{person} is deactivated: reactivate them before inviting.")
    if person.has_usable_password():
        raise ValidationError(f"{person} has already set a password: they use 'Forgotten your password?'.")
    withdrawn = Invitation.objects.filter(person=person, used_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        person=person, token_digest=digest(token), created_at=now,
        expires_at=now + dt.timedelta(days=settings.CMRNET_INVITATION_DAYS),
        created_by=by if getattr(by, "is_authenticated", False) else None)
    record(actor=by, action="person.invited", obj=person,
           data={"invitation_id": invitation.pk, "expires_at": invitation.expires_at, "resent": bool(withdrawn),
                 "earlier_links_withdrawn": withdrawn})
    link = absolute_url(reverse("invitation-accept", args=[token]))
    transaction.on_commit(lambda: _send(invitation.pk, link))
    return invitation


def _send(invitation_pk: int, link: str) -> None:
    invitation = Invitation.objects.select_related("person").get(pk=invitation_pk)
    expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z")
    body = (f"Hello {invitation.person.full_name or invitation.person.email},\n\n"
            f"An account on cmrnet, the CMR training and certification network, has been opened for you "
            f"({invitation.person.email}).\n\nSet your password here (the link works once, until {expires}):\n\n"
            f"{link}\n\nIf you did not expect this message, ignore it: nothing happens until the link is used.\n")
    try:
        send_mail("Your cmrnet account: set your password", body, settings.DEFAULT_FROM_EMAIL,
                  [invitation.person.email], fail_silently=False)
    except Exception as exc:  # recorded on the invitation: the administrator sees "not delivered" and re-sends
        log.exception("Invitation %s to %s could not be sent", invitation.pk, invitation.person.email)
        record_delivery_failure(invitation_pk=invitation.pk, error=exc)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(emailed_at=timezone.now(), delivery_failed_at=None,
                                                           delivery_error="")


def delivery_error_text(error: BaseException) -> str:
    """What the mail server answered, in one line of at most 300 characters (never the link: the token
    is only in the message body, which no exception of send_mail carries)."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text[:300]


@transaction.atomic
def record_delivery_failure(*, invitation_pk: int, error: BaseException, now: dt.datetime | None = None) -> None:
    """The invitation e-mail was refused: record it on the invitation (shown to administrators with a
    re-send button), audit it, and tell the administrator who sent it (the header list)."""
    from cmrnet.notifications.models import Kind
    from cmrnet.notifications.services import notify

    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("person", "created_by").get(pk=invitation_pk)
    invitation.delivery_failed_at = now
    invitation.delivery_error = delivery_error_text(error)
    invitation.save(update_fields=["delivery_failed_at", "delivery_error"])
    record(actor=None, action="person.invitation_not_delivered", obj=invitation.person,
           data={"invitation_id": invitation.pk, "error": invitation.delivery_error})
    if invitation.created_by is not None:
        notify(recipient=invitation.created_by, kind=Kind.OTHER, email=False,
               subject=f"Invitation to {invitation.person.email} not delivered",
               body=f"The mail server refused it ({invitation.delivery_error}). Check the address, then re-send.",
               link=reverse("person-detail", args=[invitation.person.pk]))


class InvitationInvalid(Exception):
    """The link cannot be used; `reason` is what the person is told."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


REASONS = {
    "used": "This invitation link has already been used. Log in with the password you set, or use "
            "'Forgotten your password?'.",
    "withdrawn": "A newer invitation was sent for this account: use the link in the latest e-mail.",
    "expired": "This invitation link has expired. Ask your network administrator to send a new one.",
}


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> Invitation:
    invitation = Invitation.objects.select_related("person").filter(token_digest=digest(token)).first()
    if invitation is None:
        raise InvitationInvalid("This invitation link is not valid. Check that the whole link was copied.")
    state = invitation.state_at(now or timezone.now())
    if state != "pending":
        raise InvitationInvalid(REASONS[state])
    if not invitation.person.is_active:
        raise InvitationInvalid("This account is deactivated.")
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, password: str, now: dt.datetime | None = None) -> User:
    """Set the person's password through the link; the link cannot be used again."""
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state_at(now) != "pending":  # a second tab raced this one
        raise InvitationInvalid(REASONS.get(invitation.state_at(now), "This invitation link is not valid."))
    person = invitation.person
    validate_password(password, person)
    person.set_password(password)
    person.save(update_fields=["password"])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    record(actor=person, action="person.invitation_accepted", obj=person, data={"invitation_id": invitation.pk})
    return person
