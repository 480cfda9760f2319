"""After the sitting: item decisions, standard setting, four-eyes verification, release, appeals."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmrnet import psychometrics as pm
from cmrnet.core.links import absolute_reverse
from cmrnet.audit.services import record
from cmrnet.exams import scoring, timing
from cmrnet.exams.models import (
    OPTION_LETTERS, AngoffRating, Appeal, AppealStatus, Attempt, CutMethod, DecisionAction, FormItem,
    HofsteeInput, ItemDecision, ItemStatistic, Result, Sitting,
)
from cmrnet.exams.services.delivery import close_overdue_attempts
from cmrnet.people.models import Body
from cmrnet.people.services import record_exam_pass


def _unreleased(sitting: Sitting) -> Sitting:
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if sitting.is_released:
        raise ValidationError("Results are released: this sitting can no longer change.")
    return sitting


def _reset_verification(sitting: Sitting, *, by, why: str) -> None:
    if sitting.verified_by_first_id or sitting.verified_by_second_id:
        record(actor=by, action="sitting.verification_reset", obj=sitting,
               changes={"verified_by": [[str(sitting.verified_by_first), str(sitting.verified_by_second or "")], None]},
               data={"why": why})
    sitting.verified_by_first = sitting.verified_by_second = None
    sitting.verified_fingerprint = ""


def _recompute_cut(sitting: Sitting, *, by, why: str) -> None:
    """After any change to the retained items or ratings, the recorded method's cut is recomputed."""
    if sitting.cut_method:
        old = sitting.cut_score
        try:
            sitting.cut_score = scoring.cut_for(sitting.cut_method, sitting, scoring.load(sitting))
        except pm.InputError:
            sitting.cut_score = None
        if old != sitting.cut_score:
            record(actor=by, action="sitting.cut_recomputed", obj=sitting, changes={"cut_score": [old, sitting.cut_score]},
                   data={"method": sitting.cut_method, "why": why})
    _reset_verification(sitting, by=by, why=why)
    sitting.save(update_fields=["cut_score", "verified_by_first", "verified_by_second", "verified_fingerprint"])


@transaction.atomic
def decide_item(*, by, sitting: Sitting, form_item: FormItem, action: str, reason: str, new_key: str = "",
                now: dt.datetime | None = None) -> ItemDecision:
    """Remove, re-key or restore an item of this sitting; scores, statistics and cut follow."""
    sitting = _unreleased(sitting)
    if form_item.form_id != sitting.form_id:
        raise ValidationError("This item is not on the sitting's form.")
    if not reason.strip():
        raise ValidationError({"reason": "Record the reason for the decision."})
    if action not in DecisionAction.values:
        raise ValidationError({"action": "Unknown decision."})
    new_key = (new_key or "").upper()
    if action == DecisionAction.REKEY:
        if len(new_key) != 1 or new_key not in OPTION_LETTERS:
            raise ValidationError({"new_key": "Choose the new key (A-E)."})
        if new_key == form_item.version.key:
            raise ValidationError({"new_key": "That is already the key of the version shown."})
    else:
        new_key = ""
    removed, _rekey, _ = scoring.decisions_in_force(sitting)
    labels = [fi.label for fi in FormItem.objects.filter(form=sitting.form)]
    if action == DecisionAction.REMOVE and len(set(labels) - set(removed) - {form_item.label}) == 0:
        raise ValidationError("At least one item must be retained.")
    decision = ItemDecision.objects.create(sitting=sitting, form_item=form_item, action=action, new_key=new_key,
                                           reason=reason, decided_by=by, at=now or timezone.now())
    record(actor=by, action=f"sitting.item_{action}", obj=sitting,
           data={"item": form_item.label, "item_code": form_item.item.code, "version": form_item.version.number,
                 "new_key": new_key, "reason": reason})
    _recompute_cut(sitting, by=by, why=f"{action} {form_item.label}")
    return decision


@transaction.atomic
def save_angoff_ratings(*, by, sitting: Sitting, ratings: dict[int, float]) -> int:
    """A judge's Angoff ratings ({form_item_id: probability 0-1}); replaces the judge's earlier ratings."""
    sitting = _unreleased(sitting)
    valid = set(FormItem.objects.filter(form=sitting.form).values_list("pk", flat=True))
    for fid, value in ratings.items():
        if fid not in valid:
            raise ValidationError(f"Item {fid} is not on this form.")
        if value is None or not 0 <= value <= 1:
            raise ValidationError(f"Ratings are probabilities between 0 and 1 (item {fid}: {value}).")
    old = {r.form_item_id: r.rating for r in AngoffRating.objects.filter(sitting=sitting, judge=by)}
    for fid, value in ratings.items():
        AngoffRating.objects.update_or_create(sitting=sitting, judge=by, form_item_id=fid, defaults={"rating": value})
    changed = {str(f): [old.get(f), v] for f, v in ratings.items() if old.get(f) != v}
    record(actor=by, action="sitting.angoff_rated", obj=sitting, changes=changed, data={"n_ratings": len(ratings)})
    _recompute_cut(sitting, by=by, why="Angoff ratings changed")
    return len(ratings)


@transaction.atomic
def save_hofstee(*, by, sitting: Sitting, cut_min: float, cut_max: float, fail_min: float,
                 fail_max: float) -> HofsteeInput:
    sitting = _unreleased(sitting)
    if not (0 <= cut_min < cut_max <= 100 and 0 <= fail_min < fail_max <= 100):
        raise ValidationError("Need 0 <= minimum cut < maximum cut <= 100 and 0 <= minimum fail rate < maximum "
                              "fail rate <= 100 (all in %).")
    values = {"cut_min": cut_min, "cut_max": cut_max, "fail_min": fail_min, "fail_max": fail_max}
    obj, _ = HofsteeInput.objects.update_or_create(sitting=sitting, judge=by, defaults=values)
    record(actor=by, action="sitting.hofstee_judged", obj=sitting, data=values)
    _recompute_cut(sitting, by=by, why="Hofstee judgements changed")
    return obj


@transaction.atomic
def record_cut(*, by, sitting: Sitting, method: str, rationale: str) -> Sitting:
    """The board picks the standard-setting method; the cut is that method's value on the retained items."""
    sitting = _unreleased(sitting)
    if method not in CutMethod.values:
        raise ValidationError({"method": "Choose Angoff, Hofstee or Cohen."})
    if not rationale.strip():
        raise ValidationError({"rationale": "Record why this method was chosen."})
    try:
        cut = scoring.cut_for(method, sitting, scoring.load(sitting))
    except pm.InputError as exc:
        raise ValidationError(f"{CutMethod(method).label}: {exc}") from None
    before = {"cut_method": sitting.cut_method, "cut_score": sitting.cut_score}
    sitting.cut_method, sitting.cut_score, sitting.cut_rationale, sitting.cut_recorded_by = method, cut, rationale, by
    _reset_verification(sitting, by=by, why="cut recorded")
    sitting.save()
    record(actor=by, action="sitting.cut_recorded", obj=sitting,
           changes={k: [before[k], getattr(sitting, k)] for k in before}, data={"rationale": rationale})
    return sitting


def _ready_for_verification(sitting: Sitting, now: dt.datetime) -> None:
    close_overdue_attempts(sitting=sitting, now=now)
    if Attempt.objects.filter(registration__sitting=sitting, submitted_at__isnull=True).exists():
        raise ValidationError("Some candidates are still sitting the exam.")
    window_open = timing.in_start_window(now, sitting.start_opens, sitting.start_closes) or now < sitting.start_opens
    if window_open and sitting.registrations.filter(attempt__isnull=True).exists():
        raise ValidationError("The start window is still open and some registered candidates have not started.")
    if sitting.cut_score is None:
        raise ValidationError("Record the cut score first.")


@transaction.atomic
def verify_results(*, by, sitting: Sitting, now: dt.datetime | None = None) -> Sitting:
    """Four-eyes: two different board members verify the same scores, removals and cut."""
    now = now or timezone.now()
    sitting = _unreleased(sitting)
    _ready_for_verification(sitting, now)
    current = scoring.fingerprint(sitting, scoring.load(sitting))
    if sitting.verified_by_first_id is None or sitting.verified_fingerprint != current:
        if sitting.verified_by_first_id is not None:
            _reset_verification(sitting, by=by, why="results changed since the first verification")
        sitting.verified_by_first, sitting.verified_fingerprint = by, current
        step = "first"
    elif sitting.verified_by_first_id == by.pk:
        raise ValidationError("Four-eyes rule: the second verification must be made by a different board member.")
    elif sitting.verified_by_second_id is not None:
        raise ValidationError("The results are already verified twice.")
    else:
        sitting.verified_by_second = by
        step = "second"
    sitting.save(update_fields=["verified_by_first", "verified_by_second", "verified_fingerprint"])
    record(actor=by, action=f"sitting.results_verified_{step}", obj=sitting, data={"fingerprint": current,
                                                                                  "cut_score": sitting.cut_score})
    return sitting


def _notify(emails: list[str], subject: str, body: str) -> None:
    for email in emails:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)


@transaction.atomic
def release_results(*, by, sitting: Sitting, today: dt.date, now: dt.datetime | None = None) -> list[Result]:
    now = now or timezone.now()
    sitting = _unreleased(sitting)
    _ready_for_verification(sitting, now)
    if not (sitting.verified_by_first_id and sitting.verified_by_second_id):
        raise ValidationError("Results must be verified by two board members before release.")
    if sitting.verified_by_first_id == sitting.verified_by_second_id:
        raise ValidationError("Four-eyes rule: the two verifications must come from different board members.")
    data = scoring.load(sitting)
    if scoring.fingerprint(sitting, data) != sitting.verified_fingerprint:
        raise ValidationError("The results changed after verification: verify them again.")
    results = []
    for s in scoring.candidate_scores(sitting, data):
        reg = s.attempt.registration
        results.append(Result.objects.create(registration=reg, score=s.score, max_score=s.max_score,
                                             cut_score=sitting.cut_score, passed=bool(s.passed), released_on=today))
        if s.passed:
            record_exam_pass(by=by, person=reg.candidate, body=Body.EACVI, exam_date=sitting.exam_date,
                             source="sitting", reference=str(sitting.pk), results_released_on=today)
    _store_item_statistics(sitting, data)
    sitting.released_at, sitting.released_by = now, by
    sitting.save(update_fields=["released_at", "released_by"])
    record(actor=by, action="sitting.results_released", obj=sitting,
           data={"n_results": len(results), "n_passed": sum(r.passed for r in results), "cut_score": sitting.cut_score,
                 "method": sitting.cut_method, "removed": data.removed})
    result_ids = [r.pk for r in results]
    _notify_released(sitting, results)
    transaction.on_commit(lambda: _send_result_letters(result_ids))
    return results


def _notify_released(sitting: Sitting, results: list[Result]) -> None:
    """In the header list of each candidate; the results letter e-mail (below) carries the news by mail."""
    from cmrnet.notifications.models import Kind
    from cmrnet.notifications.services import notify

    for result in results:
        notify(recipient=result.registration.candidate, kind=Kind.RESULTS_RELEASED, email=False,
               subject=f"Your results of {sitting.title} are released", link=reverse("exams-my-results"),
               dedupe_key=f"results:{result.pk}")


def _send_result_letters(result_ids: list[int]) -> None:
    """E-mail each candidate their results letter (PDF attached), as the board's letters are sent."""
    from cmrnet.exams import pdf

    link = settings.SITE_URL + reverse("exams-my-results")
    for result in Result.objects.filter(pk__in=result_ids).select_related("registration__candidate",
                                                                          "registration__sitting"):
        title = result.registration.sitting.title
        message = EmailMessage(
            f"Your results: {title}",
            f"The results of {title} are released. Your results letter is attached"
            f"{' with your certificate of completion' if result.passed else ''}; you can also read your result "
            f"and file an appeal at {link}",
            settings.DEFAULT_FROM_EMAIL, [result.registration.candidate.email])
        message.attach(f"results-letter-{result.pk}.pdf", pdf.results_letter(result), "application/pdf")
        if result.passed:
            message.attach(f"certificate-{result.pk}.pdf", pdf.certificate(result), "application/pdf")
        message.send()


def _store_item_statistics(sitting: Sitting, data: scoring.SittingData) -> None:
    if not data.attempts:
        return
    analysis = scoring.item_analysis_all(data)
    for report in analysis.items:
        fi = data.form_item(report.id)
        d = report.to_dict()
        ItemStatistic.objects.create(sitting=sitting, form_item=fi, version=fi.version,
                                     n_candidates=len(data.attempts), p=d["p"], r_pbc=d["r_pbc"], d27=d["d27"],
                                     removed=report.id in data.removed, flags=report.flags)


@transaction.atomic
def file_appeal(*, by, result: Result, reasons: str, now: dt.datetime | None = None) -> Appeal:
    if result.registration.candidate_id != by.pk:
        raise ValidationError("Only the candidate can appeal against their result.")
    if Appeal.objects.filter(result=result).exists():
        raise ValidationError("An appeal has already been filed for this result.")
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the appeal."})
    appeal = Appeal.objects.create(result=result, reasons=reasons, filed_at=now or timezone.now())
    record(actor=by, action="appeal.filed", obj=appeal, data={"sitting_id": result.registration.sitting_id})
    return appeal


@transaction.atomic
def decide_appeal(*, by, appeal: Appeal, status: str, decision: str, now: dt.datetime | None = None) -> Appeal:
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError("This appeal is already decided.")
    if status not in (AppealStatus.UPHELD, AppealStatus.REJECTED):
        raise ValidationError({"status": "Decide upheld or rejected."})
    if not decision.strip():
        raise ValidationError({"decision": "Record the decision and its grounds."})
    appeal.status, appeal.decision, appeal.decided_by, appeal.decided_at = status, decision, by, now or timezone.now()
    appeal.save()
    record(actor=by, action=f"appeal.{status}", obj=appeal, changes={"status": [AppealStatus.OPEN, status]},
           data={"decision": decision})
    email = appeal.result.registration.candidate.email
    title = appeal.result.registration.sitting.title
    link = absolute_reverse("exams-result", appeal.result_id)
    transaction.on_commit(lambda: _notify(
        [email], f"Your appeal: {title}",
        f"The exam board has decided your appeal: {AppealStatus(status).label.lower()}.\n\n{decision}\n\nYour result: {link}"))
    return appeal
