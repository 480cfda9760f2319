"""Issue 13: quick add in a real browser with the keyboard alone, from an empty logbook (the state in which
the old out-of-band delete of the "no cases" row broke every add after the first), and the repeat-patient
warning at entry."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.logbook import services
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


def test_three_cases_in_a_row_with_the_keyboard_only(page, login, trainee, mentor):
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
    for n in (2, 3):
        identifier = page.get_by_label("Local patient identifier")
        expect(identifier).to_be_focused()                                # focus is back on the entry field
        expect(identifier).to_have_value("")
        page.keyboard.type(f"MRN-QA-{n}")
        page.keyboard.press("Enter")
        expect(rows).to_have_count(n)

    expect(page.get_by_label("Local patient identifier")).to_be_focused()
    assert trainee.logbook_cases.count() == 3
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
    page.keyboard.press("Enter")
    status = page.locator("#add-status")
    expect(status).to_contain_text("added.")
    expect(status).to_contain_text(f"Same patient as case {earlier.case_id} in your logbook")
    assert trainee.logbook_cases.count() == 2                             # a warning, not a refusal

    page.keyboard.type("MRN-NEW")
    page.keyboard.press("Enter")
    expect(page.locator("#case-rows > tr:not(#no-cases)")).to_have_count(3)
    expect(status).not_to_contain_text("Same patient")
    assert errors == [], errors
