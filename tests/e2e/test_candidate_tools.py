"""The exam candidate's tools in a real browser: the review page before submitting, clearing a choice,
the time warnings, the connection indicator and an answer typed while the server is unreachable that is
saved once it is back; axe-core finds no serious or critical violation on the delivery pages."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.exams.models import Answer, Attempt
from tests.e2e.axe import describe, violations
from tests.e2e.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)


def _answer(attempt, n):
    return Answer.objects.filter(attempt=attempt, form_item_id=attempt.item_order[n - 1]).first()


def test_the_review_page_lists_an_unanswered_and_a_flagged_question(page, login, trainee, started):
    login(trainee)
    page.goto(f"/exams/attempts/{started.pk}/q/1/")
    page.get_by_label("Alpha 1").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_role("link", name="Next").click()
    page.get_by_label("Bravo 2").check()
    page.get_by_label("Flag for review").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.locator("#connection")).to_have_text("Online: every answer saved")
    assert violations(page) == [], describe(violations(page))
    shoot(page, "exam-question")
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    unanswered = page.locator("#unanswered")
    expect(unanswered.get_by_role("heading")).to_have_text("Unanswered questions (3)")
    expect(unanswered.get_by_role("link")).to_have_text(["Question 3", "Question 4", "Question 5"])
    flagged = page.locator("#flagged")
    expect(flagged.get_by_role("heading")).to_have_text("Flagged for review (1)")
    expect(flagged.get_by_role("link")).to_have_text(["Question 2"])
    found = violations(page)
    assert found == [], describe(found)
    shoot(page, "exam-review")
    # the links lead to the question; submitting from the review page asks for confirmation
    flagged.get_by_role("link", name="Question 2").click()
    expect(page.get_by_role("heading", name="Question 2 of 5")).to_be_visible()
    expect(page.get_by_label("Flag for review")).to_be_checked()
    page.get_by_role("link", name="Review and submit").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit the exam").click()
    page.wait_for_url(re.compile(r"/done/$"))
    attempt = Attempt.objects.get(pk=started.pk)
    assert attempt.submit_reason == "candidate" and attempt.answers.exclude(choice="").count() == 2


def test_clear_my_choice_leaves_the_question_unanswered(page, login, trainee, started):
    login(trainee)
    page.goto(f"/exams/attempts/{started.pk}/q/3/")
    page.get_by_label("Charlie 3").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.locator('#nav-grid a[data-n="3"]')).to_have_class(re.compile("answered"))
    page.get_by_role("button", name="Clear my choice").click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.get_by_label("Charlie 3")).not_to_be_checked()
    expect(page.locator('#nav-grid a[data-n="3"]')).not_to_have_class(re.compile("answered"))
    assert _answer(started, 3).choice == ""


def test_an_answer_made_while_the_server_is_unreachable_is_saved_once_it_is_back(page, login, trainee, started):
    login(trainee)
    page.goto(f"/exams/attempts/{started.pk}/q/1/")
    expect(page.locator("#connection")).to_have_text("Online: every answer saved")
    page.route("**/save/", lambda route: route.abort("connectionrefused"))     # the server is unreachable
    page.get_by_label("Delta 1").check()
    expect(page.locator("#save-status")).to_contain_text("Connection lost")
    expect(page.locator("#connection")).to_contain_text("Offline: 1 question not saved yet, kept in this browser")
    assert _answer(started, 1) is None
    # the candidate goes on to question 2 while still unreachable: the change stays in the browser
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 5")).to_be_visible()
    page.get_by_label("Echo 2").check()
    expect(page.locator("#connection")).to_contain_text("Offline: 2 questions not saved yet")
    shoot(page, "exam-offline")
    stored = page.evaluate(f"() => JSON.parse(localStorage.getItem('cmrnet-exam-{started.pk}-unsaved'))")
    assert {v["fields"]["choice"] for v in stored.values()} == {"D", "E"}
    assert Answer.objects.filter(attempt=started).count() == 0
    # the server is reachable again: both answers are sent by the page's own retry, nothing else is done
    page.unroute("**/save/")
    expect(page.locator("#connection")).to_have_text("Online: every answer saved", timeout=20_000)
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert _answer(started, 1).choice == "D" and _answer(started, 2).choice == "E"
    assert page.evaluate(f"() => localStorage.getItem('cmrnet-exam-{started.pk}-unsaved')") is None
    page.goto(f"/exams/attempts/{started.pk}/q/1/")
    expect(page.get_by_label("Delta 1")).to_be_checked()


def test_an_answer_made_offline_survives_a_reload_and_is_sent(page, login, trainee, started):
    login(trainee)
    page.goto(f"/exams/attempts/{started.pk}/q/4/")
    page.context.set_offline(True)
    page.get_by_label("Alpha 4").check()
    expect(page.locator("#connection")).to_contain_text("Offline")
    page.route("**/save/", lambda route: route.abort("connectionrefused"))
    page.context.set_offline(False)
    page.reload()                                   # the page comes back, the server's save does not yet
    expect(page.get_by_label("Alpha 4")).to_be_checked()       # the browser's unsaved change is shown
    assert _answer(started, 4) is None
    page.unroute("**/save/")
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator("#connection")).to_have_text("Online: every answer saved", timeout=20_000)
    assert _answer(started, 4).choice == "A"


def test_warnings_at_30_10_and_5_minutes_follow_the_servers_time(page, login, trainee, started):
    login(trainee)
    page.clock.install()
    Attempt.objects.filter(pk=started.pk).update(deadline=timezone.now() + dt.timedelta(minutes=10, seconds=20))
    page.goto(f"/exams/attempts/{started.pk}/q/1/")
    warning = page.get_by_role("alert").filter(has_text="minutes left")
    expect(warning).to_contain_text("Less than 30 minutes left")
    page.clock.run_for(25_000)
    expect(warning).to_contain_text("10 minutes left")
    expect(warning).not_to_contain_text("Less than")
    page.clock.run_for(5 * 60_000)
    expect(warning).to_contain_text("5 minutes left")
    shoot(page, "exam-warning")
    # the server's answer to a save sets the countdown again (the page's fake clock ran 5.5 minutes ahead of
    # the server's here): the banner follows the server's time left (about 10 minutes), not the page's
    page.get_by_label("Alpha 1").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.locator("#time-warning")).to_have_text(re.compile(r"^Less than (30|10) minutes left"))
    expect(page.locator("#clock")).to_have_text(re.compile(r"^0:(09|10):\d\d$"))
    assert Attempt.objects.get(pk=started.pk).is_open
