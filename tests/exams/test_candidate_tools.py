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


# --- the save path's statements (issue 14) ------------------------------------------------------------------

def _statements(client, method, url, data=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {}, HTTP_ACCEPT="application/json")
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_save_reads_the_attempt_once_locked_and_upserts_the_answer(attempt, trainee, client_for):
    c = client_for(trainee)
    item = attempt.item_order[0]
    _save(c, attempt, item=item, choice="A", position=1)                  # the row exists: an update
    response, sql = _statements(c, "post", f"/exams/attempts/{attempt.pk}/save/",
                                {"item": item, "choice": "B", "position": 1})
    assert response.json()["saved"] and response.json()["choice"] == "B"
    attempt_reads = [s for s in sql if s.startswith("SELECT") and 'FROM "exams_attempt"' in s]
    answer_writes = [s for s in sql if '"exams_answer"' in s and not s.startswith("SELECT")]
    assert len(attempt_reads) == 1, attempt_reads
    assert len(answer_writes) == 1 and answer_writes[0].startswith('INSERT INTO "exams_answer"')
    assert "ON CONFLICT" in answer_writes[0]
    assert not any(s.startswith("UPDATE") for s in sql)                  # same position: no attempt write
    # a new item: still one read and one statement for the answer (plus the position, which changed)
    response, sql_new = _statements(c, "post", f"/exams/attempts/{attempt.pk}/save/",
                                    {"item": attempt.item_order[1], "choice": "C", "position": 2})
    assert response.json()["answered"] == 2
    assert len([s for s in sql_new if '"exams_answer"' in s and not s.startswith("SELECT")]) == 1
    assert len(sql_new) == len(sql) + 1 and [s for s in sql_new if s.startswith("UPDATE")][0].count("position") == 1
    assert Answer.objects.get(attempt=attempt, form_item_id=item).saves == 2


def test_the_save_query_count_does_not_grow_with_the_answers(attempt, trainee, client_for,
                                                            django_assert_max_num_queries):
    c = client_for(trainee)
    _, first = _statements(c, "post", f"/exams/attempts/{attempt.pk}/save/",
                           {"item": attempt.item_order[0], "choice": "A", "position": 1})
    for n, item in enumerate(attempt.item_order[1:4], start=2):
        _save(c, attempt, item=item, choice="B", position=n)
    with django_assert_max_num_queries(len(first)):
        # a new answer row, at the position already recorded (as the first save was): the same statements
        c.post(f"/exams/attempts/{attempt.pk}/save/", {"item": attempt.item_order[4], "choice": "E", "position": 4},
               HTTP_ACCEPT="application/json")


def test_another_candidates_save_is_a_404_and_writes_nothing(attempt, other_trainee, client_for):
    response = client_for(other_trainee).post(f"/exams/attempts/{attempt.pk}/save/",
                                              {"item": attempt.item_order[0], "choice": "A"},
                                              HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and not Answer.objects.exists()


def test_a_question_page_writes_nothing_and_takes_no_lock(attempt, trainee, client_for):
    """On SQLite every transaction begins IMMEDIATE (the write lock): a question page opens none."""
    c = client_for(trainee)
    for n in (1, 3, 2):
        response, sql = _statements(c, "get", f"/exams/attempts/{attempt.pk}/q/{n}/")
        assert response.status_code == 200
        assert not [s for s in sql if s.split()[0] in {"INSERT", "UPDATE", "DELETE", "SAVEPOINT"}
                    and "django_session" not in s], sql
        assert not any("FOR UPDATE" in s for s in sql)


def test_an_overdue_attempt_is_closed_by_the_question_page(attempt, trainee, client_for):
    type(attempt).objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    response = client_for(trainee).get(f"/exams/attempts/{attempt.pk}/q/1/")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submit_reason == "timeout" and attempt.submitted_at is not None
