"""Key journeys of the platform foundation, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD_HEADINGS = {
    "trainee": "Trainee",
    "mentor": "Mentor / supervisor",
    "director": "Programme director",
    "board_member": "Exam board",
    "grader": "Grader",
    "admin": "Network administrator",
}


@pytest.mark.parametrize("role_fixture", list(DASHBOARD_HEADINGS))
def test_each_role_logs_in_and_sees_its_dashboard(request, page, login, role_fixture):
    person = request.getfixturevalue(role_fixture)
    login(person)
    expect(page.get_by_role("heading", name=f"Welcome, {person.full_name}")).to_be_visible()
    expect(page.get_by_role("heading", name=DASHBOARD_HEADINGS[role_fixture], exact=True)).to_be_visible()
    others = set(DASHBOARD_HEADINGS.values()) - {DASHBOARD_HEADINGS[role_fixture]}
    for heading in others:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_have_count(0)


def test_trainee_is_refused_another_persons_profile(page, login, trainee, other_trainee):
    login(trainee)
    response = page.goto(f"/people/{other_trainee.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text(other_trainee.email)).to_have_count(0)
    response = page.goto(f"/people/{trainee.pk}/")
    assert response.status == 200
    expect(page.get_by_role("heading", name=trainee.full_name)).to_be_visible()


def test_admin_adds_a_centre_and_sees_it_in_the_chart_and_audit_log(page, login, admin, centre):
    login(admin)
    page.get_by_role("link", name="Network", exact=True).click()
    expect(page.locator("#growth table")).to_contain_text("2012")
    expect(page.locator("#growth table")).not_to_contain_text("2019")
    page.get_by_role("link", name="Add a centre").click()
    page.get_by_label("Name").fill("Klinikum Neustadt")
    page.get_by_label("City").fill("Neustadt")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_label("Beds").fill("350")
    page.get_by_label("Annual CMR scans").fill("150")
    page.get_by_label("Stress perfusion").check()
    page.get_by_label("Joined the network").fill("2019-05-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Klinikum Neustadt")).to_be_visible()
    expect(page.get_by_text("350 (small)")).to_be_visible()

    page.get_by_role("link", name="Network", exact=True).click()
    growth = page.locator("#growth")
    expect(growth.locator("svg > title")).to_have_text("Centres in the network per year")
    expect(growth.locator("svg desc")).to_contain_text("2019: 2")
    expect(growth.locator("table")).to_contain_text("2019")
    expect(page.locator("#busy-share")).to_have_text("100%")
    expect(page.locator("#size-mix")).to_contain_text("1 small")

    page.get_by_role("link", name="Audit log").click()
    entry = page.locator("tr.audit-entry", has_text="Klinikum Neustadt").first
    expect(entry).to_contain_text("centre.created")
    expect(entry).to_contain_text(admin.email)
    expect(entry).to_contain_text(re.compile(r"beds: – → 350"))
