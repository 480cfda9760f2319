"""Requests to the board (remote supervision, extensions) and random audits."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cmrnet.audit.services import record
from cmrnet.certification import integration, selectors, windows
from cmrnet.certification.models import (
    Application, AuditCheck, Certificate, ExtensionRequest, RandomAudit, RemoteSupervisionRequest,
)
from cmrnet.certification.services._common import board_emails, is_board, mail_with_link, refuse, require
from cmrnet.certification.states import FINAL
from cmrnet.core.files import atomic_with_files
from cmrnet.people.forms import validate_evidence
from cmrnet.people.models import CertificationStatus, User
from cmrnet.people.selectors import holds_current_level3, latest_exam_pass
from cmrnet.people.services import add_supervision

REMOTE_FIELDS = ["reason", "annual_caseload", "local_supervision", "remote_supervisor", "arrangements",
                 "contact_time", "assessment_methods", "training_starts_on"]


@transaction.atomic
def request_remote_supervision(*, by: User, today: dt.date, **fields) -> RemoteSupervisionRequest:
    """Before training starts, only where no Level 3 holder works at the candidate's centre; the remote
    supervisor must hold current Level 3."""
    missing = [name for name in REMOTE_FIELDS if fields.get(name) in (None, "")]
    if missing:
        refuse(f"Fill in: {', '.join(missing)}.")
    on_site = selectors.level3_on_site(by, on=today)
    if on_site:
        refuse(f"A Level 3 holder works at your centre ({', '.join(map(str, on_site))}): remote supervision is "
               "considered only where on-site mentoring is not possible.")
    supervisor = fields["remote_supervisor"]
    if supervisor.pk == by.pk or not holds_current_level3(supervisor, today):
        refuse(f"{supervisor} does not hold current Level 3 certification.", "remote_supervisor")
    if fields["training_starts_on"] < today:
        refuse("Remote supervision is requested before training starts.", "training_starts_on")
    req = RemoteSupervisionRequest.objects.create(candidate=by, submitted_on=today, **{k: fields[k] for k in REMOTE_FIELDS})
    record(actor=by, action="remote_supervision.requested", obj=req,
           data={"candidate_id": by.pk, "remote_supervisor_id": supervisor.pk, "due_on": windows.remote_request_due(today)})
    transaction.on_commit(lambda: _mail_about(req.pk, [supervisor.email], (
        f"{by} names you as remote CMR supervisor and asks the exam board to approve it. Please read the request "
        "and confirm (or decline) that you will supervise.")))
    return req


def _mail_about(pk: int, recipients: list[str], text: str) -> None:
    """E-mail with a link to the request; what was said stays on cmrnet (the request page)."""
    mail_with_link(subject=f"Remote supervision request #{pk}", url_name="certification-remote", pk=pk,
                   recipients=recipients, text=text)


@transaction.atomic
def respond_as_remote_supervisor(*, by: User, request: RemoteSupervisionRequest, confirm: bool, comment: str,
                                 today: dt.date) -> RemoteSupervisionRequest:
    """The remote supervisor named in the request confirms (or declines) that they will supervise."""
    require(by.pk == request.remote_supervisor_id, "Only the remote supervisor named in the request answers it.")
    request = RemoteSupervisionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RemoteSupervisionRequest.Status.SUBMITTED:
        refuse("The board has already answered this request.")
    if request.supervisor_response != RemoteSupervisionRequest.SupervisorResponse.PENDING:
        refuse("You have already answered this request; write to the board below if something changed.")
    if not confirm and not comment.strip():
        refuse("Say why you decline.", "comment")
    before = request.supervisor_response
    request.supervisor_response = (RemoteSupervisionRequest.SupervisorResponse.CONFIRMED if confirm
                                   else RemoteSupervisionRequest.SupervisorResponse.DECLINED)
    request.supervisor_responded_on, request.supervisor_comment = today, comment.strip()
    request.save(update_fields=["supervisor_response", "supervisor_responded_on", "supervisor_comment"])
    record(actor=by, action="remote_supervision.supervisor_answered", obj=request,
           changes={"supervisor_response": [before, request.supervisor_response]},
           data={"candidate_id": request.candidate_id, "comment": comment.strip()})
    transaction.on_commit(lambda: _mail_about(request.pk, board_emails() + [request.candidate.email], (
        f"{by} has {'confirmed' if confirm else 'declined'} the remote supervision of {request.candidate}.")))
    return request


@transaction.atomic
def write_request_message(*, by: User, request: RemoteSupervisionRequest, body: str):
    """The board and the named remote supervisor contact each other through cmrnet; the message is kept
    with the request and the other side gets an e-mail with a link."""
    from cmrnet.certification.models import RequestMessage

    from_board = is_board(by)
    require(from_board or by.pk == request.remote_supervisor_id,
            "Only the exam board and the remote supervisor write about this request.")
    if not body.strip():
        refuse("Write a message.", "body")
    message = RequestMessage.objects.create(request=request, author=by, body=body.strip(), sent_at=timezone.now())
    record(actor=by, action="remote_supervision.message", obj=request,
           data={"message_id": message.pk, "from_board": from_board, "body": message.body})
    recipients = [request.remote_supervisor.email] if from_board else board_emails()
    transaction.on_commit(lambda: _mail_about(request.pk, recipients, (
        f"{'The exam board' if from_board else by} wrote about the remote supervision of {request.candidate}. "
        "Read and answer on cmrnet.")))
    return message


@transaction.atomic
def decide_remote_supervision(*, by: User, request: RemoteSupervisionRequest, decision: str, comment: str,
                              today: dt.date) -> RemoteSupervisionRequest:
    require(is_board(by), "Only the exam board decides remote supervision requests.")
    request = RemoteSupervisionRequest.objects.select_for_update().get(pk=request.pk)
    status = {"approve": RemoteSupervisionRequest.Status.APPROVED, "decline": RemoteSupervisionRequest.Status.DECLINED,
              "changes": RemoteSupervisionRequest.Status.CHANGES_REQUESTED}.get(decision)
    if status is None:
        refuse("Approve, decline or ask for changes.", "decision")
    if request.status != RemoteSupervisionRequest.Status.SUBMITTED:
        refuse("This request has already been answered.")
    if status != RemoteSupervisionRequest.Status.APPROVED and not comment.strip():
        refuse("Say why, or which changes are needed.", "comment")
    if (status == RemoteSupervisionRequest.Status.APPROVED
            and request.supervisor_response != RemoteSupervisionRequest.SupervisorResponse.CONFIRMED):
        refuse(f"{request.remote_supervisor} has not confirmed the supervision yet: approval waits for it.")
    before = request.status
    request.status, request.decided_on, request.decided_by, request.board_comment = status, today, by, comment.strip()
    request.save()
    if status == RemoteSupervisionRequest.Status.APPROVED:
        add_supervision(by=by, trainee=request.candidate, supervisor=request.remote_supervisor,
                        started_on=request.training_starts_on, remote=True)
    record(actor=by, action="remote_supervision.decided", obj=request, changes={"status": [before, status]},
           data={"decided_on": today, "due_on": windows.remote_request_due(request.submitted_on),
                 "within_4_weeks": today <= windows.remote_request_due(request.submitted_on), "comment": comment.strip()})
    return request


def logbook_deadline(candidate: User, *, today: dt.date) -> dt.date | None:
    """The logbook deadline the rule engine applies today (with any approved extension)."""
    application = Application.objects.filter(candidate=candidate, kind=Application.Kind.INITIAL).exclude(
        state__in=FINAL).first()
    ruleset, route = (application.ruleset, application.route) if application else ("eacvi-2025", "level2")
    try:
        data = integration.application_data(candidate, today=today, declaration_signed=False,
                                             deadline_override=selectors.deadline_override(candidate), route=route)
        numbers = integration.evaluate(ruleset, route, data, today=today).rule("submission_deadline").numbers
        return dt.date.fromisoformat(numbers["deadline"])
    except (integration.LogbookUnavailable, KeyError, ValueError):
        return None


@atomic_with_files
def request_extension(*, by: User, kind: str, reason: str, months: int, supervisor_letter, today: dt.date,
                      explanation: str = "", certificate: Certificate | None = None) -> ExtensionRequest:
    """Only for parental leave, less-than-full-time work or illness; a signed supervisor letter; before the deadline."""
    if reason not in ExtensionRequest.Reason.values:
        refuse("Extensions are given only for parental leave, less-than-full-time work or illness.", "reason")
    if not supervisor_letter:
        refuse("A signed letter from your supervisor is required.", "supervisor_letter")
    try:
        validate_evidence(supervisor_letter)
    except ValidationError as exc:
        raise ValidationError({"supervisor_letter": exc.messages}) from None
    if not 1 <= months <= 12:
        refuse("Ask for 1 to 12 months.", "months")
    exam_pass = None
    if kind == ExtensionRequest.Kind.LOGBOOK:
        exam_pass = latest_exam_pass(by)
        if exam_pass is None:
            refuse("No exam pass is recorded for you: there is no logbook deadline to extend.")
        deadline = logbook_deadline(by, today=today)
        if deadline is None:
            refuse("Your logbook deadline cannot be determined yet.")
    elif kind == ExtensionRequest.Kind.RECERTIFICATION:
        if certificate is None or certificate.certification.holder_id != by.pk:
            refuse("Choose your certificate.", "certificate")
        deadline = selectors.recertification_window(certificate).closes
    else:
        refuse("Unknown kind of extension.", "kind")
    if today > deadline:
        refuse(f"Extension requests must be submitted before the deadline ({deadline}).")
    if ExtensionRequest.objects.filter(candidate=by, kind=kind, status=ExtensionRequest.Status.SUBMITTED).exists():
        refuse("You already have an extension request waiting for a decision.")
    ext = ExtensionRequest.objects.create(candidate=by, kind=kind, exam_pass=exam_pass, certificate=certificate,
                                          reason=reason, explanation=explanation.strip(), months=months,
                                          supervisor_letter=supervisor_letter, deadline_before=deadline, submitted_on=today)
    record(actor=by, action="extension.requested", obj=ext,
           data={"candidate_id": by.pk, "kind": kind, "reason": reason, "months": months, "deadline": deadline})
    return ext


@transaction.atomic
def decide_extension(*, by: User, extension: ExtensionRequest, approve: bool, comment: str, today: dt.date) -> ExtensionRequest:
    require(is_board(by), "Only the exam board decides extension requests.")
    if extension.status != ExtensionRequest.Status.SUBMITTED:
        refuse("This request has already been decided.")
    if not approve and not comment.strip():
        refuse("Say why the request is declined.", "comment")
    extension.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.DECLINED
    extension.new_deadline = windows.extension_deadline(extension.deadline_before, extension.months) if approve else None
    extension.decided_on, extension.decided_by, extension.board_comment = today, by, comment.strip()
    extension.save()
    record(actor=by, action="extension.decided", obj=extension, changes={"status": ["submitted", extension.status]},
           data={"candidate_id": extension.candidate_id, "new_deadline": extension.new_deadline})
    return extension


@transaction.atomic
def draw_random_audit(*, by: User, sample_size: int, today: dt.date, note: str = "", seed: int | None = None) -> RandomAudit:
    """A documented random sample of currently certified candidates: the population (certificate ids,
    sorted), the seed and the size are stored, so anyone can redraw the same sample."""
    require(is_board(by), "Only the exam board draws random audits.")
    if sample_size < 1:
        refuse("Draw at least one.", "sample_size")
    population = sorted(c.pk for c in Certificate.objects.select_related("certification")
                        if c.certification.status_on(today) == CertificationStatus.ACTIVE)
    if not population:
        refuse("No certified candidates to draw from.")
    seed = secrets.randbits(48) if seed is None else seed
    sample = sorted(random.Random(seed).sample(population, min(sample_size, len(population))))
    audit = RandomAudit.objects.create(drawn_by=by, drawn_at=timezone.now(), seed=seed, sample_size=len(sample),
                                       population=population, note=note.strip())
    AuditCheck.objects.bulk_create([AuditCheck(audit=audit, certificate_id=pk) for pk in sample])
    record(actor=by, action="random_audit.drawn", obj=audit,
           data={"seed": seed, "population": population, "sample": sample, "note": note.strip()})
    return audit


def redraw(audit: RandomAudit) -> list[int]:
    """The sample the stored seed and population give (to verify a draw)."""
    return sorted(random.Random(audit.seed).sample(list(audit.population), audit.sample_size))


@transaction.atomic
def record_audit_check(*, by: User, check: AuditCheck, outcome: str, notes: str, today: dt.date) -> AuditCheck:
    require(is_board(by), "Only the exam board records audit outcomes.")
    if outcome not in (AuditCheck.Outcome.CONFIRMED, AuditCheck.Outcome.DISCREPANCY):
        refuse("Choose confirmed or discrepancy.", "outcome")
    before = check.outcome
    check.outcome, check.notes, check.checked_by, check.checked_on = outcome, notes.strip(), by, today
    check.save()
    record(actor=by, action="random_audit.checked", obj=check.audit, changes={"outcome": [before, outcome]},
           data={"check_id": check.pk, "certificate_id": check.certificate_id, "notes": check.notes})
    return check
