"""Writing the audit log. Services call `record` inside their own transaction; values of secret fields
(see `cmrnet.audit.secrets`) are stored as digests, whoever the caller."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.audit.secrets import redact


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The plain values of `fields` on `obj`, for diffing before and after a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed (missing counts as None)."""
    keys = list(dict.fromkeys([*old, *new]))
    return {k: [old.get(k), new.get(k)] for k in keys if old.get(k) != new.get(k)}


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, list[Any]] | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    plain_changes = {k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()}
    plain_data = {k: _plain(v) for k, v in (data or {}).items()}
    plain_changes, plain_data, _ = redact(object_type=object_type, object_id=object_id, action=action,
                                          changes=plain_changes, data=plain_data)
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        actor=actor_obj,
        actor_label=getattr(actor_obj, "email", "") or "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=plain_changes,
        data=plain_data,
    )
