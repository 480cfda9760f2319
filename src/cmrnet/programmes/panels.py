"""Dashboard panels of programmes."""

from __future__ import annotations

from django.utils import timezone

from cmrnet.programmes import selectors
from cmrnet.programmes.models import Enrolment, Programme


def my_programmes(request) -> dict:
    """A trainee's programmes with their attendance progress."""
    now = timezone.now()
    rows = []
    for enrolment in Enrolment.objects.filter(trainee=request.user).exclude(
            status__in=[Enrolment.Status.DECLINED, Enrolment.Status.WITHDRAWN]).select_related("programme"):
        progress = None
        if enrolment.status in selectors.ACTIVE:
            progress = selectors.progress_of(selectors.attendance_record(request.user, enrolment.programme, now=now))
        rows.append((enrolment, progress))
    return {"rows": rows}


def directed(request) -> dict:
    """A director's programmes with the checklist verdict."""
    today = timezone.localdate()
    programmes = Programme.objects.filter(director=request.user).select_related("host_centre")[:10]
    return {"rows": [(p, selectors.checklist(p, today=today)) for p in programmes]}
