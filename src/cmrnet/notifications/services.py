"""Telling people that something waits for them.

Other apps call ``notify`` from inside their own service (and so inside its transaction); the
notification is stored at once and, for people who chose immediate delivery, e-mailed by a background
task after the transaction commits. People who chose the daily digest get one e-mail a day listing
everything new (``send_digests``, run by ``cmrnet daily-tick``).

    from cmrnet.notifications.services import notify
    from cmrnet.notifications.models import Kind

    notify(recipient=trainee, kind=Kind.CASES_VERIFIED, subject="12 cases verified by Max Mentor",
           link=reverse("logbook-home"), items=["2025-03-01 · C-0012 · stress perfusion", ...])

One call is one notification and (at most) one e-mail, however many ``items`` it lists: a bulk action
calls ``notify`` once per person with the list, not once per object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from cmrnet.audit.services import record
from cmrnet.notifications.models import Delivery, Kind, Notification, Preference

MAX_ITEMS = 500


def delivery_for(person) -> str:
    pref = Preference.objects.filter(person=person).only("delivery").first()
    return pref.delivery if pref else Delivery.IMMEDIATE


def notify(*, recipient, kind: str, subject: str, link: str, body: str = "", items: Sequence[str] = (),
           email: bool = True, dedupe_key: str = "", now: dt.datetime | None = None) -> Notification | None:
    """Tell `recipient` about something, with a link to the page where they act on it.

    recipient: a person (deactivated people are not notified: returns None).
    kind: a ``Kind`` value (it names the notification in lists and preferences).
    subject: one line, shown in the header list and used as the e-mail subject.
    link: a path on this site (``reverse(...)``); the e-mail carries it on CMRNET_SITE_URL.
    body: optional sentences under the subject. No patient data: say what waits, the page shows it.
    items: optional lines listed in the notification and in its one e-mail (e.g. each case verified).
    email: False when another e-mail already carries the news (it still appears in the header list).
    dedupe_key: notify at most once per recipient and key (returns None for a repeat).
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if not link.startswith("/"):
        raise ValueError(f"A notification links to a path on this site, got {link!r}")
    if recipient is None or not recipient.is_active:
        return None
    if dedupe_key and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, subject=subject[:200], body=body, link=link,
                items=[str(i) for i in items][:MAX_ITEMS], created_at=now or timezone.now(), email=email,
                dedupe_key=dedupe_key)
    except IntegrityError:  # the same key raced in from another transaction
        return None
    if email and delivery_for(recipient) == Delivery.IMMEDIATE:
        pk = notification.pk
        transaction.on_commit(lambda: _enqueue_email(pk))
    return notification


def notify_many(*, recipients: Iterable, **kwargs) -> list[Notification]:
    """``notify`` each of `recipients` (each once, in order), with the same arguments."""
    seen, made = set(), []
    for person in recipients:
        if person is not None and person.pk not in seen:
            seen.add(person.pk)
            if (n := notify(recipient=person, **kwargs)) is not None:
                made.append(n)
    return made


def _enqueue_email(pk: int) -> None:
    from cmrnet.notifications.tasks import send_notification_email

    send_notification_email.enqueue(pk)


@transaction.atomic
def set_delivery(*, by, person, delivery: str) -> Preference:
    if by.pk != person.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("People choose their own notification e-mails.")
    if delivery not in Delivery.values:
        from django.core.exceptions import ValidationError

        raise ValidationError({"delivery": "Choose immediate or daily digest."})
    pref, _ = Preference.objects.select_for_update().get_or_create(person=person)
    before = pref.delivery
    if before != delivery or pref._state.adding:
        pref.delivery = delivery
        pref.save(update_fields=["delivery"])
        record(actor=by, action="notifications.preference_changed", obj=person,
               changes={"notification_delivery": [before, delivery]})
    return pref


def mark_read(*, person, notification_ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> int:
    """Mark the person's notifications read (all unread when no ids are given); returns how many."""
    qs = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=now or timezone.now())
