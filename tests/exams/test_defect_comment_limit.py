"""Finding 11: a candidate's defect report has a size limit, in the form, the JSON save and the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cmrnet.exams import services
from cmrnet.exams.models import DEFECT_COMMENT_MAX_LENGTH, Answer
from tests.exams import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(board_member, form5, trainee):
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(minutes=5))
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    return services.start_attempt(candidate=trainee, sitting=sitting, now=now)


def save(client, attempt, comment):
    return client.post(f"/exams/attempts/{attempt.pk}/save/", {
        "item": attempt.item_order[0], "defect_flag": "true", "defect_comment": comment},
        HTTP_ACCEPT="application/json")


def test_a_report_of_exactly_the_limit_is_kept_whole(attempt, trainee, client_for):
    comment = "x" * DEFECT_COMMENT_MAX_LENGTH
    response = save(client_for(trainee), attempt, comment)
    assert response.status_code == 200 and response.json()["defect_flag"] is True
    assert Answer.objects.get(attempt=attempt).defect_comment == comment


def test_a_longer_report_is_refused_with_a_message_and_nothing_is_saved(attempt, trainee, client_for):
    response = save(client_for(trainee), attempt, "x" * (DEFECT_COMMENT_MAX_LENGTH + 1))
    assert response.status_code == 400
    assert response.json() == {"saved": False, "error": (
        f"The defect report is {DEFECT_COMMENT_MAX_LENGTH + 1} characters long; at most "
        f"{DEFECT_COMMENT_MAX_LENGTH} are kept. Please shorten it.")}
    assert not Answer.objects.filter(attempt=attempt, defect_flag=True).exists()


def test_a_megabyte_report_is_refused(attempt, trainee, client_for):
    response = save(client_for(trainee), attempt, "y" * 1_000_000)
    assert response.status_code == 400
    assert not Answer.objects.filter(attempt=attempt, defect_flag=True).exists()


def test_the_service_refuses_it_too(attempt):
    with pytest.raises(ValidationError):
        services.save_answer(attempt=attempt, now=timezone.now(), form_item_id=attempt.item_order[0],
                             defect_flag=True, defect_comment="z" * (DEFECT_COMMENT_MAX_LENGTH + 1))


def test_the_question_page_limits_the_text_box(attempt, trainee, client_for):
    html = client_for(trainee).get(f"/exams/attempts/{attempt.pk}/q/1/").content.decode()
    assert f'id="defect-comment" rows="2" maxlength="{DEFECT_COMMENT_MAX_LENGTH}"' in html


def test_the_database_refuses_a_longer_comment_written_past_the_service(attempt):
    answer = Answer.objects.create(attempt=attempt, form_item_id=attempt.item_order[0], updated_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(defect_comment="w" * (DEFECT_COMMENT_MAX_LENGTH + 1))
