"""Issue 3's journey in a real browser: import with one bad row, fix it, import, and watch the
Level 2 verdict turn from not met to met as the last required case is added via quick add."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.logbook.factories import ready_but_cases

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "study_date,patient_id,category,normal,source,role,control_room,supervisor,clinical_change\n"


def csv_file(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_trainee_imports_fixes_a_bad_row_and_completes_level2(page, login, trainee, mentor, tmp_path):
    today = timezone.localdate()
    ready_but_cases(trainee, mentor, today=today, cases=146)   # every other Level 2 fact is in place
    day = (today - dt.timedelta(days=20)).isoformat()
    good = [f"{day},MRN-9001,valvular,no,own_centre,primary_operator,yes,,no\n",
            f"{day},MRN-9003,mass,no,own_centre,reporting,yes,{mentor.email},no\n"]
    bad = f"{day},MRN-9002,cardiac,no,own_centre,primary_operator,yes,,no\n"
    fixed = f"{day},MRN-9002,pericardial,no,own_centre,primary_operator,yes,,no\n"

    login(trainee)
    page.get_by_role("link", name="Logbook", exact=True).click()
    page.get_by_role("link", name="Import cases").click()
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(csv_file(tmp_path, "bad.csv", [good[0], bad, good[1]])))
    page.get_by_role("button", name="Check the file").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Row 2 (line 3), column category: 'cardiac' is not one of")
    expect(errors.locator("li")).to_have_count(1)
    expect(page.get_by_role("button", name="Import 3 cases")).to_have_count(0)
    assert trainee.logbook_cases.count() == 146                          # nothing saved

    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(csv_file(tmp_path, "fixed.csv", [good[0], fixed, good[1]])))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("All 3 rows are correct.")).to_be_visible()
    page.get_by_role("button", name="Import 3 cases").click()
    expect(page.get_by_text("3 cases imported.")).to_be_visible()

    summary = page.locator("#progress-summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text("EACVI CMR Level 2: not met")
    count_row = summary.locator("tr[data-rule=case_count]")
    expect(count_row.locator(".rule-status")).to_have_text("not met")
    expect(count_row).to_contain_text("149 eligible cases of 150 required")
    expect(summary).to_contain_text("1 more eligible cases")
    not_met = summary.locator("td.status-not_met")
    expect(not_met).to_have_count(1)                                     # the case count is the last unmet rule

    identifier = page.get_by_label("Local patient identifier")
    expect(identifier).to_be_focused()
    identifier.fill("MRN-9150")
    page.get_by_label("Category").select_option("ischaemic")
    identifier.press("Enter")
    expect(page.get_by_role("status").filter(has_text="added.")).to_be_visible()
    expect(page.locator("#case-rows tr").first).to_contain_text("Ischaemic")

    expect(summary.get_by_role("heading", level=2)).to_have_text("EACVI CMR Level 2: met")
    expect(count_row.locator(".rule-status")).to_have_text("met")
    expect(count_row).to_contain_text("150 eligible cases of 150 required")
    expect(summary.locator("td.status-not_met")).to_have_count(0)
    assert "MRN-9150" not in page.content()                              # the identifier is not echoed back

    page.get_by_role("link", name="Progress", exact=True).click()
    level2 = page.locator("#route-eacvi-2025-level2")
    expect(level2.get_by_role("heading", level=2)).to_have_text("EACVI CMR Level 2: met")
    expect(level2.locator("tr[data-rule=case_count] .rule-status")).to_have_text("met")
    expect(page.locator("#route-eacvi-2025-level3-direct").get_by_role("heading", level=2)).to_contain_text("not met")
