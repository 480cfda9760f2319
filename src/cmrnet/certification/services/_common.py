"""Shared by the certification services: the audited state transition."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cmrnet.audit.services import record
from cmrnet.certification import states
from cmrnet.certification.models import Application, Transition
from cmrnet.people.roles import Role


def transition(application: Application, target: str, *, by, reasons: str = "", data: dict | None = None,
               action: str | None = None) -> Transition:
    """Move `application` to `target` (refused with IllegalTransition when the machine forbids it),
    keep the history row and write the audit entry (who, when, from, to, why)."""
    application.refresh_from_db(fields=["state"])
    current = application.state
    states.check(current, target)
    now = timezone.now()
    application.state = target
    application.save(update_fields=["state"])
    row = Transition.objects.create(application=application, from_state=current, to_state=target,
                                    by=by if getattr(by, "is_authenticated", False) else None, at=now, reasons=reasons)
    record(actor=by, action=action or f"application.{target}", obj=application, at=now,
           changes={"state": [current, target]},
           data={"candidate_id": application.candidate_id, "reasons": reasons, **(data or {})})
    return row


def require(condition: bool, message: str = "You may not do this.") -> None:
    if not condition:
        raise PermissionDenied(message)


def is_board(user) -> bool:
    return user.has_role(Role.EXAM_BOARD)


def refuse(message: str, field: str | None = None) -> None:
    raise ValidationError({field: message} if field else message)


def mail_with_link(*, subject: str, url_name: str, pk: int, recipients, text: str) -> None:
    """An e-mail that carries a sentence and a link to the page; what is said stays on cmrnet."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    recipients = sorted(set(recipients))
    if recipients:
        url = settings.SITE_URL.rstrip("/") + reverse(url_name, args=[pk])
        send_mail(subject, f"{text}\n\n{url}\n", settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)


def board_emails() -> list[str]:
    from cmrnet.people.models import User

    return list(User.objects.filter(is_active=True, role_grants__role=Role.EXAM_BOARD).values_list("email", flat=True))
