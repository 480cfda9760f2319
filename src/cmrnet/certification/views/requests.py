"""Requests to the board (remote supervision, extensions), recertification, random audits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmrnet.certification import forms, selectors, services, windows
from cmrnet.certification.models import AuditCheck, ExtensionRequest, RandomAudit, RemoteSupervisionRequest
from cmrnet.certification.services.requests import redraw
from cmrnet.certification.views._helpers import attempt, require


def _visible(model, user, pk):
    if selectors.is_board(user):
        qs = model.objects.all()
    elif model is RemoteSupervisionRequest:  # the candidate, and the remote supervisor named in it
        qs = model.objects.filter(Q(candidate=user) | Q(remote_supervisor=user))
    else:
        qs = model.objects.filter(candidate=user)
    try:
        return qs.get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None


@login_required
def remote_new(request):
    today = timezone.localdate()
    form = forms.RemoteSupervisionForm(request.POST or None, initial={"training_starts_on": today})
    if request.method == "POST" and form.is_valid():
        holder = {}

        def run():
            holder["req"] = services.request_remote_supervision(by=request.user, today=today, **form.cleaned_data)
        if attempt(request, form, run, "Remote supervision request sent to the exam board."):
            return redirect("certification-remote", pk=holder["req"].pk)
    return render(request, "certification/remote_new.html", {
        "form": form, "on_site": selectors.level3_on_site(request.user, on=today)})


@login_required
def remote_detail(request, pk: int):
    req = _visible(RemoteSupervisionRequest, request.user, pk)
    is_board, is_supervisor = selectors.is_board(request.user), request.user.pk == req.remote_supervisor_id
    form = forms.RemoteDecisionForm(request.POST or None) if is_board else None
    if request.method == "POST":
        require(form is not None)
        if form.is_valid() and attempt(request, form, lambda: services.decide_remote_supervision(
                by=request.user, request=req, decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"], today=timezone.localdate()), "Decision recorded."):
            return redirect("certification-remote", pk=pk)
    return render(request, "certification/remote_detail.html", {
        "req": req, "form": form, "due_on": windows.remote_request_due(req.submitted_on), "today": timezone.localdate(),
        "response_form": forms.SupervisorResponseForm() if is_supervisor else None,
        "can_write": is_board or is_supervisor, "message_form": forms.RequestMessageForm(),
        "thread": req.messages.select_related("author") if is_board or is_supervisor else None})


@login_required
@require_POST
def remote_respond(request, pk: int):
    """The remote supervisor named in the request confirms or declines."""
    req = _visible(RemoteSupervisionRequest, request.user, pk)
    require(request.user.pk == req.remote_supervisor_id)
    form = forms.SupervisorResponseForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.respond_as_remote_supervisor(
            by=request.user, request=req, confirm=form.cleaned_data["response"] == "confirm",
            comment=form.cleaned_data["comment"], today=timezone.localdate()), "Your answer is recorded.")
    else:
        messages.error(request, "Choose confirm or decline.")
    return redirect("certification-remote", pk=pk)


@login_required
@require_POST
def remote_message(request, pk: int):
    """The board and the named remote supervisor write to each other; kept with the request."""
    req = _visible(RemoteSupervisionRequest, request.user, pk)
    require(selectors.is_board(request.user) or request.user.pk == req.remote_supervisor_id)
    form = forms.RequestMessageForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.write_request_message(by=request.user, request=req,
                                                                      body=form.cleaned_data["body"]), "Message sent.")
    else:
        messages.error(request, "Write a message (at most 5000 characters).")
    return redirect("certification-remote", pk=pk)


@login_required
def remote_list(request):
    require(selectors.is_board(request.user))
    return render(request, "certification/remote_list.html", {
        "requests": [(r, windows.remote_request_due(r.submitted_on)) for r in
                     RemoteSupervisionRequest.objects.select_related("candidate", "remote_supervisor")],
        "today": timezone.localdate()})


@login_required
def extension_new(request):
    today = timezone.localdate()
    certificates = list(selectors.certificates_of(request.user))
    form = forms.ExtensionForm(request.POST or None, request.FILES or None, certificates=certificates)
    if request.method == "POST" and form.is_valid():
        data, holder = form.cleaned_data, {}

        def run():
            holder["ext"] = services.request_extension(
                by=request.user, kind=data["kind"], reason=data["reason"], months=data["months"],
                supervisor_letter=data["supervisor_letter"], explanation=data["explanation"],
                certificate=data["certificate"], today=today)
        if attempt(request, form, run, "Extension request sent to the certification committee."):
            return redirect("certification-extension", pk=holder["ext"].pk)
    return render(request, "certification/extension_new.html", {"form": form})


@login_required
def extension_detail(request, pk: int):
    ext = _visible(ExtensionRequest, request.user, pk)
    form = forms.ExtensionDecisionForm(request.POST or None) if selectors.is_board(request.user) else None
    if request.method == "POST":
        require(form is not None)
        if form.is_valid() and attempt(request, form, lambda: services.decide_extension(
                by=request.user, extension=ext, approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"], today=timezone.localdate()), "Decision recorded."):
            return redirect("certification-extension", pk=pk)
    return render(request, "certification/extension_detail.html", {"ext": ext, "form": form})


@login_required
def extension_letter(request, pk: int):
    ext = _visible(ExtensionRequest, request.user, pk)
    return FileResponse(ext.supervisor_letter.open("rb"), as_attachment=True,
                        filename=ext.supervisor_letter.name.rsplit("/", 1)[-1])


@login_required
def extension_list(request):
    require(selectors.is_board(request.user))
    return render(request, "certification/extension_list.html", {
        "extensions": ExtensionRequest.objects.select_related("candidate")})


@login_required
def recertify(request, pk: int):
    certificate = selectors.get_certificate_for_user(request.user, pk)
    require(certificate.certification.holder_id == request.user.pk)
    today = timezone.localdate()
    form = forms.RecertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holder = {}

        def run():
            holder["app"] = services.open_recertification(
                by=request.user, certificate=certificate, continuing_practice=form.cleaned_data["continuing_practice"],
                fee_category=form.cleaned_data["fee_category"], today=today)
        if attempt(request, form, run, "Recertification application opened."):
            return redirect("certification-application", pk=holder["app"].pk)
    return render(request, "certification/recertify.html", {
        "form": form, "certificate": certificate, "window": selectors.recertification_window(certificate), "today": today})


@login_required
def audits(request):
    require(selectors.is_board(request.user))
    form = forms.AuditDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holder = {}

        def run():
            holder["audit"] = services.draw_random_audit(by=request.user, sample_size=form.cleaned_data["sample_size"],
                                                         note=form.cleaned_data["note"], today=timezone.localdate())
        if attempt(request, form, run, "Random sample drawn."):
            return redirect("certification-audit", pk=holder["audit"].pk)
    return render(request, "certification/audits.html", {"form": form, "audits": RandomAudit.objects.all()})


@login_required
def audit_detail(request, pk: int):
    require(selectors.is_board(request.user))
    audit = get_object_or_404(RandomAudit, pk=pk)
    if request.method == "POST":
        check_pk = request.POST.get("check", "")
        if not (check_pk.isascii() and check_pk.isdigit()):
            raise Http404("No such check.")
        check = get_object_or_404(AuditCheck, pk=int(check_pk), audit=audit)
        form = forms.AuditCheckForm(request.POST)
        if form.is_valid():
            attempt(request, form, lambda: services.record_audit_check(
                by=request.user, check=check, outcome=form.cleaned_data["outcome"], notes=form.cleaned_data["notes"],
                today=timezone.localdate()), "Outcome recorded.")
        return redirect("certification-audit", pk=pk)
    checks = audit.checks.select_related("certificate__certification__holder", "certificate__application")
    rows = []
    for check in checks:
        app = check.certificate.application
        rows.append((check, list(app.supervisors.all()) if app else [], forms.AuditCheckForm()))
    return render(request, "certification/audit_detail.html", {
        "audit": audit, "rows": rows, "redraw_matches": redraw(audit) == sorted(c.certificate_id for c in checks)})


