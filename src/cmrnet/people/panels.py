"""Dashboard panels for the people-related roles (context functions: request -> dict)."""

from django.utils import timezone

from cmrnet.people import selectors
from cmrnet.people.models import Certification, User


def trainee(request):
    user, today = request.user, timezone.localdate()
    missing = []
    if not user.registration_valid_until or user.registration_valid_until < today:
        missing.append("Record your current medical registration in your profile.")
    if not user.acls_valid_until or user.acls_valid_until < today:
        missing.append("Upload current advanced life support (ACLS) evidence.")
    supervisors = list(selectors.supervisors_of(user))
    if not supervisors:
        missing.append("Ask your programme director to link you with a Level 3 supervisor.")
    return {"supervisors": supervisors, "todo": missing}


def mentor(request):
    today = timezone.localdate()
    return {"trainees": list(selectors.trainees_of(request.user, on=today)),
            "holds_level3": selectors.holds_current_level3(request.user, today)}


def director(request):
    centre = request.user.centre
    people = User.objects.filter(centre=centre).prefetch_related("role_grants") if centre else User.objects.none()
    return {"centre": centre, "centre_people": list(people)}


def board(request):
    today = timezone.localdate()
    return {"level3_count": sum(1 for c in Certification.objects.filter(level=3) if c.is_current_on(today)),
            "certifications_count": Certification.objects.count()}


def grader(request):
    return {}
