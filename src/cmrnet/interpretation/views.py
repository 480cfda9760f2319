"""Pages of the reading workflow. Thin: login, a selector (permission), one service, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cmrnet.core.actions import attempt
from cmrnet.interpretation import charts, forms, manifest as manifests, selectors, services
from cmrnet.interpretation.comparison import DEFAULT_TOLERANCES
from cmrnet.interpretation.models import TOLERANCE_PARAMETERS, Status, ToleranceSetting
from cmrnet.library import selectors as library
from cmrnet.logbook import selectors as logbook
from cmrnet.people.roles import Role


@login_required
def home(request):
    user = request.user
    mine = selectors.interpretations_for_user(user).filter(trainee=user)
    is_mentor = user.has_role(Role.MENTOR)
    context = {"mine": mine, "is_trainee": user.has_role(Role.TRAINEE), "is_mentor": is_mentor}
    if context["is_trainee"]:
        context["readable"] = selectors.readable_cases(user)[:50]
        context["start_form"] = forms.StartForm(mentors=logbook.supervisors_of(user))
    if is_mentor:
        context["to_review"] = selectors.to_review(user)
        context["supervised"] = selectors.interpretations_for_user(user).exclude(trainee=user)[:100]
        context["assign_form"] = forms.AssignForm(trainees=selectors.trainees_to_assign(user),
                                                  cases=library.library_cases(user).filter(status="published"))
        context["trainees"] = selectors.trainees_to_assign(user)
    return render(request, "interpretation/home.html", context)


@login_required
@require_POST
def start(request, case_pk: int):
    case = library.get_case_for_user(request.user, case_pk)
    form = forms.StartForm(request.POST, mentors=logbook.supervisors_of(request.user))
    if not form.is_valid():
        messages.error(request, "Choose one of your supervisors.")
        return redirect("interpretation-home")
    started = attempt(request, lambda: services.start_reading(by=request.user, case=case, mentor=form.cleaned_data["mentor"]))
    if not started.ok:
        return redirect("interpretation-home")
    return redirect("interpretation-detail", started.value.pk)


@login_required
@require_POST
def assign(request):
    form = forms.AssignForm(request.POST, trainees=selectors.trainees_to_assign(request.user),
                            cases=library.library_cases(request.user).filter(status="published"))
    if form.is_valid():
        attempt(request, lambda: services.assign_case(by=request.user, **form.cleaned_data),
                success=f"{form.cleaned_data['case'].pseudonym} assigned to {form.cleaned_data['trainee']}.")
    else:
        for field, problems in form.errors.items():
            messages.error(request, f"{field}: {' '.join(problems)}")
    return redirect("interpretation-home")


def _anchor(request) -> dict:
    """?series=&slice=&phase=&x=&y= (a comment's link) for the viewer's data attributes."""
    keys = ("series", "slice", "phase", "x", "y")
    found = {}
    for key in keys:
        value = request.GET.get(key, "")
        try:
            found[key] = str(float(value)) if key in ("x", "y") else str(int(value))
        except ValueError:
            found[key] = ""
    return found


@login_required
def detail(request, pk: int):
    reading = selectors.get_interpretation_for_user(request.user, pk)
    is_trainee = request.user.pk == reading.trainee_id
    can_review = selectors.can_review(request.user, reading)
    editable = is_trainee and reading.status == Status.DRAFT
    context = {
        "reading": reading, "is_trainee": is_trainee, "can_review": can_review, "editable": editable,
        "anchor": _anchor(request), "comments": reading.comments.select_related("series", "author"),
        "report_form": forms.ReportForm(initial=forms.ReportForm.initial_from(reading.report), prefix=None)
        if editable else None,
        # blinded: nothing of the reference (nor the case's title) reaches the trainee before submission
        "show_reference": not reading.blinded or not is_trainee,
        "comparison": reading.comparison,
        "comment_form": forms.CommentForm() if can_review and reading.status != Status.DRAFT else None,
        "review_form": forms.ReviewForm(initial={"grade": reading.grade, "overall_comment": reading.overall_comment,
                                                 "full_review": reading.full_review})
        if can_review and reading.status != Status.DRAFT else None,
        "can_add_to_logbook": is_trainee and reading.status == Status.REVIEWED and not reading.logbook_case_id,
        "course_id": services.course_id(),
        "viewer_mode": "review" if can_review and reading.status != Status.DRAFT else "read",
    }
    if not editable:
        context["report_rows"] = _report_rows(reading)
    return render(request, "interpretation/detail.html", context)


def _report_rows(reading) -> list[tuple[str, str]]:
    return [(row["label"], row["trainee"], row["reference"], row["status"], row["difference"], row["tolerance"])
            for row in reading.comparison]


@login_required
@require_POST
def save(request, pk: int):
    reading = selectors.get_interpretation_for_user(request.user, pk)
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The report has errors: " + "; ".join(
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()))
        return redirect("interpretation-detail", reading.pk)
    try:
        measurements = json.loads(request.POST.get("viewer_measurements") or "null")
    except ValueError:
        measurements = None
    if measurements is not None and not isinstance(measurements, list):
        measurements = None
    service, done = ((services.submit, "Report submitted: the differences from the reference are below.")
                     if "submit" in request.POST else (services.save_draft, "Draft saved."))
    try:
        attempt(request, lambda: service(by=request.user, interpretation=reading, report=form.report(),
                                         measurements=measurements), success=done)
    except PermissionDenied:
        raise Http404("No such reading.") from None
    return redirect("interpretation-detail", reading.pk)


@login_required
@require_POST
def comment(request, pk: int):
    reading = selectors.get_interpretation_for_user(request.user, pk)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the comment.")
        return redirect("interpretation-detail", reading.pk)
    d = form.cleaned_data
    series = None
    if d["anchor_series"] is not None:
        series = library.series_for_user(request.user).filter(pk=d["anchor_series"], study__case=reading.case).first()
        if series is None:
            messages.error(request, "That series is not part of this case.")
            return redirect("interpretation-detail", reading.pk)
    try:
        attempt(request, lambda: services.add_comment(
            by=request.user, interpretation=reading, text=d["text"], series=series,
            slice_index=d["anchor_slice"] if series else None, phase_index=d["anchor_phase"] if series else None,
            x=d["anchor_x"] if series else None, y=d["anchor_y"] if series else None), success="Comment added.")
    except PermissionDenied:
        raise Http404("No such reading.") from None
    return redirect(reverse("interpretation-detail", args=[reading.pk]) + "#comments")


@login_required
@require_POST
def review(request, pk: int):
    reading = selectors.get_interpretation_for_user(request.user, pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a grade.")
        return redirect("interpretation-detail", reading.pk)
    try:
        attempt(request, lambda: services.complete_review(by=request.user, interpretation=reading, **form.cleaned_data),
                success="Review recorded.")
    except PermissionDenied:
        raise Http404("No such reading.") from None
    return redirect("interpretation-detail", reading.pk)


@login_required
@require_POST
def to_logbook(request, pk: int):
    reading = selectors.get_interpretation_for_user(request.user, pk)
    try:
        attempt(request, lambda: services.add_to_logbook(by=request.user, interpretation=reading, today=timezone.localdate()),
                success=lambda case: f"Added to your logbook as course case {case.case_id} (course {case.course_id}).")
    except PermissionDenied:
        raise Http404("No such reading.") from None
    return redirect("interpretation-detail", reading.pk)


@login_required
@require_GET
def case_viewer(request, case_pk: int):
    case = library.get_case_for_user(request.user, case_pk)
    return render(request, "interpretation/viewer.html", {"case": case, "anchor": _anchor(request)})


@login_required
@require_GET
def manifest(request, case_pk: int):
    case = library.get_case_for_user(request.user, case_pk)
    return JsonResponse(manifests.case_manifest(request.user, case))


@login_required
def progress(request, trainee_pk: int | None = None):
    trainee = logbook.get_trainee_for_user(request.user, trainee_pk) if trainee_pk else request.user
    coverage = selectors.coverage_for(trainee)
    agreements = selectors.agreement_for(trainee)
    for row in agreements:
        row["svg"] = charts.bland_altman_svg(row["result"], title=f"Bland-Altman: {row['label']}", unit=row["unit"])
    return render(request, "interpretation/progress.html", {
        "trainee": trainee, "coverage": coverage, "missing": [r["label"] for r in coverage if r["missing"]],
        "agreements": agreements,
    })


@login_required
def tolerances(request):
    can_edit = request.user.has_role(Role.NETWORK_ADMIN)
    form = forms.ToleranceForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid() and attempt(request, lambda: services.set_tolerance(by=request.user, **form.cleaned_data),
                                       success="Tolerance saved.").ok:
            return redirect("interpretation-tolerances")
    current = selectors.tolerances()
    set_here = set(ToleranceSetting.objects.values_list("parameter", flat=True))
    rows = [{"parameter": p, "label": label, "tolerance": current[p], "default": DEFAULT_TOLERANCES[p],
             "site": p in set_here} for p, label in TOLERANCE_PARAMETERS]
    return render(request, "interpretation/tolerances.html", {"rows": rows, "form": form, "can_edit": can_edit})
