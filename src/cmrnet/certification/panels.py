"""Dashboard panels (request -> dict)."""

from django.utils import timezone

from cmrnet.certification import selectors
from cmrnet.certification.models import Application, RemoteSupervisionRequest
from cmrnet.certification.states import OPEN_FOR_OFFICE, State
from cmrnet.people.selectors import latest_exam_pass


def candidate(request):
    user, today = request.user, timezone.localdate()
    return {"applications": list(Application.objects.filter(candidate=user)[:5]),
            "certificates": [(c, c.certification.status_on(today)) for c in selectors.certificates_of(user)],
            "exam_pass": latest_exam_pass(user)}


def supervisor(request):
    return {"to_sign": list(Application.objects.filter(supervisors=request.user,
                                                       state__in=[State.DRAFT, State.RETURNED]).distinct()),
            "remote_requests": list(RemoteSupervisionRequest.objects.filter(
                remote_supervisor=request.user, status=RemoteSupervisionRequest.Status.SUBMITTED
            ).select_related("candidate"))}


def grader(request):
    assigned = selectors.assigned_applications(request.user)
    return {"to_grade": [a for a in assigned if a.state == State.IN_GRADING
                         and a.assignments.filter(grader=request.user, graded_at=None).exists()],
            "assigned_count": assigned.count()}


def board(request):
    today = timezone.localdate()
    sla = selectors.service_levels(today=today)
    overdue = sum(1 for rows in sla.values() if rows for row in rows if row.overdue and row.done_on is None)
    return {"to_check": Application.objects.filter(state__in=OPEN_FOR_OFFICE).count(),
            "disagreements": Application.objects.filter(state=State.DISAGREEMENT).count(),
            "appeals": Application.objects.filter(state=State.APPEALED).count(),
            "remote": RemoteSupervisionRequest.objects.filter(status=RemoteSupervisionRequest.Status.SUBMITTED).count(),
            "overdue": overdue}
