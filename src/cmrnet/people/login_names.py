"""The one normalisation of a login name (an e-mail address), shared by log-in and lock-out.

Log-in (`UserManager.get_by_natural_key`) and the lock-out (django-axes, through
`AXES_USERNAME_CALLABLE`) must agree on who is being guessed at: if they normalised differently, a
case or spacing variant would count as a fresh name for the lock-out while still logging in to the
same account (issue 8, finding 3). Both call `normalise_login_name`, and log-in accepts an account
only when its stored e-mail normalises to exactly the same string, so no database collation
(PostgreSQL's UPPER() maps the dotless i to I) can widen the match behind the lock-out's back.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings


def normalise_login_name(value: object) -> str:
    """NFKC, every whitespace character removed (an e-mail address has none), lower case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).lower()


def axes_username(request, credentials: dict | None = None) -> str:
    """django-axes' AXES_USERNAME_CALLABLE: the normalised name from the credentials or the POST."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field) or credentials.get("email")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = data.get(field)
    return normalise_login_name(raw)
