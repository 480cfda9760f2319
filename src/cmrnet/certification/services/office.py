"""The board's side: the certification office's compliance check, grader assignment, grades,
questions to the candidate, the decision (the chair's when graders disagree), appeals."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cmrnet.audit.services import record
from cmrnet.certification import integration, selectors, states
from cmrnet.certification.models import Appeal, Application, BoardChair, GraderAssignment, InfoRequest
from cmrnet.certification.services._common import is_board, refuse, require, transition
from cmrnet.certification.services.certificates import issue_certificate
from cmrnet.certification.states import OPEN_FOR_OFFICE, State
from cmrnet.people.models import User
from cmrnet.people.roles import Role

GRADERS_PER_APPLICATION = 2


@transaction.atomic
def accept_into_grading(*, by: User, application: Application) -> None:
    require(is_board(by), "Only the certification office accepts applications.")
    transition(application, State.IN_GRADING, by=by, action="application.accepted")


@transaction.atomic
def return_for_modification(*, by: User, application: Application, reasons: str) -> None:
    require(is_board(by), "Only the certification office returns applications.")
    if not reasons.strip():
        refuse("Say what the candidate must fix.", "reasons")
    transition(application, State.RETURNED, by=by, reasons=reasons.strip())
    _notify(application.candidate, "other", "Your certification application was returned for modification", application,
            f"The certification office returned your application #{application.pk}:\n\n{reasons.strip()}")


@transaction.atomic
def override_cme_hours(*, by: User, application: Application, activity_id: int, hours, reason: str, today: dt.date):
    """The certification committee sets an activity's accepted hours, with a reason: the exam board (the
    office) or a grader assigned to this application. The live verdict uses it and shows it."""
    from cmrnet.logbook.models import CmeActivity

    assigned = application.assignments.filter(grader=by).exists()
    require(is_board(by) or assigned, "Only the exam board or an assigned grader sets the accepted CME hours.")
    if application.is_recertification:
        refuse("A recertification carries no logbook CME to adjust.")
    try:
        return integration.set_accepted_cme_hours(by=by, candidate=application.candidate, activity_id=activity_id,
                                                  hours=hours, reason=reason, today=today,
                                                  application_id=application.pk)
    except CmeActivity.DoesNotExist:
        refuse("No such CME activity in this candidate's logbook.", "activity")


@transaction.atomic
def assign_grader(*, by: User, application: Application, grader: User) -> GraderAssignment:
    """Assign one of the two independent graders: never from the candidate's centre, never the
    candidate or a named supervisor, at most two."""
    require(is_board(by), "Only the exam board assigns graders.")
    application = _locked(application)
    if application.state != State.IN_GRADING:
        refuse("Graders are assigned once the application is accepted into grading.")
    if not grader.has_role(Role.GRADER):
        refuse(f"{grader} is not a grader.", "grader")
    if application.candidate.centre_id and grader.centre_id == application.candidate.centre_id:
        refuse(f"{grader} works at the candidate's centre ({application.candidate.centre}) and cannot grade this application.", "grader")
    if grader.pk == application.candidate_id or application.supervisors.filter(pk=grader.pk).exists():
        refuse(f"{grader} is the candidate or a supervisor of this application.", "grader")
    if application.assignments.filter(grader=grader).exists():
        refuse(f"{grader} is already assigned.", "grader")
    if application.assignments.count() >= GRADERS_PER_APPLICATION:
        refuse(f"This application already has {GRADERS_PER_APPLICATION} graders.", "grader")
    match = bool(selectors.languages(grader) & selectors.languages(application.candidate))
    assignment = GraderAssignment.objects.create(application=application, grader=grader, assigned_by=by,
                                                 assigned_at=timezone.now())
    record(actor=by, action="application.grader_assigned", obj=application,
           data={"grader_id": grader.pk, "grader": grader.email, "language_match": match})
    _notify(grader, "grader_assigned", f"Application #{application.pk} is assigned to you for grading", application,
            f"{application.get_route_display()}: grade it independently and record pass or fail with your comments.")
    return assignment


@transaction.atomic
def record_grade(*, by: User, application: Application, result: str, comments: str) -> GraderAssignment:
    """A grader records pass/fail with comments; with both grades in, the application is graded
    (agreement) or goes to the chair (disagreement)."""
    application = _locked(application)  # two graders finishing at once must not both miss the second grade
    assignment = application.assignments.filter(grader=by).first()
    require(assignment is not None, "Only an assigned grader grades this application.")
    if application.state != State.IN_GRADING:
        refuse("The application is not in grading.")
    if assignment.graded_at:
        refuse("You have already recorded your grade.")
    if result not in GraderAssignment.Result.values:
        refuse("Choose pass or fail.", "result")
    if not comments.strip():
        refuse("Add your comments.", "comments")
    assignment.result, assignment.comments, assignment.graded_at = result, comments.strip(), timezone.now()
    assignment.save(update_fields=["result", "comments", "graded_at"])
    record(actor=by, action="application.grade_recorded", obj=application,
           data={"grader_id": by.pk, "result": result, "comments": assignment.comments})
    grades = list(application.assignments.exclude(graded_at=None).values_list("result", flat=True))
    if len(grades) == GRADERS_PER_APPLICATION:
        agree = len(set(grades)) == 1
        transition(application, State.GRADED if agree else State.DISAGREEMENT, by=by,
                   data={"grades": grades}, action="application.graded" if agree else "application.disagreement")
    return assignment


@transaction.atomic
def ask_for_information(*, by: User, application: Application, question: str) -> InfoRequest:
    require(is_board(by) or application.assignments.filter(grader=by).exists(),
            "Only the assigned graders and the board ask the candidate for information.")
    application = _locked(application)
    if application.state not in {State.IN_GRADING, *OPEN_FOR_OFFICE, State.DISAGREEMENT}:
        refuse("Questions are asked while the application is being checked or graded.")
    if not question.strip():
        refuse("Write the question.", "question")
    info = InfoRequest.objects.create(application=application, asked_by=by, question=question.strip(), asked_at=timezone.now())
    record(actor=by, action="application.information_requested", obj=application,
           data={"info_request_id": info.pk, "question": info.question})
    _notify(application.candidate, "information_requested", "More information requested for your certification application",
            application, "Read the question and answer it on the application page.")
    return info


def _decide(application: Application, *, by: User, passed: bool, reasons: str, today: dt.date, data: dict) -> None:
    application.decided_on, application.decision_note = today, reasons
    application.save(update_fields=["decided_on", "decision_note"])
    transition(application, State.PASSED if passed else State.FAILED, by=by, reasons=reasons,
               action="application.decided", data={"result": "pass" if passed else "fail", **data})
    if passed:
        issue_certificate(by=by, application=application, awarded_on=today)
    _notify(application.candidate, "other", "Your certification application was decided", application,
            f"Application #{application.pk}: {'pass' if passed else 'fail'}.\n{reasons}")


@transaction.atomic
def confirm_decision(*, by: User, application: Application, today: dt.date, note: str = "") -> None:
    """The board records the decision both graders agree on."""
    require(is_board(by), "Only the exam board decides.")
    application = _locked(application)
    if application.state != State.GRADED:
        refuse("Only an application both graders agree on is decided here.")
    grades = set(application.assignments.values_list("result", flat=True))
    _decide(application, by=by, passed=grades == {"pass"}, reasons=note.strip(), today=today, data={"by_chair": False})


@transaction.atomic
def chair_decide(*, by: User, application: Application, result: str, reasons: str, today: dt.date) -> None:
    """When the graders disagree, the board chair decides."""
    require(is_board(by) and selectors.chair_for(application) == by, "Only the board chair decides a disagreement.")
    application = _locked(application)
    if application.state != State.DISAGREEMENT:
        refuse("The chair decides only when the graders disagree.")
    if result not in ("pass", "fail"):
        refuse("Choose pass or fail.", "result")
    if not reasons.strip():
        refuse("Give the reasons for the decision.", "reasons")
    _decide(application, by=by, passed=result == "pass", reasons=reasons.strip(), today=today, data={"by_chair": True})


@transaction.atomic
def decide_appeal(*, by: User, application: Application, upheld: bool, reasons: str, today: dt.date) -> None:
    require(is_board(by), "Only the exam board decides appeals.")
    if not reasons.strip():
        refuse("Give the reasons for the decision.", "reasons")
    application = _locked(application)
    target = State.PASSED if upheld else State.APPEAL_DISMISSED
    states.check(application.state, target)  # only an appealed application is decided here
    appeal = Appeal.objects.filter(application=application).first()
    if appeal is None:
        refuse("No appeal has been filed for this application.")
    transition(application, target, by=by, reasons=reasons.strip(), action="appeal.decided",
               data={"appeal_id": appeal.pk, "upheld": upheld})
    appeal.outcome = appeal.Outcome.UPHELD if upheld else appeal.Outcome.DISMISSED
    appeal.decided_by, appeal.decided_on, appeal.decision_reasons = by, today, reasons.strip()
    appeal.save()
    if upheld:
        application.decided_on, application.decision_note = today, f"Appeal upheld: {reasons.strip()}"
        application.save(update_fields=["decided_on", "decision_note"])
        issue_certificate(by=by, application=application, awarded_on=today)


@transaction.atomic
def set_chair(*, by: User, body: str, person: User, today: dt.date) -> BoardChair:
    require(is_board(by), "Only the exam board designates its chair.")
    if not person.has_role(Role.EXAM_BOARD):
        refuse(f"{person} is not an exam board member.", "person")
    previous = BoardChair.objects.filter(body=body).first()
    chair, _ = BoardChair.objects.update_or_create(body=body, defaults={"person": person, "since": today})
    record(actor=by, action="board.chair_designated", obj=chair,
           changes={"chair": [previous.person.email if previous else None, person.email]}, data={"body": body})
    return chair


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("candidate").get(pk=application.pk)


def _notify(person: User, kind: str, subject: str, application: Application, body: str) -> None:
    """Notify (header list, and e-mail at once or in the daily digest) with a link to the application."""
    from django.urls import reverse

    from cmrnet.notifications.services import notify

    notify(recipient=person, kind=kind, subject=subject, body=body,
           link=reverse("certification-application", args=[application.pk]))
