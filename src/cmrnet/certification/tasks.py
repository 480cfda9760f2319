"""Background work (django-tasks): send the recertification reminders due on a day."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def send_due_reminders(today: str) -> int:
    """Send every reminder due on or before `today` (ISO date); returns how many were sent."""
    from cmrnet.certification.services import send_due_reminders as send

    return send(today=dt.date.fromisoformat(today))
