"""Browser journeys of issue 9's web part: a programme director links an on-site supervisor and the
trainee reads whether the training will be recognised; a candidate registers for an exam sitting in a
start time with places left; the remote supervisor confirms a request and the board approves it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.people.roles import Role
from cmrnet.people.services import add_certification, update_profile

pytestmark = pytest.mark.django_db(transaction=True)


def test_director_links_a_supervisor_and_the_trainee_reads_the_check(page, login, director, trainee, mentor):
    today = timezone.localdate()
    add_certification(by=None, holder=mentor, body="EACVI", level=3, awarded_on=today - dt.timedelta(days=400),
                      valid_until=today + dt.timedelta(days=60))
    login(director)
    page.goto(f"/people/{trainee.pk}/supervision/")
    page.get_by_label("Level 3 supervisor").select_option(label="Max Mentor")
    page.get_by_label("Training starts on").fill(today.isoformat())
    page.get_by_label("Training ends on").fill((today + dt.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Link supervisor").click()
    expect(page.get_by_text("Max Mentor linked as on-site supervisor.")).to_be_visible()
    last = today + dt.timedelta(days=60)
    expect(page.locator("#links")).to_contain_text(f"Recognised only until {last.isoformat()}")

    login(trainee)
    page.goto("/")
    page.get_by_role("link", name="Will my training be recognised?").click()
    page.get_by_label("Level 3 supervisor").select_option(label="Max Mentor")
    page.get_by_label("Training starts on").fill(today.isoformat())
    page.get_by_label("Training ends on").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#check-result")).to_contain_text("Recognised: the supervisor holds current Level 3")
    page.get_by_label("Training ends on").fill((today + dt.timedelta(days=61)).isoformat())
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#check-result")).to_contain_text(f"does not hold current Level 3 on {(last + dt.timedelta(days=1)).isoformat()}")


def test_a_candidate_registers_for_a_sitting_in_a_start_time(page, login, trainee, board_member, make_person):
    from cmrnet.exams import services
    from cmrnet.exams.services.forms import ensure_topics
    from tests.exams import factories

    ensure_topics()
    board2 = make_person("bob@example.org", Role.EXAM_BOARD, full_name="Bob Board")
    form, _ = factories.locked_form(board_member, board2)
    opens = timezone.now() + dt.timedelta(days=30)
    sitting = factories.sitting_for(board_member, form, opens=opens)
    services.set_registration_settings(by=board_member, sitting=sitting, self_registration=True,
                                       registration_opens_on=None, registration_closes_on=None)
    services.add_slot(by=board_member, sitting=sitting, starts_at=opens, capacity=1)
    services.add_slot(by=board_member, sitting=sitting, starts_at=opens + dt.timedelta(hours=1), capacity=20)
    login(trainee)
    page.goto("/exams/register/")
    page.get_by_role("link", name="Register").click()
    expect(page.locator("#refusal")).to_contain_text("Record your medical registration")
    update_profile(by=trainee, person=trainee, registration_number="DE-1", registration_country="DE",
                   registration_valid_until=timezone.localdate() + dt.timedelta(days=400))
    page.reload()
    page.get_by_label("1 of 1 places left").check()
    page.get_by_label("I am a qualified physician").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("You are registered for Test sitting.")).to_be_visible()
    expect(page.get_by_text("your start time")).to_be_visible()
    page.goto("/exams/register/")
    expect(page.locator("#open-sittings")).to_contain_text("full")
    expect(page.locator("#open-sittings")).to_contain_text("registered")
