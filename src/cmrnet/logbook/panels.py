"""Dashboard panels: "Logbook progress" (trainees) and "Cases to verify" (mentors)."""

from django.utils import timezone

from cmrnet.logbook import progress, selectors
from cmrnet.people.models import User
from cmrnet.people.selectors import trainees_of


def trainee(request):
    summary = progress.chosen_route(request.user, today=timezone.localdate())
    return {"summary": summary, "case_count": request.user.logbook_cases.count(), "missing_top": summary["missing"][:5]}


def mentor(request):
    counts = selectors.pending_counts(request.user)          # counted by the database, one grouped query
    trainees = User.objects.filter(pk__in=counts) if counts else []
    by_trainee = {t: counts[t.pk] for t in trainees}
    return {"pending_total": sum(by_trainee.values()),
            "pending_by_trainee": sorted(by_trainee.items(), key=lambda kv: str(kv[0])),
            "trainee_count": trainees_of(request.user).count()}
