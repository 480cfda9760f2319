"""The application package as a zip: the `cmrnet check-application` folder format, so a logbook
moves between sites (written and read by cmrnet.rules' write_package / read_package).

Export: cases.csv, supervisors.csv, training.csv, cme.csv, candidate.toml (and level2_cases.csv
when the trainee holds Level 2), plus the CME certificates under certificates/.
Import: all or nothing; supervisors are matched by e-mail to people on this site.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
import io
import tempfile
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cmrnet import rules
from cmrnet.audit.services import record
from cmrnet.logbook import selectors, services
from cmrnet.logbook.models import PeerRecognition
from cmrnet.logbook.patient_keys import KEY_PATTERN, patient_key
from cmrnet.people.forms import validate_evidence
from cmrnet.people.models import User
from cmrnet.rules.package_source import ZipPackage

CERT_DIR = "certificates"
MAX_ZIP_BYTES = 50 * 1024 * 1024
PEER_KINDS = {"cme_faculty": "cme_faculty", "invited_talks": "invited_talk", "publications": "publication",
              "first_author_orals": "first_author_oral", "posters": "poster"}


def all_categories() -> tuple[str, ...]:
    names: dict[str, None] = dict.fromkeys(rules.model.DEFAULT_CATEGORIES)
    for name in selectors.DASHBOARD_RULESETS:
        names.update(dict.fromkeys(rules.load_ruleset(name).categories))
    return tuple(names)


def export_zip(trainee: User, *, today: dt.date) -> bytes:
    data = selectors.application_data_for(trainee, today=today)
    activities = {a.activity_id: a for a in trainee.cme_activities.all()}
    data = replace(data, cme=tuple(_certificate_names(data.cme)))
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        rules.write_package(folder, data)
        for path in sorted(Path(folder).iterdir()):
            archive.write(path, path.name)
        for item in data.cme:
            stored = activities[item.activity_id].certificate
            if stored:
                with stored.open("rb") as handle:
                    archive.writestr(item.certificate, handle.read())
    return buffer.getvalue()


def _certificate_names(cme):
    """Each certificate under certificates/ by its stored name; two with the same name (stored in
    different years) get the activity id in front, so no two members of the zip share a name."""
    used = set()
    for activity in cme:
        if activity.certificate:
            name = f"{CERT_DIR}/{activity.certificate}"
            if name in used:
                name = f"{CERT_DIR}/{activity.activity_id}-{activity.certificate}"
            used.add(name)
            activity = replace(activity, certificate=name)
        yield activity


def open_upload(upload) -> ZipPackage:
    """The uploaded zip as a package read in memory: its members only, never the file system."""
    if upload.size > MAX_ZIP_BYTES:
        raise rules.PackageError("The zip file is larger than 50 MB.")
    return ZipPackage(upload)


def _users_by_email(ids) -> dict[str, User]:
    emails = {i.strip().lower() for i in ids if i.strip()}
    return {u.email.lower(): u for u in User.objects.filter(email__in=emails)}


def _supervisor(users: dict, file: str, row: int, value: str) -> User | None:
    if not value.strip():
        return None
    user = users.get(value.strip().lower())
    if user is None:
        raise rules.PackageError(f"{file} row {row}, column supervisor_id: no person with e-mail {value!r} "
                                 f"on this site (ask the administrator to add them first)")
    return user


def _pseudonymous(value: str, file: str, row: int) -> str:
    """A keyed hash from another site (64 hex) is kept; anything else may be a raw local identifier,
    so it is hashed here like a typed one and never stored as given (nor echoed in messages)."""
    value = (value or "").strip()
    if KEY_PATTERN.match(value):
        return value
    try:
        return patient_key(value)
    except ValueError:
        raise rules.PackageError(f"{file} row {row}, column patient_key: is empty") from None


def _case_inputs(cases, users, file: str) -> list[services.CaseInput]:
    rows = []
    for number, case in enumerate(cases, start=1):
        rows.append(services.CaseInput(
            study_date=case.study_date, patient_key=_pseudonymous(case.patient_key, file, number),
            category=case.category, normal=case.normal,
            source=case.source, course_id=case.course_id, role=case.role, control_room=case.control_room,
            supervisor_id=getattr(_supervisor(users, file, number, case.supervisor_id), "pk", None),
            clinical_change=case.clinical_change, case_id=case.case_id))
    return rows


@transaction.atomic
def import_zip(*, by: User, trainee: User, upload) -> dict[str, int]:
    """Add the package's cases, training, CME and peer recognition to the trainee's logbook.

    All or nothing: any problem raises PackageError naming file, row and column, and nothing is
    saved. Candidate facts (exam, registration, ACLS) are not imported: on this site they come
    from the profile and the exam board's records.
    """
    folder = open_upload(upload)
    data = rules.read_package(folder, categories=all_categories())
    level2 = data.candidate.level2
    ids = [c.supervisor_id for c in data.cases] + [p.supervisor_id for p in data.training]
    ids += [c.supervisor_id for c in (level2.cases if level2 else ())]
    users = _users_by_email(ids)
    rows = []
    if level2 is not None:
        rows += _case_inputs(level2.cases, users, level2.cases_file)
    rows += _case_inputs(data.cases, users, "cases.csv")
    try:
        services.import_cases(by=by, trainee=trainee, rows=rows, source="package")
    except ValidationError as error:
        raise rules.PackageError(f"cases: {' '.join(error.messages)}") from None
    for number, period in enumerate(data.training, start=1):
        with _rejected("training.csv", number):
            services.add_training(
                by=by, trainee=trainee, start_date=period.start_date, end_date=period.end_date,
                hours_per_week=Decimal(str(period.hours_per_week)), centre=period.centre,
                supervisor=_supervisor(users, "training.csv", number, period.supervisor_id))
    for number, activity in enumerate(data.cme, start=1):
        with _rejected("cme.csv", number):
            _import_cme(by, trainee, activity, folder)
    peer = data.candidate.peer_recognition
    peer_total = 0
    for attr, kind in PEER_KINDS.items():
        for i in range(getattr(peer, attr)):
            services.add_peer_recognition(by=by, trainee=trainee, kind=kind, date=data.candidate.exam_date
                                          or timezone.localdate(), title=f"Imported from an application package "
                                          f"({PeerRecognition.Kind(kind).label} {i + 1})")
            peer_total += 1
    summary = {"cases": len(rows), "training": len(data.training), "cme": len(data.cme), "peer": peer_total}
    record(actor=by, action="logbook.package_imported", obj=trainee, data={"trainee_id": trainee.pk, **summary})
    return summary


@contextmanager
def _rejected(file: str, row: int):
    """A value the logbook refuses (too long, out of range) becomes a PackageError naming file, row, column."""
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            detail = "; ".join(f"column {column}: {' '.join(messages)}" for column, messages in error.message_dict.items())
        else:
            detail = " ".join(error.messages)
        raise rules.PackageError(f"{file} row {row}, {detail}") from None


def _import_cme(by: User, trainee: User, activity: rules.CmeActivity, folder: ZipPackage) -> None:
    certificate = None
    if activity.has_certificate:
        member = folder / activity.certificate
        if not member.exists():
            raise ValidationError({"certificate": f"{activity.certificate!r} is not a file in the package"})
        certificate = ContentFile(member.read_bytes(), name=PurePosixPath(member.name).name)
        try:
            validate_evidence(certificate)          # the same check as an upload on the CME page
        except ValidationError as error:
            raise ValidationError({"certificate": f"{activity.certificate!r}: {' '.join(error.messages)}"}) from None
    services.add_cme(
        by=by, trainee=trainee, title=activity.title, provider=activity.provider, kind=activity.kind,
        start_date=activity.start_date, end_date=activity.end_date, credits=Decimal(str(activity.credits)),
        modalities=activity.modalities, catalog_id=activity.catalog_id, certificate=certificate or "")
