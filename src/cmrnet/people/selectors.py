"""Reads about people. Every object read goes through a `get_..._for_user` helper."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from cmrnet.people.models import Body, Certification, Supervision, User
from cmrnet.people.roles import Role

SEE_EVERYONE = (Role.NETWORK_ADMIN, Role.EXAM_BOARD)


def people_for_user(user: User) -> QuerySet[User]:
    """The people `user` may see: everyone for admins and the board, their centre for a
    programme director, their trainees for a mentor, and always themselves."""
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
