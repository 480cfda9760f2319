"""The candidate's and supervisor's pages: my certification, an application, its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmrnet.certification import forms, integration, selectors, services
from cmrnet.certification.models import Application, Document, InfoRequest
from cmrnet.certification.states import State
from cmrnet.certification.views._helpers import attempt, require
from cmrnet.core.confirm import confirmation
from cmrnet.people.selectors import latest_exam_pass


@login_required
def home(request):
    user, today = request.user, timezone.localdate()
    return render(request, "certification/home.html", {
        "applications": Application.objects.filter(candidate=user),
        "to_sign": Application.objects.filter(supervisors=user, state__in=[State.DRAFT, State.RETURNED]).distinct(),
        "assigned": selectors.assigned_applications(user),
        "certificates": [(c, c.certification.status_on(today), selectors.recertification_window(c))
                         for c in selectors.certificates_of(user)],
        "exam_pass": latest_exam_pass(user),
        "is_board": selectors.is_board(user),
        "remote_requests": user.remote_supervision_requests.all(),
        "extensions": user.extension_requests.all(),
        "new_form": forms.ApplicationForm(),
    })


@login_required
def application_new(request):
    form = forms.ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holder = {}

        def run():
            holder["app"] = services.open_application(by=request.user, body=form.cleaned_data["body"],
                                                      route=form.cleaned_data["route"], today=timezone.localdate())
        if attempt(request, form, run, "Application opened."):
            return redirect("certification-application", pk=holder["app"].pk)
    return render(request, "certification/application_new.html", {"form": form,
                                                                    "exam_pass": latest_exam_pass(request.user)})


@login_required
def application_detail(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    today, user = timezone.localdate(), request.user
    roles = selectors.role_in(app, user)
    sees_verdict = bool(roles & {"candidate", "supervisor", "board"})
    verdict = selectors.verdict(app, today=today) if sees_verdict else None
    context = {
        "app": app, "roles": roles, "verdict": verdict, "today": today,
        "documents": app.documents.all(), "transitions": app.transitions.select_related("by"),
        "snapshots": app.snapshots.all(), "info_requests": app.info_requests.select_related("asked_by"),
        "editable": selectors.editable(app) and "candidate" in roles,
        "declaration_text": selectors.declaration_text(app),
        "my_assignment": selectors.assignment_of(app, user),
        "assignments": app.assignments.select_related("grader", "grader__centre") if "board" in roles else [],
        "chair": selectors.chair_for(app),
        "certificates": app.certificates.select_related("certification"),
        "needs_declaration": app.kind == "initial" and integration.has_logbook(app.ruleset, app.route),
    }
    if verdict is not None and verdict.evaluation is not None:
        context["allocations"] = integration.allocation_rows(app.candidate, verdict.evaluation.allocations)
        context["cme_for_level2"] = {a.item_id for a in verdict.evaluation.allocations
                                     if a.kind == "cme" and a.used_for == "level2"}
    if context["editable"]:
        context["supervisors_form"] = forms.SupervisorsForm(candidate=app.candidate,
                                                            initial={"supervisors": list(app.supervisors.all())})
        context["document_form"] = forms.DocumentForm(application=app)
    if "supervisor" in roles and app.state in (State.DRAFT, State.RETURNED):
        context["declaration_form"] = forms.DeclarationForm(initial={"text": context["declaration_text"]})
    if roles & {"board", "grader", "candidate", "supervisor"} and app.kind == "initial":
        exam_date = app.exam_pass.exam_date if app.exam_pass else None
        context["cme_claims"] = [(activity, credit, float(credit.accepted) < float(activity.credits)) for activity, credit
                                 in integration.cme_claims(app.candidate, ruleset=app.ruleset, exam_date=exam_date)]
        context["can_set_cme"] = "board" in roles or context["my_assignment"] is not None
    if "board" in roles:
        context.update(reasons_form=forms.ReasonsForm(), confirm_form=forms.ConfirmForm(),
                       chair_form=forms.ChairDecisionForm(), appeal_form=forms.AppealDecisionForm(),
                       question_form=forms.QuestionForm())
        if app.state == State.IN_GRADING:
            eligible = selectors.eligible_graders(app)
            context["eligible"] = eligible
            context["assign_form"] = forms.AssignForm(eligible=eligible)
    if "grader" in roles:
        context.update(grade_form=forms.GradeForm(), question_form=forms.QuestionForm())
    if "candidate" in roles:
        context.update(answer_form=forms.AnswerForm(), appeal_reasons_form=forms.ReasonsForm())
    return render(request, "certification/application_detail.html", context)


def _back(pk):
    return redirect("certification-application", pk=pk)


@login_required
@require_POST
def name_supervisors(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(app.candidate_id == request.user.pk)
    form = forms.SupervisorsForm(request.POST, candidate=app.candidate)
    if form.is_valid():
        attempt(request, None, lambda: services.name_supervisors(
            by=request.user, application=app, supervisors=list(form.cleaned_data["supervisors"]),
            today=timezone.localdate()), "Supervisors named.")
    else:
        messages.error(request, "Choose at least one supervisor.")
    return _back(pk)


@login_required
@require_POST
def upload_document(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(app.candidate_id == request.user.pk)
    form = forms.DocumentForm(request.POST, request.FILES, application=app)
    if form.is_valid():
        attempt(request, None, lambda: services.upload_document(
            by=request.user, application=app, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"],
            title=form.cleaned_data["title"], language=form.cleaned_data["language"],
            translation_of=form.cleaned_data["translation_of"]), "Document uploaded.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Document not uploaded: {error}")
    return _back(pk)


@login_required
@require_POST
def sign_declaration(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require("supervisor" in selectors.role_in(app, request.user))
    form = forms.DeclarationForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.sign_declaration(
            by=request.user, application=app, text=form.cleaned_data["text"], today=timezone.localdate()),
            "Declaration signed.")
    else:
        messages.error(request, "Tick the box to sign the declaration.")
    return _back(pk)


@login_required
@require_POST
def submit(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(app.candidate_id == request.user.pk)
    attempt(request, None, lambda: services.submit(by=request.user, application=app, today=timezone.localdate()),
            "Application submitted. It is frozen as submitted; the certification office checks it next.")
    return _back(pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(app.candidate_id == request.user.pk)
    if (ask := confirmation(
            request, title=f"Withdraw application #{app.pk}?", action_label="Withdraw application", keep=["reason"],
            consequence="A withdrawn application cannot be reopened: you would start a new one.",
            back=reverse("certification-application", kwargs={"pk": app.pk}))) is not None:
        return ask
    attempt(request, None, lambda: services.withdraw(by=request.user, application=app,
                                                     reason=request.POST.get("reason", "")), "Application withdrawn.")
    return _back(pk)


@login_required
@require_POST
def answer(request, pk: int, question_pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(app.candidate_id == request.user.pk)
    info = get_object_or_404(InfoRequest, pk=question_pk, application=app)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.answer_info_request(by=request.user, info_request=info,
                                                                    answer=form.cleaned_data["answer"]), "Answer sent.")
    return _back(pk)


@login_required
@require_POST
def appeal(request, pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(app.candidate_id == request.user.pk)
    form = forms.ReasonsForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.file_appeal(by=request.user, application=app,
                                                            reasons=form.cleaned_data["reasons"]), "Appeal filed.")
    else:
        messages.error(request, "An appeal needs its reasons.")
    return _back(pk)


@login_required
def snapshot_download(request, pk: int, number: int):
    app = selectors.get_application_for_user(request.user, pk)
    require(bool(selectors.role_in(app, request.user) & {"candidate", "supervisor", "grader", "board"}))
    snapshot = get_object_or_404(app.snapshots, number=number)
    return FileResponse(snapshot.file.open("rb"), as_attachment=True,
                        filename=f"application-{app.pk}-submission-{number}.zip")


@login_required
def document_download(request, pk: int, doc_pk: int):
    app = selectors.get_application_for_user(request.user, pk)
    document = get_object_or_404(Document, pk=doc_pk, application=app)
    if not document.file:
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])
