from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from cmrnet.audit.models import AuditEntry
from cmrnet.people.roles import Role


def can_view_audit(user) -> bool:
    return user.is_authenticated and user.has_role(Role.NETWORK_ADMIN)


def audit_entries_for_user(
    user, *, actor: str = "", action: str = "", object_type: str = "", text: str = "",
    since: dt.date | None = None, until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    if not can_view_audit(user):
        raise PermissionDenied
    qs = AuditEntry.objects.select_related("actor")
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if text:
        qs = qs.filter(Q(object_repr__icontains=text) | Q(object_id=text))
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def audit_facets() -> dict[str, list[str]]:
    return {
        "actions": sorted(AuditEntry.objects.values_list("action", flat=True).distinct()),
        "object_types": sorted(AuditEntry.objects.values_list("object_type", flat=True).distinct()),
    }
