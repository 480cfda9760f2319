"""Writes about people: each in one transaction, each with an audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.core.files import atomic_with_files
from cmrnet.people.login_names import normalise_login_name
from cmrnet.people import tokens
from cmrnet.people.models import ApiToken, Certification, RoleGrant, Supervision, User

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


def _notify_link(link_id: int) -> None:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    from cmrnet.people.selectors import check_supervision

    link = Supervision.objects.select_related("trainee", "supervisor").get(pk=link_id)
    check = check_supervision(link.supervisor, start=link.started_on, end=link.ended_on)
    url = settings.SITE_URL.rstrip("/") + reverse("person-supervision", args=[link.trainee_id])
    send_mail(f"On-site supervision: {link.supervisor} supervises {link.trainee}", (
        f"{link.supervisor} is your on-site CMR supervisor from {link.started_on}"
        f"{f' to {link.ended_on}' if link.ended_on else ''}.\n\n{check.message}\n\n{url}\n"),
        settings.DEFAULT_FROM_EMAIL, [link.trainee.email, link.supervisor.email], fail_silently=True)


@transaction.atomic
def link_supervisor(*, by: User, trainee: User, supervisor: User, started_on: dt.date,
                    ended_on: dt.date | None = None) -> Supervision:
    """A programme director (of the trainee's centre) or an administrator links a trainee to an on-site
    supervisor. The pre-training check (current Level 3 on each day) is recorded with the link and sent
    to the trainee; a link that will not be recognised is allowed, so the trainee is told, not blocked."""
    from cmrnet.people.selectors import can_manage_supervision, check_supervision

    if not can_manage_supervision(by, trainee):
        raise PermissionDenied("Only the programme director of the trainee's centre or an administrator links supervisors.")
    if supervisor.pk == trainee.pk:
        raise ValidationError({"supervisor": "A trainee cannot supervise themselves."})
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "The link ends on or after the day it starts."})
    overlapping = Supervision.objects.filter(trainee=trainee, supervisor=supervisor, remote=False).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=started_on))
    if ended_on is not None:
        overlapping = overlapping.filter(started_on__lte=ended_on)
    if overlapping.exists():
        raise ValidationError({"started_on": f"{supervisor} already supervises {trainee} on site in this period."})
    check = check_supervision(supervisor, start=started_on, end=ended_on)
    link = Supervision.objects.create(trainee=trainee, supervisor=supervisor, started_on=started_on,
                                      ended_on=ended_on, remote=False)
    record(actor=by, action="supervision.linked", obj=link,
           changes=diff({}, snapshot(link, ["started_on", "ended_on"])),
           data={"trainee_id": trainee.pk, "supervisor_id": supervisor.pk, "remote": False,
                 "recognised": check.recognised, "first_day_without_level3": check.first_gap})
    transaction.on_commit(lambda: _notify_link(link.pk))
    return link


@transaction.atomic
def end_supervision(*, by: User, link: Supervision, ended_on: dt.date) -> Supervision:
    """End an on-site link on `ended_on` (the last day of supervision)."""
    from cmrnet.people.selectors import can_manage_supervision

    link = Supervision.objects.select_for_update().get(pk=link.pk)
    if not can_manage_supervision(by, link.trainee):
        raise PermissionDenied("Only the programme director of the trainee's centre or an administrator ends links.")
    if link.remote:
        raise ValidationError("A remote-supervision link is the exam board's decision; it is not ended here.")
    if ended_on < link.started_on:
        raise ValidationError({"ended_on": f"The link started on {link.started_on}: it cannot end before that."})
    before = snapshot(link, ["ended_on"])
    link.ended_on = ended_on
    link.save(update_fields=["ended_on"])
    record(actor=by, action="supervision.ended", obj=link, changes=diff(before, snapshot(link, ["ended_on"])),
           data={"trainee_id": link.trainee_id, "supervisor_id": link.supervisor_id})
    return link


# --- accounts: deactivation keeps every record; the person can no longer log in ------------------------------

@transaction.atomic
def deactivate_person(*, by: User, person: User, reason: str) -> User:
    """Close a person's account. Their logbook, results, certificates and audit history stay; log-in,
    open sessions and API tokens stop working at once; pending invitation links are withdrawn."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from cmrnet.people.models import Invitation

    if not by.has_role("network_admin"):
        raise PermissionDenied("Only a network administrator deactivates people.")
    if by.pk == person.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if not reason.strip():
        raise ValidationError({"reason": "Record why the account is closed."})
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise ValidationError(f"{person} is already deactivated.")
    person.is_active = False
    person.save(update_fields=["is_active"])
    Invitation.objects.filter(person=person, used_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now())
    _end_sessions(person, Session)
    record(actor=by, action="person.deactivated", obj=person, changes={"is_active": [True, False]},
           data={"reason": reason.strip()})
    return person


def _end_sessions(person: User, session_model) -> None:
    ApiToken.objects.filter(user=person).delete()
    for session in session_model.objects.filter(expire_date__gte=dt.datetime.now(dt.timezone.utc)).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            session.delete()


@transaction.atomic
def reactivate_person(*, by: User, person: User) -> User:
    if not by.has_role("network_admin"):
        raise PermissionDenied("Only a network administrator reactivates people.")
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_active:
        raise ValidationError(f"{person} is active.")
    person.is_active = True
    person.save(update_fields=["is_active"])
    record(actor=by, action="person.reactivated", obj=person, changes={"is_active": [False, True]})
    return person


def record_password_change(*, person: User, how: str) -> None:
    """Audit a password set by the person (never the password or its hash)."""
    record(actor=person, action="person.password_changed", obj=person, data={"how": how})


# --- API tokens (cmrnet.people.tokens: only a digest is stored) -----------------------------------------------

def _check_token_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Say what the token is for."})
    if len(name) > 100:
        raise ValidationError({"name": "At most 100 characters."})
    return name


def _create_token(*, actor: User | None, person: User, name: str, data: dict) -> tuple[ApiToken, str]:
    secret = tokens.new_secret()
    token = ApiToken.objects.create(user=person, name=name, digest=tokens.digest(secret), prefix=secret[:8],
                                    created_at=timezone.now())
    record(actor=actor, action="api_token.created", obj=person, data={"token_id": token.pk, "name": name,
                                                                     "prefix": token.prefix, **data})
    return token, secret


@transaction.atomic
def issue_api_token(*, by: User, person: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `person`, created by that person only. Returns the token and its secret, which is
    shown to the person once and never stored."""
    if by.pk != person.pk:
        raise PermissionDenied("Only the person themselves creates their API tokens.")
    return _create_token(actor=by, person=person, name=_check_token_name(name), data={})


@transaction.atomic
def revoke_api_token(*, by: User, token: ApiToken) -> None:
    """The person, or a network administrator, revokes a token: it stops working at once."""
    from cmrnet.people.selectors import can_manage_people

    if by.pk != token.user_id and not can_manage_people(by):
        raise PermissionDenied("You may not revoke this token.")
    record(actor=by, action="api_token.revoked", obj=token.user, data={"token_id": token.pk, "name": token.name,
                                                                      "prefix": token.prefix})
    token.delete()


# The server's operator (`cmrnet tokens ...`, run with shell access to the server and its database): no person
# on the site acts, so the audit entry's actor is "system" and its data says the command and the OS user.
@transaction.atomic
def issue_api_token_as_operator(*, person: User, name: str, operator: str) -> tuple[ApiToken, str]:
    """A new token for an active `person`, made by the server's operator (e.g. for an integration account)."""
    if not person.is_active:
        raise ValidationError({"user": f"{person.email} is deactivated: a token would not authenticate."})
    return _create_token(actor=None, person=person, name=_check_token_name(name),
                         data={"via": "cmrnet tokens", "operator": operator})


@transaction.atomic
def revoke_api_token_as_operator(*, token: ApiToken, operator: str) -> None:
    record(actor=None, action="api_token.revoked", obj=token.user,
           data={"token_id": token.pk, "name": token.name, "prefix": token.prefix, "via": "cmrnet tokens",
                 "operator": operator})
    token.delete()
