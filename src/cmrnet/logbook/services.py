"""Writes to logbooks: keyword-only, atomic, audited. Only the trainee writes their logbook;
only a supervisor of the trainee verifies or queries a case."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.core.files import atomic_with_files, files_removed_on_error
from cmrnet.logbook import notices, selectors
from cmrnet.logbook.models import Case, CmeActivity, ConfirmedImport, LogbookSettings, PeerRecognition, TrainingPeriod, Verification
from cmrnet.logbook.patient_keys import patient_key
from cmrnet.people.models import User

CASE_FIELDS = ["case_id", "study_date", "patient_key_short", "category", "normal", "source", "course_id", "full_review", "role",
               "control_room", "supervisor", "clinical_change", "centre", "mode", "status", "verification_comment"]
TRAINING_FIELDS = ["start_date", "end_date", "hours_per_week", "supervisor", "centre", "mode"]
CME_FIELDS = ["title", "provider", "kind", "start_date", "end_date", "credits", "modalities", "catalog_id",
              "full_attendance", "certificate"]
PEER_FIELDS = ["kind", "title", "event", "scope", "date", "first_author", "presented_in_person", "reference", "evidence"]
SETTINGS_FIELDS = ["ruleset", "route", "level2_logbook_until"]


@dataclass
class CaseInput:
    """A validated case as typed or imported; the patient is already a key (never the raw id)."""

    study_date: dt.date
    patient_key: str
    category: str
    normal: bool = False
    source: str = "own_centre"
    course_id: str = ""
    role: str = "primary_operator"
    control_room: bool = False
    supervisor_id: int | None = None
    clinical_change: bool = False
    centre_id: int | None = None
    case_id: str = ""
    full_review: bool | None = None  # course cases only; None keeps what the case already records
    mode: str = "in_person"

    def to_json(self) -> dict:
        data = asdict(self)
        data["study_date"] = self.study_date.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> CaseInput:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["study_date"] = dt.date.fromisoformat(values["study_date"])
        return cls(**values)


def _require_owner(by: User, trainee: User) -> None:
    if not selectors.can_edit_logbook(by, trainee):
        raise PermissionDenied("Only the trainee writes their logbook.")


def _next_sequence(trainee: User) -> int:
    """The next running number; locks the trainee's row so concurrent adds never collide."""
    User.objects.select_for_update().filter(pk=trainee.pk).first()
    return (Case.objects.filter(trainee=trainee).aggregate(m=Max("sequence"))["m"] or 0) + 1


def _free_case_id(trainee: User, sequence: int, taken: set[str]) -> str:
    number = sequence
    while f"C{number:04d}" in taken:
        number += 1
    return f"C{number:04d}"


def _apply(case: Case, data: CaseInput) -> None:
    for name in ("study_date", "patient_key", "category", "normal", "source", "course_id", "role", "control_room",
                 "supervisor_id", "clinical_change", "centre_id", "mode"):
        setattr(case, name, getattr(data, name))
    if data.full_review is not None:
        case.full_review = data.full_review
    if case.source != "course":
        case.course_id = ""
        case.full_review = None


def check_case(case: Case, *, supervisors: set[int] | None = None) -> None:
    """The domain checks of a case about to be saved (ValidationError {field: message}).
    ``supervisors``: the ids of selectors.supervisors_of(case.trainee), when the caller has them."""
    for name in ("case_id", "category", "course_id"):
        limit = Case._meta.get_field(name).max_length
        if len(getattr(case, name)) > limit:
            raise ValidationError({name: f"{len(getattr(case, name))} characters; at most {limit}."})
    if case.source == "course" and not case.course_id.strip():
        raise ValidationError({"course_id": "A course case needs the course id (a course case is counted once)."})
    if case.study_date > timezone.localdate():
        raise ValidationError({"study_date": "The study date is in the future."})
    _check_supervisor(case.trainee, case.supervisor_id, supervisors)


def supervisor_ids(trainee: User) -> set[int]:
    return set(selectors.supervisors_of(trainee).values_list("pk", flat=True))


def _check_supervisor(trainee: User, supervisor_id: int | None, allowed: set[int] | None = None) -> None:
    if supervisor_id is None:
        return
    if supervisor_id not in (allowed if allowed is not None else supervisor_ids(trainee)):
        raise ValidationError({"supervisor": "Not one of the trainee's supervisors."})


def _audit_case(by: User, action: str, case: Case, before: dict, **data) -> None:
    record(actor=by, action=action, obj=case, changes=diff(before, snapshot(case, CASE_FIELDS) if case.pk else {}),
           data={"trainee_id": case.trainee_id, **data})


@transaction.atomic
def add_case(*, by: User, trainee: User, data: CaseInput) -> Case:
    _require_owner(by, trainee)
    sequence = _next_sequence(trainee)
    taken = set(Case.objects.filter(trainee=trainee).values_list("case_id", flat=True))
    case_id = data.case_id.strip() or _free_case_id(trainee, sequence, taken)
    if case_id in taken:
        raise ValidationError({"case_id": f"Case id {case_id!r} is already in your logbook."})
    case = Case(trainee=trainee, sequence=sequence, case_id=case_id)
    _apply(case, data)
    check_case(case)
    case.save()
    _audit_case(by, "logbook.case_added", case, {})
    return case


@transaction.atomic
def update_case(*, by: User, case: Case, data: CaseInput) -> Case:
    """Edit a case. Any change to a verified or queried case sends it back to pending."""
    _require_owner(by, case.trainee)
    case = Case.objects.select_for_update().get(pk=case.pk)
    before = snapshot(case, CASE_FIELDS)
    _apply(case, data)
    check_case(case)
    if snapshot(case, CASE_FIELDS) != before and case.status != Verification.PENDING:
        case.status, case.verified_by, case.verified_at = Verification.PENDING, None, None
    case.save()
    _audit_case(by, "logbook.case_updated", case, before)
    return case


@transaction.atomic
def delete_case(*, by: User, case: Case) -> None:
    _require_owner(by, case.trainee)
    before = snapshot(case, CASE_FIELDS)
    record(actor=by, action="logbook.case_deleted", obj=case, changes=diff(before, {}),
           data={"trainee_id": case.trainee_id})
    case.delete()


class AlreadyImported(ValidationError):
    """The preview's token was used before: a replayed confirm imports nothing."""


def import_cases(*, by: User, trainee: User, rows: list[CaseInput], source: str = "file",
                 token_id: str = "") -> list[Case]:
    """Save every row or none (the caller validated them in the preview; checked again here, before
    the transaction, which then only numbers and inserts the rows).

    ``token_id``: the preview's single-use id; a second import with it raises AlreadyImported."""
    _require_owner(by, trainee)
    cases = _checked_cases(trainee, rows)
    prepared = _prepared(cases)
    with transaction.atomic():
        if token_id:
            _use_token(trainee, token_id, len(rows))
        _number_and_insert(trainee, cases, prepared)
        record(actor=by, action="logbook.cases_imported", obj=trainee,
               data={"trainee_id": trainee.pk, "count": len(cases), "source": source,
                     "case_ids": [c.case_id for c in cases][:500]})
    return cases


def _use_token(trainee: User, token_id: str, count: int) -> None:
    """Record the token as used, in the import's transaction (a failed import leaves it unused);
    the unique constraint makes a concurrent replay fail too."""
    try:
        with transaction.atomic():
            ConfirmedImport.objects.create(token_id=token_id, trainee=trainee, cases=count)
    except IntegrityError:
        used = ConfirmedImport.objects.filter(token_id=token_id).first()
        when = timezone.localtime(used.confirmed_at).strftime("%Y-%m-%d %H:%M") if used else "earlier"
        raise AlreadyImported(f"This preview was already imported ({when}); nothing was imported again.") from None


def _place(where: list[str] | None, index: int) -> str:
    return where[index] if where else f"row {index + 1}"


def _checked_cases(trainee: User, rows: list[CaseInput], where: list[str] | None = None) -> list[Case]:
    """Unsaved cases, each through check_case; no transaction needed. Errors name ``where[i]`` or the row."""
    allowed = supervisor_ids(trainee)
    cases = []
    for index, data in enumerate(rows):
        case = Case(trainee=trainee, case_id=data.case_id.strip())
        _apply(case, data)
        try:
            check_case(case, supervisors=allowed)
        except ValidationError as error:
            column, messages = next(iter(error.message_dict.items()))
            raise ValidationError(f"{_place(where, index)}, column {column}: {' '.join(messages)}") from None
        cases.append(case)
    return cases


_LATE = ("sequence", "case_id")       # known only under the trainee's lock, inside the transaction


def _prepared(cases: list[Case]) -> list[list]:
    """Each case's column values as the database takes them, made before the transaction opens
    (Django spends most of a bulk insert preparing values; the write lock need not wait for it)."""
    fields = _insert_fields()
    return [[f.get_db_prep_save(f.pre_save(case, True), connection) for f in fields] for case in cases]


def _insert_fields() -> list:
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key and f.name not in _LATE]
    return fields + [Case._meta.get_field(name) for name in _LATE]


def _number_and_insert(trainee: User, cases: list[Case], rows: list[list], where: list[str] | None = None) -> None:
    """Inside the caller's transaction: running numbers and free case ids under the trainee's lock,
    the supervisor links checked again (cheap), one INSERT for all rows (prepared by _prepared)."""
    sequence = _next_sequence(trainee)
    taken = set(Case.objects.filter(trainee=trainee).values_list("case_id", flat=True))
    allowed = supervisor_ids(trainee)
    for index, case in enumerate(cases):
        if not case.case_id:
            case.case_id = _free_case_id(trainee, sequence, taken)
        elif case.case_id in taken:
            raise ValidationError(f"{_place(where, index)}, column case_id: {case.case_id!r} is already in your logbook")
        if case.supervisor_id is not None and case.supervisor_id not in allowed:
            raise ValidationError(f"{_place(where, index)}, column supervisor: not one of your supervisors any more")
        case.sequence = sequence
        rows[index][-2:] = [sequence, case.case_id]
        taken.add(case.case_id)
        sequence += 1
    quote = connection.ops.quote_name
    fields = _insert_fields()
    sql = (f"INSERT INTO {quote(Case._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def import_package(*, by: User, trainee: User, cases: list[CaseInput], case_places: list[str],
                   training: list[TrainingPeriod], cme: list[tuple[CmeActivity, object]],
                   peer: list[PeerRecognition]) -> dict[str, int]:
    """Write an application package that was read and checked in full beforehand (logbook.package).

    The cases are built and checked and the certificates stored first, outside the transaction; then
    one short transaction numbers and inserts everything (bulk) with one audit entry. If anything
    fails, nothing stays: the transaction rolls back and the stored certificates are deleted."""
    _require_owner(by, trainee)
    built = _checked_cases(trainee, cases, case_places)
    prepared = _prepared(built)
    for period in training:
        period.trainee = trainee
    for entry in peer:
        entry.trainee = trainee
    with files_removed_on_error():
        for activity, certificate in cme:
            activity.trainee = trainee
            if certificate:
                activity.certificate.save(certificate.name, certificate, save=False)
        with transaction.atomic():
            _number_and_insert(trainee, built, prepared, case_places)
            allowed = supervisor_ids(trainee)
            for period in training:
                _check_supervisor(trainee, period.supervisor_id, allowed)
            TrainingPeriod.objects.bulk_create(training)
            CmeActivity.objects.bulk_create([activity for activity, _ in cme])
            PeerRecognition.objects.bulk_create(peer)
            summary = {"cases": len(built), "training": len(training), "cme": len(cme), "peer": len(peer)}
            record(actor=by, action="logbook.package_imported", obj=trainee,
                   data={"trainee_id": trainee.pk, **summary, "case_ids": [c.case_id for c in built][:500]})
    return summary


@transaction.atomic
def verify_case(*, by: User, case: Case, status: str, comment: str = "") -> Case:
    """A supervisor of the trainee marks a case verified or queried (a query needs a comment)."""
    if not selectors.is_supervisor_of(by, case.trainee) or by.pk == case.trainee_id:
        raise PermissionDenied("Only a supervisor of this trainee verifies their cases.")
    if status not in (Verification.VERIFIED, Verification.QUERIED):
        raise ValidationError({"status": "Choose verified or queried."})
    if status == Verification.QUERIED and not comment.strip():
        raise ValidationError({"comment": "Say what is wrong so the trainee can correct it."})
    case = Case.objects.select_for_update().get(pk=case.pk)
    before = snapshot(case, CASE_FIELDS)
    case.status, case.verification_comment = status, comment.strip()
    case.verified_by, case.verified_at = by, timezone.now()
    case.save()
    _audit_case(by, f"logbook.case_{status}", case, before)
    if status == Verification.QUERIED:
        from django.urls import reverse

        from cmrnet.notifications.models import Kind
        from cmrnet.notifications.services import notify

        notify(recipient=case.trainee, kind=Kind.CASE_QUERIED, link=reverse("logbook-case-edit", args=[case.pk]),
               subject=f"Case {case.case_id} of {case.study_date:%Y-%m-%d} queried by {by}",
               body="Open the case to read the question and correct or complete the entry.")
    return case


# ----------------------------------------------------------------------------
# Training, CME, peer recognition, settings: the same shape for each.
# ----------------------------------------------------------------------------
def _save(obj, by: User, action: str, audit_fields: list[str], before: dict) -> None:
    obj.full_clean()
    obj.save()
    record(actor=by, action=action, obj=obj, changes=diff(before, snapshot(obj, audit_fields)),
           data={"trainee_id": obj.trainee_id})


def _create(model, audit_fields, action, *, by: User, trainee: User, values: dict):
    _require_owner(by, trainee)
    obj = model(trainee=trainee, **values)
    _save(obj, by, action, audit_fields, {})
    return obj


def _update(obj, audit_fields, action, *, by: User, values: dict):
    _require_owner(by, obj.trainee)
    before = snapshot(obj, audit_fields)
    for name, value in values.items():
        if name not in audit_fields:
            raise ValueError(f"Not an editable field: {name}")
        setattr(obj, name, value)
    _save(obj, by, action, audit_fields, before)
    return obj


def _delete(obj, audit_fields, action, *, by: User) -> None:
    _require_owner(by, obj.trainee)
    record(actor=by, action=action, obj=obj, changes=diff(snapshot(obj, audit_fields), {}),
           data={"trainee_id": obj.trainee_id})
    obj.delete()


def _check_dates(values: dict) -> None:
    if values.get("start_date") and values.get("end_date") and values["end_date"] < values["start_date"]:
        raise ValidationError({"end_date": "The end date is before the start date."})


@transaction.atomic
def add_training(*, by: User, trainee: User, **values) -> TrainingPeriod:
    _check_dates(values)
    _check_supervisor(trainee, getattr(values.get("supervisor"), "pk", None))
    return _create(TrainingPeriod, TRAINING_FIELDS, "logbook.training_added", by=by, trainee=trainee, values=values)


@transaction.atomic
def update_training(*, by: User, period: TrainingPeriod, **values) -> TrainingPeriod:
    _check_dates(values)
    _check_supervisor(period.trainee, getattr(values.get("supervisor"), "pk", None))
    return _update(period, TRAINING_FIELDS, "logbook.training_updated", by=by, values=values)


@transaction.atomic
def delete_training(*, by: User, period: TrainingPeriod) -> None:
    _delete(period, TRAINING_FIELDS, "logbook.training_deleted", by=by)


@atomic_with_files
def add_cme(*, by: User, trainee: User, **values) -> CmeActivity:
    _check_dates(values)
    return _create(CmeActivity, CME_FIELDS, "logbook.cme_added", by=by, trainee=trainee, values=values)


@atomic_with_files
def update_cme(*, by: User, activity: CmeActivity, **values) -> CmeActivity:
    _check_dates(values)
    if values.get("certificate") in (None, False):
        values.pop("certificate", None)          # no new upload: keep the stored certificate
    return _update(activity, CME_FIELDS, "logbook.cme_updated", by=by, values=values)


@transaction.atomic
def delete_cme(*, by: User, activity: CmeActivity) -> None:
    _delete(activity, CME_FIELDS, "logbook.cme_deleted", by=by)


@atomic_with_files
def add_peer_recognition(*, by: User, trainee: User, **values) -> PeerRecognition:
    return _create(PeerRecognition, PEER_FIELDS, "logbook.peer_added", by=by, trainee=trainee, values=values)


@atomic_with_files
def update_peer_recognition(*, by: User, entry: PeerRecognition, **values) -> PeerRecognition:
    if values.get("evidence") in (None, False):
        values.pop("evidence", None)             # no new upload: keep the stored evidence
    return _update(entry, PEER_FIELDS, "logbook.peer_updated", by=by, values=values)


@transaction.atomic
def delete_peer_recognition(*, by: User, entry: PeerRecognition) -> None:
    _delete(entry, PEER_FIELDS, "logbook.peer_deleted", by=by)


@transaction.atomic
def update_settings(*, by: User, trainee: User, **values) -> LogbookSettings:
    _require_owner(by, trainee)
    obj, _ = LogbookSettings.objects.get_or_create(trainee=trainee)
    return _update(obj, SETTINGS_FIELDS, "logbook.settings_updated", by=by, values=values)


@transaction.atomic
def record_level2_usage(*, by: User | None, trainee: User, training_ids, cme_ids, application_id: int | None = None,
                        ) -> LogbookSettings:
    """Which training periods and CME claims served the trainee's Level 2 certification (from the Level 2
    application's snapshot): Level 3 via Level 2 then counts only the others ("a further nine months",
    "25 hours ... over and above the CME provided for a Level 2 application"). Written by the
    certification app when it issues a Level 2 certificate; not part of `logbook_version`."""
    settings, _ = LogbookSettings.objects.select_for_update().get_or_create(trainee=trainee)
    fields_ = ["level2_training_ids", "level2_cme_ids"]
    before = snapshot(settings, fields_)
    settings.level2_training_ids = sorted(map(str, training_ids))
    settings.level2_cme_ids = sorted(map(str, cme_ids))
    settings.save(update_fields=fields_)
    record(actor=by, action="logbook.level2_usage_recorded", obj=settings,
           changes=diff(before, snapshot(settings, fields_)),
           data={"trainee_id": trainee.pk, "application_id": application_id})
    return settings


def case_input_from_identifier(*, identifier: str, **values) -> CaseInput:
    """A CaseInput from a typed local patient identifier (hashed here; the raw value is dropped)."""
    return CaseInput(patient_key=patient_key(identifier), **values)


@transaction.atomic
def set_accepted_cme_hours(*, by: User, activity: CmeActivity, hours, reason: str, today: dt.date,
                           application_id: int | None = None) -> CmeActivity:
    """Record (or clear, with hours=None) the committee's accepted hours for one CME activity, with its
    reason. The caller checks who may (certification: the exam board, or a grader assigned to the
    candidate's application); the trainee never sets it. Not part of `logbook_version`: the committee's
    figure does not void the supervisor's declaration."""
    from decimal import Decimal, InvalidOperation

    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the committee's figure."})
    if hours is not None:
        try:
            hours = Decimal(str(hours)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValidationError({"hours": "Hours must be a number."}) from None
        if hours < 0 or hours >= 1000:
            raise ValidationError({"hours": "Hours must be between 0 and 999.99."})
    activity = CmeActivity.objects.select_for_update().get(pk=activity.pk)
    fields_ = ["accepted_hours", "accepted_hours_reason", "accepted_hours_by", "accepted_hours_on"]
    before = snapshot(activity, fields_)
    activity.accepted_hours, activity.accepted_hours_reason = hours, reason.strip()
    activity.accepted_hours_by, activity.accepted_hours_on = by, today
    activity.save(update_fields=fields_)
    record(actor=by, action="cme.hours_overridden", obj=activity, changes=diff(before, snapshot(activity, fields_)),
           data={"trainee_id": activity.trainee_id, "claimed": str(activity.credits), "application_id": application_id})
    return activity


@transaction.atomic
def verify_cases(*, by: User, trainee: User, case_ids, comment: str = "") -> list[Case]:
    """A supervisor verifies many of one trainee's pending cases at once (a query still goes one case at a
    time, each with its own comment: see verify_case). Cases that are not pending (verified, queried,
    another trainee's) are left alone. One audit entry per case and one for the batch; the trainee is told
    once, with a digest listing them."""
    if not selectors.is_supervisor_of(by, trainee) or by.pk == trainee.pk:
        raise PermissionDenied("Only a supervisor of this trainee verifies their cases.")
    ids = {int(pk) for pk in case_ids}
    cases = list(Case.objects.select_for_update().filter(trainee=trainee, pk__in=ids, status=Verification.PENDING)
                 .order_by("study_date", "sequence"))
    if not cases:
        return []
    now, comment = timezone.now(), comment.strip()
    before = {case.pk: case.verification_comment for case in cases}
    for case in cases:
        case.status, case.verification_comment = Verification.VERIFIED, comment
        case.verified_by, case.verified_at, case.updated_at = by, now, now
    Case.objects.bulk_update(cases, ["status", "verification_comment", "verified_by", "verified_at", "updated_at"])
    for case in cases:
        changes = {"status": [Verification.PENDING, Verification.VERIFIED]}
        if before[case.pk] != comment:
            changes["verification_comment"] = [before[case.pk], comment]
        record(actor=by, action="logbook.case_verified", obj=case, changes=changes, at=now,
               data={"trainee_id": trainee.pk, "bulk": True})
    record(actor=by, action="logbook.cases_verified_in_bulk", obj=trainee, at=now,
           data={"trainee_id": trainee.pk, "count": len(cases), "case_ids": [c.case_id for c in cases]})
    notices.cases_verified(trainee=trainee, supervisor=by, cases=cases)
    return cases
