"""Pages of programmes: thin (permission, one selector or service, render)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmrnet.core.confirm import confirmation
from cmrnet.core.actions import attempt, form_problems
from cmrnet.core.links import absolute_reverse
from cmrnet.programmes import pdf, selectors, services
from cmrnet.programmes.forms import (ApplyForm, AssessmentForm, DeterminationForm, InviteForm, LevelForm, ModuleForm,
                                     ProgrammeForm, SessionForm, VerificationForm)
from cmrnet.programmes.models import CompletionCertificate, Enrolment, SessionKind
from cmrnet.programmes.streaming import ranged_file_response


def _act(request, action, success: str):
    """Run a service; its refusal becomes error messages naming the field (`core.actions.attempt`). The result,
    or None when refused."""
    return attempt(request, action, success=success).value


@login_required
def programme_list(request):
    user = request.user
    programmes = selectors.programmes_for_user(user)
    mine = {e.programme_id: e for e in Enrolment.objects.filter(trainee=user)}
    return render(request, "programmes/list.html", {
        "programmes": [(p, mine.get(p.pk)) for p in programmes], "can_create": selectors.can_create(user)})


@login_required
def programme_new(request):
    if not selectors.can_create(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, request.FILES or None, initial={"director": request.user, "time_zone": request.user.zone.key})
    if request.method == "POST" and form.is_valid():
        done = attempt(request, lambda: services.create_programme(by=request.user, faculty=list(form.cleaned_data["faculty"]),
                                                                  **form.values()), form=form,
                       success="Programme created. Add its modules and sessions; the checklist shows what SCMR asks for.")
        if done.ok:
            return redirect("programme-detail", pk=done.value.pk)
    return render(request, "programmes/form.html", {"form": form, "title": "New training programme"})


@login_required
def programme_edit(request, pk: int):
    programme = selectors.get_programme_for_user(request.user, pk)
    if not selectors.can_manage(request.user, programme):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, request.FILES or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        programme.refresh_from_db()
        if attempt(request, lambda: services.update_programme(by=request.user, programme=programme,
                                                              faculty=list(form.cleaned_data["faculty"]), **form.values()),
                   form=form, success="Programme saved.").ok:
            return redirect("programme-detail", pk=programme.pk)
    return render(request, "programmes/form.html", {"form": form, "title": f"Change {programme}"})


@login_required
def programme_detail(request, pk: int):
    user, now = request.user, timezone.now()
    programme = selectors.get_programme_for_user(user, pk)
    can_manage, can_teach = selectors.can_manage(user, programme), selectors.can_teach(user, programme)
    enrolment = selectors.enrolment_of(user, programme)
    context = {
        "programme": programme, "can_manage": can_manage, "can_teach": can_teach, "enrolment": enrolment,
        "modules": selectors.modules_of(programme), "sessions": selectors.sessions_for_user(user, programme),
        "seats_taken": selectors.seats_taken(programme), "zone": user.zone,
        "faculty": programme.faculty.all(), "surveys": selectors.surveys_for_user(user, programme),
    }
    if can_teach:
        context["checklist"] = selectors.checklist(programme, today=timezone.localdate())
        context["enrolments"] = selectors.enrolments_for_user(user, programme)
        context["verifications"] = programme.verifications.all()
    if can_manage:
        context.update(module_form=ModuleForm(), invite_form=InviteForm(), verification_form=VerificationForm())
    if enrolment and enrolment.status in selectors.ACTIVE:
        records = selectors.attendance_record(user, programme, now=now)
        context.update(records=records, progress=selectors.progress_of(records),
                       seated=set(programme.sessions.filter(seats__trainee=user).values_list("pk", flat=True)))
    if programme.enrolment_open and enrolment is None and programme.enrolment_policy == "application" and user.has_role("trainee"):
        context["apply_form"] = ApplyForm()
    return render(request, "programmes/detail.html", context)


@login_required
@require_POST
def module_add(request, pk: int):
    programme = selectors.get_programme_for_user(request.user, pk)
    form = ModuleForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.add_module(by=request.user, programme=programme, **form.cleaned_data),
                success="Module added.")
    else:
        messages.error(request, "Module not added: " + form_problems(form))
    return redirect("programme-detail", pk=programme.pk)


@login_required
def session_add(request, pk: int):
    programme = selectors.get_programme_for_user(request.user, pk)
    if not selectors.can_manage(request.user, programme):
        raise PermissionDenied
    form = SessionForm(request.POST or None, request.FILES or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        if attempt(request, lambda: services.add_session(by=request.user, programme=programme, **form.session_values()),
                   form=form, success=lambda session: f"Session {session.title} added.").ok:
            return redirect("programme-detail", pk=programme.pk)
    return render(request, "programmes/session_form.html", {"form": form, "programme": programme})


@login_required
@require_POST
def enrolment_open(request, pk: int):
    programme = selectors.get_programme_for_user(request.user, pk)
    if request.POST.get("close"):
        _act(request, lambda: services.close_enrolment(by=request.user, programme=programme), "Enrolment closed.")
    else:
        _act(request, lambda: services.open_enrolment(by=request.user, programme=programme, today=timezone.localdate()),
             "Enrolment is open.")
    return redirect("programme-detail", pk=programme.pk)


@login_required
@require_POST
def apply(request, pk: int):
    programme = selectors.get_programme_for_user(request.user, pk)
    form = ApplyForm(request.POST)
    statement = form.cleaned_data["statement"] if form.is_valid() else ""
    _act(request, lambda: services.apply(by=request.user, programme=programme, statement=statement, now=timezone.now()),
         "Application sent to the programme director.")
    return redirect("programme-detail", pk=programme.pk)


@login_required
@require_POST
def invite(request, pk: int):
    programme = selectors.get_programme_for_user(request.user, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        _act(request, lambda: services.invite_trainee(by=request.user, programme=programme, trainee=form.cleaned_data["trainee"],
                                                      now=timezone.now()), "Invitation sent.")
    return redirect("programme-detail", pk=programme.pk)


@login_required
@require_POST
def enrolment_action(request, pk: int, action: str):
    enrolment = selectors.get_enrolment_for_user(request.user, pk)
    service = {"accept": services.accept, "decline": services.decline, "withdraw": services.withdraw}.get(action)
    if service is None:
        raise Http404
    title = enrolment.programme.title
    if action in ("withdraw", "decline") and (ask := confirmation(
            request, title=f"{action.capitalize()} {'from' if action == 'withdraw' else 'the place on'} {title}?",
            action_label=action.capitalize(), back=reverse("programme-detail", kwargs={"pk": enrolment.programme_id}),
            consequence="Your place goes to the next person waiting; to take part later you would apply again.")) is not None:
        return ask
    done = {"accept": f"You accepted your place on {title}.", "decline": f"You declined the place on {title}.",
            "withdraw": f"You withdrew from {title}."}[action]
    result = _act(request, lambda: service(by=request.user, enrolment=enrolment, now=timezone.now()), done)
    if result is not None and result.status == Enrolment.Status.WAITLISTED:
        messages.info(request, "The programme is full: on the waiting list.")
    return redirect("programme-detail", pk=enrolment.programme_id)


@login_required
@require_POST
def verification_add(request, pk: int):
    programme = selectors.get_programme_for_user(request.user, pk)
    form = VerificationForm(request.POST, request.FILES)
    if form.is_valid():
        _act(request, lambda: services.record_verification(by=request.user, programme=programme, **form.cleaned_data),
             "SCMR verification recorded.")
    else:
        messages.error(request, "Not recorded: " + form_problems(form))
    return redirect("programme-detail", pk=programme.pk)


@login_required
def plan_pdf(request, pk: int):
    programme = selectors.get_programme_for_user(request.user, pk)
    if not selectors.can_teach(request.user, programme):
        raise PermissionDenied
    today = timezone.localdate()
    data = pdf.plan_pdf(programme, selectors.checklist(programme, today=today),
                        sessions=selectors.sessions_for_user(request.user, programme), today=today)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="scmr-plan-programme-{programme.pk}.pdf"'
    return response


# --------------------------------------------------------------------------- sessions
@login_required
def session_detail(request, pk: int):
    user, now = request.user, timezone.now()
    session = selectors.get_session_for_user(user, pk)
    programme = session.programme
    context = {"session": session, "programme": programme, "can_teach": selectors.can_teach(user, programme),
               "seated": session.seats.filter(trainee=user).exists(), "seats": session.seats.select_related("trainee"),
               "zone": user.zone, "join_refusal": services.join_refusal(user, session) if session.live_session_id else None,
               "in_person_topics": selectors.in_person_topics(programme)}
    enrolment = selectors.enrolment_of(user, programme)
    context["virtual_refusal"] = selectors.virtual_refusal(enrolment, session) if enrolment else None
    context["reading_set"] = selectors.reading_set_for_user(user, session) if session.kind == SessionKind.INTERPRETATION else []
    if session.kind == SessionKind.RECORDED_LECTURE:
        progress_row = session.watch_progress.filter(trainee=user).first()
        context["watched"] = progress_row.seconds_watched if progress_row else 0
    if context["can_teach"] and session.live_session_id:
        from cmrnet.live import selectors as live

        context["attendance"] = live.session_attendance(session.live_session, now=now)
    return render(request, "programmes/session_detail.html", context)


@login_required
@require_POST
def seat(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk)
    if request.POST.get("leave"):
        services.leave_seat(by=request.user, session=session, now=timezone.now())
        messages.success(request, "Your place is free again.")
    else:
        _act(request, lambda: services.take_seat(by=request.user, session=session, now=timezone.now()),
             "Your place in this small group is booked; the session is in your calendar.")
    return redirect("programme-session", pk=session.pk)


@login_required
@require_POST
def join(request, pk: int):
    """Enter the live room (a POST: it adds the trainee to the room and audits a refusal); the cap per mentor
    and the competence level are checked again here."""
    session = selectors.get_session_for_user(request.user, pk)
    joined = attempt(request, lambda: services.join_session(by=request.user, session=session, now=timezone.now()))
    if not joined.ok:
        return redirect("programme-session", pk=session.pk)
    return redirect("live-room", pk=joined.value.pk)


@login_required
def video(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk)
    if not session.video:
        raise Http404("No recording.")
    return ranged_file_response(session.video, request.headers.get("Range", ""))


@login_required
@require_POST
def watched(request, pk: int):
    """The player reports what was watched: JSON {"start": s, "end": s}."""
    session = selectors.get_session_for_user(request.user, pk)
    try:
        body = json.loads(request.body or b"{}")
        start, end = float(body["start"]), float(body["end"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "Send {\"start\": seconds, \"end\": seconds}."}, status=400)
    try:
        row = services.record_watch(by=request.user, session=session, start=start, end=end, now=timezone.now())
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    from cmrnet.programmes import progress

    return JsonResponse({"seconds_watched": row.seconds_watched, "length": session.video_seconds,
                         "attended": progress.watched_enough(row.seconds_watched, session.video_seconds)})


# --------------------------------------------------------------------------- a trainee's record
@login_required
def enrolment_detail(request, pk: int):
    user, now = request.user, timezone.now()
    enrolment = selectors.get_enrolment_for_user(user, pk)
    programme = enrolment.programme
    records = selectors.attendance_record(enrolment.trainee, programme, now=now)
    is_director = user.pk == programme.director_id
    can_teach = selectors.can_teach(user, programme)
    return render(request, "programmes/enrolment.html", {
        "enrolment": enrolment, "programme": programme, "records": records, "progress": selectors.progress_of(records),
        "assessments": enrolment.assessments.select_related("assessor"),
        "determination": getattr(enrolment, "determination", None),
        "certificate": CompletionCertificate.objects.filter(enrolment=enrolment).first(),
        "is_director": is_director, "can_teach": can_teach,
        "assessment_form": AssessmentForm(initial={"assessed_on": timezone.localdate(), "in_person": True}) if can_teach else None,
        "determination_form": DeterminationForm(initial={"decided_on": timezone.localdate()}) if is_director else None,
        "level_form": LevelForm(initial={"competence_level": enrolment.competence_level}) if can_teach else None,
    })


@login_required
@require_POST
def assessment_add(request, pk: int):
    enrolment = selectors.get_enrolment_for_user(request.user, pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        _act(request, lambda: services.record_assessment(by=request.user, enrolment=enrolment, **form.cleaned_data),
             "Assessment recorded.")
    return redirect("programme-enrolment", pk=enrolment.pk)


@login_required
@require_POST
def level_set(request, pk: int):
    enrolment = selectors.get_enrolment_for_user(request.user, pk)
    form = LevelForm(request.POST)
    if form.is_valid():
        result = _act(request, lambda: services.set_competence_level(by=request.user, enrolment=enrolment,
                                                                     level=form.cleaned_data["competence_level"]), "Level saved.")
        if result is not None and result.released_places:
            messages.info(request, "In person at this level, so their places were given up: "
                                   + ", ".join(result.released_places) + ".")
    return redirect("programme-enrolment", pk=enrolment.pk)


@login_required
@require_POST
def determination_add(request, pk: int):
    enrolment = selectors.get_enrolment_for_user(request.user, pk)
    form = DeterminationForm(request.POST)
    if form.is_valid():
        _act(request, lambda: services.record_determination(by=request.user, enrolment=enrolment, **form.cleaned_data),
             "Final determination recorded.")
    else:
        messages.error(request, "Not recorded: " + form_problems(form))
    return redirect("programme-enrolment", pk=enrolment.pk)


@login_required
@require_POST
def certificate_issue(request, pk: int):
    enrolment = selectors.get_enrolment_for_user(request.user, pk)
    _act(request, lambda: services.issue_certificate(by=request.user, enrolment=enrolment, now=timezone.now()),
         "Completion certificate issued.")
    return redirect("programme-enrolment", pk=enrolment.pk)


@login_required
def certificate_pdf(request, pk: int):
    enrolment = selectors.get_enrolment_for_user(request.user, pk)
    certificate = CompletionCertificate.objects.filter(enrolment=enrolment).first()
    if certificate is None:
        raise Http404("No certificate yet.")
    # the same QR flow as certificates: the certification register's public verification, on CMRNET_SITE_URL
    url = absolute_reverse("certification-verify", certificate.code)
    response = HttpResponse(pdf.completion_pdf(certificate, verify_url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="programme-completion-{certificate.pk}.pdf"'
    return response


def verify(request, code: str):
    """Public (no login), like certificate verification: name, programme, host, determination date."""
    from cmrnet.certification.models import could_be_code

    if not could_be_code(code):
        raise Http404("No certificate with this verification code.")
    certificate = CompletionCertificate.objects.select_related(
        "enrolment__trainee", "enrolment__programme__host_centre", "enrolment__determination").filter(code=code).first()
    if certificate is None:
        raise Http404("No certificate with this verification code.")
    return render(request, "programmes/verify.html", {"certificate": certificate, "enrolment": certificate.enrolment})


@login_required
def verification_package(request, pk: int):
    from cmrnet.programmes.package import verification_package as build

    enrolment = selectors.get_enrolment_for_user(request.user, pk)
    response = HttpResponse(build(enrolment, now=timezone.now()), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="level2-verification-{enrolment.pk}.zip"'
    return response


# --------------------------------------------------------------------------- surveys
@login_required
def survey_new(request, pk: int):
    from cmrnet.programmes.forms import SurveyForm

    programme = selectors.get_programme_for_user(request.user, pk)
    if not selectors.can_manage(request.user, programme):
        raise PermissionDenied
    form = SurveyForm(request.POST or None, initial={"opens_on": timezone.localdate(), "closes_on": programme.ends_on})
    if request.method == "POST" and form.is_valid():
        done = attempt(request, lambda: services.create_survey(by=request.user, programme=programme, **form.cleaned_data),
                       form=form, success="Survey created.")
        if done.ok:
            return redirect("programme-survey", pk=done.value.pk)
    return render(request, "programmes/form.html", {"form": form, "title": f"New survey for {programme}"})


@login_required
def survey_detail(request, pk: int):
    from cmrnet.programmes.forms import AnswerForm

    survey = selectors.get_survey_for_user(request.user, pk)
    today = timezone.localdate()
    refusal = selectors.survey_refusal(request.user, survey, today=today)
    form = AnswerForm(request.POST or None, survey=survey) if refusal is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        if attempt(request, lambda: services.submit_survey(by=request.user, survey=survey, answers=form.answers(), today=today),
                   form=form, success="Thank you: your answers are recorded without your name.").ok:
            return redirect("programme-survey", pk=survey.pk)
    can_teach = selectors.can_teach(request.user, survey.programme)
    return render(request, "programmes/survey.html", {
        "survey": survey, "programme": survey.programme, "form": form, "refusal": refusal, "can_teach": can_teach,
        "results": selectors.survey_results(survey) if can_teach else None, "answered": survey.submissions.count()})


@login_required
def survey_export(request, pk: int):
    from cmrnet import tabular

    survey = selectors.get_survey_for_user(request.user, pk)
    if not selectors.can_teach(request.user, survey.programme):
        raise PermissionDenied
    rows = []
    for r in selectors.survey_results(survey):
        if not r.shown:
            rows.append([survey.programme.title, survey.get_phase_display(), survey.get_audience_display(), r.text, r.kind,
                         r.responses, "hidden (fewer than the minimum group size)", "", ""])
        elif r.kind == "likert":
            rows.append([survey.programme.title, survey.get_phase_display(), survey.get_audience_display(), r.text, r.kind,
                         r.responses, f"{float(r.mean):.2f}", " ".join(map(str, r.distribution)), ""])
        else:
            rows.append([survey.programme.title, survey.get_phase_display(), survey.get_audience_display(), r.text, r.kind,
                         r.responses, "", "", " | ".join(r.texts)])
    data = tabular.csv_bytes(["programme", "phase", "audience", "question", "kind", "responses", "mean (1-5)",
                              "counts 1 2 3 4 5", "free texts"], rows)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-for-scmr.csv"'
    return response


# --------------------------------------------------------------------------- outcomes
@login_required
def outcomes(request, pk: int):
    from cmrnet.programmes import outcomes as oc
    from cmrnet.programmes.models import Cohort

    programme = selectors.get_programme_for_user(request.user, pk)
    if not selectors.can_teach(request.user, programme):
        raise PermissionDenied
    if request.method == "POST":
        services.refresh_outcomes(by=request.user, programme=programme, now=timezone.now())
        messages.success(request, "Outcomes computed from the trainees' records.")
        return redirect("programme-outcomes", pk=programme.pk)
    cohort = Cohort.objects.filter(programme=programme).first()
    people = selectors.participants(cohort.records.all()) if cohort else []
    return render(request, "programmes/outcomes.html", {
        "programme": programme, "cohort": cohort, "summary": oc.summarise(people) if cohort else None,
        "survey_score": selectors.programme_survey_score(programme)})


@login_required
def comparison(request):
    from cmrnet.core.charts import bar_chart

    data = selectors.comparison()
    charts = {}
    for kind, group in data["groups"].items():
        charts[kind] = {
            "first_scan": bar_chart(group["first_scan"], title=f"Time to first self-conducted scan: {group['label']}",
                                    description=", ".join(f"{label}: {n}" for label, n in group["first_scan"])),
            "off_site": bar_chart(group["off_site"], title=f"Off-site training: {group['label']}",
                                  description=", ".join(f"{label}: {n}" for label, n in group["off_site"])),
        }
    return render(request, "programmes/comparison.html", {**data, "charts": charts,
                                                           "can_import": selectors.can_create(request.user)})


@login_required
def materials(request, pk: int):
    session = selectors.get_session_for_user(request.user, pk)
    if not session.materials:
        raise Http404("No materials.")
    response = ranged_file_response(session.materials, "")
    response["Content-Disposition"] = f'attachment; filename="{session.materials.name.rsplit("/", 1)[-1]}"'
    return response


@login_required
def outcomes_import(request):
    from cmrnet.programmes.forms import OutcomesImportForm
    from cmrnet.programmes.models import Cohort

    if not selectors.can_create(request.user):
        raise PermissionDenied
    form = OutcomesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if Cohort.objects.filter(name=d["name"]).exclude(programme=None).exists():
            form.add_error("name", "That is a programme's cohort (computed from records): choose another name.")
        else:
            if attempt(request, lambda: services.import_outcomes(by=request.user, name=d["name"], kind=d["kind"], rows=d["table"],
                                                                 source=d["source"], year=d["year"]), form=form,
                       success=lambda cohort: f"{cohort.records.count()} participants imported into {cohort}.").ok:
                return redirect("programme-comparison")
    return render(request, "programmes/form.html", {"form": form, "title": "Import a cohort's outcomes"})
