"""Dashboard panels: "Your exams" (trainees) and "Exam administration" (exam board)."""

from django.utils import timezone

from cmrnet.exams import selectors, timing
from cmrnet.exams.models import ItemStatus


def candidate(request):
    now = timezone.now()
    rows = []
    for reg in selectors.candidate_sittings(request.user)[:10]:
        sitting = reg.sitting
        rows.append({"reg": reg, "attempt": getattr(reg, "attempt", None),
                     "open": timing.in_start_window(now, sitting.start_opens, sitting.start_closes),
                     "result": getattr(reg, "result", None) if sitting.is_released else None})
    return {"rows": rows}


def board(request):
    counts = selectors.open_items_count()
    return {"approved": counts.get(ItemStatus.APPROVED, 0), "in_review": counts.get(ItemStatus.IN_REVIEW, 0),
            "sittings": [(s, timing.results_due(s.exam_date)) for s in selectors.unreleased_sittings()[:5]],
            "open_appeals": selectors.open_appeals().count()}
