"""Finding 7 (issue 8) in a real browser: the page's clock is not the exam's clock. A jump of the system
clock, or the page's countdown reaching zero early, never submits the exam; only the server's deadline
ends it, and then as a time-out."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.exams.models import Attempt, SubmitReason

pytestmark = pytest.mark.django_db(transaction=True)


def _open_question(page, login, trainee, attempt):
    login(trainee)
    page.clock.install()
    page.goto(f"/exams/attempts/{attempt.pk}/q/1/")
    expect(page.get_by_role("heading", name="Question 1 of 5")).to_be_visible()
    expect(page.locator("#clock")).to_have_text(re.compile(r"^0:5[89]:\d\d$"))


def test_a_jump_of_the_system_clock_changes_nothing(page, login, trainee, started):
    _open_question(page, login, trainee, started)
    page.clock.set_system_time(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=5))  # Date jumps 5 h ahead
    page.clock.run_for(3000)
    expect(page.locator("#clock")).to_have_text(re.compile(r"^0:5[89]:\d\d$"))
    page.get_by_label("Alpha 1").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    attempt = Attempt.objects.get(pk=started.pk)
    assert attempt.is_open and attempt.answers.get().choice == "A"


def test_the_countdown_reaching_zero_early_only_asks_the_server(page, login, trainee, started):
    _open_question(page, login, trainee, started)
    with page.expect_response(re.compile(r"/time-up/$")) as asked:
        page.clock.fast_forward("02:00:00")  # the page believes two hours passed (e.g. a resumed laptop)
        page.clock.run_for(1000)
    answer = asked.value.json()
    assert answer["closed"] is False and answer["remaining_ms"] > 55 * 60_000
    expect(page.locator("#clock")).to_have_text(re.compile(r"^0:5[5-9]:\d\d$"))
    assert page.url.endswith(f"/exams/attempts/{started.pk}/q/1/")
    assert Attempt.objects.get(pk=started.pk).is_open
    page.get_by_label("Bravo 1").check()
    expect(page.locator("#save-status")).to_have_text("Saved")


def test_after_the_server_deadline_the_question_closes_it_as_a_time_out(page, login, trainee, started):
    _open_question(page, login, trainee, started)
    Attempt.objects.filter(pk=started.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    page.clock.fast_forward("01:00:00")
    page.clock.run_for(1000)
    page.wait_for_url(re.compile(r"/done/$"))
    attempt = Attempt.objects.get(pk=started.pk)
    assert attempt.submit_reason == SubmitReason.TIMEOUT and attempt.submitted_at is not None
