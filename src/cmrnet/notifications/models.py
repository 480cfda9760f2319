"""What waits for a person: one row per thing they are told about, shown in the header list and sent by
e-mail at once or in a daily digest, as the person chooses."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    CASE_QUERIED = "case_queried", "Case queried"
    CASES_VERIFIED = "cases_verified", "Cases verified"
    CASES_WAITING = "cases_waiting", "Cases waiting for verification"
    DECLARATION_TO_SIGN = "declaration_to_sign", "Declaration waiting for signature"
    GRADER_ASSIGNED = "grader_assigned", "Application assigned for grading"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    RESULTS_RELEASED = "results_released", "Results released"
    DEADLINE = "deadline", "Deadline approaching"
    OTHER = "other", "Other"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "At once"
    DIGEST = "digest", "In the daily digest"
    OFF = "off", "No e-mail"


# Kinds that ask the person to act before a date: e-mailed at once or in the digest, never switched off.
REQUIRED_KINDS = frozenset({Kind.INFORMATION_REQUESTED, Kind.DEADLINE})
# Kinds whose e-mail is another letter (the results letter): no choice to make.
LETTER_KINDS = frozenset({Kind.RESULTS_RELEASED})
# The kinds a person chooses for, in the order the preferences page lists them.
CHOOSABLE_KINDS = tuple(k for k in Kind if k not in LETTER_KINDS)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, help_text="A path on this site; e-mails carry it on CMRNET_SITE_URL.")
    items = models.JSONField(default=list, blank=True, help_text="Lines listed under the subject (e.g. the cases verified).")
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.BooleanField(default=True, help_text="False when another e-mail already carries it (a results letter).")
    emailed_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True,
                                  help_text="Notify once per recipient and key (e.g. one deadline reminder per threshold).")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["emailed_at", "email"])]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                               name="one_notification_per_key")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class Preference(models.Model):
    """How one person is e-mailed about one kind of notification (no row: at once)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="one_preference_per_person_and_kind"),
                       models.CheckConstraint(condition=~models.Q(delivery="off", kind__in=sorted(REQUIRED_KINDS)),
                                              name="required_kinds_never_off")]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()} {self.get_delivery_display()}"
