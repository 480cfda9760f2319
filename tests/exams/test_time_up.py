"""Finding 7 (issue 8): the exam's time-out is the server's decision. The page's countdown can only ask
(time-up); an early question changes nothing, and a time-out is never recorded as the candidate's own
submission."""

import datetime as dt

import pytest
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.exams import services
from cmrnet.exams.models import Attempt, SubmitReason
from tests.exams import factories


@pytest.fixture
def attempt(board_member, form5, trainee):
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(minutes=5), duration=60)
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    return services.start_attempt(candidate=trainee, sitting=sitting, now=now - dt.timedelta(minutes=1))


def _past_deadline(attempt, seconds=5):
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=seconds))
    attempt.refresh_from_db()


def test_an_early_time_up_leaves_the_attempt_open_and_returns_the_time_left(client_for, trainee, attempt):
    response = client_for(trainee).post(f"/exams/attempts/{attempt.pk}/time-up/")
    assert response.status_code == 200
    body = response.json()
    assert body["closed"] is False and 58 * 60_000 < body["remaining_ms"] <= 59 * 60_000
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.submit_reason == ""
    assert not AuditEntry.objects.filter(action__in=["attempt.submitted", "attempt.timed_out"]).exists()


def test_time_up_after_the_server_deadline_closes_as_a_time_out(client_for, trainee, attempt):
    _past_deadline(attempt)
    response = client_for(trainee).post(f"/exams/attempts/{attempt.pk}/time-up/")
    assert response.json() == {"closed": True, "reason": "timeout", "done_url": f"/exams/attempts/{attempt.pk}/done/"}
    closed = Attempt.objects.get(pk=attempt.pk)
    assert closed.submit_reason == SubmitReason.TIMEOUT and closed.submitted_at == attempt.deadline
    entry = AuditEntry.objects.get(action="attempt.timed_out")
    assert entry.actor is None and entry.actor_label == "system" and entry.data["noticed_by"] == "page countdown"
    assert not AuditEntry.objects.filter(action="attempt.submitted").exists()


def test_time_up_twice_closes_once(client_for, trainee, attempt):
    _past_deadline(attempt)
    c = client_for(trainee)
    assert c.post(f"/exams/attempts/{attempt.pk}/time-up/").json()["closed"] is True
    assert c.post(f"/exams/attempts/{attempt.pk}/time-up/").json()["closed"] is True
    assert AuditEntry.objects.filter(action="attempt.timed_out").count() == 1


def test_a_submission_without_the_submit_button_is_refused(client_for, trainee, attempt):
    """What the old page did at its own zero: an empty POST to submit. It is not the candidate's decision."""
    response = client_for(trainee).post(f"/exams/attempts/{attempt.pk}/submit/", {},
                                        HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert Attempt.objects.get(pk=attempt.pk).is_open


def test_the_submit_button_is_the_candidates_submission(client_for, trainee, attempt):
    response = client_for(trainee).post(f"/exams/attempts/{attempt.pk}/submit/", {"confirm": "submit"})
    assert response.status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).submit_reason == SubmitReason.CANDIDATE


def test_the_submit_button_after_the_deadline_is_a_time_out(client_for, trainee, attempt):
    _past_deadline(attempt)
    client_for(trainee).post(f"/exams/attempts/{attempt.pk}/submit/", {"confirm": "submit"})
    closed = Attempt.objects.get(pk=attempt.pk)
    assert closed.submit_reason == SubmitReason.TIMEOUT and closed.submitted_at == attempt.deadline


def test_time_up_is_a_post_for_the_candidate_only(client_for, trainee, other_trainee, board_member, attempt):
    assert client_for(trainee).get(f"/exams/attempts/{attempt.pk}/time-up/").status_code == 405
    assert client_for(other_trainee).post(f"/exams/attempts/{attempt.pk}/time-up/").status_code == 404
    assert client_for(board_member).post(f"/exams/attempts/{attempt.pk}/time-up/").status_code == 404


def test_the_page_asks_time_up_and_never_posts_to_submit_by_itself():
    """The delivery script's only automatic request at zero is the time-up question."""
    from pathlib import Path

    import cmrnet.exams

    script = (Path(cmrnet.exams.__file__).parent / "static/exams/delivery.js").read_text()
    assert "timeUpUrl" in script and "submitUrl" not in script and "Date.now" not in script
