"""Sealing secrets stored in the database (a scanner console's VNC password).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived from
CMRNET_FIELD_ENCRYPTION_KEY, which lives outside the database: a database dump alone does not
reveal the consoles' passwords. Sealed values are never rendered, logged or serialised.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(settings.CMRNET_FIELD_ENCRYPTION_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("The sealed secret cannot be opened with this CMRNET_FIELD_ENCRYPTION_KEY.") from None
