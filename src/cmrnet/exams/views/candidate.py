"""Candidate pages: the sitting landing page, delivery (one item per page), results, appeals.

The key and the explanation of an item are never put in any template context or JSON here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmrnet.core.confirm import confirmation
from cmrnet.exams import pdf, selectors, services, timing
from cmrnet.exams.forms import AppealForm, SelfRegistrationForm
from cmrnet.exams.models import DEFECT_COMMENT_MAX_LENGTH, OPTION_LETTERS, Answer, FormItem, Registration
from cmrnet.exams.services.registration import places_left, self_registration_refusal


@login_required
def home(request):
    if selectors.is_board(request.user):
        return redirect("exams-board")
    return redirect("exams-my-results")


@login_required
def my_exams(request):
    regs = list(selectors.candidate_sittings(request.user))
    now = timezone.now()
    today = timezone.localdate()
    rows = [{"reg": r, "open": timing.in_start_window(now, r.sitting.start_opens, r.sitting.start_closes),
             "withdrawable": r.self_registered and getattr(r, "attempt", None) is None
             and timing.in_registration_window(today, *r.sitting.registration_window),
             "attempt": getattr(r, "attempt", None), "result": getattr(r, "result", None)
             if r.sitting.is_released else None} for r in regs]
    return render(request, "exams/my_exams.html", {"rows": rows})


@login_required
def sitting_landing(request, pk: int):
    sitting = selectors.get_sitting_for_user(request.user, pk)
    reg = selectors.registration_of(request.user, sitting)
    if reg is None:  # a board member who is not a candidate
        return redirect("exams-sitting-manage", pk=sitting.pk)
    now = timezone.now()
    attempt = getattr(reg, "attempt", None)
    if attempt is not None:
        services.close_if_overdue(attempt=attempt, now=now)
    return render(request, "exams/sitting_landing.html", {
        "sitting": sitting, "reg": reg, "attempt": attempt, "now": now,
        "can_start": attempt is None and timing.in_start_window(now, sitting.start_opens, sitting.start_closes),
        "not_yet": now < sitting.start_opens, "n_items": sitting.form.form_items.count(),
        "result": getattr(reg, "result", None) if sitting.is_released else None,
    })


@login_required
@require_POST
def start(request, pk: int):
    sitting = selectors.get_sitting_for_user(request.user, pk)
    try:
        attempt = services.start_attempt(candidate=request.user, sitting=sitting, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exams-sitting", pk=sitting.pk)
    except PermissionDenied:
        raise Http404("No such sitting.") from None
    return redirect("exams-attempt", pk=attempt.pk)


def _open_attempt_or_done(request, pk: int):
    attempt = selectors.get_attempt_for_user(request.user, pk)
    services.close_if_overdue(attempt=attempt, now=timezone.now())
    return attempt


@login_required
def attempt_resume(request, pk: int):
    attempt = _open_attempt_or_done(request, pk)
    if not attempt.is_open:
        return redirect("exams-attempt-done", pk=attempt.pk)
    return redirect("exams-question", pk=attempt.pk, n=attempt.position)


def _clock(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    return f"{h:d}:{rest // 60:02d}:{rest % 60:02d}"


def _grid(attempt, answers: dict[int, Answer], current: int) -> list[dict]:
    return [{"n": n, "answered": bool(answers.get(fid) and answers[fid].choice),
             "flagged": bool(answers.get(fid) and answers[fid].flagged), "current": n == current}
            for n, fid in enumerate(attempt.item_order, start=1)]


@login_required
def question(request, pk: int, n: int):
    attempt = _open_attempt_or_done(request, pk)
    if not attempt.is_open:
        return redirect("exams-attempt-done", pk=attempt.pk)
    if not 1 <= n <= len(attempt.item_order):
        raise Http404("No such question.")
    fid = attempt.item_order[n - 1]
    form_item = FormItem.objects.select_related("version").get(pk=fid)
    version = form_item.version
    answers = {a.form_item_id: a for a in attempt.answers.all()}
    answer = answers.get(fid)
    # A question page writes nothing (on SQLite a write would take the database's one write lock): the
    # position to resume at is recorded by each save.
    order = attempt.option_orders[str(fid)]
    options = [{"letter": letter, "shown": OPTION_LETTERS[i], "text": version.option(letter),
                "struck": bool(answer and letter in answer.struck), "chosen": bool(answer and answer.choice == letter)}
               for i, letter in enumerate(order)]
    now = timezone.now()
    remaining = timing.remaining_seconds(now, attempt.deadline)
    return render(request, "exams/question.html", {
        "attempt": attempt, "sitting": attempt.registration.sitting, "n": n, "total": len(attempt.item_order),
        "form_item_id": fid, "stem": version.stem, "has_media": bool(version.media), "media_kind": version.media_kind,
        "options": options, "answer": answer, "grid": _grid(attempt, answers, n), "remaining": remaining,
        "remaining_ms": timing.remaining_milliseconds(now, attempt.deadline),
        "clock": _clock(remaining), "answered": sum(1 for a in answers.values() if a.choice),
        "defect_comment_max_length": DEFECT_COMMENT_MAX_LENGTH,
    })


@login_required
def review(request, pk: int):
    """Before submitting: every question with its state, the unanswered and the flagged ones listed with
    links, and the Submit button. Only what the server holds counts (the page also says if this browser
    still has changes waiting to be saved)."""
    attempt = _open_attempt_or_done(request, pk)
    if not attempt.is_open:
        return redirect("exams-attempt-done", pk=attempt.pk)
    answers = {a.form_item_id: a for a in attempt.answers.all()}
    grid = _grid(attempt, answers, current=0)
    now = timezone.now()
    remaining = timing.remaining_seconds(now, attempt.deadline)
    return render(request, "exams/review.html", {
        "attempt": attempt, "sitting": attempt.registration.sitting, "grid": grid, "total": len(grid),
        "unanswered": [c for c in grid if not c["answered"]], "flagged": [c for c in grid if c["flagged"]],
        "answered": sum(1 for c in grid if c["answered"]), "remaining": remaining, "clock": _clock(remaining),
        "remaining_ms": timing.remaining_milliseconds(now, attempt.deadline)})


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.lower() in {"1", "true", "on", "yes"}


@login_required
@require_POST
def save(request, pk: int):
    """Save one change (answer, flag, strike-outs, defect report). JSON for delivery.js; a redirect without JS.

    The attempt is read once, locked, inside the save's transaction (only the candidate's own: 404 otherwise);
    the response carries only what that transaction read."""
    now = timezone.now()
    wants_json = "application/json" in request.headers.get("Accept", "")
    post = request.POST
    try:
        form_item_id = int(post.get("item", ""))
        position = int(post["position"]) if post.get("position", "").isdigit() else None
        saved = services.save_answer_for(
            attempt_id=pk, candidate=request.user, now=now, form_item_id=form_item_id, position=position,
            choice=post.get("choice"), struck=post.get("struck"), defect_comment=post.get("defect_comment"),
            # delivery.js sends only what changed; the plain form (no JavaScript) sends the whole page,
            # where an unticked checkbox is absent
            flagged=_bool(post.get("flagged")) if wants_json else "flagged" in post,
            defect_flag=_bool(post.get("defect_flag")) if wants_json else "defect_flag" in post)
    except services.NoSuchAttempt:
        raise Http404("No such attempt.") from None
    except services.AttemptClosed as exc:
        if wants_json:
            return JsonResponse({"saved": False, "closed": True, "error": str(exc),
                                 "done_url": reverse("exams-attempt-done", args=[pk])}, status=409)
        messages.error(request, str(exc))
        return redirect("exams-attempt-done", pk=pk)
    except OperationalError:  # e.g. SQLite "database is locked" under load: nothing was written
        if wants_json:
            return JsonResponse({"saved": False, "retry": True, "error": "The server is busy; retrying."},
                                status=503, headers={"Retry-After": "1"})
        raise
    except (ValueError, ValidationError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else "Invalid item."
        if wants_json:
            return JsonResponse({"saved": False, "error": message}, status=400)
        messages.error(request, message)
        return redirect("exams-attempt", pk=pk)
    answer, attempt = saved.answer, saved.attempt
    if wants_json:
        return JsonResponse({
            "saved": True, "item": form_item_id, "choice": answer.choice, "flagged": answer.flagged,
            "struck": answer.struck, "defect_flag": answer.defect_flag, "answered": saved.answered,
            "remaining": timing.remaining_seconds(now, attempt.deadline),
            "remaining_ms": timing.remaining_milliseconds(now, attempt.deadline)})
    messages.success(request, "Saved.")
    n = position or 1
    return redirect("exams-question", pk=attempt.pk, n=min(n + 1, len(attempt.item_order)))


@login_required
@require_POST
def submit(request, pk: int):
    """The candidate's own submission: only from the Submit button's form (it carries confirm=submit), so no
    script's automatic request can ever be recorded as the candidate's decision."""
    attempt = selectors.get_attempt_for_user(request.user, pk)
    if request.POST.get("confirm") != "submit":
        return HttpResponse("Submit the exam with the Submit button.", status=400, content_type="text/plain")
    attempt = services.submit_attempt(attempt=attempt, by=request.user, now=timezone.now())
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"submitted": True, "reason": attempt.submit_reason,
                             "done_url": reverse("exams-attempt-done", args=[attempt.pk])})
    return redirect("exams-attempt-done", pk=attempt.pk)


@login_required
@require_POST
def time_up(request, pk: int):
    """The page's countdown reached zero: it asks, the server decides. Closed (as a time-out, never as the
    candidate's submission) only if the server's deadline has passed; otherwise the page gets the time left."""
    attempt = selectors.get_attempt_for_user(request.user, pk)
    now = timezone.now()
    services.close_if_overdue(attempt=attempt, now=now, trigger="page countdown")
    if not attempt.is_open:
        return JsonResponse({"closed": True, "reason": attempt.submit_reason,
                             "done_url": reverse("exams-attempt-done", args=[attempt.pk])})
    return JsonResponse({"closed": False, "remaining_ms": timing.remaining_milliseconds(now, attempt.deadline)})


@login_required
def attempt_done(request, pk: int):
    attempt = _open_attempt_or_done(request, pk)
    if attempt.is_open:
        return redirect("exams-attempt", pk=attempt.pk)
    answers = attempt.answers.all()
    return render(request, "exams/attempt_done.html", {
        "attempt": attempt, "sitting": attempt.registration.sitting, "total": len(attempt.item_order),
        "answered": sum(1 for a in answers if a.choice), "flagged": sum(1 for a in answers if a.flagged)})


@login_required
def question_media(request, pk: int, n: int):
    attempt = _open_attempt_or_done(request, pk)
    if not attempt.is_open or not 1 <= n <= len(attempt.item_order):
        raise Http404("No such media.")
    version = FormItem.objects.select_related("version").get(pk=attempt.item_order[n - 1]).version
    if not version.media:
        raise Http404("No such media.")
    return FileResponse(version.media.open("rb"))


# --- results and appeals --------------------------------------------------------------------------------

@login_required
def result_detail(request, pk: int):
    result = selectors.get_result_for_user(request.user, pk)
    appeal = getattr(result, "appeal", None)
    own = result.registration.candidate_id == request.user.pk
    form = AppealForm(request.POST or None) if own and appeal is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.file_appeal(by=request.user, result=result, reasons=form.cleaned_data["reasons"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your appeal has been filed. The exam board will decide and tell you.")
            return redirect("exams-result", pk=result.pk)
    sitting = result.registration.sitting
    return render(request, "exams/result.html", {"result": result, "sitting": sitting, "appeal": appeal,
                                                 "form": form, "own": own})


@login_required
def result_letter(request, pk: int):
    result = selectors.get_result_for_user(request.user, pk)
    return _pdf(pdf.results_letter(result), f"results-letter-{result.pk}.pdf")


@login_required
def result_certificate(request, pk: int):
    result = selectors.get_result_for_user(request.user, pk)
    if not result.passed:
        raise Http404("A certificate of completion is issued for a pass only.")
    return _pdf(pdf.certificate(result), f"certificate-{result.pk}.pdf")


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- self-registration ------------------------------------------------------------------------------------

@login_required
def open_sittings(request):
    """Sittings open to self-registration (announced until the exam), with their window and start times."""
    today = timezone.localdate()
    mine = set(Registration.objects.filter(candidate=request.user).values_list("sitting_id", flat=True))
    rows = []
    for sitting in selectors.self_registration_sittings(today=today):
        opens, closes = sitting.registration_window
        rows.append({"sitting": sitting, "opens": opens, "closes": closes, "registered": sitting.pk in mine,
                     "open": timing.in_registration_window(today, opens, closes),
                     "slots": [(slot, places_left(slot)) for slot in sitting.slots.all()]})
    return render(request, "exams/open_sittings.html", {"rows": rows, "today": today})


@login_required
def register_self(request, pk: int):
    sitting = selectors.get_self_registration_sitting(pk, today=timezone.localdate())
    today = timezone.localdate()
    form = SelfRegistrationForm(request.POST or None, sitting=sitting)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_self(candidate=request.user, sitting=sitting, slot=form.cleaned_data.get("slot"),
                                   physician_declared=form.cleaned_data["physician"], today=today)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"You are registered for {sitting.title}.")
            return redirect("exams-my-results")
    opens, closes = sitting.registration_window
    refusal = self_registration_refusal(
        sitting=sitting, candidate=request.user, slot=None, today=today) if request.method == "GET" else ""
    return render(request, "exams/register_self.html", {
        "sitting": sitting, "form": form, "opens": opens, "closes": closes,
        "refusal": "" if refusal == "Choose a start time." else refusal,
        "registered": Registration.objects.filter(sitting=sitting, candidate=request.user).exists()})


@login_required
@require_POST
def withdraw_registration(request, pk: int):
    registration = selectors.get_own_registration(request.user, pk)
    if (ask := confirmation(
            request, title=f"Withdraw from {registration.sitting.title}?", action_label="Withdraw",
            consequence="Your registration is cancelled; to sit this exam you would need to register again.",
            back=reverse("exams-my-results"))) is not None:
        return ask
    try:
        services.cancel_own_registration(candidate=request.user, registration=registration,
                                         today=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Registration withdrawn.")
    return redirect("exams-my-results")
