"""The exam board's pages: the certification office, grading actions, decisions, revocation, SLAs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmrnet.certification import forms, selectors, services
from cmrnet.certification.models import Application, BoardChair, Certificate
from cmrnet.certification.states import OPEN_FOR_OFFICE, State
from cmrnet.certification.views._helpers import attempt, require
from cmrnet.people.models import Certification


def _board(request) -> None:
    require(selectors.is_board(request.user))


@login_required
def office(request):
    _board(request)
    today = timezone.localdate()
    apps = Application.objects.select_related("candidate")
    return render(request, "certification/office.html", {
        "to_check": apps.filter(state__in=OPEN_FOR_OFFICE),
        "in_grading": apps.filter(state__in=[State.IN_GRADING, State.GRADED, State.DISAGREEMENT]),
        "appeals": apps.filter(state=State.APPEALED),
        "decided": apps.filter(state__in=[State.PASSED, State.FAILED, State.APPEAL_DISMISSED, State.REVOKED])[:50],
        "sla": selectors.service_levels(today=today), "today": today,
        "chairs": BoardChair.objects.select_related("person"), "chair_form": forms.ChairForm(),
        "certificates": Certificate.objects.select_related("certification", "certification__holder")[:100],
        "specialty_mix": selectors.specialty_mix(),
    })


def _app(request, pk):
    _board(request)
    return selectors.get_application_for_user(request.user, pk)


def _back(pk):
    return redirect("certification-application", pk=pk)


@login_required
@require_POST
def accept(request, pk: int):
    app = _app(request, pk)
    attempt(request, None, lambda: services.accept_into_grading(by=request.user, application=app), "Accepted into grading.")
    return _back(pk)


@login_required
@require_POST
def return_application(request, pk: int):
    app = _app(request, pk)
    form = forms.ReasonsForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.return_for_modification(
            by=request.user, application=app, reasons=form.cleaned_data["reasons"]), "Returned to the candidate.")
    else:
        messages.error(request, "Say what the candidate must fix.")
    return _back(pk)


@login_required
@require_POST
def assign(request, pk: int):
    app = _app(request, pk)
    form = forms.AssignForm(request.POST, eligible=selectors.eligible_graders(app))
    if form.is_valid():
        attempt(request, None, lambda: services.assign_grader(by=request.user, application=app,
                                                              grader=form.cleaned_data["grader"]), "Grader assigned.")
    else:
        messages.error(request, "Choose an eligible grader.")
    return _back(pk)


@login_required
@require_POST
def grade(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(selectors.assignment_of(app, request.user) is not None)
    form = forms.GradeForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.record_grade(
            by=request.user, application=app, result=form.cleaned_data["result"],
            comments=form.cleaned_data["comments"]), "Grade recorded.")
    else:
        messages.error(request, "Choose pass or fail and add your comments.")
    return _back(pk)


@login_required
@require_POST
def ask(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(bool(selectors.role_in(app, request.user) & {"grader", "board"}))
    form = forms.QuestionForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.ask_for_information(
            by=request.user, application=app, question=form.cleaned_data["question"]), "Question sent to the candidate.")
    return _back(pk)


@login_required
@require_POST
def cme_hours(request, pk: int, activity_pk: int):
    """The board or an assigned grader sets an activity's accepted CME hours, with a reason."""
    app = selectors.get_application_for_user(request.user, pk)
    require(bool(selectors.role_in(app, request.user) & {"grader", "board"}))
    form = forms.CmeHoursForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.override_cme_hours(
            by=request.user, application=app, activity_id=activity_pk, hours=form.cleaned_data["hours"],
            reason=form.cleaned_data["reason"], today=timezone.localdate()), "Accepted CME hours recorded.")
    else:
        messages.error(request, "Give the accepted hours (0 to 999) and the reason.")
    return _back(pk)


@login_required
@require_POST
def confirm(request, pk: int):
    app = _app(request, pk)
    form = forms.ConfirmForm(request.POST)
    form.is_valid()
    attempt(request, None, lambda: services.confirm_decision(by=request.user, application=app, today=timezone.localdate(),
                                                             note=form.cleaned_data.get("note", "")), "Decision recorded.")
    return _back(pk)


@login_required
@require_POST
def chair_decide(request, pk: int):
    app = _app(request, pk)
    form = forms.ChairDecisionForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.chair_decide(
            by=request.user, application=app, result=form.cleaned_data["result"], reasons=form.cleaned_data["reasons"],
            today=timezone.localdate()), "The chair's decision is recorded.")
    else:
        messages.error(request, "Choose pass or fail and give the reasons.")
    return _back(pk)


@login_required
@require_POST
def decide_appeal(request, pk: int):
    app = _app(request, pk)
    form = forms.AppealDecisionForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.decide_appeal(
            by=request.user, application=app, upheld=form.cleaned_data["outcome"] == "upheld",
            reasons=form.cleaned_data["reasons"], today=timezone.localdate()), "Appeal decided.")
    else:
        messages.error(request, "Choose an outcome and give the reasons.")
    return _back(pk)


@login_required
@require_POST
def set_chair(request):
    _board(request)
    form = forms.ChairForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.set_chair(by=request.user, body=form.cleaned_data["body"],
                                                          person=form.cleaned_data["person"], today=timezone.localdate()),
                "Chair designated.")
    return redirect("certification-office")


@login_required
def revoke(request, pk: int):
    _board(request)
    certificate = get_object_or_404(Certificate.objects.select_related("certification__holder", "application"), pk=pk)
    supervisor_ids = certificate.application.supervisors.values("pk") if certificate.application_id else []
    supervisor_certs = Certification.objects.filter(holder__in=supervisor_ids, level=3, revoked=False).select_related("holder")
    form = forms.RevokeForm(request.POST or None, supervisor_certifications=supervisor_certs,
                            initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(request, form, lambda: services.revoke_for_misconduct(
                by=request.user, certificate=certificate, on=data["on"], reason=data["reason"],
                supervisor_certifications=list(data["supervisor_certifications"]), referred_to=data["referred_to"],
                referral_note=data["referral_note"]), "Certificate revoked."):
            return redirect("certification-office")
    return render(request, "certification/revoke.html", {"form": form, "certificate": certificate})


@login_required
def record_exam_pass(request):
    """The board records an exam pass (a sitting held elsewhere): the logbook application then opens."""
    from cmrnet.people.models import ExamPass
    from cmrnet.people.services import record_exam_pass as record

    _board(request)
    form = forms.ExamPassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(request, form, lambda: record(
                by=request.user, person=data["person"], body=data["body"], exam_date=data["exam_date"],
                source=ExamPass.Source.BOARD, reference=data["reference"],
                results_released_on=data["results_released_on"]), f"Exam pass recorded for {data['person']}."):
            return redirect("certification-exam-pass")
    return render(request, "certification/exam_pass.html", {
        "form": form, "recent": ExamPass.objects.select_related("person").order_by("-id")[:20]})
