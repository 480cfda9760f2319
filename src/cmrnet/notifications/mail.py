"""The e-mails: one per notification (immediate) or one a day listing them (digest). Every one carries
the direct link of each notification on CMRNET_SITE_URL and a link to the person's preferences."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmrnet.core.links import absolute_url
from cmrnet.notifications.models import Delivery, Notification, Preference

# Immediate e-mails that failed (mail server down) are retried by the next digest run after this long.
RETRY_AFTER = dt.timedelta(minutes=15)


def _footer() -> str:
    return (f"\n--\nYou get these e-mails from cmrnet. Choose, for each kind, at once, the daily digest or none: "
            f"{absolute_url(reverse('notification-preferences'))}\n")


def _block(n: Notification) -> str:
    lines = [n.subject]
    if n.body:
        lines.append(n.body)
    lines.extend(f"  - {item}" for item in n.items)
    lines.append(f"Open: {absolute_url(n.link)}")
    return "\n".join(lines)


def send_one(notification_id: int) -> bool:
    """E-mail one notification unless it was already sent; True when sent now."""
    with transaction.atomic():
        n = (Notification.objects.select_for_update().select_related("recipient")
             .filter(pk=notification_id, email=True, emailed_at__isnull=True).first())
        if n is None or not n.recipient.is_active:
            return False
        send_mail(f"cmrnet: {n.subject}", _block(n) + "\n" + _footer(), settings.DEFAULT_FROM_EMAIL,
                  [n.recipient.email], fail_silently=False)
        n.emailed_at = timezone.now()
        n.save(update_fields=["emailed_at"])
    return True


def send_digests(*, now: dt.datetime | None = None) -> int:
    """One e-mail per person listing every notification not yet e-mailed: those of the kinds the person
    chose the daily digest for, and the immediate e-mails that could not be sent earlier (not those of a
    kind switched off since). Returns the number of e-mails."""
    from django.db.models import Exists, OuterRef, Q

    now = now or timezone.now()

    def chosen(delivery):
        return Exists(Preference.objects.filter(person=OuterRef("recipient_id"), kind=OuterRef("kind"), delivery=delivery))

    due = (Notification.objects.filter(email=True, emailed_at__isnull=True, created_at__lte=now,
                                       recipient__is_active=True)
           .filter(Q(chosen(Delivery.DIGEST)) | Q(created_at__lte=now - RETRY_AFTER))
           .exclude(chosen(Delivery.OFF)))          # switched off since: not sent, not even late
    sent = 0
    for person_id in sorted(set(due.values_list("recipient_id", flat=True))):
        if _send_digest(person_id, due.filter(recipient_id=person_id), now):
            sent += 1
    return sent


def _send_digest(person_id: int, due, now: dt.datetime) -> bool:
    with transaction.atomic():
        ids = list(due.values_list("pk", flat=True))
        # Lock the rows themselves (PostgreSQL refuses FOR UPDATE across the preference's outer join).
        items = list(Notification.objects.select_for_update().filter(pk__in=ids, emailed_at__isnull=True)
                     .order_by("created_at", "pk"))
        if not items:
            return False
        from cmrnet.people.models import User

        person = User.objects.get(pk=person_id)
        subject = (f"cmrnet: {items[0].subject}" if len(items) == 1
                   else f"cmrnet: {len(items)} things wait for you (daily digest)")
        body = (f"Dear {person.full_name or person.email},\n\n"
                + ("Since the last digest:\n\n" if len(items) > 1 else "")
                + "\n\n".join(_block(n) for n in items) + "\n\n"
                + f"All your notifications: {absolute_url(reverse('notification-list'))}\n" + _footer())
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email], fail_silently=False)
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
    return True
