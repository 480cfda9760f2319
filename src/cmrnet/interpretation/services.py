"""Writes for interpretations: keyword-only, atomic, audited. The trainee writes their reading; the
mentor comments and reviews; only the trainee adds a reviewed reading to their logbook."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.interpretation import comparison, selectors
from cmrnet.interpretation.models import (
    TOLERANCE_PARAMETERS, Assignment, Comment, Grade, Interpretation, Status, ToleranceSetting,
)
from cmrnet.library import selectors as library
from cmrnet.logbook import services as logbook
from cmrnet.logbook.patient_keys import patient_key

def _tell(recipients, *, subject: str, reading: Interpretation, body: str = "") -> None:
    """A notification (header list and e-mail) linking to the reading; no patient data, the case's pseudonym only."""
    from django.urls import reverse

    from cmrnet.notifications.models import Kind
    from cmrnet.notifications.services import notify_many

    notify_many(recipients=[r for r in recipients if r is not None], kind=Kind.OTHER, subject=subject, body=body,
                link=reverse("interpretation-detail", args=[reading.pk]))


def _reviewers(reading: Interpretation) -> list:
    """The mentor named on the reading, else every supervisor of the trainee."""
    if reading.mentor_id:
        return [reading.mentor]
    from cmrnet.people.selectors import supervisors_of

    return list(supervisors_of(reading.trainee))


REVIEW_FIELDS = ["status", "grade", "overall_comment", "full_review", "reviewed_by", "reviewed_at"]


def course_id() -> str:
    """The course id library readings carry in a logbook (a case is counted once per course)."""
    return getattr(settings, "CMRNET_LIBRARY_COURSE_ID", "cmrnet-library")


def _require_member_case(user, case) -> None:
    # the same selector that decides who may open the case (404 for the others)
    library.get_case_for_user(user, case.pk)


@transaction.atomic
def assign_case(*, by, trainee, case, due_on: dt.date | None = None, note: str = "") -> Assignment:
    if not selectors.can_assign(by, trainee):
        raise PermissionDenied("Only a mentor who supervises the trainee assigns cases.")
    _require_member_case(by, case)
    _require_member_case(trainee, case)
    if Interpretation.objects.filter(trainee=trainee, case=case).exists():
        raise ValidationError({"case": f"{trainee} has already read {case.pseudonym}."})
    assignment = Assignment.objects.create(mentor=by, trainee=trainee, case=case, due_on=due_on, note=note)
    reading = Interpretation.objects.create(trainee=trainee, case=case, assignment=assignment, mentor=by)
    record(actor=by, action="interpretation.assigned", obj=reading,
           data={"trainee_id": trainee.pk, "case": case.pseudonym, "due_on": due_on})
    _tell([trainee], reading=reading, subject=f"A case to read: {case.pseudonym}",
          body=f"{by} asked you to read {case.pseudonym}" + (f" by {due_on:%d %b %Y}." if due_on else "."))
    return assignment


@transaction.atomic
def assign_session_reading(*, by, mentor, trainee, case, note: str = "") -> Interpretation | None:
    """A case of a programme session's reading set, for a trainee holding a place in it: an assignment from the
    session's mentor, who reviews the reading. The programme decides who may (the trainee's place, the mentor
    teaching the session); the trainee must be able to open the case. A case already read is left as it is
    (returns None)."""
    _require_member_case(trainee, case)
    if Interpretation.objects.filter(trainee=trainee, case=case).exists():
        return None
    assignment = Assignment.objects.create(mentor=mentor, trainee=trainee, case=case, note=note)
    reading = Interpretation.objects.create(trainee=trainee, case=case, assignment=assignment, mentor=mentor)
    record(actor=by, action="interpretation.assigned", obj=reading,
           data={"trainee_id": trainee.pk, "case": case.pseudonym, "mentor_id": mentor.pk, "note": note})
    _tell([trainee], reading=reading, subject=f"A case to read: {case.pseudonym}",
          body=f"{note}: read {case.pseudonym}; {mentor} reviews it." if note else f"Read {case.pseudonym}.")
    return reading


@transaction.atomic
def start_reading(*, by, case, mentor=None) -> Interpretation:
    """Self-study: the trainee starts reading a case; ``mentor`` (one of their supervisors) reviews."""
    _require_member_case(by, case)
    if mentor is not None and not selectors.can_assign(mentor, by):
        raise ValidationError({"mentor": "Choose one of your supervisors."})
    existing = Interpretation.objects.filter(trainee=by, case=case).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            reading = Interpretation.objects.create(trainee=by, case=case, mentor=mentor)
    except IntegrityError:  # a second tab started the same case a moment ago
        return Interpretation.objects.get(trainee=by, case=case)
    record(actor=by, action="interpretation.started", obj=reading, data={"case": case.pseudonym,
                                                                         "mentor_id": mentor.pk if mentor else None})
    return reading


def clean_report(report) -> dict:
    """The report with every field checked (ValidationError naming the field); unknown fields are refused."""
    from cmrnet.library.models import LgePattern, WallMotion
    from cmrnet.logbook.models import CATEGORY_LABELS

    if not isinstance(report, dict):
        raise ValidationError({"report": "The report is an object of fields."})
    unknown = sorted(set(report) - set(comparison.REPORT_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: "Not a field of the structured report."})
    clean: dict = {}
    for name, label, unit in comparison.NUMERIC_FIELDS:
        value = report.get(name)
        if value in (None, ""):
            clean[name] = None
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError({name: f"{label}: {value!r} is not a number."}) from None
        if not (0 <= number <= (100 if unit == "%" else 10000)) or number != number:
            raise ValidationError({name: f"{label}: {number:g} {unit} is out of range."})
        clean[name] = number
    for name, allowed in (("wall_motion", WallMotion.values), ("lge", [v for v in LgePattern.values if v != "none"])):
        value = report.get(name)
        if value is None:
            clean[name] = None
            continue
        if not isinstance(value, dict):
            raise ValidationError({name: "A map of AHA segment (1-17) to a grade."})
        for key, grade in value.items():
            if str(key) not in {str(n) for n in comparison.SEGMENTS}:
                raise ValidationError({name: f"Segment {key} is not an AHA segment (1-17)."})
            if grade not in allowed:
                raise ValidationError({name: f"Segment {key}: {grade!r} is not one of {', '.join(allowed)}."})
        clean[name] = {str(k): v for k, v in value.items()}
    perfusion = report.get("perfusion_defects")
    if perfusion is not None:
        if not isinstance(perfusion, list) or any(not isinstance(n, int) or n not in comparison.SEGMENTS for n in perfusion):
            raise ValidationError({"perfusion_defects": "A list of AHA segments (1-17)."})
        perfusion = sorted(set(perfusion))
    clean["perfusion_defects"] = perfusion
    category = report.get("category") or ""
    if category and category not in CATEGORY_LABELS:
        raise ValidationError({"category": f"{category!r} is not a category of the logbook vocabulary."})
    clean["category"] = category
    for name, limit in (("final_diagnosis", 300), ("valve_findings", 4000)):
        text = str(report.get(name) or "").strip()
        if len(text) > limit:
            raise ValidationError({name: f"{len(text)} characters; at most {limit}."})
        clean[name] = text
    return clean


def clean_measurements(measurements) -> list:
    """Distances and contours from the viewer: at most 500, each with at most 2000 points."""
    if not isinstance(measurements, list) or len(measurements) > 500:
        raise ValidationError({"measurements": "A list of at most 500 measurements."})
    clean = []
    for i, m in enumerate(measurements, 1):
        try:
            kind, points = m["type"], m["points"]
            if kind not in ("distance", "area") or not isinstance(points, list) or len(points) > 2000:
                raise ValueError
            clean.append({"type": kind, "series": int(m["series"]), "slice": int(m["slice"]), "phase": int(m["phase"]),
                          "points": [[round(float(x), 2), round(float(y), 2)] for x, y in points]})
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"measurements": f"Measurement {i} is not a distance or a contour."}) from None
    return clean


def _require_trainee_draft(by, reading: Interpretation) -> None:
    if by.pk != reading.trainee_id:
        raise PermissionDenied("Only the trainee writes their reading.")
    if reading.status != Status.DRAFT:
        raise ValidationError({"status": "This reading is submitted; it can no longer be changed."})


def _locked(reading: Interpretation) -> Interpretation:
    return Interpretation.objects.select_for_update().get(pk=reading.pk)


@transaction.atomic
def save_draft(*, by, interpretation: Interpretation, report: dict, measurements: list | None = None) -> Interpretation:
    reading = _locked(interpretation)
    _require_trainee_draft(by, reading)
    reading.report = clean_report(report)
    if measurements is not None:
        reading.measurements = clean_measurements(measurements)
    reading.save(update_fields=["report", "measurements", "updated_at"])
    record(actor=by, action="interpretation.draft_saved", obj=reading, data={"fields": sorted(k for k, v in report.items()
                                                                                            if v not in (None, "", [], {}))})
    return reading


@transaction.atomic
def submit(*, by, interpretation: Interpretation, report: dict, measurements: list | None = None) -> Interpretation:
    """Freeze the report and compare it with the reference under the site's tolerances."""
    reading = _locked(interpretation)
    _require_trainee_draft(by, reading)
    _require_member_case(by, reading.case)
    report = reading.report = clean_report(report)
    if measurements is not None:
        reading.measurements = clean_measurements(measurements)
    results = comparison.compare_reports(report, selectors.reference_for(reading.case), selectors.tolerances())
    reading.comparison = _plain([dataclasses.asdict(r) for r in results])
    reading.status = Status.SUBMITTED
    reading.submitted_at = timezone.now()
    reading.save()
    tally = comparison.summary(results)
    record(actor=by, action="interpretation.submitted", obj=reading, changes={"status": ["draft", "submitted"]},
           data={"case": reading.case.pseudonym, **tally})
    _tell(_reviewers(reading), reading=reading, subject=f"A reading to review: {reading.case.pseudonym} by {reading.trainee}")
    return reading


def _plain(value):
    """JSON-safe copy (Decimal -> str, int keys -> str)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _require_reviewer(by, reading: Interpretation) -> None:
    if not selectors.can_review(by, reading):
        raise PermissionDenied("Only the trainee's mentor reviews this reading.")
    if reading.status == Status.DRAFT:
        raise ValidationError({"status": "The trainee has not submitted this reading yet."})


@transaction.atomic
def add_comment(*, by, interpretation: Interpretation, text: str, series=None, slice_index: int | None = None,
                phase_index: int | None = None, x: float | None = None, y: float | None = None) -> Comment:
    reading = _locked(interpretation)
    _require_reviewer(by, reading)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the comment."})
    if series is not None:
        if series.study.case_id != reading.case_id:
            raise ValidationError({"series": "That series is not part of this case."})
        for name, value, top in (("slice_index", slice_index, series.number_of_slices),
                                 ("phase_index", phase_index, series.number_of_phases)):
            if value is not None and not 0 <= value < max(top, 1):
                raise ValidationError({name: f"{value} is outside the series (0 to {max(top, 1) - 1})."})
        for name, value, top in (("x", x, series.columns), ("y", y, series.rows)):
            if value is not None and top and not 0 <= value <= top:
                raise ValidationError({name: f"{value} is outside the image (0 to {top})."})
    elif any(v is not None for v in (slice_index, phase_index, x, y)):
        raise ValidationError({"series": "A frame or a point needs its series."})
    comment = Comment.objects.create(interpretation=reading, author=by, text=text, series=series,
                                     slice_index=slice_index, phase_index=phase_index, x=x, y=y)
    record(actor=by, action="interpretation.commented", obj=reading,
           data={"comment_id": comment.pk, "series_id": series.pk if series else None, "slice": slice_index,
                 "phase": phase_index, "x": x, "y": y})
    return comment


@transaction.atomic
def complete_review(*, by, interpretation: Interpretation, grade: str, overall_comment: str = "",
                    full_review: bool) -> Interpretation:
    reading = _locked(interpretation)
    _require_reviewer(by, reading)
    if grade not in Grade.values:
        raise ValidationError({"grade": "Choose a grade."})
    if reading.logbook_case_id and reading.full_review and not full_review:
        raise ValidationError({"full_review": "This reading is in the trainee's logbook as fully reviewed."})
    before = snapshot(reading, REVIEW_FIELDS)
    reading.grade, reading.overall_comment, reading.full_review = grade, overall_comment.strip(), full_review
    reading.status, reading.reviewed_by, reading.reviewed_at = Status.REVIEWED, by, timezone.now()
    reading.save()
    record(actor=by, action="interpretation.reviewed", obj=reading, changes=diff(before, snapshot(reading, REVIEW_FIELDS)))
    _tell([reading.trainee], reading=reading, subject=f"Your reading of {reading.case.pseudonym} was reviewed",
          body=f"Grade: {reading.get_grade_display()}. Open it to see the comments on the images.")
    return reading


@transaction.atomic
def add_to_logbook(*, by, interpretation: Interpretation, today: dt.date):
    """The reviewed reading becomes a course case of the trainee's logbook (source "course", the
    library's course id, full_review as the mentor recorded it), where the course-share cap applies."""
    reading = _locked(interpretation)
    if by.pk != reading.trainee_id:
        raise PermissionDenied("Only the trainee writes their logbook.")
    if reading.status != Status.REVIEWED:
        raise ValidationError({"status": "Only a reviewed reading goes into the logbook."})
    if reading.logbook_case_id:
        raise ValidationError({"logbook_case": "This reading is already in your logbook."})
    supervisor = reading.reviewed_by if reading.reviewed_by_id in logbook.supervisor_ids(reading.trainee) else None
    data = logbook.CaseInput(
        study_date=today, patient_key=patient_key(reading.case.pseudonym), category=reading.case.category,
        normal=reading.case.normal, source="course", course_id=course_id(), role="reporting",
        supervisor_id=supervisor.pk if supervisor else None, full_review=reading.full_review)
    case = logbook.add_case(by=by, trainee=reading.trainee, data=data)
    reading.logbook_case = case
    reading.save(update_fields=["logbook_case", "updated_at"])
    record(actor=by, action="interpretation.added_to_logbook", obj=reading,
           data={"logbook_case": case.case_id, "course_id": case.course_id, "full_review": reading.full_review})
    return case


@transaction.atomic
def set_tolerance(*, by, parameter: str, absolute: Decimal | None = None, relative_pct: Decimal | None = None,
                  max_mismatch: int | None = None) -> ToleranceSetting:
    from cmrnet.people.roles import Role

    if not by.has_role(Role.NETWORK_ADMIN):
        raise PermissionDenied("Only a network administrator sets the tolerances.")
    if parameter not in dict(TOLERANCE_PARAMETERS):
        raise ValidationError({"parameter": f"Unknown parameter {parameter!r}."})
    if all(v is None for v in (absolute, relative_pct, max_mismatch)):
        raise ValidationError({"parameter": "Give an absolute, a relative or a segment tolerance."})
    for name, value in (("absolute", absolute), ("relative_pct", relative_pct), ("max_mismatch", max_mismatch)):
        if value is not None and value < 0:
            raise ValidationError({name: "A tolerance cannot be negative."})
    row, _ = ToleranceSetting.objects.select_for_update().get_or_create(parameter=parameter)
    fields = ["absolute", "relative_pct", "max_mismatch"]
    before = snapshot(row, fields)
    row.absolute, row.relative_pct, row.max_mismatch, row.updated_by = absolute, relative_pct, max_mismatch, by
    row.save()
    record(actor=by, action="interpretation.tolerance_set", obj=row, changes=diff(before, snapshot(row, fields)))
    return row
