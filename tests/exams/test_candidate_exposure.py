"""Finding 2 (issue 8): nobody who can see an exam's items may be its candidate; every registration path
refuses with the reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cmrnet.exams import services
from cmrnet.exams.models import Registration
from cmrnet.people.roles import Role
from cmrnet.people.services import grant_role, revoke_role
from tests.exams import factories


def test_a_board_member_cannot_be_registered(board_member, board_member2, sitting, make_person):
    third = make_person("cleo@example.org", Role.EXAM_BOARD, full_name="Cleo Board")
    with pytest.raises(ValidationError) as exc:
        services.register_candidate(by=board_member, sitting=sitting, candidate=third)
    assert "can see the item bank" in str(exc.value)
    assert not Registration.objects.filter(candidate=third).exists()


def test_an_author_or_reviewer_who_left_the_board_cannot_be_registered(board_member, board_member2, sitting):
    revoke_role(by=None, person=board_member2, role=Role.EXAM_BOARD)  # bob reviewed every item on the form
    board_member2.forget_roles()
    with pytest.raises(ValidationError) as exc:
        services.register_candidate(by=board_member, sitting=sitting, candidate=board_member2)
    assert "wrote or reviewed CMR-0001" in str(exc.value)


def test_a_former_board_member_who_saw_the_bank_cannot_be_registered(board_member, board_member2, sitting,
                                                                         make_person):
    former = make_person("fred@example.org", Role.EXAM_BOARD, Role.TRAINEE, full_name="Fred Former")
    revoke_role(by=None, person=former, role=Role.EXAM_BOARD)
    former.forget_roles()
    with pytest.raises(ValidationError) as exc:
        services.register_candidate(by=board_member, sitting=sitting, candidate=former)
    assert "was an exam board member while items on this form were in the bank" in str(exc.value)


def test_a_trainee_is_registered(board_member, sitting, trainee):
    reg = services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    assert reg.candidate == trainee


def test_the_board_page_refuses_with_the_reason(client_for, board_member, board_member2, sitting):
    response = client_for(board_member).post(f"/exams/sittings/{sitting.pk}/manage/", {
        "candidate": board_member2.pk, "extra_minutes": 0, "accommodation_note": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be a candidate" in body and "can see the item bank" in body
    assert not Registration.objects.filter(candidate=board_member2).exists()


def test_the_api_refuses_with_the_reason(client_for, board_member, board_member2, sitting, trainee):
    c = client_for(board_member)
    url = f"/api/v1/exam-sittings/{sitting.pk}/registrations/"
    refused = c.post(url, {"candidate": board_member2.pk}, content_type="application/json")
    assert refused.status_code == 400 and "can see the item bank" in refused.content.decode()
    ok = c.post(url, {"candidate": trainee.pk, "extra_minutes": 15}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["extra_minutes"] == 15
    assert [r["candidate"] for r in c.get(url).json()] == [trainee.pk]


def test_a_registration_that_predates_the_rule_cannot_start(board_member, board_member2, sitting):
    Registration.objects.create(sitting=sitting, candidate=board_member2)  # written before the rule existed
    with pytest.raises(ValidationError) as exc:
        services.start_attempt(candidate=board_member2, sitting=sitting,
                               now=sitting.start_opens + dt.timedelta(minutes=1))
    assert "can see the item bank" in str(exc.value)


def test_a_pending_candidate_is_not_given_the_board_role(board_member, sitting, trainee, client_for, admin):
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    with pytest.raises(ValidationError) as exc:
        grant_role(by=admin, person=trainee, role=Role.EXAM_BOARD)
    assert "is a candidate for Test sitting" in str(exc.value)
    response = client_for(admin).post(f"/people/{trainee.pk}/roles/", {"roles": [Role.TRAINEE, Role.EXAM_BOARD]})
    assert response.status_code == 200 and "is a candidate for Test sitting" in response.content.decode()
    trainee.forget_roles()
    assert not trainee.has_role(Role.EXAM_BOARD)
