"""Peer recognition in a real browser (issue 9): the trainee adds an oral at a local meeting, sees it saved
with the warning that it does not count, then a talk and a second talk at the same meeting; the counts and the
reasons are on the page; axe-core finds no serious or critical violation."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cmrnet.logbook.models import PeerRecognition
from tests.e2e.axe import describe, violations
from tests.e2e.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)


def _add(page, *, kind, title, event, scope, day, first_author="— (orals only)", presented="— (orals only)"):
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Meeting, course or journal").fill(event)
    page.get_by_label("Meeting scope").select_option(label=scope)
    page.get_by_label("Date").fill(day)
    page.get_by_label("I was the first author").select_option(label=first_author)
    page.get_by_label("I presented it myself").select_option(label=presented)
    page.get_by_role("button", name="Add").click()


def test_entries_are_added_one_by_one_and_each_says_whether_it_counts(page, login, trainee):
    PeerRecognition.objects.create(trainee=trainee, kind="oral", title="Legacy oral", date=dt.date(2024, 5, 1),
                                   first_author=True, presented_in_person=None)
    login(trainee)
    page.goto("/logbook/peer-recognition/")
    _add(page, kind="Oral presentation of original data", title="Native T1 in athletes", event="Regional CMR day",
         scope="Local", day="2026-02-01", first_author="Yes", presented="Yes")
    expect(page.get_by_role("status").filter(has_text="Saved, but this entry does not count")).to_contain_text(
        "an oral presentation counts only at a national or international meeting (this one: local)")
    _add(page, kind="Invited talk or chair", title="Chair, mapping session", event="EuroCMR 2025",
         scope="International", day="2025-05-02")
    _add(page, kind="Invited talk or chair", title="Talk, strain", event="EUROCMR 2025", scope="International",
         day="2025-05-03")
    counts = page.locator("#peer-counts")
    expect(counts).to_contain_text("Meetings as invited speaker/chair")
    expect(counts.locator("dd").nth(1)).to_have_text("1 of 2")
    talk = PeerRecognition.objects.get(title="Talk, strain")
    expect(page.locator(f"#peer-{talk.pk}")).to_contain_text("No: same meeting or course as an earlier item")
    expect(page.locator("#peer-unstated")).to_contain_text("Legacy oral")
    assert PeerRecognition.objects.count() == 4
    found = violations(page)
    assert found == [], describe(found)
    shoot(page, "peer-recognition")
