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
