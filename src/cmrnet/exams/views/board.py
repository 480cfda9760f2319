"""Exam board pages: forms, sittings, proctoring, analysis, standard setting, release, appeals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmrnet import psychometrics as pm
from cmrnet.core.charts import bar_chart
from cmrnet.core.confirm import confirmation
from cmrnet.exams import analysis_html, blueprint, scoring, selectors, services, timing
from cmrnet.exams.forms import (
    AccommodationForm, AddItemForm, AppealDecisionForm, CutForm, DecisionForm, HofsteeForm, IncidentForm,
    ProposeForm, RegisterForm, RegistrationSettingsForm, SittingForm, SlotForm,
)
from cmrnet.exams.models import AngoffRating, Answer, FormItem, HofsteeInput, Registration, SittingSlot
from cmrnet.exams.services.forms import topic_bounds
from cmrnet.exams.services.registration import places_left
from cmrnet.exams.views.items import require_board


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
def board_home(request):
    require_board(request.user)
    today = timezone.localdate()
    sittings = [(s, timing.results_due(s.exam_date)) for s in selectors.sittings_for_user(request.user)]
    return render(request, "exams/board_home.html", {
        "sittings": sittings, "today": today, "forms": selectors.forms_for_user(request.user)[:10],
        "item_counts": selectors.open_items_count(), "appeals": selectors.open_appeals(),
        "propose_form": ProposeForm()})


# --- forms ----------------------------------------------------------------------------------------------

@login_required
@require_POST
def form_propose(request):
    require_board(request.user)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a title and a number of items.")
        return redirect("exams-board")
    try:
        exam_form = services.propose_form(by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("exams-board")
    return redirect("exams-form", pk=exam_form.pk)


def blueprint_check(exam_form) -> list[blueprint.TopicCheck]:
    counts: dict[str, int] = {}
    for fi in exam_form.form_items.select_related("item__current_version__topic", "version__topic"):
        version = fi.version or fi.item.current_version
        counts[version.topic.code] = counts.get(version.topic.code, 0) + 1
    return blueprint.check(topic_bounds(), counts)


@login_required
def form_detail(request, pk: int):
    require_board(request.user)
    exam_form = selectors.get_form_for_user(request.user, pk)
    checks = blueprint_check(exam_form)
    add_form = AddItemForm()
    add_form.fields["item"].queryset = add_form.fields["item"].queryset.exclude(form_items__form=exam_form)
    return render(request, "exams/form_detail.html", {
        "exam_form": exam_form, "checks": checks, "all_met": all(c.met for c in checks),
        "form_items": exam_form.form_items.select_related("item__current_version__topic", "version__topic"),
        "add_form": add_form, "sittings": exam_form.sittings.all()})


@login_required
@require_POST
def form_add_item(request, pk: int):
    require_board(request.user)
    exam_form = selectors.get_form_for_user(request.user, pk)
    form = AddItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_form_item(by=request.user, form=exam_form, item=form.cleaned_data["item"])
        except ValidationError as exc:
            _errors(request, exc)
    else:
        messages.error(request, "Choose an approved item.")
    return redirect("exams-form", pk=exam_form.pk)


@login_required
@require_POST
def form_remove_item(request, pk: int, fi: int):
    require_board(request.user)
    exam_form = selectors.get_form_for_user(request.user, pk)
    form_item = get_object_or_404(FormItem, pk=fi, form=exam_form)
    try:
        services.remove_form_item(by=request.user, form=exam_form, form_item=form_item)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("exams-form", pk=exam_form.pk)


@login_required
@require_POST
def form_lock(request, pk: int):
    require_board(request.user)
    exam_form = selectors.get_form_for_user(request.user, pk)
    try:
        services.lock_form(by=request.user, form=exam_form)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Form locked: each item's current version is pinned.")
    return redirect("exams-form", pk=exam_form.pk)


# --- sittings -------------------------------------------------------------------------------------------

@login_required
def sitting_create(request, pk: int):
    require_board(request.user)
    exam_form = selectors.get_form_for_user(request.user, pk)
    form = SittingForm(request.POST or None, initial={"title": exam_form.title})
    if request.method == "POST" and form.is_valid():
        try:
            sitting = services.schedule_sitting(by=request.user, form=exam_form, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Sitting scheduled. Register the candidates.")
            return redirect("exams-sitting-manage", pk=sitting.pk)
    return render(request, "exams/sitting_form.html", {"form": form, "exam_form": exam_form})


def _board_sitting(request, pk: int):
    require_board(request.user)
    return selectors.get_sitting_for_user(request.user, pk)


@login_required
def sitting_manage(request, pk: int):
    sitting = _board_sitting(request, pk)
    form = RegisterForm(request.POST or None, sitting=sitting)
    form.fields["candidate"].queryset = form.fields["candidate"].queryset.exclude(exam_registrations__sitting=sitting)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_candidate(by=request.user, sitting=sitting, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{form.cleaned_data['candidate']} registered.")
            return redirect("exams-sitting-manage", pk=sitting.pk)
    regs = sitting.registrations.select_related("candidate", "attempt", "slot").order_by("candidate__full_name")
    opens, closes = sitting.registration_window
    return render(request, "exams/sitting_manage.html", {
        "sitting": sitting, "form": form, "registrations": regs, "due": timing.results_due(sitting.exam_date),
        "today": timezone.localdate(), "n_items": sitting.form.form_items.count(),
        "window": (opens, closes), "slots": [(slot, places_left(slot)) for slot in sitting.slots.all()],
        "settings_form": RegistrationSettingsForm(initial={
            "self_registration": sitting.self_registration, "registration_opens_on": sitting.registration_opens_on,
            "registration_closes_on": sitting.registration_closes_on}),
        "slot_form": SlotForm(zone=sitting.zone,
                              initial={"starts_at": sitting.local(sitting.start_opens).replace(tzinfo=None)})})


def _board_form_post(request, pk: int, form_class, service, *, invalid: str, success: str, zoned: bool = False):
    """A board form posted from the sitting page: validate, call the service, report, back to the page.
    zoned: the form reads clock times on the sitting's time zone (SlotForm)."""
    sitting = _board_sitting(request, pk)
    form = form_class(request.POST, zone=sitting.zone) if zoned else form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(invalid)
        service(by=request.user, sitting=sitting, **form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, success)
    return redirect("exams-sitting-manage", pk=sitting.pk)


@login_required
@require_POST
def registration_settings(request, pk: int):
    return _board_form_post(request, pk, RegistrationSettingsForm, services.set_registration_settings,
                            invalid="Give the dates as YYYY-MM-DD.", success="Registration settings saved.")


@login_required
@require_POST
def slot_add(request, pk: int):
    return _board_form_post(request, pk, SlotForm, services.add_slot, zoned=True,
                            invalid="Give a start time and at least one place.", success="Start time added.")


@login_required
@require_POST
def slot_capacity(request, pk: int, sid: int):
    sitting = _board_sitting(request, pk)
    slot = get_object_or_404(SittingSlot, pk=sid, sitting=sitting)
    value = request.POST.get("capacity", "")
    try:
        if not (value.isascii() and value.isdigit()):
            raise ValidationError("Places must be a whole number, 1 or more.")
        services.set_slot_capacity(by=request.user, slot=slot, capacity=int(value))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Places saved.")
    return redirect("exams-sitting-manage", pk=sitting.pk)


@login_required
@require_POST
def registration_update(request, pk: int, rid: int):
    sitting = _board_sitting(request, pk)
    reg = get_object_or_404(Registration, pk=rid, sitting=sitting)
    try:
        if request.POST.get("remove"):
            if (ask := confirmation(
                    request, title=f"Unregister {reg.candidate} from {sitting.title}?", keep=["remove"],
                    action_label="Unregister", back=reverse("exams-sitting-manage", kwargs={"pk": sitting.pk}),
                    consequence="Their registration is removed; they would have to be registered again.")) is not None:
                return ask
            candidate = reg.candidate
            services.unregister_candidate(by=request.user, registration=reg)
            messages.success(request, f"{candidate} is no longer registered for {sitting.title}.")
        else:
            form = AccommodationForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Extra time must be a whole number of minutes, 0 or more.")
            services.update_registration(by=request.user, registration=reg, **form.cleaned_data)
            messages.success(request, f"Registration of {reg.candidate} saved.")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("exams-sitting-manage", pk=sitting.pk)


@login_required
def proctor(request, pk: int):
    sitting = _board_sitting(request, pk)
    now = timezone.now()
    services.close_overdue_attempts(sitting=sitting, now=now)
    form = IncidentForm(request.POST or None, sitting=sitting)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_incident(by=request.user, sitting=sitting, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Incident recorded.")
            return redirect("exams-proctor", pk=sitting.pk)
    counts = {row["attempt_id"]: row for row in Answer.objects.filter(attempt__registration__sitting=sitting)
              .values("attempt_id").annotate(answered=Count("pk", filter=~Q(choice="")),
                                             flagged=Count("pk", filter=Q(flagged=True)),
                                             defects=Count("pk", filter=Q(defect_flag=True)))}
    rows = []
    for reg in sitting.registrations.select_related("candidate", "attempt").order_by("candidate__full_name"):
        attempt = getattr(reg, "attempt", None)
        c = counts.get(attempt.pk, {}) if attempt else {}
        rows.append({"reg": reg, "attempt": attempt, "answered": c.get("answered", 0), "flagged": c.get("flagged", 0),
                     "defects": c.get("defects", 0),
                     "remaining": timing.remaining_seconds(now, attempt.deadline) if attempt and attempt.is_open else None})
    return render(request, "exams/proctor.html", {
        "sitting": sitting, "rows": rows, "n_items": sitting.form.form_items.count(), "form": form,
        "incidents": sitting.incidents.select_related("candidate", "recorded_by"),
        "in_progress": sum(1 for r in rows if r["attempt"] and r["attempt"].is_open)})


# --- after the sitting ----------------------------------------------------------------------------------

@login_required
def analysis(request, pk: int):
    sitting = _board_sitting(request, pk)
    services.close_overdue_attempts(sitting=sitting, now=timezone.now())
    data = scoring.load(sitting, candidates=False)
    context = {"sitting": sitting, "data": data, "decision_form": DecisionForm(), "result": None}
    if data.attempts:
        result = scoring.analyse(data)
        dist = sorted(result.test.distribution.items())
        context.update({
            "result": result, "test": result.test,
            "rows": [({**d, "key": r.key, "defect_flags": r.defect_flags,
                       "options_html": analysis_html.options_cell(d["options"]),
                       "key_options_html": analysis_html.key_options(d.get("suggested_key"))},
                      data.form_item(r.id), data.reasons.get(r.id)) for r in result.items for d in [r.to_dict()]],
            "test_stats": pm.analysis.clean({"mean": result.test.mean, "sd": result.test.sd,
                                             "alpha": result.test.alpha, "sem": result.test.sem}),
            "removed": [(data.form_item(i), data.reasons.get(i)) for i in data.removed],
            "chart": bar_chart([(f"{s:g}", n) for s, n in dist], title="Score distribution (retained items)",
                               description=", ".join(f"{s:g}: {n}" for s, n in dist)),
            "defect_comments": Answer.objects.filter(attempt__registration__sitting=sitting, defect_flag=True)
            .select_related("form_item").order_by("form_item__position"),
        })
    return render(request, "exams/analysis.html", context)


@login_required
@require_POST
def item_decision(request, pk: int, fi: int):
    sitting = _board_sitting(request, pk)
    form_item = get_object_or_404(FormItem.objects.select_related("version", "item"), pk=fi, form=sitting.form)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a decision and record the reason.")
    else:
        try:
            services.decide_item(by=request.user, sitting=sitting, form_item=form_item, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"{form_item.label}: decision recorded; scores and cut recomputed.")
    return redirect("exams-analysis", pk=sitting.pk)


@login_required
def standard_setting(request, pk: int):
    sitting = _board_sitting(request, pk)
    data = scoring.load(sitting)
    mine = {r.form_item_id: r.rating for r in AngoffRating.objects.filter(sitting=sitting, judge=request.user)}
    if request.method == "POST" and request.POST.get("part") == "angoff":
        return _save_angoff(request, sitting, data)
    hofstee_mine = HofsteeInput.objects.filter(sitting=sitting, judge=request.user).first()
    hofstee_form = HofsteeForm(request.POST if request.POST.get("part") == "hofstee" else None,
                               initial=hofstee_mine and {k: getattr(hofstee_mine, k) for k in
                                                         ["cut_min", "cut_max", "fail_min", "fail_max"]})
    cut_form = CutForm(request.POST if request.POST.get("part") == "cut" else None,
                       initial={"method": sitting.cut_method or "angoff", "rationale": sitting.cut_rationale})
    if request.method == "POST":
        form = hofstee_form if request.POST.get("part") == "hofstee" else cut_form
        if form.is_valid():
            try:
                if form is hofstee_form:
                    services.save_hofstee(by=request.user, sitting=sitting, **form.cleaned_data)
                else:
                    services.record_cut(by=request.user, sitting=sitting, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("exams-standard", pk=sitting.pk)
    exam = scoring.scored(data)
    angoff, angoff_note = scoring.angoff_result(sitting, data)
    hofstee, hofstee_note = scoring.hofstee_result(sitting, data, exam)
    cohen, cohen_note = scoring.cohen_result(exam)
    removed = set(data.removed)
    items = [{"fi": fi, "rating": mine.get(fi.pk), "removed": fi.label in removed,
              "mean": (dict(zip(angoff.item_ids, angoff.item_means)).get(fi.label) if angoff else None)}
             for fi in data.form_items]
    return render(request, "exams/standard_setting.html", {
        "sitting": sitting, "items": items, "angoff": angoff, "angoff_note": angoff_note, "hofstee": hofstee,
        "hofstee_note": hofstee_note, "cohen": cohen, "cohen_note": cohen_note, "hofstee_form": hofstee_form,
        "cut_form": cut_form, "max_score": exam.max_score, "n_candidates": len(data.attempts)})


def _save_angoff(request, sitting, data):
    ratings = {}
    try:
        for fi in data.form_items:
            raw = request.POST.get(f"rating_{fi.pk}", "").strip()
            if raw:
                ratings[fi.pk] = float(raw)
        services.save_angoff_ratings(by=request.user, sitting=sitting, ratings=ratings)
    except ValueError:
        messages.error(request, "Ratings are numbers between 0 and 1 (e.g. 0.65). Nothing was saved.")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"{len(ratings)} Angoff rating(s) saved.")
    return redirect("exams-standard", pk=sitting.pk)


@login_required
def results(request, pk: int):
    sitting = _board_sitting(request, pk)
    services.close_overdue_attempts(sitting=sitting, now=timezone.now())
    data = scoring.load(sitting)
    scores = scoring.candidate_scores(sitting, data)
    absent = sitting.registrations.filter(attempt__isnull=True).select_related("candidate")
    return render(request, "exams/results_board.html", {
        "sitting": sitting, "scores": scores, "absent": absent,
        "due": timing.results_due(sitting.exam_date), "today": timezone.localdate(),
        "n_passed": sum(1 for s in scores if s.passed), "removed": data.removed, "rekey": data.rekey,
        "fingerprint_ok": sitting.verified_fingerprint == scoring.fingerprint(sitting, data)
        if sitting.verified_fingerprint else None,
        "results_released": Registration.objects.filter(sitting=sitting, result__isnull=False)
        .select_related("candidate", "result")})


@login_required
@require_POST
def verify(request, pk: int):
    sitting = _board_sitting(request, pk)
    try:
        sitting = services.verify_results(by=request.user, sitting=sitting)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Verification recorded." if not sitting.verified_by_second_id
                         else "Second verification recorded: the results can be released.")
    return redirect("exams-results", pk=sitting.pk)


@login_required
@require_POST
def release(request, pk: int):
    sitting = _board_sitting(request, pk)
    if (ask := confirmation(
            request, title=f"Release the results of {sitting.title}?", action_label="Release results",
            consequence="Every candidate's letter is e-mailed at once, and a release cannot be undone.",
            back=reverse("exams-results", kwargs={"pk": sitting.pk}))) is not None:
        return ask
    try:
        done = services.release_results(by=request.user, sitting=sitting, today=timezone.localdate())
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Results released to {len(done)} candidate(s).")
    return redirect("exams-results", pk=sitting.pk)


@login_required
def appeal_list(request):
    require_board(request.user)
    return render(request, "exams/appeal_list.html", {"appeals": selectors.appeals_for_user(request.user)})


@login_required
def appeal_detail(request, pk: int):
    appeal = selectors.get_appeal_for_user(request.user, pk)
    board = selectors.is_board(request.user)
    form = AppealDecisionForm(request.POST or None) if board and appeal.status == "open" else None
    if request.method == "POST":
        require_board(request.user)
        if form is not None and form.is_valid():
            try:
                services.decide_appeal(by=request.user, appeal=appeal, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Decision recorded; the candidate is notified by e-mail.")
                return redirect("exams-appeal", pk=appeal.pk)
    return render(request, "exams/appeal_detail.html", {"appeal": appeal, "form": form, "board": board})

