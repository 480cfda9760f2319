"""Notifications in a real browser: a queried case reaches the trainee's header, the list, the case; the
progress page prints without navigation."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queried_case(trainee, mentor):
    import datetime as dt

    from django.utils import timezone

    from cmrnet.logbook.services import add_case, verify_case
    from tests.logbook.factories import case_input, supervise

    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    case = add_case(by=trainee, trainee=trainee, data=case_input(mentor, day=today - dt.timedelta(days=20)))
    verify_case(by=mentor, case=case, status="queried", comment="Which sequence showed the scar?")
    return case


def test_a_queried_case_reaches_the_trainee_through_the_header(page, login, trainee, queried_case, live_server, settings):
    assert any(queried_case.case_id in m.subject and m.to == [trainee.email] for m in mail.outbox)
    login(trainee)
    header = page.get_by_role("link", name="Notifications 1 unread")
    expect(header).to_be_visible()
    header.click()
    item = page.get_by_role("link", name=re.compile(rf"^Case {queried_case.case_id} .* \(unread\)$"))
    expect(item).to_contain_text("queried by Max Mentor")
    item.click()
    page.wait_for_url(f"**/logbook/cases/{queried_case.pk}/edit/")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # no unread count left


def test_a_person_switches_to_the_daily_digest(page, login, trainee):
    login(trainee)
    page.goto("/notifications/preferences/")
    waiting = page.get_by_role("group", name="Cases waiting for verification")
    waiting.get_by_label("In the daily digest").check()
    queried = page.get_by_role("group", name="Case queried")
    queried.get_by_label("No e-mail").check()
    expect(page.get_by_role("group", name="Information requested").get_by_label("No e-mail")).to_have_count(0)
    shoot(page, "notification-preferences")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Notification e-mails saved.")
    expect(page.get_by_text("E-mails: at once for 6 kinds, in the daily digest for 1 kind, no e-mail for 1 kind")).to_be_visible()
    page.goto("/notifications/preferences/")
    expect(page.get_by_role("group", name="Cases waiting for verification").get_by_label("In the daily digest")).to_be_checked()


def test_the_progress_page_prints_without_navigation(page, login, trainee):
    login(trainee)
    page.goto("/logbook/progress/")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Progress", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
