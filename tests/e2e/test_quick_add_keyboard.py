"""Issue 13: quick add in a real browser with the keyboard alone, from an empty logbook (the state in which
the old out-of-band delete of the "no cases" row broke every add after the first), and the repeat-patient
warning at entry."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.logbook import services
from tests.e2e.shots import shoot
from tests.logbook.factories import case_input, supervise

pytestmark = pytest.mark.django_db(transaction=True)


def console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def open_logbook(page, login, person):
    login(person)
    page.get_by_role("link", name="Logbook", exact=True).click()
    identifier = page.get_by_label("Local patient identifier")
    expect(identifier).to_be_focused()
    return identifier


def test_twenty_cases_in_a_row_with_the_keyboard_only(page, login, trainee, mentor):
    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    errors = console_errors(page)
    identifier = open_logbook(page, login, trainee)
    expect(page.locator("#no-cases")).to_be_visible()

    # First case: nothing to default from, so the day and the category are typed too.
    page.keyboard.press("Shift+Tab")                                      # back to the study date
    expect(page.get_by_label("Study date")).to_be_focused()
    page.keyboard.type((today - dt.timedelta(days=3)).isoformat())
    page.keyboard.press("Tab")
    expect(identifier).to_be_focused()
    page.keyboard.type("MRN-QA-1")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Category")).to_be_focused()
    page.keyboard.type("Mass")                                            # type-ahead in the select
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    status = page.locator("#add-status")
    expect(status).to_contain_text("added.")
    rows = page.locator("#case-rows > tr:not(#no-cases)")
    expect(rows).to_have_count(1)
    expect(page.locator("#no-cases")).to_be_hidden()

    # The next ones: the defaults come from the last entry; type the identifier and press Enter.
    # Twenty in all (the figure), no mouse anywhere: each time the row count and the focus.
    for n in range(2, 21):
        identifier = page.get_by_label("Local patient identifier")
        expect(identifier).to_be_focused()                                # focus is back on the entry field
        expect(identifier).to_have_value("")
        page.keyboard.type(f"MRN-QA-{n}")
        page.keyboard.press("Enter")
        expect(rows).to_have_count(n)
        expect(status).to_have_text(re.compile(r"^Case \S+ added\.$"))
        expect(page.get_by_label("Local patient identifier")).to_be_focused()

    expect(page.get_by_label("Local patient identifier")).to_be_focused()
    assert trainee.logbook_cases.count() == 20
    assert set(trainee.logbook_cases.values_list("category", flat=True)) == {"mass"}
    expect(rows.first).to_contain_text("Mass")
    expect(page.locator("#case-rows input, #case-rows select")).to_have_count(0)   # form not inside the table
    expect(page.locator("form#quick-add")).to_have_count(1)
    expect(page.locator("table.cases form#quick-add")).to_have_count(0)
    expect(status).not_to_contain_text("Same patient")
    assert "MRN-QA" not in page.content()
    assert errors == [], errors


def test_a_repeat_patient_is_warned_at_entry_and_still_added(page, login, trainee, mentor):
    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    earlier = services.add_case(by=trainee, trainee=trainee,
                                data=case_input(mentor, day=today - dt.timedelta(days=40), identifier="MRN-REPEAT"))
    errors = console_errors(page)
    open_logbook(page, login, trainee)

    page.keyboard.type("mrn-repeat ")                                     # normalised as the import does
    warning = page.locator("#repeat-warning")
    page.keyboard.press("Tab")                                            # leaving the field checks it
    expect(warning).to_contain_text(f"Same patient as case {earlier.case_id} in your logbook")
    assert trainee.logbook_cases.count() == 1                             # warned before anything is added
    shot = shoot(page, "quick-add-repeat-warning")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("Local patient identifier")).to_be_focused()
    page.keyboard.press("Enter")
    status = page.locator("#add-status")
    expect(status).to_contain_text("added.")
    expect(status).to_contain_text(f"Same patient as case {earlier.case_id} in your logbook")
    assert trainee.logbook_cases.count() == 2                             # a warning, not a refusal

    expect(warning).to_be_empty()                                         # the fresh form starts clean
    page.keyboard.type("MRN-NEW")
    page.keyboard.press("Tab")
    page.wait_for_load_state("networkidle")
    expect(warning).to_be_empty()                                         # a new patient: no warning
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#case-rows > tr:not(#no-cases)")).to_have_count(3)
    expect(status).not_to_contain_text("Same patient")
    if shot:                            # Playwright's full-page capture applies inline styles (CSP reports them)
        errors = [e for e in errors if not e.startswith("Applying inline style violates")]
    assert errors == [], errors
