"""`cmrnet daily-tick [--today YYYY-MM-DD]`: the once-a-day reminders and digests (cron / systemd timer)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cmrnet.notifications.tasks import daily_tick


class Command(BaseCommand):
    help = ("Daily reminders (cases waiting for verification, logbook and recertification deadlines) and the "
            "daily digest e-mails, as a background task.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The day to act as today (YYYY-MM-DD); default: the real today.")

    def handle(self, *args, today=None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date (YYYY-MM-DD)") from None
        result = daily_tick.enqueue(day.isoformat())
        if not result.is_finished:
            self.stdout.write(f"Daily tick for {day} enqueued (task {result.id}).")
            return
        if result.status != "SUCCESSFUL":
            raise CommandError(f"Daily tick for {day} failed: {result.errors[-1].traceback if result.errors else ''}")
        counts = result.return_value
        self.stdout.write(f"Daily tick for {day}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
