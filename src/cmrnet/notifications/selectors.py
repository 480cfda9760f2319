"""Reads: a person sees only their own notifications."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cmrnet.notifications.models import Notification


def notifications_for_user(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def get_notification_for_user(user, pk: int) -> Notification:
    found = notifications_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such notification.")
    return found


def unread_count(user) -> int:
    return notifications_for_user(user).filter(read_at__isnull=True).count()
