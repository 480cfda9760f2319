"""The candidate's tools: the review page before submitting, clearing a choice, and a save that may safely
be sent twice (the page retries after a lost response)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cmrnet.exams import services
from cmrnet.exams.models import Answer
from tests.exams import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(board_member, form5, trainee):
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(minutes=5), duration=60)
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    return services.start_attempt(candidate=trainee, sitting=sitting, now=now)


def _save(client, attempt, **fields):
    return client.post(f"/exams/attempts/{attempt.pk}/save/", fields, HTTP_ACCEPT="application/json")


def test_the_review_page_lists_unanswered_and_flagged_questions_with_links(attempt, trainee, client_for):
    c = client_for(trainee)
    order = attempt.item_order
    _save(c, attempt, item=order[0], choice="A", position=1)
    _save(c, attempt, item=order[1], choice="B", flagged="true", position=2)
    _save(c, attempt, item=order[3], flagged="true", position=4)       # flagged but unanswered
    html = c.get(f"/exams/attempts/{attempt.pk}/review/").content.decode()
    unanswered = html[html.index('id="unanswered"'):html.index('id="flagged"')]
    flagged = html[html.index('id="flagged"'):html.index('id="submit-heading"')]
    assert "Unanswered questions (3)" in unanswered
    assert re.findall(r'href="/exams/attempts/\d+/q/(\d)/"', unanswered) == ["3", "4", "5"]
    assert "Flagged for review (2)" in flagged
    assert re.findall(r'href="/exams/attempts/\d+/q/(\d)/"', flagged) == ["2", "4"]
    assert "Question 4</a> (unanswered)" in flagged
    assert f'action="/exams/attempts/{attempt.pk}/submit/"' in html and 'name="confirm" value="submit"' in html
    assert "Answered: <span id=\"answered-count\">2</span> of 5" in html


def test_the_question_page_leads_to_the_review_page_and_offers_clear(attempt, trainee, client_for):
    html = client_for(trainee).get(f"/exams/attempts/{attempt.pk}/q/1/").content.decode()
    assert f'href="/exams/attempts/{attempt.pk}/review/"' in html and "Review and submit" in html
    assert 'id="clear-choice"' in html and 'id="connection"' in html and 'id="time-warning"' in html
    assert f'data-attempt="{attempt.pk}"' in html


def test_the_review_page_is_the_candidates_own(attempt, other_trainee, board_member, client_for):
    assert client_for(other_trainee).get(f"/exams/attempts/{attempt.pk}/review/").status_code == 404
    assert client_for(board_member).get(f"/exams/attempts/{attempt.pk}/review/").status_code == 404


def test_after_the_deadline_the_review_page_closes_the_attempt(attempt, trainee, client_for):
    type(attempt).objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    response = client_for(trainee).get(f"/exams/attempts/{attempt.pk}/review/")
    assert response.status_code == 302 and response["Location"].endswith("/done/")
    attempt.refresh_from_db()
    assert attempt.submit_reason == "timeout"


def test_clear_my_choice_leaves_the_question_unanswered_and_keeps_the_flag(attempt, trainee, client_for):
    c = client_for(trainee)
    item = attempt.item_order[2]
    _save(c, attempt, item=item, choice="C", flagged="true", position=3)
    body = _save(c, attempt, item=item, choice="", position=3).json()
    assert body["saved"] and body["choice"] == "" and body["flagged"] is True and body["answered"] == 0
    answer = Answer.objects.get(attempt=attempt, form_item_id=item)
    assert answer.choice == "" and answer.flagged


def test_clear_without_javascript_posts_an_empty_choice_after_the_checked_one(attempt, trainee, client_for):
    item = attempt.item_order[0]
    c = client_for(trainee)
    _save(c, attempt, item=item, choice="B", position=1)
    # the no-script form sends the checked radio and then the clear button's empty value
    response = c.post(f"/exams/attempts/{attempt.pk}/save/", {"item": item, "position": 1, "choice": ["B", ""]})
    assert response.status_code == 302
    assert Answer.objects.get(attempt=attempt, form_item_id=item).choice == ""


def test_the_same_save_sent_twice_leaves_the_same_answer(attempt, trainee, client_for):
    """The page retries a save whose response was lost: every field carries its whole value, so the second
    copy changes nothing."""
    c = client_for(trainee)
    item = attempt.item_order[1]
    fields = dict(item=item, choice="D", flagged="true", struck="AE", position=2)
    first = _save(c, attempt, **fields).json()
    second = _save(c, attempt, **fields).json()
    for key in ("choice", "flagged", "struck", "answered"):
        assert first[key] == second[key]
    answer = Answer.objects.get(attempt=attempt, form_item_id=item)
    assert (answer.choice, answer.flagged, answer.struck) == ("D", True, "AE")
    assert Answer.objects.filter(attempt=attempt).count() == 1
