"""Writes about people: each in one transaction, each with an audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.core.files import atomic_with_files
from cmrnet.people.login_names import normalise_login_name
from cmrnet.people.models import Certification, RoleGrant, Supervision, User

PROFILE_FIELDS = [
    "full_name", "email", "centre", "specialty", "languages", "registration_country", "registration_number",
    "registration_valid_until", "acls_valid_until", "acls_evidence", "time_zone",
]
CERT_FIELDS = ["body", "level", "awarded_on", "valid_until", "revoked", "revoked_on", "revocation_reason"]


@transaction.atomic
def create_person(*, by: User | None, email: str, full_name: str, password: str | None = None,
                  roles: list[str] = (), **profile) -> User:
    email = normalise_login_name(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"A person with e-mail {email} already exists."})
    person = User.objects.create_user(email, password, full_name=full_name, **profile)
    record(actor=by, action="person.created", obj=person, changes=diff({}, snapshot(person, PROFILE_FIELDS)))
    for role in roles:
        grant_role(by=by, person=person, role=role)
    return person


@atomic_with_files
def update_profile(*, by: User, person: User, **values) -> User:
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    before = snapshot(person, PROFILE_FIELDS)
    if "email" in values:  # stored as log-in resolves it, so one account per normalised name
        values["email"] = normalise_login_name(values["email"])
        if User.objects.filter(email__iexact=values["email"]).exclude(pk=person.pk).exists():
            raise ValidationError({"email": f"A person with e-mail {values['email']} already exists."})
    for name, value in values.items():
        setattr(person, name, value)
    person.full_clean(exclude=["password"])
    person.save()
    changes = diff(before, snapshot(person, PROFILE_FIELDS))
    if changes:
        record(actor=by, action="person.updated", obj=person, changes=changes)
    return person


# Checks other apps add (AppConfig.ready): (person, role) -> a reason to refuse the grant, or "".
ROLE_GRANT_CHECKS: list[Callable[[User, str], str]] = []


def register_role_grant_check(check: Callable[[User, str], str]) -> None:
    if check not in ROLE_GRANT_CHECKS:
        ROLE_GRANT_CHECKS.append(check)


@transaction.atomic
def grant_role(*, by: User | None, person: User, role: str) -> RoleGrant:
    if not person.has_role(role):
        reasons = [reason for check in ROLE_GRANT_CHECKS if (reason := check(person, role))]
        if reasons:
            raise ValidationError({"roles": " ".join(reasons)})
    grant, created = RoleGrant.objects.get_or_create(user=person, role=role)
    if created:
        record(actor=by, action="role.granted", obj=person, changes={"roles": [None, role]})
    person.forget_roles()
    return grant


@transaction.atomic
def revoke_role(*, by: User, person: User, role: str) -> None:
    deleted, _ = RoleGrant.objects.filter(user=person, role=role).delete()
    if deleted:
        record(actor=by, action="role.revoked", obj=person, changes={"roles": [role, None]})
    person.forget_roles()


@transaction.atomic
def set_roles(*, by: User, person: User, roles: list[str]) -> None:
    current = set(person.role_set)
    for role in sorted(set(roles) - current):
        grant_role(by=by, person=person, role=role)
    for role in sorted(current - set(roles)):
        revoke_role(by=by, person=person, role=role)


@transaction.atomic
def add_certification(*, by: User | None, holder: User, body: str, level: int, awarded_on: dt.date,
                      valid_until: dt.date) -> Certification:
    cert = Certification(holder=holder, body=body, level=level, awarded_on=awarded_on, valid_until=valid_until)
    cert.full_clean()
    cert.save()
    record(actor=by, action="certification.added", obj=cert, changes=diff({}, snapshot(cert, CERT_FIELDS)),
           data={"holder_id": holder.pk})
    return cert


@transaction.atomic
def update_certification(*, by: User, certification: Certification, **values) -> Certification:
    before = snapshot(certification, CERT_FIELDS)
    for name, value in values.items():
        if name not in CERT_FIELDS:
            raise ValueError(f"Not a certification field: {name}")
        setattr(certification, name, value)
    certification.full_clean()
    certification.save()
    record(actor=by, action="certification.updated", obj=certification,
           changes=diff(before, snapshot(certification, CERT_FIELDS)), data={"holder_id": certification.holder_id})
    return certification


@transaction.atomic
def revoke_certification(*, by: User, certification: Certification, on: dt.date, reason: str) -> Certification:
    if not reason.strip():
        raise ValidationError({"reason": "A revocation needs a recorded reason."})
    before = snapshot(certification, CERT_FIELDS)
    certification.revoked, certification.revoked_on, certification.revocation_reason = True, on, reason
    certification.save()
    record(actor=by, action="certification.revoked", obj=certification,
           changes=diff(before, snapshot(certification, CERT_FIELDS)), data={"holder_id": certification.holder_id})
    return certification


@transaction.atomic
def delete_certification(*, by: User, certification: Certification) -> None:
    before = snapshot(certification, CERT_FIELDS)
    record(actor=by, action="certification.deleted", obj=certification, changes=diff(before, {}),
           data={"holder_id": certification.holder_id})
    certification.delete()


@transaction.atomic
def add_supervision(*, by: User | None, trainee: User, supervisor: User, started_on: dt.date,
                    remote: bool = False) -> Supervision:
    link, created = Supervision.objects.get_or_create(
        trainee=trainee, supervisor=supervisor, started_on=started_on, defaults={"remote": remote}
    )
    if created:
        record(actor=by, action="supervision.added", obj=link,
               data={"trainee_id": trainee.pk, "supervisor_id": supervisor.pk, "remote": remote})
    return link


@transaction.atomic
def record_exam_pass(*, by: User | None, person: User, body: str, exam_date: dt.date, source: str,
                     reference: str = "", results_released_on: dt.date | None = None):
    """Record "exam passed on <date>" (idempotent per person, body and exam date)."""
    from cmrnet.people.models import ExamPass

    exam_pass, created = ExamPass.objects.get_or_create(
        person=person, body=body, exam_date=exam_date,
        defaults={"source": source, "reference": reference, "results_released_on": results_released_on,
                  "recorded_by": by if getattr(by, "is_authenticated", False) else None})
    if created:
        record(actor=by, action="exam.pass_recorded", obj=exam_pass, data={"person_id": person.pk, "source": source})
    return exam_pass
