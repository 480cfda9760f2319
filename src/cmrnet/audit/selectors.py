"""Reading the audit log: each person sees the entries of the objects they are entitled to oversee.

An entry is as confidential as the object it describes (issue 8, finding 2): the entries of an app
whose objects only some roles may see are shown to those roles only. Apps declare it once with
`register_audit_scope(app_label, can_view)` in their AppConfig.ready(); the entries of every other app
(people, roles, centres, certifications held) are the network administrators'. The page, its filter
facets and anything else that lists entries go through `audit_entries_for_user`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from cmrnet.audit.models import AuditEntry
from cmrnet.people.roles import Role


@dataclass(frozen=True)
class AuditScope:
    app_label: str
    can_view: Callable[[object], bool]
    who: str  # for docs and the page: "the exam board"


SCOPES: dict[str, AuditScope] = {}


def register_audit_scope(app_label: str, can_view: Callable[[object], bool], *, who: str) -> None:
    SCOPES[app_label] = AuditScope(app_label, can_view, who)


def _sees_unscoped(user) -> bool:
    return user.has_role(Role.NETWORK_ADMIN)


def _visible(user) -> Q | None:
    """The filter of the entries `user` may read, or None for none at all."""
    if not user.is_authenticated:
        return None
    allowed = [label for label, scope in SCOPES.items() if scope.can_view(user)]
    hidden = [label for label in SCOPES if label not in allowed]
    if _sees_unscoped(user):
        q = Q()
        for label in hidden:
            q &= ~Q(object_type__startswith=f"{label}.")
        return q
    if not allowed:
        return None
    q = Q(pk__in=[])
    for label in allowed:
        q |= Q(object_type__startswith=f"{label}.")
    return q


def can_view_audit(user) -> bool:
    return _visible(user) is not None


def visible_entries(user) -> QuerySet[AuditEntry]:
    q = _visible(user)
    if q is None:
        raise PermissionDenied
    return AuditEntry.objects.filter(q)


def audit_entries_for_user(
    user, *, actor: str = "", action: str = "", object_type: str = "", text: str = "",
    since: dt.date | None = None, until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    qs = visible_entries(user).select_related("actor")
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


def audit_facets(user) -> dict[str, list[str]]:
    """The actions and object types the filter offers: only those of entries the user may read."""
    qs = visible_entries(user).order_by()  # no default ordering: DISTINCT would otherwise include "at"
    return {
        "actions": list(qs.order_by("action").values_list("action", flat=True).distinct()),
        "object_types": list(qs.order_by("object_type").values_list("object_type", flat=True).distinct()),
    }


EXPORT_COLUMNS = ["at", "actor", "action", "object_type", "object_id", "object", "changes", "data"]
EXPORT_MAX_ROWS = 100_000


def export_rows(entries: QuerySet[AuditEntry]):
    """The rows of the CSV export (values, not yet made formula-safe: tabular does that)."""
    import json

    for e in entries.iterator(chunk_size=2000):
        yield [e.at.isoformat(), e.actor_label, e.action, e.object_type, e.object_id, e.object_repr,
               json.dumps(e.changes, ensure_ascii=False, sort_keys=True), json.dumps(e.data, ensure_ascii=False, sort_keys=True)]


def scopes_for(user) -> list[str]:
    """Plain words for the page: whose entries this person reads."""
    words = ["people, roles, centres and certifications held"] if _sees_unscoped(user) else []
    return words + [f"{label} ({scope.who})" for label, scope in SCOPES.items() if scope.can_view(user)]
