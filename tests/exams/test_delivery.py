"""Delivery: version pinning, start window, deadline with accommodations, saves, time-out, key never sent."""

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.exams import scoring, services
from cmrnet.exams.models import Answer, FormItem, SubmitReason, Topic
from tests.exams import factories
from tests.exams.factories import T0

pytestmark = pytest.mark.django_db


def test_editing_an_item_after_locking_does_not_change_what_the_sitting_shows_or_scores(
        board_member, board_member2, sitting, trainee):
    attempt = factories.sit(trainee, sitting, "ABCDE", board=board_member)
    first = FormItem.objects.get(form=sitting.form, position=1)
    # the author re-keys item 1 to B in the bank and it is approved again
    values = factories.item_values(1, key="B")
    services.revise_item(by=board_member, item=first.item, topic=Topic.objects.get(code="physics"), **values)
    services.submit_for_review(by=board_member, item=first.item)
    services.review_item(by=board_member2, item=first.item, approve=True)
    first.refresh_from_db()
    assert first.item.current_version.number == 2 and first.version.number == 1
    data = scoring.load(sitting)
    assert data.key["Q1"] == "A"
    assert scoring.candidate_scores(sitting, data)[0].score == 5.0
    assert attempt.answers.get(form_item=first).choice == "A"


def test_only_registered_candidates_start_and_only_inside_the_window(board_member, sitting, trainee, other_trainee):
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    with pytest.raises(PermissionDenied):
        services.start_attempt(candidate=other_trainee, sitting=sitting, now=T0)
    with pytest.raises(ValidationError, match="start window"):
        services.start_attempt(candidate=trainee, sitting=sitting, now=T0 - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="start window"):
        services.start_attempt(candidate=trainee, sitting=sitting, now=sitting.start_closes + dt.timedelta(seconds=1))
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=sitting.start_closes)
    assert attempt.started_at == sitting.start_closes
    again = services.start_attempt(candidate=trainee, sitting=sitting, now=sitting.start_closes + dt.timedelta(minutes=5))
    assert again.pk == attempt.pk and again.started_at == attempt.started_at


def test_start_at_the_exact_opening_is_allowed(board_member, sitting, trainee):
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=T0)
    assert attempt.deadline == T0 + dt.timedelta(minutes=180)


def test_accommodation_extends_the_deadline_by_exactly_the_extra_minutes(board_member, sitting, trainee, other_trainee):
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee, extra_minutes=45)
    services.register_candidate(by=board_member, sitting=sitting, candidate=other_trainee)
    start = T0 + dt.timedelta(minutes=17, seconds=3)
    a = services.start_attempt(candidate=trainee, sitting=sitting, now=start)
    b = services.start_attempt(candidate=other_trainee, sitting=sitting, now=start)
    assert a.deadline - b.deadline == dt.timedelta(minutes=45)
    assert a.deadline == start + dt.timedelta(minutes=225)
    fid = a.item_order[0]
    late_for_b = b.deadline + dt.timedelta(minutes=1)
    services.save_answer(attempt=a, now=late_for_b, form_item_id=fid, choice="C")  # still inside a's extra time
    with pytest.raises(services.AttemptClosed):
        services.save_answer(attempt=b, now=late_for_b, form_item_id=fid, choice="C")


def test_answer_after_deadline_is_refused_and_attempt_unchanged(board_member, sitting, trainee):
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=T0)
    fid = attempt.item_order[0]
    services.save_answer(attempt=attempt, now=attempt.deadline - dt.timedelta(seconds=1), form_item_id=fid, choice="B")
    with pytest.raises(services.AttemptClosed):
        services.save_answer(attempt=attempt, now=attempt.deadline, form_item_id=fid, choice="D")
    answer = Answer.objects.get(attempt=attempt, form_item_id=fid)
    assert answer.choice == "B" and answer.saves == 1
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.submit_reason == SubmitReason.TIMEOUT
    assert AuditEntry.objects.filter(action="attempt.timed_out", object_id=str(attempt.pk)).count() == 1


def test_submitted_attempt_refuses_changes(board_member, sitting, trainee):
    attempt = factories.sit(trainee, sitting, "A----", board=board_member)
    assert attempt.submit_reason == SubmitReason.CANDIDATE
    with pytest.raises(services.AttemptClosed):
        services.save_answer(attempt=attempt, now=T0 + dt.timedelta(minutes=40), form_item_id=attempt.item_order[1],
                             choice="B")
    assert attempt.answers.exclude(choice="").count() == 1


def test_flags_strikes_and_defect_reports_are_saved_with_canonical_letters(board_member, sitting, trainee):
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=T0)
    fid = attempt.item_order[2]
    now = T0 + dt.timedelta(minutes=1)
    services.save_answer(attempt=attempt, now=now, form_item_id=fid, choice="c", position=3)
    services.save_answer(attempt=attempt, now=now, form_item_id=fid, flagged=True, struck="EA")
    services.save_answer(attempt=attempt, now=now, form_item_id=fid, defect_flag=True, defect_comment="Two keys")
    answer = Answer.objects.get(attempt=attempt, form_item_id=fid)
    assert (answer.choice, answer.flagged, answer.struck, answer.defect_flag, answer.defect_comment) == \
        ("C", True, "AE", True, "Two keys")
    attempt.refresh_from_db()
    assert attempt.position == 3
    with pytest.raises(ValidationError):
        services.save_answer(attempt=attempt, now=now, form_item_id=fid, choice="F")


def test_shuffled_order_is_stored_per_attempt_and_answers_stay_canonical(board_member, form5, trainee, client_for):
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(minutes=5),
                                    shuffle_items=True, shuffle_options=True)
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=now)
    ids = list(FormItem.objects.filter(form=form5).order_by("position").values_list("pk", flat=True))
    assert sorted(attempt.item_order) == ids
    c = client_for(trainee)
    html = c.get(f"/exams/attempts/{attempt.pk}/q/1/").content.decode()
    shown = re.findall(r'name="choice" id="opt-\d" value="([A-E])"', html)
    assert "".join(shown) == attempt.option_orders[str(attempt.item_order[0])]
    response = c.post(f"/exams/attempts/{attempt.pk}/save/", {"item": attempt.item_order[0], "choice": shown[0],
                                                              "position": 1}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["choice"] == shown[0]
    assert Answer.objects.get(attempt=attempt, form_item_id=attempt.item_order[0]).choice == shown[0]


def _collect_candidate_output(c, attempt):
    """Every page and JSON a candidate's browser loads while sitting the exam."""
    out = [c.get(f"/exams/sittings/{attempt.registration.sitting_id}/").content.decode()]
    for n, fid in enumerate(attempt.item_order, start=1):
        out.append(c.get(f"/exams/attempts/{attempt.pk}/q/{n}/").content.decode())
        out.append(c.post(f"/exams/attempts/{attempt.pk}/save/", {"item": fid, "choice": "E", "flagged": "true"},
                          HTTP_ACCEPT="application/json").content.decode())
    out.append(c.get("/api/v1/exam-attempts/").content.decode())
    out.append(c.get(f"/api/v1/exam-attempts/{attempt.pk}/").content.decode())
    return out


def test_key_and_explanation_never_reach_the_candidates_browser(board_member, form5, trainee, client_for):
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(minutes=5), shuffle_options=True)
    c = client_for(trainee)
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    response = c.post(f"/exams/sittings/{sitting.pk}/start/")
    attempt = trainee.exam_registrations.get().attempt
    assert response.status_code == 302
    outputs = _collect_candidate_output(c, attempt)
    keys = {str(fi.pk): fi.version.key for fi in FormItem.objects.filter(form=form5).select_related("version")}
    for text in outputs:
        assert "SECRET-EXPLANATION" not in text
        assert "Reference " not in text
        assert not re.search(r'"key"|data-key|correct|\(key\)', text, re.I)
    for page in outputs[1:-2:2]:  # question pages: the key option is marked up exactly like the others
        inputs = re.findall(r'<input type="radio"[^>]*>', page)
        assert len(inputs) == 5
        assert len({re.sub(r'id="opt-\d" value="[A-E]"( checked)?', "", i) for i in inputs}) == 1
    for payload in outputs[2:-2:2] + outputs[-2:]:
        assert not any(k in json.loads(payload) for k in ("key", "explanation", "correct"))
    assert keys  # the form does have keys; they were just never sent


def test_deadline_passed_on_page_load_closes_the_attempt_lazily(board_member, form5, trainee, client_for):
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(hours=1), duration=1)
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=now - dt.timedelta(minutes=2))
    c = client_for(trainee)
    response = c.get(f"/exams/attempts/{attempt.pk}/q/1/")
    assert response.status_code == 302 and response["Location"].endswith(f"/attempts/{attempt.pk}/done/")
    attempt.refresh_from_db()
    assert attempt.submit_reason == SubmitReason.TIMEOUT and attempt.submitted_at == attempt.deadline
    late = c.post(f"/exams/attempts/{attempt.pk}/save/", {"item": attempt.item_order[0], "choice": "A"},
                  HTTP_ACCEPT="application/json")
    assert late.status_code == 409 and "not saved" in late.json()["error"]
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_question_page_shows_server_remaining_time_and_resumes_state(board_member, form5, trainee, client_for):
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(minutes=30), duration=60)
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee, extra_minutes=10)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=now - dt.timedelta(minutes=20))
    services.save_answer(attempt=attempt, now=now, form_item_id=attempt.item_order[1], choice="D", flagged=True,
                         position=2)
    c = client_for(trainee)
    resume = c.get(f"/exams/attempts/{attempt.pk}/")
    assert resume["Location"].endswith(f"/attempts/{attempt.pk}/q/2/")
    html = c.get(resume["Location"]).content.decode()
    remaining = int(re.search(r'data-remaining="(\d+)"', html).group(1))
    assert 50 * 60 - 5 <= remaining <= 50 * 60
    assert re.search(r'value="D" checked', html)
    assert re.search(r'id="flag-review" checked', html)
    assert 'class="cell answered flagged" aria-current="page"' in html


def test_without_javascript_the_answer_form_saves_and_moves_to_the_next_question(board_member, form5, trainee, client_for):
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(minutes=5))
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=now)
    response = client_for(trainee).post(f"/exams/attempts/{attempt.pk}/save/",
                                        {"item": attempt.item_order[0], "choice": "D", "position": 1})
    assert response.status_code == 302 and response["Location"].endswith(f"/attempts/{attempt.pk}/q/2/")
    assert Answer.objects.get(attempt=attempt, form_item_id=attempt.item_order[0]).choice == "D"
