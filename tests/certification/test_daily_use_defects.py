"""Defects of the daily-use walk-through on the certification pages."""

import re


def test_a_refused_submission_is_one_message_listing_each_reason(draft, candidate, client_for):
    page = client_for(candidate).post(f"/certification/applications/{draft.pk}/submit/", follow=True).content.decode()
    boxes = re.findall(r'<li class="error">(.*?)</li>', page, re.S)
    assert len(boxes) == 1
    assert boxes[0].startswith("The application cannot be submitted yet:\n– ") and "has not signed" in boxes[0]


def test_the_verdict_names_the_route_in_plain_words(signed, candidate, client_for):
    page = client_for(candidate).get(f"/certification/applications/{signed.pk}/").content.decode()
    assert "eacvi-2025 / level2" not in page and "not_met" not in page


def test_withdrawing_an_application_asks_first(draft, candidate, client_for):
    page = client_for(candidate).get(f"/certification/applications/{draft.pk}/").content.decode()
    assert re.search(r'action="/certification/applications/\d+/withdraw/" data-confirm="Withdraw application #\d+\?', page)


def test_withdrawing_says_so(draft, candidate, client_for):
    page = client_for(candidate).post(f"/certification/applications/{draft.pk}/withdraw/", follow=True).content.decode()
    assert "Application withdrawn." in page


def test_the_graders_dashboard_panels_agree(in_grading, board_member, grader, client_for):
    from cmrnet.certification import services

    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    page = client_for(grader).get("/").content.decode()
    assert f"Application #{in_grading.pk}" in page
    assert "No applications are assigned to you" not in page and "Nothing waits for your grade" not in page
