"""Logbooks at scale in a real browser: a mentor bulk-verifies every pending case of a filter and the trainee
gets one e-mail listing them; the cohort page; axe-core finds no serious or critical violation on the
logbook, progress, cohort and register pages."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.logbook import services
from cmrnet.logbook.models import Case
from tests.e2e.axe import describe, violations
from tests.e2e.shots import shoot
from tests.logbook.factories import generated_cases, ready_but_cases, supervise

pytestmark = pytest.mark.django_db(transaction=True)


def _no_blocking_violations(page):
    found = violations(page)
    assert found == [], describe(found)


def test_mentor_bulk_verifies_the_pending_cases_of_a_filter_and_the_trainee_gets_one_digest(
        page, login, trainee, mentor):
    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    services.import_cases(by=trainee, trainee=trainee, rows=generated_cases(mentor, 70, today=today))
    queried = Case.objects.filter(category="cardiomyopathy").first()
    services.verify_case(by=mentor, case=queried, status="queried", comment="Which sequence?")
    pending = list(Case.objects.filter(category="cardiomyopathy", status="pending").order_by("study_date", "sequence"))
    mail.outbox.clear()

    login(mentor)
    page.goto(f"/logbook/trainee/{trainee.pk}/")
    expect(page.get_by_text("1–50 of 70 cases").first).to_be_visible()
    _no_blocking_violations(page)
    shoot(page, "logbook-supervisor")
    page.get_by_label("Category").select_option("cardiomyopathy")
    button = page.get_by_role("button", name=f"Verify all {len(pending)} pending in this filter")
    expect(button).to_be_visible()
    expect(page).to_have_url(re.compile(r"category=cardiomyopathy"))
    button.click()
    expect(page.get_by_role("status").filter(has_text="cases verified")).to_contain_text(
        f"{len(pending)} cases verified")
    assert Case.objects.filter(category="cardiomyopathy", status="pending").count() == 0
    assert Case.objects.get(pk=queried.pk).status == "queried"
    assert Case.objects.exclude(category="cardiomyopathy").filter(status="verified").count() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [trainee.email]
    assert all(f"case {c.case_id} ({c.study_date:%Y-%m-%d})" in message.body for c in pending)
    assert "/logbook/?status=verified" in message.body

    # ticking two cases of another category verifies exactly those
    page.goto(f"/logbook/trainee/{trainee.pk}/?category=ischaemic&status=pending")
    boxes = page.locator("#case-rows input.tick")
    ids = [boxes.nth(i).get_attribute("value") for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Verify ticked cases").click()
    expect(page.get_by_role("status").filter(has_text="verified")).to_contain_text("2 cases verified")
    assert set(Case.objects.filter(category="ischaemic", status="verified").values_list("pk", flat=True)) == {
        int(i) for i in ids}
    assert len(mail.outbox) == 2


def test_search_sort_and_pages_of_the_case_list(page, login, trainee, mentor):
    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    services.import_cases(by=trainee, trainee=trainee, rows=generated_cases(mentor, 120, today=today))
    login(trainee)
    page.goto("/logbook/")
    expect(page.locator("#case-rows tr")).to_have_count(50)
    page.get_by_role("link", name="Next").first.click()
    expect(page.get_by_text("51–100 of 120 cases").first).to_be_visible()
    page.get_by_role("link", name=re.compile("^Date")).click()
    oldest = Case.objects.order_by("study_date", "sequence").first()
    expect(page.locator("#case-rows tr").first).to_have_id(f"case-{oldest.pk}")
    expect(page.get_by_text("1–50 of 120 cases").first).to_be_visible()
    page.get_by_label("Search").fill(oldest.case_id)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#case-rows tr").first).to_have_id(f"case-{oldest.pk}")
    _no_blocking_violations(page)
    shoot(page, "logbook-trainee")


def test_progress_cohort_and_register_pages_pass_axe(page, login, trainee, other_trainee, mentor, director):
    today = timezone.localdate()
    ready_but_cases(trainee, mentor, today=today, cases=150)
    supervise(other_trainee, mentor, today=today)
    login(trainee)
    page.goto("/logbook/progress/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _no_blocking_violations(page)
    shoot(page, "progress")
    login(mentor)
    page.goto("/logbook/cohort/")
    expect(page.get_by_role("heading", name="Cohort progress")).to_be_visible()
    expect(page.locator("table.cohort tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name="Cases", exact=True).click()          # second click: most cases first
    expect(page.locator("table.cohort tbody tr").first).to_contain_text(trainee.full_name)
    _no_blocking_violations(page)
    shoot(page, "cohort")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename.startswith("cohort-")
    page.goto("/certification/register/")
    _no_blocking_violations(page)
    shoot(page, "register")
