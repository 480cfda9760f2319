"""Demo step: an approved item bank covering the blueprint, a locked form and an open sitting for the
demo trainee. Idempotent (runs on every `cmrnet demo`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cmrnet.exams import services
from cmrnet.exams.demo_items import DEMO_ITEMS
from cmrnet.exams.services.forms import ensure_topics
from cmrnet.exams.models import ExamForm, Item, ItemStatus, Sitting, Topic
from cmrnet.people.models import User
from cmrnet.people.roles import Role
from cmrnet.people.services import create_person, grant_role

FORM_TITLE = "Demo CMR written exam (20 items)"
SITTING_TITLE = "Demo sitting (window open around now)"
UPCOMING_TITLE = "Demo sitting in 6 weeks (candidates register themselves)"
REVIEWER_EMAIL = "reviewer@demo.cmrnet.org"


def _reviewer(board: User) -> User:
    person = User.objects.filter(email=REVIEWER_EMAIL).first()
    if person is None:
        from cmrnet.core.demo import DEMO_PASSWORD

        person = create_person(by=None, email=REVIEWER_EMAIL, full_name="Dr Rhea Reviewer", password=DEMO_PASSWORD,
                               centre=board.centre)
    grant_role(by=None, person=person, role=Role.EXAM_BOARD)
    return person


def _bank(author: User, reviewer: User) -> None:
    topics = {t.code: t for t in Topic.objects.all()}
    for n, (topic, stem, options, key, explanation, refs) in enumerate(DEMO_ITEMS, start=1):
        code = f"DEMO-{n:03d}"
        item = Item.objects.filter(code=code).first()
        if item is None:
            # the items are written with the key first; rotate so keys spread over A-E
            shift = n % 5
            rotated = options[-shift:] + options[:-shift] if shift else list(options)
            key = "ABCDE"[rotated.index(options["ABCDE".index(key)])]
            item = services.create_item(by=author, topic=topics[topic], code=code, stem=stem, key=key,
                                        explanation=explanation, references=refs,
                                        **{f"option_{c}": o for c, o in zip("abcde", rotated)})
        if item.status == ItemStatus.DRAFT:
            item = services.submit_for_review(by=author, item=item)
        if item.status == ItemStatus.IN_REVIEW:
            services.review_item(by=reviewer, item=item, approve=True)


@transaction.atomic
def load_exam_demo() -> None:
    board = User.objects.filter(email="board@demo.cmrnet.org").first()
    trainee = User.objects.filter(email="trainee@demo.cmrnet.org").first()
    if board is None or trainee is None:
        return
    ensure_topics()
    reviewer = _reviewer(board)
    _bank(board, reviewer)
    form = ExamForm.objects.filter(title=FORM_TITLE).first()
    if form is None:
        form = services.propose_form(by=board, title=FORM_TITLE, n_items=20, seed=2026)
    if not form.is_locked:
        form = services.lock_form(by=board, form=form)
    now = timezone.now()
    sitting = Sitting.objects.filter(title=SITTING_TITLE).first()
    if sitting is None or (sitting.start_closes < now and not sitting.registrations.filter(attempt__isnull=False).exists()):
        if sitting is not None:  # an old, unused demo window: move it around now
            sitting.delete()
        sitting = services.schedule_sitting(by=board, form=form, title=SITTING_TITLE,
                                            start_opens=now - dt.timedelta(hours=1),
                                            start_closes=now + dt.timedelta(hours=6), duration_minutes=180,
                                            shuffle_items=True, shuffle_options=True)
    if not sitting.registrations.filter(candidate=trainee).exists():
        services.register_candidate(by=board, sitting=sitting, candidate=trainee)
    _upcoming(board, form, now)


def _upcoming(board: User, form: ExamForm, now) -> None:
    """A sitting 6 weeks ahead whose registration window is open (it opened 3 months before the exam),
    with three start times between 11:00 and 14:00 local time."""
    if Sitting.objects.filter(title=UPCOMING_TITLE, start_opens__gt=now).exists():
        return
    Sitting.objects.filter(title=UPCOMING_TITLE, registrations__isnull=True).delete()
    day = timezone.localtime(now + dt.timedelta(weeks=6)).replace(hour=11, minute=0, second=0, microsecond=0)
    sitting = services.schedule_sitting(by=board, form=form, title=UPCOMING_TITLE, start_opens=day,
                                        start_closes=day + dt.timedelta(hours=3), duration_minutes=180)
    services.set_registration_settings(by=board, sitting=sitting, self_registration=True, registration_opens_on=None,
                                       registration_closes_on=None)
    for hour, places in ((0, 40), (1, 40), (2, 20)):
        services.add_slot(by=board, sitting=sitting, starts_at=day + dt.timedelta(hours=hour), capacity=places)
