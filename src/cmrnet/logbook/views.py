"""Logbook pages. Thin: find the logbook the person may see, call one service or selector, render.

Own logbook: /logbook/... (trainees). Someone else's: /logbook/trainee/<pk>/... (404 unless
entitled; writes by anyone but the trainee are refused with 403).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cmrnet import rules
from cmrnet.core.listing import listing
from cmrnet.logbook import cohort, exports, importing, package, progress, selectors, services
from cmrnet.logbook import import_template as import_template_module
from cmrnet.logbook.forms import (CaseFilterForm, CaseForm, CmeForm, ImportForm, PackageImportForm, PeerForm,
                                  SettingsForm, TrainingForm, VerifyForm, case_initial)
from cmrnet.logbook.models import PeerRecognition, TrainingPeriod, Verification
from cmrnet.logbook.patient_keys import MAX_IDENTIFIER_LENGTH, normalise, patient_key
from cmrnet.people.roles import Role

IMPORT_SALT = "cmrnet.logbook.import"
IMPORT_MAX_AGE = 3600


def _logbook(request, pk: int | None):
    """(trainee, editable) for the logbook addressed by the URL."""
    if pk is None:
        if not request.user.has_role(Role.TRAINEE):
            raise PermissionDenied("You keep no logbook: this page is for trainees.")
        return request.user, True
    trainee = selectors.get_trainee_for_user(request.user, pk)
    return trainee, selectors.can_edit_logbook(request.user, trainee)


def _require_owner(request, pk: int | None):
    trainee, editable = _logbook(request, pk)
    if not editable:
        raise PermissionDenied("Only the trainee edits their logbook.")
    return trainee


def _url(name: str, trainee, user, **kwargs) -> str:
    if trainee.pk == user.pk:
        return reverse(name, kwargs=kwargs)
    return reverse(f"{name}-of", kwargs={"pk": trainee.pk, **kwargs})


# ----------------------------------------------------------------------------
# The logbook and its cases
# ----------------------------------------------------------------------------
@login_required
def home(request):
    if request.user.has_role(Role.TRAINEE):
        return _logbook_page(request, request.user, True)
    return overview(request)


@login_required
def logbook_of(request, pk: int):
    trainee, editable = _logbook(request, pk)
    return _logbook_page(request, trainee, editable)


# Sort keys of the case list (?sort=date, ?sort=-date ...): done by the database, with the search and the page.
CASE_SORTS = {"case": ("sequence",), "date": ("study_date", "sequence"), "category": ("category",),
              "source": ("source",), "role": ("role",), "supervisor": ("supervisor__full_name",),
              "status": ("status",)}


def _logbook_page(request, trainee, editable: bool):
    today = timezone.localdate()
    filters = CaseFilterForm(request.GET or None)
    cases = filters.apply(selectors.cases_for_user(request.user, trainee))
    can_verify = selectors.is_supervisor_of(request.user, trainee) and request.user.pk != trainee.pk
    cases_listing = listing(request.GET, cases, sorts=CASE_SORTS, default="-date")
    context = {
        "trainee": trainee, "editable": editable, "filters": filters, "listing": cases_listing,
        "cases": cases_listing.items, "can_verify": can_verify, "filter_params": filters.as_params(),
        "pending_in_filter": cases.filter(status=Verification.PENDING).count() if can_verify else 0,
        "urls": _urls(trainee, request.user),
    }
    if request.htmx and request.htmx.target == "case-table":
        return render(request, "logbook/_case_table.html", context)
    if editable:
        context["form"] = CaseForm(trainee=trainee, initial=case_initial(selectors.last_case(trainee)))
    context["summary"] = progress.chosen_route(trainee, today=today)
    return render(request, "logbook/home.html", context)


@login_required
@require_POST
def verify_bulk(request, pk: int):
    """Verify the ticked cases, or every pending case of the filter the supervisor is looking at."""
    trainee = selectors.get_trainee_for_user(request.user, pk)
    if not selectors.is_supervisor_of(request.user, trainee) or request.user.pk == trainee.pk:
        raise PermissionDenied("Only a supervisor of this trainee verifies their cases.")
    filters = CaseFilterForm(request.POST)
    if request.POST.get("scope") == "filter":
        matching = filters.apply(selectors.cases_for_user(request.user, trainee))
        ids = list(matching.filter(status=Verification.PENDING).values_list("pk", flat=True))
    else:
        ids = [int(v) for v in request.POST.getlist("case") if v.isdigit()]
    verified = services.verify_cases(by=request.user, trainee=trainee, case_ids=ids,
                                     comment=request.POST.get("comment", "")[:2000]) if ids else []
    if verified:
        messages.success(request, f"{len(verified)} case{'s' if len(verified) != 1 else ''} verified. "
                                  f"{trainee.full_name} gets one message listing them.")
    else:
        messages.warning(request, "No pending case was chosen: nothing was verified.")
    query = urlencode(filters.as_params())
    return redirect(reverse("logbook-of", args=[trainee.pk]) + (f"?{query}" if query else ""))


def _urls(trainee, user) -> dict:
    names = ["logbook-progress", "logbook-cme", "logbook-training", "logbook-peer"]
    urls = {n.removeprefix("logbook-"): _url(n, trainee, user) for n in names}
    urls["home"] = reverse("logbook-home") if trainee.pk == user.pk else reverse("logbook-of", args=[trainee.pk])
    urls["summary"] = _url("logbook-progress-summary", trainee, user)
    for fmt in ("csv", "xlsx", "pdf", "zip"):
        urls[f"export_{fmt}"] = _url("logbook-export", trainee, user, fmt=fmt)
    return urls


@login_required
def overview(request):
    """Logbooks the person may read, and the cases waiting for their verification (counted by the database)."""
    trainees = selectors.logbook_owners_with_counts(request.user)
    counts = selectors.pending_counts(request.user) if request.user.has_role(Role.MENTOR) else {}
    rows = [{"trainee": t, "pending": counts.get(t.pk, 0), "cases": t.case_count} for t in trainees]
    return render(request, "logbook/overview.html", {"rows": rows, "pending_total": sum(counts.values()),
                                                     "cohort": cohort.can_see_cohort(request.user)})


@login_required
def cohort_page(request):
    """Every trainee the person mentors or directs, with their progress on every route; sortable, CSV."""
    if not cohort.can_see_cohort(request.user):
        raise PermissionDenied("The cohort page is for mentors, programme directors and the exam board.")
    table = cohort.cohort_table(request.user, today=timezone.localdate(), sort=request.GET.get("sort", "name"))
    if request.GET.get("format") == "csv":
        response = HttpResponse(cohort.cohort_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cohort-{timezone.localdate().isoformat()}.csv"'
        return response
    return render(request, "logbook/cohort.html", {"table": table})


@login_required
def progress_summary(request, pk: int | None = None):
    trainee, _ = _logbook(request, pk)
    context = {"trainee": trainee, "urls": _urls(trainee, request.user),
               "summary": progress.chosen_route(trainee, today=timezone.localdate())}
    return render(request, "logbook/_progress_summary.html", context)


@login_required
def progress_page(request, pk: int | None = None):
    trainee, editable = _logbook(request, pk)
    context = {"trainee": trainee, "editable": editable, "urls": _urls(trainee, request.user),
               **progress.dashboard(trainee, today=timezone.localdate())}
    return render(request, "logbook/progress.html", context)


@sensitive_post_parameters("patient_identifier")
@login_required
@require_POST
def case_add(request):
    trainee = _require_owner(request, None)
    form = CaseForm(request.POST, trainee=trainee)
    if form.is_valid():
        data = form.to_input()
        repeat_of = importing.repeat_patient_case(trainee, data.patient_key, clinical_change=data.clinical_change)
        try:
            case = services.add_case(by=request.user, trainee=trainee, data=data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"Case {case.case_id} added.")
                if repeat_of:
                    messages.warning(request, f"Same patient as case {repeat_of} in your logbook: counted once "
                                              f"unless a significant clinical change is ticked.")
                return redirect("logbook-home")
            fresh = CaseForm(trainee=trainee, initial=case_initial(case))
            response = render(request, "logbook/_case_added.html", {
                "case": case, "form": fresh, "editable": True, "trainee": trainee, "repeat_of": repeat_of})
            response["HX-Trigger"] = "logbook-changed"
            return response
    if request.htmx:
        response = render(request, "logbook/_quick_add.html", {"form": form, "trainee": trainee})
        response["HX-Retarget"] = "#quick-add"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "logbook/case_form.html", {"form": form, "trainee": trainee, "case": None})


@sensitive_post_parameters("patient_identifier")
@login_required
@require_POST
def case_repeat_check(request):
    """The repeat-patient warning while the quick-add form is filled in (HTMX, on leaving the identifier
    field): the same check as at adding, on the typed identifier only. POST, so the identifier never
    reaches a URL or an access log."""
    trainee = _require_owner(request, None)
    identifier = normalise(request.POST.get("patient_identifier", "")[:MAX_IDENTIFIER_LENGTH])
    repeat_of = importing.repeat_patient_case(
        trainee, patient_key(identifier) if identifier else "",
        clinical_change=request.POST.get("clinical_change") in ("on", "true", "1"))
    return render(request, "logbook/_repeat_warning.html", {"repeat_of": repeat_of})


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@sensitive_post_parameters("patient_identifier")
@login_required
def case_edit(request, case_pk: int):
    case = selectors.get_case_for_user(request.user, case_pk)
    if not selectors.can_edit_logbook(request.user, case.trainee):
        raise PermissionDenied
    form = CaseForm(request.POST or None, trainee=case.trainee, editing=True,
                    initial={**case_initial(case), "normal": case.normal, "clinical_change": case.clinical_change})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_case(by=request.user, case=case, data=form.to_input(keep_key=case.patient_key))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Case {case.case_id} saved.")
            return redirect("logbook-home")
    return render(request, "logbook/case_form.html", {"form": form, "case": case, "trainee": case.trainee})


@login_required
def case_delete(request, case_pk: int):
    case = selectors.get_case_for_user(request.user, case_pk)
    if not selectors.can_edit_logbook(request.user, case.trainee):
        raise PermissionDenied
    if request.method == "POST":
        services.delete_case(by=request.user, case=case)
        messages.success(request, f"Case {case.case_id} deleted.")
        return redirect("logbook-home")
    return render(request, "logbook/confirm_delete.html", {"thing": case, "back": reverse("logbook-home")})


@login_required
@require_POST
def case_verify(request, case_pk: int):
    case = selectors.get_case_for_user(request.user, case_pk)
    if not selectors.is_supervisor_of(request.user, case.trainee) or request.user.pk == case.trainee_id:
        raise PermissionDenied("Only a supervisor of this trainee verifies their cases.")
    form = VerifyForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            case = services.verify_case(by=request.user, case=case, status=form.cleaned_data["status"],
                                        comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = "Choose verify or query."
    if request.htmx:
        return render(request, "logbook/_case_row.html", {"case": case, "can_verify": True, "verify_error": error})
    if error:
        messages.error(request, f"Case {case.case_id}: {error}")
    return redirect("logbook-of", pk=case.trainee_id)


# ----------------------------------------------------------------------------
# Bulk import (preview, then confirm) and the application package
# ----------------------------------------------------------------------------
@login_required
def import_cases(request):
    trainee = _require_owner(request, None)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "preview": None, "file_error": "", "columns": importing.REQUIRED + importing.OPTIONAL,
               "guide": import_template_module.columns(package.all_categories())}
    if request.method == "POST" and form.is_valid():
        try:
            preview = importing.preview_file(form.cleaned_data["file"], trainee=trainee,
                                             categories=package.all_categories())
        except importing.ImportFileError as error:
            context["file_error"] = str(error)
        else:
            context["preview"] = preview
            if preview.ok:
                context["token"] = signing.dumps(
                    {"trainee": trainee.pk, "id": secrets.token_hex(16),
                     "rows": [r.to_json() for r in preview.valid_rows]}, salt=IMPORT_SALT, compress=True)
    return render(request, "logbook/import.html", context)


@login_required
def import_template(request, fmt: str):
    """The empty import template (CSV header, or a workbook with drop-down lists and a column guide)."""
    categories = package.all_categories()
    if fmt == "csv":
        response = HttpResponse(import_template_module.template_csv(categories), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(import_template_module.template_xlsx(categories),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404("Templates are CSV or XLSX.")
    response["Content-Disposition"] = f'attachment; filename="cmrnet-cases-template.{fmt}"'
    return response


@login_required
@require_POST
def import_confirm(request):
    trainee = _require_owner(request, None)
    try:
        payload = signing.loads(request.POST.get("token", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, "The preview has expired or was altered: upload the file again.")
        return redirect("logbook-import")
    if payload.get("trainee") != trainee.pk:
        raise PermissionDenied
    if not payload.get("id"):           # a preview made before tokens were single-use
        messages.error(request, "The preview has expired: upload the file again.")
        return redirect("logbook-import")
    rows = [services.CaseInput.from_json(r) for r in payload["rows"]]
    try:
        created = services.import_cases(by=request.user, trainee=trainee, rows=rows, token_id=payload["id"])
    except services.AlreadyImported as error:
        messages.warning(request, error.messages[0])
        return redirect("logbook-home")
    except ValidationError as error:
        messages.error(request, f"Nothing was imported: {' '.join(error.messages)}")
        return redirect("logbook-import")
    messages.success(request, f"{len(created)} cases imported.")
    return redirect("logbook-home")


@login_required
def package_import(request):
    trainee = _require_owner(request, None)
    form = PackageImportForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            summary = package.import_zip(by=request.user, trainee=trainee, upload=form.cleaned_data["package"])
        except rules.PackageError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Package imported: {summary['cases']} cases, {summary['training']} training "
                                      f"periods, {summary['cme']} CME activities, {summary['peer']} peer-recognition "
                                      f"entries.")
            return redirect("logbook-home")
    return render(request, "logbook/package_import.html", {"form": form, "error": error})


@login_required
def export(request, fmt: str, pk: int | None = None):
    trainee, _ = _logbook(request, pk)
    today = timezone.localdate()
    cases = list(selectors.cases_for_user(request.user, trainee).order_by("study_date", "sequence"))
    stem = f"logbook-{trainee.pk}-{today.isoformat()}"
    if fmt == "csv":
        body, kind = exports.cases_csv(cases), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = exports.cases_xlsx(cases, title=f"CMR logbook of {trainee.full_name}")
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        panels = [progress.route_panel(rs, e) for rs, e in selectors.evaluations_for(trainee, today=today)]
        body = exports.logbook_pdf(trainee, cases, panels, today=today)
        kind = "application/pdf"
    elif fmt == "zip":
        body, kind = package.export_zip(trainee, today=today), "application/zip"
    else:
        raise Http404("Unknown export format.")
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


# ----------------------------------------------------------------------------
# CME, training periods, peer recognition, settings
# ----------------------------------------------------------------------------
def _records_page(request, pk, *, form_class, add, added: str, template: str, context_fn):
    """A list of the trainee's records with an add form for the trainee herself (CME, training, peer)."""
    trainee, editable = _logbook(request, pk)
    form = None
    if editable:
        extra = {"trainee": trainee} if form_class is TrainingForm else {}
        form = form_class(request.POST or None, request.FILES or None, **extra)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            obj = add(by=request.user, trainee=trainee, **form.cleaned_data)
            messages.success(request, added)
            _warn_overlaps(request, obj)
            return redirect(request.path)
    return render(request, template, {"trainee": trainee, "editable": editable, "form": form,
                                      "urls": _urls(trainee, request.user), **context_fn(trainee)})


def _warn_overlaps(request, obj) -> None:
    """A training period that shares days with another, or a peer-recognition entry the rules will not count
    (same event as an earlier one, an oral that does not qualify, a poster), is saved, with a warning."""
    if isinstance(obj, PeerRecognition):
        reason = selectors.peer_overview(obj.trainee)["reasons"].get(obj.pk, "")
        if reason:
            messages.warning(request, f"Saved, but this entry does not count: {reason}.")
    if isinstance(obj, TrainingPeriod):
        obj.refresh_from_db()
        for warning in selectors.training_overlaps(obj.trainee, period=obj):
            messages.warning(request, warning)


def _training_context(trainee) -> dict:
    return {"periods": trainee.training_periods.select_related("supervisor"),
            "overlaps": selectors.training_overlaps(trainee)}


def _cme_context(trainee) -> dict:
    activities = list(trainee.cme_activities.all())
    exam = selectors.latest_exam_pass(trainee, body="EACVI")
    credits = rules.cme_credits([selectors.rules_cme(a) for a in activities], rules.load_ruleset("eacvi-2025").cme,
                                exam.exam_date if exam else None)
    return {"rows": list(zip(activities, credits)), "accepted_total": sum(float(c.accepted) for c in credits)}


@login_required
def cme_list(request, pk: int | None = None):
    return _records_page(request, pk, form_class=CmeForm, add=services.add_cme, added="CME activity added.",
                         template="logbook/cme.html", context_fn=_cme_context)


@login_required
def training_list(request, pk: int | None = None):
    return _records_page(request, pk, form_class=TrainingForm, add=services.add_training,
                         added="Training period added.", template="logbook/training.html",
                         context_fn=_training_context)


@login_required
def peer_list(request, pk: int | None = None):
    return _records_page(request, pk, form_class=PeerForm, add=services.add_peer_recognition, added="Entry added.",
                         template="logbook/peer.html",
                         context_fn=_peer_context)


def _peer_context(trainee) -> dict:
    overview = selectors.peer_overview(trainee)
    entries = list(trainee.peer_recognition.all())
    return {"rows": [(e, overview["reasons"].get(e.pk, "")) for e in entries], "counts": overview["counts"],
            "need": overview["need"], "posters": overview["posters"],
            "unstated": [e for e in entries if e.kind == "oral" and None in (e.first_author, e.presented_in_person)]}


EDITABLE = {
    "cme": (selectors.get_cme_for_user, CmeForm, services.update_cme, services.delete_cme, "activity", "logbook-cme"),
    "training": (selectors.get_training_for_user, TrainingForm, services.update_training, services.delete_training,
                 "period", "logbook-training"),
    "peer": (selectors.get_peer_for_user, PeerForm, services.update_peer_recognition, services.delete_peer_recognition,
             "entry", "logbook-peer"),
}


def _owned_item(request, kind: str, item_pk: int):
    """(object, its EDITABLE entry) for the trainee who owns it; 404 if unknown or unseen, 403 for readers."""
    if kind not in EDITABLE:
        raise Http404
    entry = EDITABLE[kind]
    obj = entry[0](request.user, item_pk)
    if not selectors.can_edit_logbook(request.user, obj.trainee):
        raise PermissionDenied
    return obj, entry


@login_required
def item_edit(request, kind: str, item_pk: int):
    obj, (_get, form_class, update, _delete, arg, back) = _owned_item(request, kind, item_pk)
    extra = {"trainee": obj.trainee} if form_class is TrainingForm else {}
    form = form_class(request.POST or None, request.FILES or None, instance=obj, **extra)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        obj.refresh_from_db()
        update(by=request.user, **{arg: obj}, **values)
        messages.success(request, "Saved.")
        _warn_overlaps(request, obj)
        return redirect(back)
    return render(request, "logbook/item_form.html", {"form": form, "thing": obj, "back": reverse(back)})


@login_required
def item_delete(request, kind: str, item_pk: int):
    obj, (_get, _form, _update, delete, arg, back) = _owned_item(request, kind, item_pk)
    if request.method == "POST":
        delete(by=request.user, **{arg: obj})
        messages.success(request, f"{obj} deleted.")
        return redirect(back)
    return render(request, "logbook/confirm_delete.html", {"thing": obj, "back": reverse(back)})


@login_required
def evidence(request, kind: str, item_pk: int):
    """An uploaded certificate or evidence file, for those who may read the logbook."""
    if kind == "cme":
        stored = selectors.get_cme_for_user(request.user, item_pk).certificate
    elif kind == "peer":
        stored = selectors.get_peer_for_user(request.user, item_pk).evidence
    else:
        raise Http404
    if not stored:
        raise Http404("No file uploaded.")
    return FileResponse(stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/", 1)[-1])


@login_required
def logbook_settings(request):
    trainee = _require_owner(request, None)
    form = SettingsForm(request.POST or None, instance=selectors.settings_for(trainee))
    if request.method == "POST" and form.is_valid():
        services.update_settings(by=request.user, trainee=trainee, **form.cleaned_data)
        messages.success(request, "Logbook settings saved.")
        return redirect("logbook-home")
    return render(request, "logbook/settings.html", {"form": form})

