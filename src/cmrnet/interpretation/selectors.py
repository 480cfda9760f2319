"""Reads for interpretations. A trainee sees their own readings; a mentor those they review (the
assigning mentor, the supervisor a trainee chose) and those of the trainees they supervise; a programme
director those of their centre's trainees. The reference report reaches a trainee only after submission."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from cmrnet.interpretation import agreement
from cmrnet.interpretation.comparison import DEFAULT_TOLERANCES, NUMERIC_FIELDS, Tolerance
from cmrnet.interpretation.models import Interpretation, Status, ToleranceSetting
from cmrnet.library import selectors as library
from cmrnet.logbook.models import CATEGORY_LABELS
from cmrnet.people.models import Supervision
from cmrnet.people.roles import Role


def interpretations_for_user(user) -> QuerySet[Interpretation]:
    if not getattr(user, "is_authenticated", False):
        return Interpretation.objects.none()
    visible = Q(trainee=user) | Q(mentor=user) | Q(trainee__supervised_by__supervisor=user)
    if user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id:
        visible |= Q(trainee__centre_id=user.centre_id)
    return (Interpretation.objects.filter(visible).select_related("trainee", "case", "mentor", "assignment", "reviewed_by")
            .distinct())


def get_interpretation_for_user(user, pk: int) -> Interpretation:
    try:
        return interpretations_for_user(user).get(pk=pk)
    except Interpretation.DoesNotExist:
        raise Http404("No such reading.") from None


def can_review(user, interpretation: Interpretation) -> bool:
    """The mentor named on the reading, or any supervisor of the trainee; never the trainee."""
    if not getattr(user, "is_authenticated", False) or user.pk == interpretation.trainee_id:
        return False
    return interpretation.mentor_id == user.pk or Supervision.objects.filter(
        trainee_id=interpretation.trainee_id, supervisor=user).exists()


def can_assign(user, trainee) -> bool:
    return (user.has_role(Role.MENTOR) and library.is_network_member(user)
            and Supervision.objects.filter(trainee=trainee, supervisor=user).exists())


def trainees_to_assign(user):
    from cmrnet.people.models import User

    if not user.has_role(Role.MENTOR):
        return User.objects.none()
    return User.objects.filter(supervised_by__supervisor=user, is_active=True).distinct().order_by("full_name")


def to_review(user) -> QuerySet[Interpretation]:
    return interpretations_for_user(user).filter(status=Status.SUBMITTED).exclude(trainee=user).filter(
        Q(mentor=user) | Q(trainee__supervised_by__supervisor=user)).distinct()


def reference_for(case) -> dict:
    """The case's reference report as a comparison dict (empty when the case has none)."""
    ref = getattr(case, "reference", None) if _has_reference(case) else None
    data = {"category": case.category}
    if ref is None:
        return data
    for name, *_ in NUMERIC_FIELDS:
        data[name] = getattr(ref, name)
    data.update(wall_motion=ref.wall_motion or None, lge=ref.lge if ref.lge is not None else None,
                perfusion_defects=ref.perfusion_defects, valve_findings=ref.valve_findings,
                final_diagnosis=ref.final_diagnosis)
    return data


def _has_reference(case) -> bool:
    from cmrnet.library.models import ReferenceReport

    try:
        case.reference
    except ReferenceReport.DoesNotExist:
        return False
    return True


def tolerances() -> dict[str, Tolerance]:
    """DEFAULT_TOLERANCES with the site's settings over them."""
    found = dict(DEFAULT_TOLERANCES)
    for row in ToleranceSetting.objects.all():
        found[row.parameter] = Tolerance(
            absolute=row.absolute, max_mismatch=row.max_mismatch,
            relative=(row.relative_pct / Decimal(100)) if row.relative_pct is not None else None)
    return found


def readable_cases(user, *, exclude_read: bool = True):
    """Library cases the user may read for self-study (not those already started)."""
    qs = library.library_cases(user).filter(status="published")
    if exclude_read:
        qs = qs.exclude(pk__in=Interpretation.objects.filter(trainee=user).values("case_id"))
    return qs


def coverage_for(trainee) -> list[dict]:
    """Per disease category: readings submitted and reviewed; a category with none is missing."""
    readings = Interpretation.objects.filter(trainee=trainee).exclude(status=Status.DRAFT).select_related("case")
    rows = []
    for key, label in CATEGORY_LABELS.items():
        mine = [r for r in readings if r.case.category == key]
        rows.append({"category": key, "label": label, "read": len(mine),
                     "reviewed": sum(r.status == Status.REVIEWED for r in mine), "missing": not mine})
    return rows


def agreement_for(trainee) -> list[dict]:
    """Bland-Altman of the trainee's measurements against the references, per numeric parameter."""
    readings = list(Interpretation.objects.filter(trainee=trainee).exclude(status=Status.DRAFT).select_related(
        "case__reference"))
    found = []
    for name, label, unit in NUMERIC_FIELDS:
        pairs = []
        for r in readings:
            ref = reference_for(r.case).get(name)
            mine = r.report.get(name)
            if ref is not None and mine not in (None, ""):
                pairs.append((float(mine), float(ref)))
        result = agreement.bland_altman(pairs)
        if result:
            found.append({"parameter": name, "label": label, "unit": unit, "result": result})
    return found
