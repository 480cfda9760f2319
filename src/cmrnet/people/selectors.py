"""Reads about people. Every object read goes through a `get_..._for_user` helper."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from cmrnet.people.models import Body, Certification, Supervision, User
from cmrnet.people.roles import Role

SEE_EVERYONE = (Role.NETWORK_ADMIN, Role.EXAM_BOARD)


def people_for_user(user: User) -> QuerySet[User]:
    """The people `user` may see: everyone for admins and the board, their centre for a
    programme director, their trainees for a mentor, and always themselves."""
    if user.has_role(Role.NETWORK_ADMIN):  # deactivated people too: their history stays readable
        return User.objects.select_related("centre")
    qs = User.objects.filter(is_active=True).select_related("centre")
    if user.has_role(*SEE_EVERYONE):
        return qs
    visible = Q(pk=user.pk)
    if user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id:
        visible |= Q(centre_id=user.centre_id)
    if user.has_role(Role.MENTOR):
        visible |= Q(supervised_by__supervisor=user)
    return qs.filter(visible).distinct()


def get_person_for_user(user: User, pk: int) -> User:
    try:
        return people_for_user(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404("No such person.") from None


def can_manage_people(user: User) -> bool:
    return user.has_role(Role.NETWORK_ADMIN)


def can_record_certifications(user: User) -> bool:
    return user.has_role(Role.NETWORK_ADMIN, Role.EXAM_BOARD)


def can_edit_profile(user: User, person: User) -> bool:
    return user.pk == person.pk or can_manage_people(user)


def holds_current_level3(person: User | int, on: dt.date) -> bool:
    """Does the person hold current EACVI or SCMR Level 3 certification on `on`?

    Current means awarded on or before that day, not yet expired, and not revoked on or before
    it. Every rule that asks who may supervise uses this one function.
    """
    person_id = person if isinstance(person, int) else person.pk
    certs = Certification.objects.filter(
        holder_id=person_id, level=3, body__in=[Body.EACVI, Body.SCMR], awarded_on__lte=on, valid_until__gte=on
    )
    return any(cert.is_current_on(on) for cert in certs)


def trainees_of(supervisor: User, *, on: dt.date | None = None) -> QuerySet[User]:
    links = Supervision.objects.filter(supervisor=supervisor)
    if on is not None:
        links = links.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
    return User.objects.filter(pk__in=links.values("trainee_id"))


def supervisors_of(trainee: User) -> QuerySet[User]:
    return User.objects.filter(pk__in=Supervision.objects.filter(trainee=trainee).values("supervisor_id"))


def latest_exam_pass(person: User, *, body: str = Body.EACVI):
    """The most recent recorded exam pass for the body, or None."""
    from cmrnet.people.models import ExamPass

    return ExamPass.objects.filter(person=person, body=body).order_by("-exam_date").first()


# --- on-site supervision links and the pre-training check ------------------------------------------------

def can_manage_supervision(user: User, trainee: User) -> bool:
    """Network administrators link anyone; a programme director links the trainees of their centre."""
    if user.has_role(Role.NETWORK_ADMIN):
        return True
    return bool(user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id and user.centre_id == trainee.centre_id)


def supervision_links_for_user(user: User) -> QuerySet[Supervision]:
    """The links `user` may see: all for admins and the board, their centre's trainees for a programme
    director, and their own (as trainee or as supervisor) for everyone."""
    qs = Supervision.objects.select_related("trainee", "supervisor", "trainee__centre", "supervisor__centre")
    if user.has_role(*SEE_EVERYONE):
        return qs
    visible = Q(trainee=user) | Q(supervisor=user)
    if user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id:
        visible |= Q(trainee__centre_id=user.centre_id)
    return qs.filter(visible)


def get_supervision_link_for_user(user: User, pk: int) -> Supervision:
    try:
        return supervision_links_for_user(user).get(pk=pk)
    except Supervision.DoesNotExist:
        raise Http404("No such supervision link.") from None


@dataclass(frozen=True)
class SupervisionCheck:
    """Will training under `supervisor` from `start` to `end` be recognised? (seed 004: "check the
    requirements for a Level 3 certified supervisor to ensure that their period of training will be
    recognised"). `first_gap` is the first day of the period without current Level 3; for an open-ended
    period, `recognised_until` is the last day before it."""

    supervisor_id: int
    start: dt.date
    end: dt.date | None
    first_gap: dt.date | None

    @property
    def recognised(self) -> bool:
        return self.first_gap is None

    @property
    def recognised_until(self) -> dt.date | None:
        return None if self.first_gap is None or self.first_gap == self.start else self.first_gap - dt.timedelta(days=1)

    @property
    def message(self) -> str:
        if self.first_gap is None:
            return (f"Recognised: the supervisor holds current Level 3 on every day from {self.start} to {self.end}.")
        if self.first_gap == self.start:
            return (f"Not recognised: the supervisor does not hold current Level 3 on {self.start}, the first day "
                    "of the period. Training under this supervisor will not count.")
        scope = "" if self.end is None else f" (the period runs to {self.end})"
        return (f"Recognised only until {self.recognised_until}: the supervisor does not hold current Level 3 "
                f"on {self.first_gap}{scope}. Training from that day will not count unless the certification "
                "is renewed in time.")


def check_supervision(supervisor: User, *, start: dt.date, end: dt.date | None) -> SupervisionCheck:
    """Current Level 3 on each day of [start, end], by `holds_current_level3` itself.

    Holding Level 3 only stops on a certification's last valid day + 1 (expiry or revocation), so the
    first day that fails is the start day or one of those days: asking `holds_current_level3` on each
    candidate in order answers for every day without one query per day. An open-ended period (no end)
    is checked until the first day that fails, which always exists because certifications expire."""
    changes = sorted({c.as_rule_cert(str(supervisor.pk)).last_valid_day() + dt.timedelta(days=1)
                      for c in Certification.objects.filter(holder=supervisor, level=3, body__in=[Body.EACVI, Body.SCMR])})
    candidates = [start] + [day for day in changes if start < day and (end is None or day <= end)]
    first_gap = next((day for day in candidates if not holds_current_level3(supervisor, day)), None)
    return SupervisionCheck(supervisor_id=supervisor.pk, start=start, end=end, first_gap=first_gap)


def level3_holders() -> QuerySet[User]:
    """People with a Level 3 certification on record (the choice of supervisors; the check says when)."""
    return User.objects.filter(is_active=True, certifications__level=3,
                               certifications__body__in=[Body.EACVI, Body.SCMR]).distinct()


@dataclass(frozen=True)
class AccountStatus:
    """What an administrator sees about a person's access: can they log in, and if not, why."""

    state: str  # active, invited, invitation_not_delivered, invitation_expired, no_password, deactivated
    label: str
    invitation: object | None = None


def account_status(person: User, *, now: dt.datetime) -> AccountStatus:
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    from cmrnet.people.invitations import latest_invitation

    invitation = latest_invitation(person)
    if not person.is_active:
        return AccountStatus("deactivated", "Deactivated: cannot log in; records kept.", invitation)
    if person.has_usable_password():
        return AccountStatus("active", "Active: has set a password.", invitation)
    if invitation is None:
        return AccountStatus("no_password", "No password yet and no invitation sent.", None)
    when = date_format(localtime(invitation.expires_at), "Y-m-d H:i")
    if invitation.state_at(now) == "pending" and invitation.delivery_failed_at and not invitation.emailed_at:
        failed = date_format(localtime(invitation.delivery_failed_at), "Y-m-d H:i")
        return AccountStatus("invitation_not_delivered",
                             f"Invitation e-mail NOT delivered ({failed}): {invitation.delivery_error}. "
                             f"Check the e-mail address, then re-send.", invitation)
    if invitation.state_at(now) == "pending":
        return AccountStatus("invited", f"Invitation sent; the link works until {when}.", invitation)
    return AccountStatus("invitation_expired", f"Invitation link expired on {when}: send a new one.", invitation)


def api_tokens_of(person: User):
    """The person's API tokens (digests and prefixes only: no secret is stored)."""
    from cmrnet.people.models import ApiToken

    return ApiToken.objects.filter(user=person)
