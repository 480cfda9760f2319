"""`cmrnet live-tick`: the periodic work of live tele-supervision, run every minute in production
(cron or a systemd timer; see docs/tele-supervision.md): session reminders and, for on-call expert
requests, escalation to the next on the rota."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def tick(now: dt.datetime) -> dict[str, int]:
    from cmrnet.live import services

    return {"escalated": services.escalate_due_requests(now=now), "reminders": services.send_due_reminders(now=now),
            "expired grants": services.end_expired_grants(now=now)}


class Command(BaseCommand):
    help = "Send due session reminders and escalate unanswered expert-help requests (run every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time to act as of (default: the clock); for tests and replays")
        parser.add_argument("--every", type=int, default=0, help="Keep running, one tick every N seconds (a sidecar process)")

    def handle(self, *args, now=None, every=0, **options):
        if now:
            try:
                at = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now: expected an ISO date-time such as 2026-03-10T09:00:00+00:00, got {now!r}") from None
            if timezone.is_naive(at):
                raise CommandError("--now: give a time zone offset, e.g. +00:00")
        while True:
            result = tick(at if now else timezone.now())
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.items()))
            if not every:
                return
            time.sleep(every)
