"""Links that leave the site (e-mails, calendar files, PDFs): always built on CMRNET_SITE_URL, never on
the host of whatever request happened to trigger them (a background task has none)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """`path` ("/logbook/3/") on the site's public address."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url takes a site path starting with '/', got {path!r}")
    return settings.SITE_URL.rstrip("/") + path


def absolute_reverse(name: str, *args, **kwargs) -> str:
    return absolute_url(reverse(name, args=args or None, kwargs=kwargs or None))
