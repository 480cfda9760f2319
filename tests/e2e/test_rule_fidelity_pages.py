"""Rule fidelity in a real browser: a trainee enters an overlapping training period and is warned; records
a course case's full review; opens an EACVI Level 1 application (no exam); a Level 3 via Level 2
application says which training and CME were counted where.

With CMRNET_SCREENS_DIR set, each page is also saved at 1366 and 390 px wide (docs: look at what you ship)."""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.certification.helpers import import_compliant_logbook, pdf_upload, prepare_candidate
from tests.certification.routes_helpers import add_level1_course

pytestmark = pytest.mark.django_db(transaction=True)
SCREENS = os.environ.get("CMRNET_SCREENS_DIR", "")


def shoot(page, name):
    if not SCREENS:
        return
    Path(SCREENS).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_overlap_warning_and_full_review_on_entry(page, login, trainee, mentor, board_member):
    today = timezone.localdate()
    prepare_candidate(trainee=trainee, supervisor=mentor, today=today, board=board_member)
    login(trainee)
    page.goto("/logbook/training/")
    for start, end in (("2025-01-01", "2025-03-31"), ("2025-03-01", "2025-05-31")):
        page.get_by_label("Start date").fill(start)
        page.get_by_label("End date").fill(end)
        page.get_by_label("Hours per week").fill("35")
        page.get_by_label("Supervisor").select_option(str(mentor.pk))
        page.get_by_role("button", name="Add").click()
    expect(page.locator(".messages li.warning")).to_contain_text("overlap on 31 days (2025-03-01 to 2025-03-31)")
    expect(page.locator("#training-overlaps")).to_be_visible()
    shoot(page, "training-overlap-warning")

    page.goto("/logbook/")
    page.goto("/logbook/")
    form = page.locator("#quick-add")
    form.get_by_label("Study date").fill((today - dt.timedelta(days=3)).isoformat())
    form.get_by_label("Local patient identifier").fill("COURSE-1")
    form.get_by_label("Source").select_option("course")
    form.get_by_label("Course id").fill("EuroCMR-2025-cases")
    form.get_by_label("Full review of your report by the course").select_option("no")
    form.get_by_role("button", name="Add").click()
    expect(page.get_by_text("full review: no")).to_be_visible()
    shoot(page, "logbook-course-case-full-review")
    page.goto("/logbook/cme/")
    expect(page.get_by_label("Attended in full")).to_be_visible()
    shoot(page, "cme-form-full-attendance")


def test_level1_application_opens_without_an_exam(page, login, trainee, mentor, board_member):
    from cmrnet.people.services import update_profile

    today = timezone.localdate()
    update_profile(by=trainee, person=trainee, registration_valid_until=today.replace(year=today.year + 3))
    add_level1_course(trainee, today=today)
    login(trainee)
    page.goto("/certification/applications/new/")
    page.get_by_label("Body").select_option("EACVI")
    page.get_by_label("Route").select_option("level1")
    shoot(page, "new-application-routes")
    page.get_by_role("button", name="Open an application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EACVI Level 1")
    expect(page.locator("#rules")).to_contain_text("Knowledge from appropriate sources (Level 1)")
    expect(page.locator("#rules")).to_contain_text("completed Level 1 course")
    shoot(page, "level1-application")


def test_level3_via_level2_page_says_where_items_were_counted(page, login, trainee, mentor, board_member):
    from cmrnet.certification import services
    from cmrnet.logbook import services as logbook
    from cmrnet.people.services import add_certification

    today = timezone.localdate()
    exam = prepare_candidate(trainee=trainee, supervisor=mentor, today=today, board=board_member)
    import_compliant_logbook(trainee=trainee, supervisor=mentor, exam_date=exam)
    add_certification(by=board_member, holder=trainee, body="EACVI", level=2, awarded_on=today - dt.timedelta(days=60),
                      valid_until=today.replace(year=today.year + 5))
    logbook.add_training(by=trainee, trainee=trainee, start_date=today - dt.timedelta(days=120),
                         end_date=today - dt.timedelta(days=10), hours_per_week=Decimal("35"), supervisor=mentor)
    logbook.add_cme(by=trainee, trainee=trainee, title="CMR update", provider="Society", kind="course",
                    start_date=today - dt.timedelta(days=20), end_date=today - dt.timedelta(days=20),
                    credits=Decimal("6"), modalities=1, catalog_id="", certificate=pdf_upload("u.pdf"))
    app = services.open_application(by=trainee, body="EACVI", route="level3-via-level2", supervisors=[mentor],
                                    today=today)
    login(trainee)
    page.goto(f"/certification/applications/{app.pk}/")
    table = page.locator(".allocations")
    expect(table).to_contain_text("Where training and CME were counted")
    expect(table).to_contain_text("used for Level 2: not counted here")
    expect(table).to_contain_text("counted here in part")
    shoot(page, "level3-via-level2-allocations")
    page.goto("/logbook/progress/")
    expect(page.locator("#route-eacvi-2025-level3-via-level2 .allocations")).to_contain_text("counted here")
    shoot(page, "progress-allocations")
