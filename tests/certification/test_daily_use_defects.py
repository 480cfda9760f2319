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


def test_withdrawing_an_application_asks_first_without_javascript(draft, candidate, client_for):
    c = client_for(candidate)
    page = c.get(f"/certification/applications/{draft.pk}/").content.decode()
    assert "data-confirm" not in page
    asked = c.post(f"/certification/applications/{draft.pk}/withdraw/").content.decode()
    assert f"Withdraw application #{draft.pk}?" in asked and "cannot be reopened" in asked
    assert 'name="confirmed" value="yes"' in asked
    assert f'href="/certification/applications/{draft.pk}/">No, go back' in asked
    draft.refresh_from_db()
    assert draft.state == "draft"                                          # asking changed nothing


def test_withdrawing_says_so(draft, candidate, client_for):
    page = client_for(candidate).post(f"/certification/applications/{draft.pk}/withdraw/", {"confirmed": "yes"},
                                      follow=True).content.decode()
    assert "Application withdrawn." in page
    draft.refresh_from_db()
    assert draft.state == "withdrawn"


def test_only_the_candidate_is_asked(draft, supervisor, client_for):
    assert client_for(supervisor).post(f"/certification/applications/{draft.pk}/withdraw/").status_code in (403, 404)


def test_the_graders_dashboard_panels_agree(in_grading, board_member, grader, client_for):
    from cmrnet.certification import services

    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    page = client_for(grader).get("/").content.decode()
    assert f"Application #{in_grading.pk}" in page
    assert "No applications are assigned to you" not in page and "Nothing waits for your grade" not in page
