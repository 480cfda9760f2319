"""Secrets never enter the audit log: an entry about a secret object says that it changed, who changed
it and a digest of each secret value, never the value (issue 8, finding 2).

An app names its secret fields once (`register_secret_fields` in its AppConfig.ready());
`audit.services.record` then replaces those values by digests for every caller, so a new service
cannot forget. A digest is an HMAC keyed by the site's SECRET_KEY and bound to the object and the field:
equal values of one field of one object give equal digests (an auditor sees whether a key changed
back), but a digest cannot be reversed, not even for a one-letter key, without the server's secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.crypto import salted_hmac

DIGEST_PREFIX = "hmac-sha256:"
ALL = "*"
_SALT = "cmrnet.audit.secret-digest"


@dataclass(frozen=True)
class SecretRule:
    """Fields of `object_type` whose values are secret in entries with one of `actions` (None: any)."""

    object_type: str
    fields: frozenset[str] | str  # or ALL: every key of `changes` and `data`
    actions: frozenset[str] | None = None

    def applies(self, object_type: str, action: str) -> bool:
        return object_type == self.object_type and (self.actions is None or action in self.actions)

    def covers(self, field: str) -> bool:
        return self.fields == ALL or field in self.fields


RULES: list[SecretRule] = []


def secret_rule(object_type: str, fields, *, actions=None) -> SecretRule:
    """Fields (an iterable of names, or ALL) of an object type that are secret, optionally per action."""
    return SecretRule(object_type, ALL if fields == ALL else frozenset(fields),
                      frozenset(actions) if actions is not None else None)


def register_secret_fields(rules: list[SecretRule]) -> None:
    """Called from an AppConfig.ready(): from then on `record` digests these fields."""
    for rule in rules:
        if rule not in RULES:
            RULES.append(rule)


def is_digest(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(DIGEST_PREFIX)


def digest(value: Any, *, object_type: str, object_id: str, field: str) -> str | None:
    """The keyed digest of a secret value (None and digests pass through unchanged)."""
    if value is None or is_digest(value):
        return value
    message = json.dumps([object_type, str(object_id), field, value], sort_keys=True, default=str)
    return DIGEST_PREFIX + salted_hmac(_SALT, message, algorithm="sha256").hexdigest()[:32]


def redact(*, object_type: str, object_id: str, action: str, changes: dict, data: dict,
           rules: list[SecretRule] | None = None) -> tuple[dict, dict, int]:
    """(changes, data, number of values replaced): every secret value replaced by its digest."""
    rules = [r for r in (RULES if rules is None else rules) if r.applies(object_type, action)]
    if not rules:
        return changes, data, 0
    count = 0

    def hide(field: str, value: Any) -> Any:
        nonlocal count
        if not any(r.covers(field) for r in rules) or value is None or is_digest(value):
            return value
        count += 1
        return digest(value, object_type=object_type, object_id=object_id, field=field)

    new_changes = {k: [hide(k, pair[0]), hide(k, pair[1])] if isinstance(pair, (list, tuple)) and len(pair) == 2
                   else hide(k, pair) for k, pair in changes.items()}
    new_data = {k: hide(k, v) for k, v in data.items()}
    return new_changes, new_data, count
