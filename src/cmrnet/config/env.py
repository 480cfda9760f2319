"""Read settings from environment variables, refusing values that cannot be parsed.

Each helper names the variable in its error, so a typo in a deployment stops start-up with a
message a person can act on (the healthchecks `envbool`/`envint` habit).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def env_secret(name: str, *, fallback_file: Path) -> str:
    """The secret from NAME, from the file named by NAME_FILE, or generated once into fallback_file."""
    if value := os.environ.get(name):
        return value
    if file_name := os.environ.get(f"{name}_FILE"):
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r} ({exc})") from None
    if fallback_file.exists():
        return fallback_file.read_text().strip()
    fallback_file.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    fallback_file.write_text(value)
    fallback_file.chmod(0o600)
    return value


def env_url(name: str, default: str, *, require_https: bool = False) -> str:
    """An absolute http(s) address without query or fragment, returned without a trailing slash.

    Links in e-mails are built on it, so a typo ("example.org", "htps://...") stops start-up instead of
    sending thousands of dead links."""
    from urllib.parse import urlsplit

    raw = os.environ.get(name, default).strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{name}: expected an absolute http(s) address such as https://cmr.example.org, got {raw!r}")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ImproperlyConfigured(f"{name}: the site address takes no user, query or fragment, got {raw!r}")
    try:
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: malformed port in {raw!r}") from None
    if require_https and parts.scheme != "https":
        raise ImproperlyConfigured(f"{name}: must start with https:// when CMRNET_HTTPS=true, got {raw!r}")
    return raw.rstrip("/")
