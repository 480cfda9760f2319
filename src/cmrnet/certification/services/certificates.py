"""Certificates: issue (with reminder schedule), send due reminders, revoke for misconduct."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmrnet.audit.services import record
from cmrnet.certification import integration, selectors, windows
from cmrnet.certification.models import Application, Certificate, MisconductDecision, Reminder
from cmrnet.certification.services._common import is_board, refuse, require, transition
from cmrnet.certification.states import State
from cmrnet.people.models import Certification, User
from cmrnet.notifications.models import Kind
from cmrnet.notifications.services import notify
from cmrnet.people.services import add_certification, revoke_certification


@transaction.atomic
def issue_certificate(*, by: User | None, application: Application, awarded_on: dt.date) -> Certificate:
    """On a pass: a people.Certification (so the register and every Level 3 rule see it) plus the
    Certificate with its verification code, and the recertification reminders scheduled."""
    if application.is_recertification:
        valid_until = windows.renewed_valid_until(application.renews.certification.valid_until, awarded_on)
    else:
        valid_until = windows.certificate_valid_until(awarded_on)
    certification = add_certification(by=by, holder=application.candidate, body=application.body,
                                      level=application.level, awarded_on=awarded_on, valid_until=valid_until)
    certificate = Certificate.objects.create(certification=certification, application=application,
                                             issued_at=timezone.now(), issued_by=by if getattr(by, "is_authenticated", False) else None)
    schedule_reminders(certificate=certificate)
    if application.level == 2 and not application.is_recertification and application.body == "EACVI":
        integration.record_level2_usage(application, by=by)
    record(actor=by, action="certificate.issued", obj=certificate,
           data={"application_id": application.pk, "certification_id": certification.pk, "holder_id": application.candidate_id,
                 "awarded_on": awarded_on, "valid_until": valid_until,
                 "reminders": [r.isoformat() for r in windows.reminder_dates(valid_until)]})
    _notify_issued(certificate)
    return certificate


def _notify_issued(certificate: Certificate) -> None:
    c = certificate.certification
    notify(recipient=c.holder, kind=Kind.OTHER, subject=f"Your {c.body} CMR Level {c.level} certificate",
           link=reverse("certification-certificate-pdf", args=[certificate.pk]),
           body=f"Your {c.body} CMR Level {c.level} certificate has been issued. It is valid until {c.valid_until}.")


def schedule_reminders(*, certificate: Certificate) -> list[Reminder]:
    """One reminder row per due date (every 3 months inside the recertification window)."""
    return [Reminder.objects.get_or_create(certificate=certificate, due_on=day)[0]
            for day in windows.reminder_dates(certificate.certification.valid_until)]


def _skip_reason(reminder: Reminder, today: dt.date) -> str:
    certificate = reminder.certificate
    certification = certificate.certification
    if certification.status_on(today) == "revoked":
        return "certificate revoked"
    if certificate.renewals.exclude(state__in=[State.DRAFT, State.WITHDRAWN, State.REFUSED]).exists():
        return "recertification already submitted"
    if not selectors.recertification_window(certificate).contains(today):
        return "outside the recertification window"
    return ""


@transaction.atomic
def send_due_reminders(*, today: dt.date) -> int:
    """Send every reminder due on or before `today` that was neither sent nor skipped; returns the count sent."""
    sent = 0
    due = Reminder.objects.select_related("certificate__certification__holder").filter(
        due_on__lte=today, sent_at=None, skipped_reason="").select_for_update()
    for reminder in due:
        reason = _skip_reason(reminder, today)
        if reason:
            reminder.skipped_reason = reason
            reminder.save(update_fields=["skipped_reason"])
            continue
        certification = reminder.certificate.certification
        window = selectors.recertification_window(reminder.certificate)
        notify(recipient=certification.holder, kind=Kind.DEADLINE, dedupe_key=f"recertification-reminder:{reminder.pk}",
               subject=f"Recertification: your {certification.body} CMR Level {certification.level} certificate",
               link=reverse("certification-recertify", args=[reminder.certificate.pk]),
               body=(f"Your certificate expires on {certification.valid_until}. "
                     f"You can apply for recertification from {window.opens} to {window.closes}. No late applications are "
                     "accepted: after that date the full certification process (exam and logbook) must be repeated."))
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
        record(actor=None, action="reminder.sent", obj=reminder.certificate,
               data={"reminder_id": reminder.pk, "due_on": reminder.due_on, "sent_on": today,
                     "holder_id": certification.holder_id})
        sent += 1
    return sent


@transaction.atomic
def revoke_for_misconduct(*, by: User, certificate: Certificate, on: dt.date, reason: str,
                          supervisor_certifications: list[Certification] = (), referred_to: str = "",
                          referral_note: str = "") -> MisconductDecision:
    """Revoke the candidate's certificate and, where decided, supervisors' Level 3: immediately visible
    in the register and in people.selectors.holds_current_level3. A referral to a national body (seed:
    "in extreme cases ... reporting to the appropriate national society or national body for professional
    registration") is recorded with the decision; cmrnet sends nothing to that body."""
    referred_to, referral_note = referred_to.strip(), referral_note.strip()
    if referral_note and not referred_to:
        refuse("Name the national body the case is referred to.", "referred_to")
    require(is_board(by), "Only the exam board revokes certificates.")
    if not reason.strip():
        refuse("Record the decision and its reason.", "reason")
    certification = certificate.certification
    if certification.revoked:
        refuse("This certificate is already revoked.")
    allowed = set()
    if certificate.application_id:
        for supervisor in certificate.application.supervisors.all():
            allowed |= {c.pk for c in supervisor.certifications.filter(level=3, revoked=False)}
    for cert in supervisor_certifications:
        if cert.pk not in allowed:
            refuse(f"{cert} is not a Level 3 certification of this application's supervisors.", "supervisor_certifications")
    revoke_certification(by=by, certification=certification, on=on, reason=reason)
    for cert in supervisor_certifications:
        revoke_certification(by=by, certification=cert, on=on, reason=f"Supervisor misconduct: {reason}")
    decision = MisconductDecision.objects.create(certificate=certificate, decided_by=by, decided_on=on, reason=reason,
                                                 referred_to=referred_to, referral_note=referral_note)
    decision.supervisor_certifications.set(supervisor_certifications)
    record(actor=by, action="certificate.revoked", obj=certificate,
           data={"decision_id": decision.pk, "revoked_on": on, "reason": reason, "holder_id": certification.holder_id,
                 "supervisor_certification_ids": [c.pk for c in supervisor_certifications],
                 "referred_to": referred_to, "referral_note": referral_note})
    if certificate.application_id:
        application = Application.objects.get(pk=certificate.application_id)
        if application.state == State.PASSED:
            transition(application, State.REVOKED, by=by, reasons=reason)
    return decision
