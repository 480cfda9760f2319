"""`cmrnet send-reminders [--today YYYY-MM-DD]`: enqueue the recertification reminders due today.

Run it daily (cron / systemd timer); the reminder dates themselves were fixed when each certificate
was issued (every 3 months inside the recertification window).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cmrnet.certification.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Send the recertification reminder e-mails that are due (as a background task)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The day to act as today (YYYY-MM-DD); default: the real today.")

    def handle(self, *args, today=None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date (YYYY-MM-DD)") from None
        result = send_due_reminders.enqueue(day.isoformat())
        sent = getattr(result, "return_value", None) if result.is_finished else None
        if sent is None:
            self.stdout.write(f"Reminders for {day} enqueued (task {result.id}).")
        else:
            self.stdout.write(f"{sent} reminder(s) sent for {day}.")
