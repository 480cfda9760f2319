"""Background work (django-tasks): notification e-mails. Tasks take ids and plain values."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def send_notification_email(notification_id: int) -> bool:
    from cmrnet.notifications.mail import send_one

    return send_one(notification_id)


@task()
def send_digest_emails(now: str | None = None) -> int:
    from cmrnet.notifications.mail import send_digests

    return send_digests(now=dt.datetime.fromisoformat(now) if now else None)


@task()
def daily_tick(today: str) -> dict:
    from cmrnet.notifications.tick import run_daily

    return run_daily(today=dt.date.fromisoformat(today))
