"""Reads of the exam app. Every object read goes through a `get_<thing>_for_user` helper that raises
Http404 for anyone not entitled; board-only pages check `is_board` (403 for other roles)."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from cmrnet.exams.models import AngoffRating, Appeal, Attempt, ExamForm, Item, Registration, Result, Sitting
from cmrnet.people.roles import Role


def is_board(user) -> bool:
    """Exam board members manage everything; item writing is a capability of this role (docs/exams.md)."""
    return user.is_authenticated and user.has_role(Role.EXAM_BOARD)


def can_see_item_bank(user) -> bool:
    """Who may read item content (stems, options, keys, explanations): the exam board, whose members
    write and review items. Every page, API and audit view of the item bank asks this one question."""
    return is_board(user)


def item_content_exposure(person, form: ExamForm) -> list[str]:
    """Why `person` has seen, or may see, the content of items on `form` (empty: they have not).

    Such a person may not sit a sitting of that form (issue 8, finding 2): they hold the item-bank
    right now; they wrote, revised or reviewed an item on it; they rated its items for standard
    setting; or they held the exam board role after one of its items was created (the audit log of
    role changes is the record of who held it when).
    """
    from cmrnet.audit.models import AuditEntry

    reasons = []
    if can_see_item_bank(person):
        reasons.append(f"{person} can see the item bank (exam board member)")
    on_form = Item.objects.filter(form_items__form=form)
    written = sorted(set(on_form.filter(Q(author=person) | Q(reviewer=person) | Q(versions__created_by=person))
                         .values_list("code", flat=True)))
    if written:
        reasons.append(f"{person} wrote or reviewed {', '.join(written)}, on this form")
    if AngoffRating.objects.filter(sitting__form=form, judge=person).exists():
        reasons.append(f"{person} rated this form's items for standard setting")
    earliest = on_form.aggregate(first=Min("created_at"))["first"]
    if not reasons and earliest is not None and AuditEntry.objects.filter(
            object_type="people.user", object_id=str(person.pk), action="role.revoked",
            changes__roles__0=Role.EXAM_BOARD, at__gt=earliest).exists():
        reasons.append(f"{person} was an exam board member while items on this form were in the bank")
    return reasons


def board_role_refusal(person, role: str) -> str:
    """A person registered for a sitting whose results are not yet released may not be given the item-bank
    right (the exam board role) until the results are out (people.services.grant_role asks)."""
    if role != Role.EXAM_BOARD:
        return ""
    pending = Sitting.objects.filter(registrations__candidate=person, released_at__isnull=True).order_by("start_opens")
    titles = ", ".join(s.title for s in pending)
    return (f"{person} is a candidate for {titles}: the exam board role (which can see the item bank) can be given "
            "once those results are released, or after the registration is removed.") if titles else ""


def items_for_user(user) -> QuerySet[Item]:
    if not can_see_item_bank(user):
        return Item.objects.none()
    return Item.objects.select_related("current_version__topic", "author", "reviewer")


def get_item_for_user(user, pk: int) -> Item:
    try:
        return items_for_user(user).get(pk=pk)
    except Item.DoesNotExist:
        raise Http404("No such item.") from None


def forms_for_user(user) -> QuerySet[ExamForm]:
    return ExamForm.objects.annotate(n_items=Count("form_items")) if is_board(user) else ExamForm.objects.none()


def get_form_for_user(user, pk: int) -> ExamForm:
    try:
        return forms_for_user(user).get(pk=pk)
    except ExamForm.DoesNotExist:
        raise Http404("No such form.") from None


def sittings_for_user(user) -> QuerySet[Sitting]:
    """All sittings for the board; the sittings a person is registered for, otherwise."""
    qs = Sitting.objects.select_related("form")
    if is_board(user):
        return qs
    return qs.filter(registrations__candidate=user)


def get_sitting_for_user(user, pk: int) -> Sitting:
    try:
        return sittings_for_user(user).get(pk=pk)
    except Sitting.DoesNotExist:
        raise Http404("No such sitting.") from None


def self_registration_sittings(*, today) -> QuerySet[Sitting]:
    """Sittings candidates register for themselves, not yet held and not released (newest exam last)."""
    return (Sitting.objects.filter(self_registration=True, released_at__isnull=True, start_opens__date__gte=today)
            .prefetch_related("slots").order_by("start_opens"))


def get_self_registration_sitting(pk: int, *, today) -> Sitting:
    try:
        return self_registration_sittings(today=today).get(pk=pk)
    except Sitting.DoesNotExist:
        raise Http404("No such sitting open to registration.") from None


def get_own_registration(user, pk: int) -> Registration:
    try:
        return Registration.objects.select_related("sitting").get(pk=pk, candidate=user)
    except Registration.DoesNotExist:
        raise Http404("No such registration.") from None


def registration_of(user, sitting: Sitting) -> Registration | None:
    return Registration.objects.filter(sitting=sitting, candidate=user).select_related("attempt").first()


def get_attempt_for_user(user, pk: int) -> Attempt:
    """Only the candidate takes their attempt (the board watches through the proctor view)."""
    try:
        return Attempt.objects.select_related("registration__sitting__form", "registration__candidate").get(
            pk=pk, registration__candidate=user)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None


def results_for_user(user) -> QuerySet[Result]:
    qs = Result.objects.select_related("registration__sitting", "registration__candidate").order_by("-pk")
    if is_board(user):
        return qs
    return qs.filter(registration__candidate=user, registration__sitting__released_at__isnull=False)


def get_result_for_user(user, pk: int) -> Result:
    try:
        return results_for_user(user).get(pk=pk)
    except Result.DoesNotExist:
        raise Http404("No such result.") from None


def appeals_for_user(user) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related("result__registration__candidate", "result__registration__sitting")
    if is_board(user):
        return qs
    return qs.filter(result__registration__candidate=user)


def get_appeal_for_user(user, pk: int) -> Appeal:
    try:
        return appeals_for_user(user).get(pk=pk)
    except Appeal.DoesNotExist:
        raise Http404("No such appeal.") from None


def candidate_sittings(user) -> QuerySet[Registration]:
    """The person's registrations, newest sitting first, with attempt and result."""
    return (Registration.objects.filter(candidate=user).select_related("sitting", "attempt", "result", "slot")
            .order_by("-sitting__start_opens"))


def open_items_count() -> dict[str, int]:
    return dict(Item.objects.values_list("status").annotate(n=Count("pk")))


def open_appeals() -> QuerySet[Appeal]:
    return Appeal.objects.filter(status="open").select_related("result__registration__candidate",
                                                               "result__registration__sitting")


def unreleased_sittings() -> QuerySet[Sitting]:
    return Sitting.objects.filter(released_at__isnull=True).order_by("start_opens")

