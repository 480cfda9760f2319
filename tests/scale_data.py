"""Data at network scale for the query-count tests and bench/pages.py: many certificates for the public
register (bulk-created: the register only reads them)."""

from __future__ import annotations

import datetime as dt

COUNTRIES = ("DE", "FR", "IT", "ES", "NL", "GB", "PL", "SE")


def many_certificates(count: int, *, today: dt.date, prefix: str = "reg") -> None:
    """`count` holders with one Level 2 or 3 certificate each: mixed bodies and countries, some expired,
    a few revoked."""
    from django.contrib.auth.hashers import make_password

    from cmrnet.certification.models import Certificate
    from cmrnet.people.models import Certification, User

    unusable = make_password(None)
    users = User.objects.bulk_create([
        User(email=f"{prefix}-{i}@register.example", full_name=f"Holder {prefix} {i:05d}", password=unusable,
             registration_country=COUNTRIES[i % len(COUNTRIES)] if i % 3 else "")
        for i in range(count)])
    certs = Certification.objects.bulk_create([
        Certification(holder=u, body="EACVI" if i % 2 else "SCMR", level=2 + i % 2,
                      awarded_on=today - dt.timedelta(days=200 + i % 2000),
                      valid_until=today + dt.timedelta(days=1500 - i % 2000), revoked=i % 97 == 0,
                      revoked_on=today - dt.timedelta(days=10) if i % 97 == 0 else None)
        for i, u in enumerate(users)])
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    Certificate.objects.bulk_create([Certificate(certification=c, issued_at=now) for c in certs])
