"""The written exam end to end in a real browser: a candidate sits a short exam, loses the connection,
reloads and resumes, flags an item, is submitted automatically at time-out; the board analyses,
removes an item, sets an Angoff cut, verifies with two members and releases; the candidate reads the
result and downloads the letter."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.shots import shoot

from cmrnet.exams import services
from cmrnet.exams.models import Attempt, SubmitReason
from cmrnet.people.roles import Role
from tests.exams import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def exam(board_member, make_person, trainee):
    from cmrnet.exams.services.forms import ensure_topics

    ensure_topics()
    board2 = make_person("bob@example.org", Role.EXAM_BOARD, full_name="Bob Board")
    form, _ = factories.locked_form(board_member, board2)
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form, opens=now - dt.timedelta(minutes=10), duration=1)
    for i, sheet in enumerate(["ABCDE", "ABCDA", "ABCCB", "ABDDE", "ACCDE", "EBCAA"]):
        other = make_person(f"peer{i}@example.org", Role.TRAINEE, full_name=f"Peer {i}")
        factories.sit(other, sitting, sheet, board=board_member, at=now - dt.timedelta(minutes=5))
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    return sitting, board2


def _remaining(page) -> int:
    return int(page.locator("#exam").get_attribute("data-remaining"))


def test_candidate_sits_resumes_times_out_and_board_releases(page, login, trainee, board_member, exam):
    sitting, board2 = exam
    # --- the candidate sits the exam
    login(trainee)
    expect(page.get_by_role("heading", name="Your exams")).to_be_visible()
    page.get_by_role("link", name=sitting.title).first.click()
    page.get_by_role("button", name="Start the exam").click()
    expect(page.get_by_role("heading", name="Question 1 of 5")).to_be_visible()
    page.get_by_label("Alpha 1").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.locator('#nav-grid a[data-n="1"]')).to_have_class(re.compile("answered"))
    page.get_by_role("link", name="Next").click()
    page.get_by_label("Bravo 2").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_label("Flag for review").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.locator('#nav-grid a[data-n="2"]')).to_have_class(re.compile("flagged"))
    # the connection drops while answering question 3; the save is retried when it comes back
    page.locator('#nav-grid a[data-n="3"]').click()
    page.context.set_offline(True)
    page.get_by_label("Charlie 3").check()
    expect(page.locator("#save-status")).to_contain_text("Connection lost")
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=8000)
    page.get_by_role("button", name="Strike out option E").click()
    expect(page.locator(".option.struck")).to_have_count(1)
    expect(page.locator("#save-status")).to_have_text("Saved")
    # reload: answers, flags, strike-outs, position and the server's remaining time are intact
    before = _remaining(page)
    page.reload()
    expect(page.get_by_role("heading", name="Question 3 of 5")).to_be_visible()
    expect(page.get_by_label("Charlie 3")).to_be_checked()
    expect(page.locator(".option.struck")).to_contain_text("Echo 3")
    after = _remaining(page)
    assert before - 5 <= after <= before
    page.goto(f"/exams/attempts/{Attempt.objects.get(registration__candidate=trainee).pk}/")
    expect(page.get_by_role("heading", name="Question 3 of 5")).to_be_visible()
    page.locator('#nav-grid a[data-n="2"]').click()
    expect(page.get_by_label("Bravo 2")).to_be_checked()
    expect(page.get_by_label("Flag for review")).to_be_checked()
    # time runs out: bring the server deadline close, the page counts down and submits by itself
    attempt = Attempt.objects.get(registration__candidate=trainee)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + dt.timedelta(seconds=4))
    page.reload()
    assert _remaining(page) <= 4
    page.wait_for_url(re.compile(r"/done/$"), timeout=12000)
    expect(page.locator("#submitted-note")).to_contain_text("Your time ran out")
    attempt.refresh_from_db()
    assert attempt.submit_reason == SubmitReason.TIMEOUT
    assert attempt.answers.exclude(choice="").count() == 3

    # --- the board analyses, removes an item and sets an Angoff cut
    login(board_member)
    page.on("dialog", lambda dialog: pytest.fail(f"a JavaScript dialog was shown: {dialog.message}"))
    page.goto(f"/exams/sittings/{sitting.pk}/analysis/")
    expect(page.locator("tr.item-row")).to_have_count(5)
    row = page.locator("#row-Q5")
    row.get_by_text("Remove / re-key").click()
    row.get_by_label("Decision").select_option("remove")
    row.get_by_label("Reason").fill("Candidates flagged it; the board found two defensible answers.")
    row.get_by_role("button", name="Record decision").click()
    expect(page.locator("tr.item-row")).to_have_count(4)
    expect(page.locator("#removed-items")).to_contain_text("Q5")
    expect(page.locator("#n-retained")).to_contain_text("4 of 5")
    page.get_by_role("link", name="Standard setting").click()
    for label in ["Q1", "Q2", "Q3", "Q4"]:
        page.get_by_label(f"Rating for {label}").fill("0.5")
    page.get_by_role("button", name="Save my Angoff ratings").click()
    expect(page.locator("#angoff-cut")).to_contain_text("2.00")
    page.get_by_label("Standard-setting method").select_option("angoff")
    page.get_by_label("Why this method").fill("Modified Angoff by the board panel")
    page.get_by_role("button", name="Record method and cut").click()
    expect(page.locator("#recorded-cut")).to_contain_text("Modified Angoff: pass mark 2 of 4 items")
    page.get_by_role("link", name="Results and release").click()
    page.get_by_role("button", name="Verify these results").click()
    expect(page.locator("#verification")).to_contain_text("1st: Bea Board")
    page.get_by_role("button", name="Verify these results").click()
    expect(page.locator(".messages li.error")).to_contain_text("must be made by a different board member")
    page.get_by_role("button", name="Release results").click()
    # A confirmation page (no JavaScript dialog): the question, what follows, the real button, a way back.
    expect(page.get_by_role("heading", name=f"Release the results of {sitting.title}?")).to_be_visible()
    expect(page.locator(".consequence")).to_contain_text("cannot be undone")
    shoot(page, "confirm-release")
    page.get_by_role("link", name="No, go back").click()
    expect(page.locator("#release-status")).to_have_text("not released")
    page.get_by_role("button", name="Release results").click()
    page.get_by_role("button", name="Release results").click()
    expect(page.locator(".messages li.error")).to_contain_text("verified by two board members before release")
    expect(page.locator("#release-status")).to_have_text("not released")

    # --- a second board member verifies and releases
    login(board2)
    page.goto(f"/exams/sittings/{sitting.pk}/results/")
    page.get_by_role("button", name="Verify these results").click()
    expect(page.locator("#verification")).to_contain_text("2nd: Bob Board")
    page.get_by_role("button", name="Release results").click()
    page.get_by_role("button", name="Release results").click()          # on the confirmation page
    expect(page.locator(".messages")).to_contain_text("Results released to")
    expect(page.locator("#release-status")).to_contain_text("released on")

    # --- the candidate sees the result and downloads the letter
    login(trainee)
    expect(page.get_by_role("heading", name="Your exams")).to_be_visible()
    page.get_by_role("link", name="passed").click()
    expect(page.locator("#outcome")).to_have_text("Passed")
    expect(page.locator("#score")).to_contain_text("3 of 4")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the results letter (PDF)").click()
    data = open(download_info.value.path(), "rb").read()
    assert data.startswith(b"%PDF")
    assert trainee.full_name.encode() in data and b"PASS" in data
