"""Special-circumstances applications: the candidate drafts and submits, the board decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmrnet.certification import forms, selectors, services
from cmrnet.certification.models import SpecialCircumstancesDocument, SpecialCircumstancesRequest
from cmrnet.certification.services.special import submission_blockers
from cmrnet.certification.views._helpers import attempt, require


def _get(user, pk: int) -> SpecialCircumstancesRequest:
    """The candidate sees their own; the board sees every submitted request (not drafts)."""
    if selectors.is_board(user):
        qs = SpecialCircumstancesRequest.objects.exclude(status=SpecialCircumstancesRequest.Status.DRAFT)
        qs = qs | SpecialCircumstancesRequest.objects.filter(candidate=user)
    else:
        qs = SpecialCircumstancesRequest.objects.filter(candidate=user)
    try:
        return qs.select_related("candidate", "decided_by").distinct().get(pk=pk)
    except SpecialCircumstancesRequest.DoesNotExist:
        raise Http404("No such request.") from None


@login_required
def special_list(request):
    mine = SpecialCircumstancesRequest.objects.filter(candidate=request.user)
    board = (SpecialCircumstancesRequest.objects.exclude(status=SpecialCircumstancesRequest.Status.DRAFT)
             .select_related("candidate") if selectors.is_board(request.user) else None)
    return render(request, "certification/special_list.html", {"mine": mine, "board": board})


@login_required
def special_new(request):
    form = forms.SpecialRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holder = {}

        def run():
            holder["req"] = services.open_special_request(by=request.user, **form.cleaned_data)
        if attempt(request, form, run, "Draft saved: add your documents, then submit it to the exam board."):
            return redirect("certification-special", pk=holder["req"].pk)
    return render(request, "certification/special_new.html", {"form": form})


@login_required
def special_detail(request, pk: int):
    req = _get(request.user, pk)
    own, board = req.candidate_id == request.user.pk, selectors.is_board(request.user)
    editable = own and req.status == SpecialCircumstancesRequest.Status.DRAFT
    return render(request, "certification/special_detail.html", {
        "req": req, "documents": req.documents.select_related("translation_of"), "editable": editable,
        "document_form": forms.SpecialDocumentForm(request=req) if editable else None,
        "blockers": submission_blockers(req) if editable else [],
        "decision_form": forms.ExtensionDecisionForm() if board and req.status == SpecialCircumstancesRequest.Status.SUBMITTED
        else None})


@login_required
@require_POST
def special_upload(request, pk: int):
    req = _get(request.user, pk)
    require(req.candidate_id == request.user.pk)
    form = forms.SpecialDocumentForm(request.POST, request.FILES, request=req)
    if form.is_valid():
        attempt(request, None, lambda: services.add_special_document(by=request.user, request=req, **form.cleaned_data),
                "Document uploaded.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Document not uploaded: {error}")
    return redirect("certification-special", pk=pk)


@login_required
@require_POST
def special_submit(request, pk: int):
    req = _get(request.user, pk)
    require(req.candidate_id == request.user.pk)
    attempt(request, None, lambda: services.submit_special_request(by=request.user, request=req,
                                                                   today=timezone.localdate()),
            "Submitted to the exam board.")
    return redirect("certification-special", pk=pk)


@login_required
@require_POST
def special_decide(request, pk: int):
    req = _get(request.user, pk)
    require(selectors.is_board(request.user))
    form = forms.ExtensionDecisionForm(request.POST)
    if form.is_valid():
        attempt(request, None, lambda: services.decide_special_request(
            by=request.user, request=req, approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"], today=timezone.localdate()), "Decision recorded.")
    else:
        messages.error(request, "Approve or decline, with the board's reasons.")
    return redirect("certification-special", pk=pk)


@login_required
def special_document(request, pk: int, doc_pk: int):
    req = _get(request.user, pk)
    document = get_object_or_404(SpecialCircumstancesDocument, pk=doc_pk, request=req)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])
