"""Special-circumstances applications outside the routes (seed 004, *Special circumstances*): the candidate
drafts a statement with documents and submits it; the exam board decides with reasons. All audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cmrnet.audit.services import record
from cmrnet.certification.languages import ENGLISH, LANGUAGE_NAMES, needing_translation
from cmrnet.certification.languages import refusal as language_refusal
from cmrnet.certification.models import SpecialCircumstancesDocument, SpecialCircumstancesRequest
from cmrnet.certification.services._common import board_emails, is_board, mail_with_link, refuse, require
from cmrnet.people.forms import validate_evidence
from cmrnet.people.models import Body, User

Status = SpecialCircumstancesRequest.Status


def _mail(pk: int, recipients: list[str], text: str) -> None:
    mail_with_link(subject=f"Special-circumstances application #{pk}", url_name="certification-special", pk=pk,
                   recipients=recipients, text=text)


def _editing(by: User, request: SpecialCircumstancesRequest) -> None:
    require(request.candidate_id == by.pk, "Only the candidate changes their request.")
    if request.status != Status.DRAFT:
        refuse("The request has been submitted: it can no longer be changed.")


@transaction.atomic
def open_special_request(*, by: User, body: str, level: int, statement: str) -> SpecialCircumstancesRequest:
    if body not in Body.values:
        refuse("Choose EACVI or SCMR.", "body")
    if level not in (2, 3):
        refuse("Choose Level 2 or Level 3.", "level")
    if not statement.strip():
        refuse("State why your application should be considered.", "statement")
    request = SpecialCircumstancesRequest.objects.create(candidate=by, body=body, level=level,
                                                        statement=statement.strip())
    record(actor=by, action="special_circumstances.opened", obj=request,
           data={"candidate_id": by.pk, "body": body, "level": level})
    return request


@transaction.atomic
def add_special_document(*, by: User, request: SpecialCircumstancesRequest, file, title: str, language: str = ENGLISH,
                         translation_of: SpecialCircumstancesDocument | None = None) -> SpecialCircumstancesDocument:
    _editing(by, request)
    if not file:
        refuse("Choose a file to upload.", "file")
    try:
        validate_evidence(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if not title.strip():
        refuse("Give the document a title.", "title")
    if language not in LANGUAGE_NAMES:
        refuse(f"Unknown language {language!r}.", "language")
    if translation_of is not None and (translation_of.request_id != request.pk or language != ENGLISH
                                       or translation_of.language == ENGLISH):
        refuse("A translation is an English version of a document of this request in another language.",
               "translation_of")
    document = SpecialCircumstancesDocument.objects.create(request=request, file=file, title=title.strip(),
                                                           language=language, translation_of=translation_of)
    record(actor=by, action="special_circumstances.document_uploaded", obj=request,
           data={"document_id": document.pk, "file": document.file.name, "language": language,
                 "translation_of": getattr(translation_of, "pk", None)})
    return document


def submission_blockers(request: SpecialCircumstancesRequest) -> list[str]:
    blockers = []
    if not request.statement.strip():
        blockers.append("State why your application should be considered.")
    documents = list(request.documents.all())
    if not documents:
        blockers.append("Upload at least one document supporting your request (training, experience, certificates).")
    blockers += [language_refusal(d) for d in needing_translation(d.as_language_doc() for d in documents)]
    return blockers


@transaction.atomic
def submit_special_request(*, by: User, request: SpecialCircumstancesRequest, today: dt.date) -> SpecialCircumstancesRequest:
    _editing(by, request)
    blockers = submission_blockers(request)
    if blockers:
        raise ValidationError(["The request cannot be submitted yet:", *blockers])
    request.status, request.submitted_on = Status.SUBMITTED, today
    request.save(update_fields=["status", "submitted_on"])
    record(actor=by, action="special_circumstances.submitted", obj=request, changes={"status": [Status.DRAFT, Status.SUBMITTED]},
           data={"candidate_id": by.pk, "documents": list(request.documents.values_list("pk", flat=True))})
    board = board_emails()
    transaction.on_commit(lambda: _mail(request.pk, board, f"{by} submitted a special-circumstances application."))
    return request


@transaction.atomic
def decide_special_request(*, by: User, request: SpecialCircumstancesRequest, approve: bool, comment: str,
                           today: dt.date) -> SpecialCircumstancesRequest:
    require(is_board(by), "Only the exam board decides special-circumstances applications.")
    request = SpecialCircumstancesRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != Status.SUBMITTED:
        refuse("Only a submitted, undecided request is decided.")
    if not comment.strip():
        refuse("Give the board's reasons (and, if approved, what the candidate must provide next).", "comment")
    status = Status.APPROVED if approve else Status.DECLINED
    request.status, request.decided_on, request.decided_by, request.board_comment = status, today, by, comment.strip()
    request.save(update_fields=["status", "decided_on", "decided_by", "board_comment"])
    record(actor=by, action="special_circumstances.decided", obj=request, changes={"status": [Status.SUBMITTED, status]},
           data={"candidate_id": request.candidate_id, "comment": comment.strip()})
    transaction.on_commit(lambda: _mail(request.pk, [request.candidate.email],
                                        f"The exam board has decided your special-circumstances application: {status}."))
    return request
