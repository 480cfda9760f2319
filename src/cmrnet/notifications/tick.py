"""The daily tick (`cmrnet daily-tick`): reminders that depend on the calendar, then the digests.

- supervisors: cases of their trainees waiting for verification (one notification a day, listing
  each trainee and the count);
- candidates: the logbook submission deadline (rule engine's deadline, extensions included) at 90, 30
  and 7 days before it, once per threshold;
- certificate holders: the recertification reminders fixed when the certificate was issued
  (certification.services.send_due_reminders, which notifies through this app);
- then the daily digest e-mails.
Each step is idempotent: running the tick twice on a day notifies nobody twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmrnet.notifications.models import Kind
from cmrnet.notifications.services import notify

DEADLINE_DAYS = (90, 30, 7)


def deadline_threshold(days_left: int, thresholds=DEADLINE_DAYS) -> int | None:
    """The reminder due with `days_left` days to go: the smallest threshold not below it (so a reminder
    missed on its day is sent late, once), None when no reminder is due or the deadline has passed."""
    if days_left < 0:
        return None
    due = [t for t in thresholds if days_left <= t]
    return min(due) if due else None


def remind_cases_waiting(*, today: dt.date) -> int:
    from cmrnet.logbook.models import Case
    from cmrnet.people.models import Supervision, User

    counts: dict[int, Counter] = {}
    pairs = Supervision.objects.filter(trainee__logbook_cases__status="pending").values_list(
        "supervisor_id", "trainee_id").distinct()
    pending = Counter(Case.objects.filter(status="pending").values_list("trainee_id", flat=True))
    for supervisor_id, trainee_id in pairs:
        counts.setdefault(supervisor_id, Counter())[trainee_id] = pending[trainee_id]
    names = dict(User.objects.filter(pk__in={t for c in counts.values() for t in c}).values_list("pk", "full_name"))
    sent = 0
    for supervisor in User.objects.filter(pk__in=counts, is_active=True):
        by_trainee = counts[supervisor.pk]
        total = sum(by_trainee.values())
        with transaction.atomic():
            made = notify(recipient=supervisor, kind=Kind.CASES_WAITING,
                          subject=f"{total} case{'s' if total != 1 else ''} wait for your verification",
                          link=reverse("logbook-overview"), dedupe_key=f"cases_waiting:{today.isoformat()}",
                          items=[f"{names.get(t, 'a trainee')}: {n} pending" for t, n in
                                 sorted(by_trainee.items(), key=lambda kv: names.get(kv[0], ""))])
        sent += made is not None
    return sent


def remind_logbook_deadlines(*, today: dt.date) -> int:
    from cmrnet.certification.models import Application
    from cmrnet.certification.services.requests import logbook_deadline
    from cmrnet.certification.states import State
    from cmrnet.people.models import User

    done = Application.objects.filter(kind=Application.Kind.INITIAL, state=State.PASSED).values("candidate_id")
    candidates = User.objects.filter(is_active=True, exam_passes__isnull=False).exclude(pk__in=done).distinct()
    sent = 0
    for person in candidates:
        deadline = logbook_deadline(person, today=today)
        if deadline is None:
            continue
        days_left = (deadline - today).days
        threshold = deadline_threshold(days_left)
        if threshold is None:
            continue
        with transaction.atomic():
            made = notify(
                recipient=person, kind=Kind.DEADLINE, link=reverse("certification-home"),
                subject=f"Logbook deadline {deadline:%Y-%m-%d}: {days_left} day{'s' if days_left != 1 else ''} left",
                body=(f"Your certification application with the completed logbook must be submitted by "
                      f"{deadline:%Y-%m-%d}. After that an approved extension or a new exam is needed."),
                dedupe_key=f"deadline:logbook:{deadline.isoformat()}:{threshold}")
        sent += made is not None
    return sent


def run_daily(*, today: dt.date, now: dt.datetime | None = None) -> dict:
    from cmrnet.certification.services import send_due_reminders
    from cmrnet.notifications.mail import send_digests

    return {
        "cases_waiting": remind_cases_waiting(today=today),
        "logbook_deadlines": remind_logbook_deadlines(today=today),
        "recertification_reminders": send_due_reminders(today=today),
        "digest_emails": send_digests(now=now or timezone.now()),
    }
