"""The office's compliance check, graders, grades, the chair, appeals; every transition audited."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import selectors, services
from cmrnet.certification.states import IllegalTransition, State
from cmrnet.people.roles import Role


def test_a_grader_from_the_candidates_centre_cannot_be_assigned(in_grading, board_member, make_person):
    colleague = make_person("colleague@example.org", Role.GRADER)  # at the candidate's centre
    with pytest.raises(ValidationError, match="works at the candidate's centre"):
        services.assign_grader(by=board_member, application=in_grading, grader=colleague)
    assert colleague not in [g for g, _ in selectors.eligible_graders(in_grading)]
    assert not in_grading.assignments.exists()


def test_a_named_supervisor_cannot_grade(in_grading, board_member, supervisor, other_centre):
    from cmrnet.people.services import grant_role, update_profile

    update_profile(by=board_member, person=supervisor, centre=other_centre)
    grant_role(by=None, person=supervisor, role=Role.GRADER)
    with pytest.raises(ValidationError, match="supervisor"):
        services.assign_grader(by=board_member, application=in_grading, grader=supervisor)


def test_graders_are_proposed_language_match_first(in_grading, make_person, other_centre):
    from cmrnet.people.services import update_profile

    english = make_person("anna@example.org", Role.GRADER, full_name="Anna English", at=other_centre)
    german = make_person("zora@example.org", Role.GRADER, full_name="Zora Deutsch", at=other_centre)
    update_profile(by=None, person=english, languages="fr")
    update_profile(by=None, person=german, languages="de")
    ranked = selectors.eligible_graders(in_grading)
    assert ranked[0] == (german, True)
    assert (english, False) in ranked


def test_at_most_two_graders(in_grading, board_member, grader, grader2, make_person, other_centre):
    third = make_person("third@example.org", Role.GRADER, at=other_centre)
    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    services.assign_grader(by=board_member, application=in_grading, grader=grader2)
    with pytest.raises(ValidationError, match="already has 2 graders"):
        services.assign_grader(by=board_member, application=in_grading, grader=third)


def test_graders_are_assigned_only_once_accepted_into_grading(submitted, board_member, grader):
    with pytest.raises(ValidationError, match="accepted into grading"):
        services.assign_grader(by=board_member, application=submitted, grader=grader)


def test_only_the_board_accepts_or_returns(submitted, grader, candidate):
    with pytest.raises(PermissionDenied):
        services.accept_into_grading(by=grader, application=submitted)
    with pytest.raises(PermissionDenied):
        services.return_for_modification(by=candidate, application=submitted, reasons="x")


def test_a_return_needs_reasons(submitted, board_member):
    with pytest.raises(ValidationError, match="fix"):
        services.return_for_modification(by=board_member, application=submitted, reasons="  ")


def test_an_unassigned_grader_cannot_grade(in_grading, grader):
    with pytest.raises(PermissionDenied):
        services.record_grade(by=grader, application=in_grading, result="pass", comments="ok")


def test_agreeing_grades_are_graded_and_the_board_confirms_the_pass(in_grading, board_member, grader, grader2, today):
    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    services.assign_grader(by=board_member, application=in_grading, grader=grader2)
    services.record_grade(by=grader, application=in_grading, result="pass", comments="Fine.")
    in_grading.refresh_from_db()
    assert in_grading.state == State.IN_GRADING
    services.record_grade(by=grader2, application=in_grading, result="pass", comments="Fine too.")
    in_grading.refresh_from_db()
    assert in_grading.state == State.GRADED
    services.confirm_decision(by=board_member, application=in_grading, today=today)
    in_grading.refresh_from_db()
    assert in_grading.state == State.PASSED and in_grading.decided_on == today
    assert in_grading.certificates.get().certification.level == 2


def test_agreeing_fails_are_a_fail_without_certificate(in_grading, board_member, grader, grader2, today):
    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    services.assign_grader(by=board_member, application=in_grading, grader=grader2)
    services.record_grade(by=grader, application=in_grading, result="fail", comments="Too few cases.")
    services.record_grade(by=grader2, application=in_grading, result="fail", comments="Agreed.")
    services.confirm_decision(by=board_member, application=in_grading, today=today)
    in_grading.refresh_from_db()
    assert in_grading.state == State.FAILED and not in_grading.certificates.exists()


def test_a_grader_grades_once(in_grading, board_member, grader, grader2):
    """Still in grading (the other grader has not graded), so only the once-guard can refuse."""
    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    services.assign_grader(by=board_member, application=in_grading, grader=grader2)
    services.record_grade(by=grader, application=in_grading, result="pass", comments="Good logbook.")
    in_grading.refresh_from_db()
    assert in_grading.state == State.IN_GRADING
    with pytest.raises(ValidationError, match="already recorded your grade"):
        services.record_grade(by=grader, application=in_grading, result="fail", comments="again")
    assignment = in_grading.assignments.get(grader=grader)
    assert (assignment.result, assignment.comments) == ("pass", "Good logbook.")
    assert AuditEntry.objects.filter(action="application.grade_recorded").count() == 1


def test_disagreement_goes_to_the_chair_and_only_the_chair_decides(graded_apart, chair, make_person, today):
    assert graded_apart.state == State.DISAGREEMENT
    other_board = make_person("ben@example.org", Role.EXAM_BOARD)
    with pytest.raises(PermissionDenied):
        services.chair_decide(by=other_board, application=graded_apart, result="pass", reasons="x", today=today)
    services.chair_decide(by=chair, application=graded_apart, result="pass", reasons="Sufficient.", today=today)
    graded_apart.refresh_from_db()
    assert graded_apart.state == State.PASSED
    entry = AuditEntry.objects.get(action="application.decided")
    assert entry.actor == chair and entry.data["by_chair"] is True and entry.data["result"] == "pass"


def test_the_board_cannot_confirm_a_disagreement(graded_apart, board_member, today):
    with pytest.raises(ValidationError):
        services.confirm_decision(by=board_member, application=graded_apart, today=today)


def test_a_grader_asks_for_information_and_the_candidate_answers(in_grading, board_member, grader, candidate,
                                                                django_capture_on_commit_callbacks):
    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        question = services.ask_for_information(by=grader, application=in_grading,
                                                question="Send the report of case c0007.")
    assert [m.to for m in mail.outbox] == [[candidate.email]]
    services.answer_info_request(by=candidate, info_request=question, answer="Attached as a document: report c0007.")
    question.refresh_from_db()
    assert question.answer.startswith("Attached") and question.answered_at
    assert AuditEntry.objects.filter(action__in=["application.information_requested",
                                                 "application.information_provided"]).count() == 2
    with pytest.raises(ValidationError, match="already been answered"):
        services.answer_info_request(by=candidate, info_request=question, answer="again")


def test_appeal_filed_by_the_candidate_and_decided_by_the_board(in_grading, board_member, grader, grader2, candidate, today):
    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    services.assign_grader(by=board_member, application=in_grading, grader=grader2)
    services.record_grade(by=grader, application=in_grading, result="fail", comments="No.")
    services.record_grade(by=grader2, application=in_grading, result="fail", comments="No.")
    services.confirm_decision(by=board_member, application=in_grading, today=today)
    with pytest.raises(ValidationError, match="reasons"):
        services.file_appeal(by=candidate, application=in_grading, reasons="")
    services.file_appeal(by=candidate, application=in_grading, reasons="The congenital cases were miscounted.")
    in_grading.refresh_from_db()
    assert in_grading.state == State.APPEALED
    services.decide_appeal(by=board_member, application=in_grading, upheld=True, reasons="Recounted: 6 congenital.", today=today)
    in_grading.refresh_from_db()
    assert in_grading.state == State.PASSED and in_grading.appeal.outcome == "upheld"
    assert in_grading.certificates.count() == 1
    assert AuditEntry.objects.filter(action="appeal.decided", actor=board_member).exists()


def test_an_appeal_is_only_against_a_fail(certificate, candidate):
    with pytest.raises(IllegalTransition):
        services.file_appeal(by=candidate, application=certificate.application, reasons="I want level 3")


def test_every_transition_is_audited_with_who_and_when(certificate, candidate, board_member, grader2, chair):
    app = certificate.application
    entries = AuditEntry.objects.filter(object_type="certification.application", object_id=str(app.pk),
                                        changes__has_key="state").order_by("at", "id")
    assert [(e.action, e.actor_label) for e in entries] == [
        ("application.submitted", candidate.email),
        ("application.accepted", board_member.email),
        ("application.disagreement", grader2.email),
        ("application.decided", chair.email),
    ]
    assert all(e.at for e in entries)
    assert [(t.from_state, t.to_state) for t in app.transitions.all()] == [
        ("draft", "submitted"), ("submitted", "in_grading"), ("in_grading", "disagreement"), ("disagreement", "passed")]
    assert AuditEntry.objects.filter(action="certificate.issued", actor=chair).count() == 1


def test_designating_a_chair_needs_a_board_member(board_member, grader, today):
    with pytest.raises(ValidationError, match="not an exam board member"):
        services.set_chair(by=board_member, body="EACVI", person=grader, today=today)
