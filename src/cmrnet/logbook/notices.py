"""What the logbook tells people about bulk verification: one notification (and at most one e-mail, or a
line of the person's daily digest, as they chose) listing every case, through cmrnet.notifications."""

from __future__ import annotations

from django.urls import reverse

MAX_LISTED = 500


def cases_verified(*, trainee, supervisor, cases) -> None:
    """Tell the trainee once which cases `supervisor` verified (called inside the service's transaction)."""
    from cmrnet.notifications.models import Kind
    from cmrnet.notifications.services import notify

    if not cases:
        return
    n = len(cases)
    items = [f"case {c.case_id} ({c.study_date:%Y-%m-%d})" for c in cases[:MAX_LISTED]]
    if n > MAX_LISTED:
        items.append(f"... and {n - MAX_LISTED} more (see your logbook)")
    notify(recipient=trainee, kind=Kind.CASES_VERIFIED, link=reverse("logbook-home") + "?status=verified",
           subject=f"{n} case{'s' if n != 1 else ''} verified in your CMR logbook by {supervisor.full_name or supervisor.email}",
           items=items)
