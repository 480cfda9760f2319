"""Builders for exam tests: an approved bank, a locked form, a sitting, answer sheets."""

from __future__ import annotations

import datetime as dt

from cmrnet.exams import services
from cmrnet.exams.models import Attempt, FormItem, Topic
from cmrnet.exams.services.forms import ensure_topics

T0 = dt.datetime(2026, 11, 7, 10, 0, tzinfo=dt.timezone.utc)  # start window opens (11:00 CET)


def item_values(n: int, key: str = "A") -> dict:
    return {"stem": f"Scenario {n}: a patient with finding {n}. What is the single best answer?",
            "option_a": f"Alpha {n}", "option_b": f"Bravo {n}", "option_c": f"Charlie {n}",
            "option_d": f"Delta {n}", "option_e": f"Echo {n}", "key": key,
            "explanation": f"SECRET-EXPLANATION-{n}", "references": f"Reference {n}"}


def approved_item(author, reviewer, n: int, topic_code: str = "physics", key: str = "A"):
    ensure_topics()
    item = services.create_item(by=author, topic=Topic.objects.get(code=topic_code), **item_values(n, key))
    services.submit_for_review(by=author, item=item)
    return services.review_item(by=reviewer, item=item, approve=True)


def locked_form(author, reviewer, keys: str = "ABCDE", title: str = "Test form"):
    items = [approved_item(author, reviewer, n, key=k) for n, k in enumerate(keys, start=1)]
    form = services.propose_form(by=author, title=title, n_items=len(items), seed=1)
    return services.lock_form(by=author, form=form), items


def sitting_for(board, form, *, opens=T0, hours: int = 3, duration: int = 180, **kw):
    return services.schedule_sitting(by=board, form=form, title="Test sitting", start_opens=opens,
                                     start_closes=opens + dt.timedelta(hours=hours), duration_minutes=duration, **kw)


def sit(candidate, sitting, letters: str, *, board, at=None, submit=True, extra_minutes: int = 0) -> Attempt:
    """Register (if needed), start and answer in form order ('-' = omitted)."""
    at = at or sitting.start_opens + dt.timedelta(minutes=5)
    if not sitting.registrations.filter(candidate=candidate).exists():
        services.register_candidate(by=board, sitting=sitting, candidate=candidate, extra_minutes=extra_minutes)
    attempt = services.start_attempt(candidate=candidate, sitting=sitting, now=at)
    for fi, letter in zip(FormItem.objects.filter(form=sitting.form).order_by("position"), letters):
        if letter != "-":
            services.save_answer(attempt=attempt, now=at + dt.timedelta(seconds=30), form_item_id=fi.pk, choice=letter)
    if submit:
        services.submit_attempt(attempt=attempt, by=candidate, now=at + dt.timedelta(minutes=30))
    attempt.refresh_from_db()
    return attempt
