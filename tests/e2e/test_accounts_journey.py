"""Accounts in a real browser: an administrator invites a person, the e-mail's link sets a password, the
person logs in; the person changes their password from the profile; an administrator deactivates them."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "quiet-harbour-lamp-58"


def test_admin_invites_a_person_who_sets_a_password_and_logs_in(page, login, admin, centre, live_server, settings):
    settings.SITE_URL = live_server.url  # the link in the e-mail must point at the site being served
    login(admin)
    page.goto("/people/new/")
    page.get_by_label("Full name").fill("Ines Invited")
    page.get_by_label("E-mail").fill("ines@example.org")
    page.get_by_label("Centre").select_option(label=str(centre))
    page.get_by_label("Trainee", exact=True).check()
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Ines Invited")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("An invitation to set a password was sent to ines@example.org")
    expect(page.locator("#account")).to_contain_text("Invitation sent; the link works until")

    assert [m.to for m in mail.outbox] == [["ines@example.org"]]
    link = re.search(r"http://\S+/accounts/invitation/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(live_server.url)

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_text("Choose a password for ines@example.org")).to_be_visible()
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status")).to_contain_text("Password set for ines@example.org")

    page.get_by_label("E-mail").fill("ines@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Ines Invited")).to_be_visible()

    page.goto(link)  # single use
    expect(page.get_by_role("alert")).to_contain_text("already been used")


def test_person_changes_password_and_admin_deactivates_them(page, login, admin, trainee):
    login(trainee)
    page.get_by_role("link", name=trainee.full_name).first.click()
    page.get_by_role("link", name="Change password").click()
    from tests.conftest import PASSWORD

    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")

    login(admin)
    page.goto(f"/people/{trainee.pk}/")
    page.get_by_role("link", name="Deactivate…").click()
    page.get_by_label("Why is the account closed?").fill("Moved to another network")
    page.get_by_role("button", name=f"Deactivate {trainee.full_name}").click()
    expect(page.get_by_role("status")).to_contain_text("is deactivated")
    expect(page.locator("#account")).to_contain_text("Deactivated: cannot log in; records kept.")

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(trainee.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in to cmrnet")).to_be_visible()


def test_a_refused_invitation_is_shown_with_a_resend_button(page, login, admin, centre, settings):
    settings.EMAIL_BACKEND = "tests.people.failing_mail.RefusingBackend"
    login(admin)
    page.goto("/people/new/")
    page.get_by_label("Full name").fill("Tim Typo")
    page.get_by_label("E-mail").fill("tim@exmaple.org")
    page.get_by_label("Centre").select_option(label=str(centre))
    page.get_by_label("Trainee", exact=True).check()
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Tim Typo")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("invitation e-mail to tim@exmaple.org was NOT delivered")
    expect(page.locator("#account")).to_contain_text("Invitation e-mail NOT delivered")
    expect(page.locator("#account").get_by_role("button", name="Re-send invitation")).to_be_visible()
    shoot(page, "invitation-not-delivered")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page.locator("#account").get_by_role("button", name="Re-send invitation").click()
    expect(page.locator("#account")).to_contain_text("Invitation sent; the link works until")
    assert [m.to for m in mail.outbox] == [["tim@exmaple.org"]]
