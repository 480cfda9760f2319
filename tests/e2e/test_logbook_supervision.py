"""A supervisor verifies and queries a trainee's cases from the trainee's logbook, in a browser."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.logbook.models import Case
from tests.logbook.factories import generated_cases, supervise

pytestmark = pytest.mark.django_db(transaction=True)


def test_mentor_verifies_one_case_and_queries_another(page, login, trainee, mentor):
    from cmrnet.logbook import services

    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    services.import_cases(by=trainee, trainee=trainee, rows=generated_cases(mentor, 2, today=today))
    first, second = Case.objects.order_by("sequence")

    login(mentor)
    expect(page.get_by_role("heading", name="Cases to verify")).to_be_visible()
    page.get_by_role("link", name="Logbook", exact=True).click()
    page.get_by_role("link", name=trainee.full_name, exact=True).click()
    expect(page.get_by_role("heading", name=f"Logbook of {trainee.full_name}")).to_be_visible()

    page.get_by_role("button", name=f"Verify case {first.case_id}").click()
    expect(page.locator(f"#case-{first.pk}")).to_contain_text("Verified")

    row = page.locator(f"#case-{second.pk}")
    row.get_by_role("button", name=f"Query case {second.case_id}").click()
    expect(row.get_by_role("alert")).to_contain_text("Say what is wrong")
    row.get_by_label(f"Comment on case {second.case_id}").fill("Wrong category: this was a valve study")
    row.get_by_role("button", name=f"Query case {second.case_id}").click()
    expect(page.locator(f"#case-{second.pk}")).to_contain_text("Queried")
    expect(page.locator(f"#case-{second.pk}")).to_contain_text("Wrong category")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("verified", "queried")
