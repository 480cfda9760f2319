"""The application package as a zip: the `cmrnet check-application` folder format, so a logbook
moves between sites (written and read by cmrnet.rules' write_package / read_package).

Export: cases.csv, supervisors.csv, training.csv, cme.csv, candidate.toml (and level2_cases.csv
when the trainee holds Level 2), plus the CME certificates under certificates/.
Import: all or nothing, read and checked in full before one short write; supervisors are matched
by e-mail to the trainee's supervisors (selectors.supervisors_of, as in the form and the API).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path, PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from cmrnet import rules
from cmrnet.logbook import selectors, services
from cmrnet.logbook.importing import MAX_ROWS
from cmrnet.logbook.models import Case, CmeActivity, PeerRecognition, TrainingPeriod
from cmrnet.logbook.patient_keys import KEY_PATTERN, normalise, patient_key
from cmrnet.people.forms import validate_evidence
from cmrnet.people.models import User
from cmrnet.rules.package_source import ZipPackage

CERT_DIR = "certificates"
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_CASES = MAX_ROWS        # cases.csv and the Level 2 file together: the CSV import's cap
MAX_TRAINING = 200
MAX_CME = 300
MAX_PEER = 200              # peer-recognition entries made from peer.csv or candidate.toml's counts
PEER_KINDS = {"cme_faculty": "cme_faculty", "invited_talks": "invited_talk", "publications": "publication",
              "first_author_orals": "oral", "posters": "poster"}


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


def _supervisors(trainee: User) -> dict[str, User]:
    """The people the trainee may name as supervisor (selectors.supervisors_of), by e-mail."""
    return {u.email.lower(): u for u in selectors.supervisors_of(trainee)}


def _supervisor(allowed: dict, where: str, value: str) -> User | None:
    if not value.strip():
        return None
    user = allowed.get(value.strip().lower())
    if user is None:
        raise rules.PackageError(f"{where}, column supervisor_id: {value!r} is not one of your supervisors on this "
                                 f"site (a supervisor is linked to you here first)")
    return user


def _pseudonymous(value: str, where: str) -> str:
    """A keyed hash from another site (64 hex) is kept; anything else may be a raw local identifier,
    so it is hashed here like a typed one and never stored as given (nor echoed in messages)."""
    value = (value or "").strip()
    if KEY_PATTERN.match(value):
        return value
    try:
        return patient_key(value)
    except ValueError:
        raise rules.PackageError(f"{where}, column patient_key: is empty") from None


def _problem(where: str, error: ValidationError, columns: dict[str, str] | None = None) -> rules.PackageError:
    """A value the logbook refuses, as a PackageError naming file, row and the package's column."""
    if not hasattr(error, "error_dict"):
        return rules.PackageError(f"{where}: {' '.join(error.messages)}")
    parts = [f"column {(columns or {}).get(field, field)}: {' '.join(messages)}"
             for field, messages in error.message_dict.items()]
    return rules.PackageError(f"{where}, {'; '.join(parts)}")


def _cases(trainee: User, files: list[tuple[str, tuple]], allowed: dict) -> tuple[list, list[str]]:
    """Every case of every file as a CaseInput, with where it came from ('cases.csv row 3'); the
    domain checks (services.check_case) follow in services.import_package, before its transaction."""
    total = sum(len(cases) for _, cases in files)
    if total > MAX_CASES:
        raise rules.PackageError(f"The package holds {total} cases; at most {MAX_CASES} are imported at once.")
    taken = set(Case.objects.filter(trainee=trainee).values_list("case_id", flat=True))
    identifiers = {normalise(c.patient_key) for _, cases in files for c in cases if not KEY_PATTERN.match(c.patient_key)}
    rows, places, seen = [], [], {}
    for file, cases in files:
        for number, case in enumerate(cases, start=1):
            where = f"{file} row {number}"
            data = services.CaseInput(
                study_date=case.study_date, patient_key=_pseudonymous(case.patient_key, where),
                category=case.category, normal=case.normal, source=case.source, course_id=case.course_id,
                role=case.role, control_room=case.control_room, clinical_change=case.clinical_change,
                mode=case.mode,
                supervisor_id=getattr(_supervisor(allowed, where, case.supervisor_id), "pk", None),
                case_id=case.case_id.strip(), full_review=case.full_review if case.source == "course" else None)
            if data.case_id in taken or data.case_id in seen:
                already = "in your logbook" if data.case_id in taken else f"used in {seen[data.case_id]}"
                raise rules.PackageError(f"{where}, column case_id: {data.case_id!r} is already {already}")
            if normalise(data.case_id) in identifiers:
                raise rules.PackageError(f"{where}, column case_id: is a patient identifier of the package; "
                                         f"a case id must not identify a patient")
            seen[data.case_id] = where
            rows.append(data)
            places.append(where)
    return rows, places


def _training(data: rules.ApplicationData, allowed: dict) -> list[TrainingPeriod]:
    if len(data.training) > MAX_TRAINING:
        raise rules.PackageError(f"training.csv: {len(data.training)} periods; at most {MAX_TRAINING}.")
    periods = []
    for number, item in enumerate(data.training, start=1):
        where = f"training.csv row {number}"
        period = TrainingPeriod(start_date=item.start_date, end_date=item.end_date, centre=item.centre,
                                hours_per_week=Decimal(str(item.hours_per_week)),
                                supervisor=_supervisor(allowed, where, item.supervisor_id), mode=item.mode)
        try:
            period.full_clean(exclude=["trainee"])
        except ValidationError as error:
            raise _problem(where, error, {"supervisor": "supervisor_id"}) from None
        periods.append(period)
    return periods


def _cme(data: rules.ApplicationData, folder: ZipPackage) -> list[tuple[CmeActivity, ContentFile | None]]:
    if len(data.cme) > MAX_CME:
        raise rules.PackageError(f"cme.csv: {len(data.cme)} activities; at most {MAX_CME}.")
    activities = []
    for number, item in enumerate(data.cme, start=1):
        where = f"cme.csv row {number}"
        activity = CmeActivity(title=item.title, provider=item.provider, kind=item.kind, start_date=item.start_date,
                               end_date=item.end_date, credits=Decimal(str(item.credits)), modalities=item.modalities,
                               catalog_id=item.catalog_id, full_attendance=item.full_attendance)
        try:
            activity.full_clean(exclude=["trainee", "certificate"])
            certificate = _certificate(item, folder)
        except ValidationError as error:
            raise _problem(where, error) from None
        activities.append((activity, certificate))
    return activities


def _certificate(item: rules.CmeActivity, folder: ZipPackage) -> ContentFile | None:
    if not item.has_certificate:
        return None
    member = folder / item.certificate
    if not member.exists():
        raise ValidationError({"certificate": f"{item.certificate!r} is not a file in the package"})
    certificate = ContentFile(member.read_bytes(), name=PurePosixPath(member.name).name)
    try:
        validate_evidence(certificate)          # the same check as an upload on the CME page
    except ValidationError as error:
        raise ValidationError({"certificate": f"{item.certificate!r}: {' '.join(error.messages)}"}) from None
    return certificate


def _peer(candidate: rules.Candidate) -> list[PeerRecognition]:
    """The package's peer recognition as logbook entries: one per peer.csv item when the package has the file,
    else one per declared count of candidate.toml (titled as imported; a declared oral is first-author, and
    whether it was presented in person is left unstated, so it counts once the trainee says so)."""
    peer = candidate.peer_recognition
    day = candidate.exam_date or timezone.localdate()
    if peer.items:
        if len(peer.items) > MAX_PEER:
            raise rules.PackageError(f"peer.csv: {len(peer.items)} rows; at most {MAX_PEER}.")
        entries = []
        for number, item in enumerate(peer.items, start=1):
            oral = item.kind == "oral"
            entry = PeerRecognition(kind=item.kind, title=item.title, event=item.event, scope=item.scope,
                                    date=item.day or day, first_author=item.first_author if oral else None,
                                    presented_in_person=item.presented_in_person if oral else None)
            try:
                entry.full_clean(exclude=["trainee", "evidence"])
            except ValidationError as error:
                raise _problem(f"peer.csv row {number}", error) from None
            entries.append(entry)
        return entries
    total = sum(getattr(peer, attr) for attr in PEER_KINDS)
    if total > MAX_PEER:
        raise rules.PackageError(f"candidate.toml [peer_recognition]: {total} entries; at most {MAX_PEER}.")
    return [PeerRecognition(kind=kind, date=day, title=f"Imported from an application package "
                                                       f"({PeerRecognition.Kind(kind).label} {i + 1})",
                            first_author=True if kind == "oral" else None)
            for attr, kind in PEER_KINDS.items() for i in range(getattr(peer, attr))]


def import_zip(*, by: User, trainee: User, upload) -> dict[str, int]:
    """Add the package's cases, training, CME and peer recognition to the trainee's logbook.

    All or nothing: any problem raises PackageError naming file, row and column, and nothing is
    saved. The whole package is read and checked first, with no transaction open (so a large
    package never holds the database); then services.import_package writes it in one short
    transaction. Candidate facts (exam, registration, ACLS) are not imported: on this site they
    come from the profile and the exam board's records.
    """
    if not selectors.can_edit_logbook(by, trainee):
        raise PermissionDenied("Only the trainee writes their logbook.")
    folder = open_upload(upload)
    data = rules.read_package(folder, categories=all_categories())
    allowed = _supervisors(trainee)
    level2 = data.candidate.level2
    files = ([(level2.cases_file, level2.cases)] if level2 is not None else []) + [("cases.csv", data.cases)]
    cases, places = _cases(trainee, files, allowed)
    plan = {"cases": cases, "case_places": places, "training": _training(data, allowed),
            "cme": _cme(data, folder), "peer": _peer(data.candidate)}
    try:
        return services.import_package(by=by, trainee=trainee, **plan)
    except ValidationError as error:        # a value the logbook refuses, or a case id taken meanwhile
        raise rules.PackageError(" ".join(error.messages)) from None
