"""API tokens stored as digests (`ApiToken`), and the DRF authentication that looks them up.

A secret is `cmr_` and 43 URL-safe characters (256 random bits). The database keeps its SHA-256 digest and
its first 8 characters; authentication digests what the client sends and looks the digest up (a unique
index). Tokens made by DRF's plain-text `authtoken` table before this were moved over by migration
people 0004: their digest is the digest of the old key, so clients that hold one keep working.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone
from rest_framework import authentication, exceptions

SECRET_PREFIX = "cmr_"
TOUCH_EVERY = dt.timedelta(hours=1)  # last_used_at is refreshed at most hourly: no write on every request


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <secret>`, checked against the stored digests."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        from cmrnet.people.models import ApiToken

        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
