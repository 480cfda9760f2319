"""Telling people that something waits for them.

Other apps call ``notify`` from inside their own service (and so inside its transaction); the
notification is stored at once and e-mailed as its recipient chose for its kind: at once (a background
task after the transaction commits), in the daily digest (``send_digests``, run by ``cmrnet daily-tick``),
or not at all (the header list only; never for the kinds in ``REQUIRED_KINDS``).

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
from cmrnet.notifications.models import CHOOSABLE_KINDS, REQUIRED_KINDS, Delivery, Kind, Notification, Preference

MAX_ITEMS = 500


def deliveries_for(person) -> dict[str, str]:
    """How the person is e-mailed about each kind they choose for (at once unless they chose otherwise)."""
    chosen = dict(Preference.objects.filter(person=person).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, Delivery.IMMEDIATE) for kind in CHOOSABLE_KINDS}


def delivery_for(person, kind: str) -> str:
    """At once, daily digest or off, for this person and kind (at once when never chosen)."""
    pref = Preference.objects.filter(person=person, kind=kind).only("delivery").first()
    return pref.delivery if pref else Delivery.IMMEDIATE


def allowed_deliveries(kind: str) -> tuple[str, ...]:
    """The choices a person has for a kind: never off for a kind that asks them to act before a date."""
    if kind in REQUIRED_KINDS:
        return (Delivery.IMMEDIATE, Delivery.DIGEST)
    return tuple(Delivery.values)


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
    delivery = delivery_for(recipient, kind)
    if delivery == Delivery.OFF:
        email = False                   # the person switched this kind's e-mails off: the header list only
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, subject=subject[:200], body=body, link=link,
                items=[str(i) for i in items][:MAX_ITEMS], created_at=now or timezone.now(), email=email,
                dedupe_key=dedupe_key)
    except IntegrityError:  # the same key raced in from another transaction
        return None
    if email and delivery == Delivery.IMMEDIATE:
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
def set_deliveries(*, by, person, choices: dict[str, str]) -> dict[str, str]:
    """Set how `person` is e-mailed about each kind in `choices` ({kind: delivery}); only the person does.

    Refuses (ValidationError naming the kind, nothing saved) an unknown kind or choice, and "off" for a
    kind that asks the person to act before a date. One audit entry lists what changed. Returns every
    kind's delivery after the change."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if by.pk != person.pk:
        raise PermissionDenied("People choose their own notification e-mails.")
    labels = dict(Kind.choices)
    errors = {}
    for kind, delivery in choices.items():
        if kind not in CHOOSABLE_KINDS:
            errors[kind] = f"{kind!r} is not a kind of notification you choose e-mails for."
        elif delivery not in allowed_deliveries(kind):
            allowed = " or ".join(Delivery(d).label.lower() for d in allowed_deliveries(kind))
            errors[kind] = f"{labels[kind]}: choose {allowed}" + (
                " (these ask you to act before a date, so they are always e-mailed)." if kind in REQUIRED_KINDS else ".")
    if errors:
        raise ValidationError(errors)
    existing = {p.kind: p for p in Preference.objects.select_for_update().filter(person=person)}
    changes = {}
    for kind, delivery in choices.items():
        pref = existing.get(kind)
        before = pref.delivery if pref else Delivery.IMMEDIATE
        if pref is None:
            Preference.objects.create(person=person, kind=kind, delivery=delivery)
        elif before != delivery:
            pref.delivery = delivery
            pref.save(update_fields=["delivery"])
        if before != delivery:
            changes[kind] = [before, delivery]
    if changes:
        record(actor=by, action="notifications.preference_changed", obj=person, changes=changes)
    return deliveries_for(person)


def set_delivery(*, by, person, delivery: str) -> dict[str, str]:
    """The same choice for every kind (off is refused when it includes a kind that cannot be off)."""
    return set_deliveries(by=by, person=person, choices={kind: delivery for kind in CHOOSABLE_KINDS})


def mark_read(*, person, notification_ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> int:
    """Mark the person's notifications read (all unread when no ids are given); returns how many."""
    qs = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=now or timezone.now())
