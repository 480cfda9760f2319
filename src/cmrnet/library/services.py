"""Writes to the library: cases (create, edit, publish, withdraw), quarantine review, reference reports,
collections. Keyword-only, one transaction each, an audit entry each. Ingest lives in ``ingest``."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.library import selectors
from cmrnet.library.models import Case, CaseStatus, Collection, Instance, QuarantineStatus, ReferenceReport
from cmrnet.library.store import get_store

log = logging.getLogger(__name__)
CASE_FIELDS = ["title", "category", "normal", "difficulty", "teaching_points"]
REPORT_FIELDS = ["lv_edv_ml", "lv_esv_ml", "lv_ef_pct", "lv_sv_ml", "rv_edv_ml", "rv_esv_ml", "rv_ef_pct", "rv_sv_ml",
                 "lv_mass_g", "bsa_m2", "lv_mass_index_g_m2", "wall_motion", "lge", "perfusion_defects",
                 "valve_findings", "final_diagnosis"]


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise exc


@transaction.atomic
def create_case(*, by, title: str, category: str, difficulty: str = "intermediate", teaching_points: str = "",
                normal: bool = False, centre=None, phantom: bool = False) -> Case:
    if not selectors.can_contribute(by) and by is not None:
        raise PermissionDenied("Mentors, programme directors and administrators contribute cases.")
    case = Case(title=title, category=category, difficulty=difficulty, teaching_points=teaching_points, normal=normal,
                contributor=by, centre=centre if centre is not None else getattr(by, "centre", None), phantom=phantom)
    _clean(case, exclude=["pseudonym"])
    case.save()
    record(actor=by, action="library.case.create", obj=case, data=snapshot(case, CASE_FIELDS))
    return case


@transaction.atomic
def update_case(*, by, case: Case, **fields) -> Case:
    if not selectors.can_edit_case(by, case):
        raise PermissionDenied("Only the contributor and the case's curators edit it.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    before = snapshot(case, CASE_FIELDS)
    for name, value in fields.items():
        if name not in CASE_FIELDS:
            raise ValueError(f"{name} is not an editable field of a case")
        setattr(case, name, value)
    _clean(case)
    case.save()
    changes = diff(before, snapshot(case, CASE_FIELDS))
    if changes:
        record(actor=by, action="library.case.update", obj=case, changes=changes)
    return case


@transaction.atomic
def publish_case(*, by, case: Case) -> Case:
    if not selectors.can_edit_case(by, case):
        raise PermissionDenied("Only the contributor and the case's curators publish it.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not Instance.objects.filter(series__study__case=case, quarantine_status__in=[QuarantineStatus.CLEAR, QuarantineStatus.RELEASED]).exists():
        raise ValidationError("A case needs at least one image outside quarantine before it is published.")
    old = case.status
    case.status, case.withdrawn_at, case.withdrawal_reason = CaseStatus.PUBLISHED, None, ""
    case.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
    record(actor=by, action="library.case.publish", obj=case, changes={"status": [old, case.status]})
    return case


@transaction.atomic
def withdraw_case(*, by, case: Case, reason: str) -> Case:
    """The contributor (or a curator) takes a case out of the library; it stays for them, with the reason."""
    if not selectors.can_edit_case(by, case):
        raise PermissionDenied("Only the contributor and the case's curators withdraw it.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is withdrawn."})
    case = Case.objects.select_for_update().get(pk=case.pk)
    old = case.status
    case.status, case.withdrawn_at, case.withdrawal_reason = CaseStatus.WITHDRAWN, timezone.now(), reason.strip()
    case.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
    record(actor=by, action="library.case.withdraw", obj=case, changes={"status": [old, case.status]},
           data={"reason": case.withdrawal_reason})
    return case


def _review(*, by, instance: Instance, reason: str, status: str) -> Instance:
    if not reason.strip():
        raise ValidationError({"reason": "A release or a rejection needs a reason."})
    instance = Instance.objects.select_for_update().select_related("series__study__case").get(pk=instance.pk)
    if not selectors.can_curate(by, instance.series.study.case):
        raise PermissionDenied("Only the case's curators review its quarantine.")
    if instance.quarantine_status != QuarantineStatus.PENDING:
        raise ValidationError(f"This image is not awaiting review (it is {instance.get_quarantine_status_display().lower()}).")
    old = instance.quarantine_status
    instance.quarantine_status, instance.reviewed_by, instance.reviewed_at = status, by, timezone.now()
    instance.review_reason = reason.strip()
    key = instance.storage_key
    if status == QuarantineStatus.REJECTED:
        instance.storage_key = ""
        transaction.on_commit(lambda: _delete_quietly(key))
    instance.save(update_fields=["quarantine_status", "reviewed_by", "reviewed_at", "review_reason", "storage_key"])
    from cmrnet.library.ingest import summarise_series

    summarise_series(instance.series)
    record(actor=by, action=f"library.quarantine.{'release' if status == QuarantineStatus.RELEASED else 'reject'}",
           obj=instance, changes={"quarantine_status": [old, status]},
           data={"reason": instance.review_reason, "quarantine_reason": instance.quarantine_reason,
                 "case": instance.series.study.case.pseudonym})
    return instance


def _delete_quietly(key: str) -> None:
    try:
        get_store().delete(key)
    except Exception:
        log.exception("could not delete the rejected image %s", key)


@transaction.atomic
def release_instance(*, by, instance: Instance, reason: str) -> Instance:
    """A curator looked at the pixels and found nothing identifying: the image joins the library."""
    return _review(by=by, instance=instance, reason=reason, status=QuarantineStatus.RELEASED)


@transaction.atomic
def reject_instance(*, by, instance: Instance, reason: str) -> Instance:
    """A curator found identifying content (or no teaching value): the stored bytes are deleted."""
    return _review(by=by, instance=instance, reason=reason, status=QuarantineStatus.REJECTED)


@transaction.atomic
def save_reference_report(*, by, case: Case, **fields) -> ReferenceReport:
    if not selectors.can_edit_case(by, case):
        raise PermissionDenied("Only the contributor and the case's curators write its reference report.")
    report, _ = ReferenceReport.objects.select_for_update().get_or_create(case=case)
    before = snapshot(report, REPORT_FIELDS)
    for name, value in fields.items():
        if name not in REPORT_FIELDS:
            raise ValueError(f"{name} is not a field of the reference report")
        setattr(report, name, value)
    if report.lv_edv_ml and report.lv_esv_ml is not None and report.lv_edv_ml > 0:
        report.lv_sv_ml = round(report.lv_edv_ml - report.lv_esv_ml, 1) if report.lv_sv_ml is None else report.lv_sv_ml
        report.lv_ef_pct = round((report.lv_edv_ml - report.lv_esv_ml) / report.lv_edv_ml * 100, 1) if report.lv_ef_pct is None else report.lv_ef_pct
    if report.lv_mass_g and report.bsa_m2 and report.lv_mass_index_g_m2 is None:
        report.lv_mass_index_g_m2 = round(report.lv_mass_g / report.bsa_m2, 1)
    report.author = by
    _clean(report, exclude=["case"])
    report.save()
    record(actor=by, action="library.reference.save", obj=case, changes=diff(before, snapshot(report, REPORT_FIELDS)))
    return report


def _collectable(by, cases) -> list[Case]:
    """The cases as a list, each published and visible to `by`; a ValidationError names the others."""
    cases = list(cases)
    ok = set(selectors.cases_for_user(by).filter(pk__in=[c.pk for c in cases], status=CaseStatus.PUBLISHED)
             .values_list("pk", flat=True))
    bad = [c for c in cases if c.pk not in ok]
    if bad:
        raise ValidationError({"cases": f"Only published cases go into a collection: {', '.join(c.pseudonym for c in bad)} "
                                        f"{'is' if len(bad) == 1 else 'are'} not."})
    return cases


@transaction.atomic
def create_collection(*, by, title: str, description: str = "", cases=()) -> Collection:
    if not selectors.is_curator(by) and not selectors.can_contribute(by):
        raise PermissionDenied("Contributors and curators make collections.")
    cases = _collectable(by, cases)
    collection = Collection(title=title, description=description, curator=by)
    _clean(collection)
    collection.save()
    collection.cases.set(cases)
    record(actor=by, action="library.collection.create", obj=collection, data={"cases": [c.pseudonym for c in cases]})
    return collection


COLLECTION_FIELDS = ["title", "description"]


def _editable(by, collection: Collection) -> Collection:
    if not selectors.can_edit_collection(by, collection):
        raise PermissionDenied("Only the collection's curator and network administrators change it.")
    return Collection.objects.select_for_update().get(pk=collection.pk)


def _pseudonyms(collection: Collection) -> list[str]:
    return sorted(collection.cases.values_list("pseudonym", flat=True))


@transaction.atomic
def update_collection(*, by, collection: Collection, cases=None, **fields) -> Collection:
    """Change the title/description and, when `cases` is given, replace the set of cases."""
    collection = _editable(by, collection)
    before = {**snapshot(collection, COLLECTION_FIELDS), "cases": _pseudonyms(collection)}
    for name, value in fields.items():
        if name not in COLLECTION_FIELDS:
            raise ValueError(f"{name} is not an editable field of a collection")
        setattr(collection, name, value)
    _clean(collection)
    collection.save()
    if cases is not None:
        collection.cases.set(_collectable(by, cases))
    changes = diff(before, {**snapshot(collection, COLLECTION_FIELDS), "cases": _pseudonyms(collection)})
    if changes:
        record(actor=by, action="library.collection.update", obj=collection, changes=changes)
    return collection


@transaction.atomic
def add_to_collection(*, by, collection: Collection, cases) -> Collection:
    collection = _editable(by, collection)
    before = _pseudonyms(collection)
    collection.cases.add(*_collectable(by, cases))
    if (after := _pseudonyms(collection)) != before:
        record(actor=by, action="library.collection.add", obj=collection, changes={"cases": [before, after]})
    return collection


@transaction.atomic
def remove_from_collection(*, by, collection: Collection, cases) -> Collection:
    """Take cases out (any case, published or not: a withdrawn case must be removable)."""
    collection = _editable(by, collection)
    before = _pseudonyms(collection)
    collection.cases.remove(*list(cases))
    if (after := _pseudonyms(collection)) != before:
        record(actor=by, action="library.collection.remove", obj=collection, changes={"cases": [before, after]})
    return collection


@transaction.atomic
def delete_collection(*, by, collection: Collection) -> None:
    """The collection goes; its cases stay in the library."""
    collection = _editable(by, collection)
    record(actor=by, action="library.collection.delete", obj=collection,
           data={"title": collection.title, "cases": _pseudonyms(collection)})
    collection.delete()
