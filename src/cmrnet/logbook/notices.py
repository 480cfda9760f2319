"""What the logbook tells people, and the one place it does so.

Seam for the notifications service of issue 13 (`notify(...)`, each person's immediate or daily-digest
choice): when it is on main, `cases_verified` hands it the digest; until then it sends the e-mail itself,
in the background (django-tasks), after the commit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

MAX_LISTED = 200


def digest_text(*, supervisor_name: str, cases: list[tuple[str, str]], url: str) -> str:
    """The digest: one line per verified case (case id, study date), then the link to the logbook."""
    lines = [f"{supervisor_name} verified {len(cases)} case{'s' if len(cases) != 1 else ''} in your CMR logbook:", ""]
    lines += [f"  - case {case_id} ({day})" for case_id, day in cases[:MAX_LISTED]]
    if len(cases) > MAX_LISTED:
        lines.append(f"  ... and {len(cases) - MAX_LISTED} more (see your logbook)")
    return "\n".join(lines + ["", url, ""])


@task()
def send_cases_verified(trainee_id: int, supervisor_id: int, case_ids: list[int]) -> int:
    """E-mail the trainee one digest of the cases a supervisor verified at once. Returns the cases listed."""
    from cmrnet.logbook.models import Case
    from cmrnet.people.models import User

    trainee = User.objects.get(pk=trainee_id)
    supervisor = User.objects.get(pk=supervisor_id)
    cases = [(c, d.isoformat()) for c, d in Case.objects.filter(trainee_id=trainee_id, pk__in=case_ids)
             .order_by("study_date", "sequence").values_list("case_id", "study_date")]
    if not cases or not trainee.is_active:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse("logbook-home") + "?status=verified"
    text = digest_text(supervisor_name=supervisor.full_name or supervisor.email, cases=cases, url=url)
    subject = f"{len(cases)} case{'s' if len(cases) != 1 else ''} verified in your CMR logbook"
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [trainee.email], fail_silently=True)
    return len(cases)


def cases_verified(*, trainee, supervisor, case_ids: list[int]) -> None:
    """Tell the trainee, once, which cases were verified (called inside the service's transaction)."""
    from django.db import transaction

    if case_ids:
        ids = list(case_ids)
        transaction.on_commit(lambda: send_cases_verified.enqueue(trainee.pk, supervisor.pk, ids))
