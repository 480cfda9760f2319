"""Pseudonymous patient keys: the local identifier a trainee types never reaches the database.

key = HMAC-SHA256(settings.CMRNET_PATIENT_KEY_SECRET, identifier.strip().casefold()), hex.
The same identifier always gives the same key on one site (so repeat studies are found);
without the secret the key cannot be turned back into the identifier.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

KEY_PATTERN = re.compile(r"^[0-9a-f]{64}$")
MAX_IDENTIFIER_LENGTH = 200      # the longest local identifier accepted (form, API, file import)


def normalise(identifier: str) -> str:
    return (identifier or "").strip().casefold()


def patient_key(identifier: str) -> str:
    """The keyed hash of a local patient identifier; ValueError if it is empty."""
    value = normalise(identifier)
    if not value:
        raise ValueError("the patient identifier is empty")
    secret = settings.CMRNET_PATIENT_KEY_SECRET
    secret_bytes = secret.encode() if isinstance(secret, str) else bytes(secret)
    return hmac.new(secret_bytes, value.encode("utf-8"), hashlib.sha256).hexdigest()
