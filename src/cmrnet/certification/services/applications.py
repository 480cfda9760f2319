"""The candidate's and supervisor's side of an application: open, name supervisors, upload documents,
sign the declaration, submit (freezing a snapshot), withdraw, answer questions, appeal, recertify."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cmrnet.audit.services import record
from cmrnet.certification import integration, selectors, states
from cmrnet.certification.languages import ENGLISH, LANGUAGE_NAMES
from cmrnet.certification.models import route_choices, route_level
from cmrnet.certification.models import (
    DEFAULT_RULESET, Appeal, Application, Certificate, Declaration, Document, InfoRequest, Route, Snapshot,
)
from cmrnet.certification.services._common import refuse, require, transition
from cmrnet.certification.states import FINAL, State
from cmrnet.core.files import atomic_with_files
from cmrnet.people.forms import validate_evidence
from cmrnet.people.models import User
from cmrnet.people.selectors import holds_current_level3, latest_exam_pass


@transaction.atomic
def open_application(*, by: User, body: str, route: str, ruleset: str | None = None,
                     supervisors: list[User] = (), today: dt.date) -> Application:
    """A candidate opens an application on a route the body's rule set defines. Levels 2 and 3 open only
    after a recorded exam pass for the body; Level 1 needs none ("Levels 2 and 3 require ... passing the
    European CMR Exam")."""
    if ruleset is not None and ruleset != DEFAULT_RULESET.get(body):
        refuse(f"{body} applications are judged by {DEFAULT_RULESET.get(body)!r}, not {ruleset!r}.", "ruleset")
    ruleset = DEFAULT_RULESET.get(body)
    if ruleset is None:
        refuse(f"Unknown body {body!r}.", "body")
    routes = dict(route_choices(body))
    if route not in routes:
        refuse(f"The {body} rule set ({ruleset}) defines only these routes: "
               f"{', '.join(f'{label} ({rid})' for rid, label in routes.items())}; not {route!r}.", "route")
    level = route_level(ruleset, route)
    exam_pass = latest_exam_pass(by, body=body)
    if exam_pass is None and level >= 2:
        refuse(f"Applications open only after the {body} written exam is passed; no pass is recorded for you.")
    if Application.objects.filter(candidate=by, body=body, route=route).exclude(state__in=FINAL).exists():
        refuse("You already have an open application for this route.", "route")
    application = Application.objects.create(candidate=by, body=body, level=level, route=route, ruleset=ruleset,
                                             exam_pass=exam_pass)
    record(actor=by, action="application.opened", obj=application,
           data={"candidate_id": by.pk, "body": body, "route": route, "ruleset": ruleset, "level": level,
                 "exam_pass_id": exam_pass.pk if exam_pass else None})
    if supervisors:
        name_supervisors(by=by, application=application, supervisors=supervisors, today=today)
    return application


def _candidate_editing(by: User, application: Application) -> None:
    require(application.candidate_id == by.pk, "Only the candidate changes the application.")
    if application.state not in states.EDITABLE:
        refuse(f"The application is {application.get_state_display().lower()}: it can no longer be changed.")


@transaction.atomic
def name_supervisors(*, by: User, application: Application, supervisors: list[User], today: dt.date) -> None:
    _candidate_editing(by, application)
    if not supervisors:
        refuse("Name at least one Level 3 supervisor.", "supervisors")
    for person in supervisors:
        if person.pk == application.candidate_id:
            refuse("You cannot be your own supervisor.", "supervisors")
        if not holds_current_level3(person, today):
            refuse(f"{person} does not hold current Level 3 certification on {today}.", "supervisors")
    before = sorted(application.supervisors.values_list("pk", flat=True))
    application.supervisors.set(supervisors)
    record(actor=by, action="application.supervisors_named", obj=application,
           changes={"supervisors": [before, sorted(p.pk for p in supervisors)]})
    _ask_to_sign([p for p in supervisors if p.pk not in before], application,
                 f"{application.candidate} named you as supervisor: the declaration waits for your signature")


def _ask_to_sign(supervisors, application: Application, subject: str, key: str = "") -> None:
    from django.urls import reverse

    from cmrnet.notifications.models import Kind
    from cmrnet.notifications.services import notify

    for person in supervisors:
        notify(recipient=person, kind=Kind.DECLARATION_TO_SIGN, subject=subject,
               link=reverse("certification-application", args=[application.pk]), dedupe_key=key,
               body=f"Application #{application.pk} ({application.get_route_display()}): read the logbook and sign "
                    "the supervisor's declaration before the candidate submits.")


@atomic_with_files
def upload_document(*, by: User, application: Application, kind: str, file, title: str = "", language: str = "en",
                    translation_of: Document | None = None) -> Document:
    """Upload evidence in its language; an English translation names the document it translates."""
    _candidate_editing(by, application)
    if kind not in Document.Kind.values:
        refuse(f"Unknown document kind {kind!r}.", "kind")
    if language not in LANGUAGE_NAMES:
        refuse(f"Unknown language {language!r}.", "language")
    if kind == Document.Kind.TRANSLATION:
        if translation_of is None or translation_of.application_id != application.pk:
            refuse("Choose the document of this application that this translates.", "translation_of")
        if language != ENGLISH or translation_of.language == ENGLISH:
            refuse("A translation is an English version of a document in another language.", "language")
    elif translation_of is not None:
        refuse("Only an English translation names the document it translates.", "translation_of")
    try:
        validate_evidence(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if not file:
        refuse("Choose a file to upload.", "file")
    document = Document.objects.create(application=application, kind=kind, file=file, title=title, uploaded_by=by,
                                       language=language, translation_of=translation_of)
    record(actor=by, action="application.document_uploaded", obj=application,
           data={"document_id": document.pk, "kind": kind, "file": document.file.name, "language": language,
                 "translation_of": getattr(translation_of, "pk", None)})
    return document


@transaction.atomic
def sign_declaration(*, by: User, application: Application, text: str, today: dt.date) -> Declaration:
    """A named supervisor signs the exact declaration wording; the logbook version is recorded."""
    require(application.supervisors.filter(pk=by.pk).exists(), "Only a named supervisor signs the declaration.")
    if application.state not in states.EDITABLE:
        refuse("The declaration is signed before submission.")
    if not holds_current_level3(by, today):
        refuse(f"You do not hold current Level 3 certification on {today}: you cannot sign.")
    expected = selectors.declaration_text(application)
    if text.strip() != expected:
        refuse("The declaration must be signed with its exact wording.", "text")
    version = integration.logbook_version(application.candidate)
    now = timezone.now()
    application.declarations.filter(supervisor=by, voided_at=None).update(voided_at=now, void_reason="superseded by a new signature")
    declaration = Declaration.objects.create(application=application, supervisor=by, text=expected, signed_at=now,
                                             signed_on=today, logbook_version=version)
    record(actor=by, action="declaration.signed", obj=application, at=now,
           data={"declaration_id": declaration.pk, "text": expected, "logbook_version": version,
                 "signed_on": today, "candidate_id": application.candidate_id})
    return declaration


@transaction.atomic
def void_stale_declarations(*, application: Application, version: str) -> int:
    """Persist what the read-time check shows: declarations covering an older logbook are void."""
    now, count = timezone.now(), 0
    for declaration in application.declarations.filter(voided_at=None).exclude(logbook_version=version):
        Declaration.objects.filter(pk=declaration.pk).update(voided_at=now, void_reason="the logbook changed after signing")
        record(actor=None, action="declaration.voided", obj=application, at=now,
               data={"declaration_id": declaration.pk, "signed_version": declaration.logbook_version,
                     "current_version": version})
        _ask_to_sign([declaration.supervisor], application, key=f"declaration-voided:{declaration.pk}",
                     subject=f"{application.candidate}'s logbook changed after you signed: please sign again")
        count += 1
    return count


def submit(*, by: User, application: Application, today: dt.date) -> Snapshot:
    """Submit (or resubmit after a return): refused while any rule, document or declaration is missing;
    freezes the package as submitted (stored file, sha256 in the snapshot row and the audit entry)."""
    require(application.candidate_id == by.pk, "Only the candidate submits the application.")
    target = State.RESUBMITTED if application.state == State.RETURNED else State.SUBMITTED
    states.check(application.state, target)
    if not application.is_recertification:
        try:
            void_stale_declarations(application=application, version=integration.logbook_version(application.candidate))
        except integration.LogbookUnavailable:
            pass
    return _submit(by=by, application=application, target=target, today=today)


@atomic_with_files
def _submit(*, by: User, application: Application, target: str, today: dt.date) -> Snapshot:
    application = Application.objects.select_for_update().get(pk=application.pk)
    verdict = selectors.verdict(application, today=today)
    if verdict.blockers:
        raise ValidationError(["The application cannot be submitted yet:", *verdict.blockers])
    now = timezone.now()
    number = application.snapshots.count() + 1
    declarations = [{"supervisor": d.supervisor.full_name, "supervisor_email": d.supervisor.email,
                     "signed_at": d.declaration.signed_at.isoformat(), "text": d.declaration.text,
                     "logbook_version": d.declaration.logbook_version} for d in verdict.declarations]
    documents = []
    for doc in application.documents.all():
        with doc.file.open("rb") as handle:
            documents.append({"kind": doc.kind, "file": doc.file.name, "sha256": hashlib.sha256(handle.read()).hexdigest(),
                              "language": doc.language, "translation_of": doc.translation_of_id})
    manifest = {
        "application": application.pk, "snapshot": number, "kind": application.kind, "candidate": application.candidate.full_name,
        "body": application.body, "level": application.level, "route": application.route, "ruleset": application.ruleset,
        "submitted_at": now.isoformat(), "submitted_on": today.isoformat(), "logbook_version": verdict.logbook_version,
        "declarations": declarations, "documents": documents,
        "continuing_practice": application.continuing_practice,
        "evaluation": verdict.evaluation.to_dict() if verdict.evaluation else None,
    }
    payload = integration.package_zip(verdict.data, manifest=manifest)
    digest = hashlib.sha256(payload).hexdigest()
    snapshot = Snapshot(application=application, number=number, created_at=now, created_by=by,
                        logbook_version=verdict.logbook_version, sha256=digest,
                        evaluation=manifest["evaluation"] or {}, declarations=declarations)
    snapshot.file.save(f"application-{application.pk}-{number}.zip", ContentFile(payload), save=False)
    snapshot.save()
    if application.first_submitted_on is None:
        application.first_submitted_on = today
        application.save(update_fields=["first_submitted_on"])
    transition(application, target, by=by, data={"snapshot": number, "sha256": digest, "logbook_version": verdict.logbook_version})
    return snapshot


@transaction.atomic
def withdraw(*, by: User, application: Application, reason: str = "") -> None:
    require(application.candidate_id == by.pk, "Only the candidate withdraws the application.")
    transition(application, State.WITHDRAWN, by=by, reasons=reason)


@transaction.atomic
def answer_info_request(*, by: User, info_request: InfoRequest, answer: str) -> InfoRequest:
    require(info_request.application.candidate_id == by.pk, "Only the candidate answers.")
    if info_request.answered_at:
        refuse("This question has already been answered.")
    if not answer.strip():
        refuse("Write an answer.", "answer")
    info_request.answer, info_request.answered_at = answer.strip(), timezone.now()
    info_request.save(update_fields=["answer", "answered_at"])
    record(actor=by, action="application.information_provided", obj=info_request.application,
           data={"info_request_id": info_request.pk, "answer": info_request.answer})
    return info_request


@transaction.atomic
def file_appeal(*, by: User, application: Application, reasons: str) -> Appeal:
    require(application.candidate_id == by.pk, "Only the candidate appeals.")
    if not reasons.strip():
        refuse("An appeal needs its reasons.", "reasons")
    transition(application, State.APPEALED, by=by, reasons=reasons.strip())
    return Appeal.objects.create(application=application, reasons=reasons.strip(), filed_at=timezone.now())


@transaction.atomic
def open_recertification(*, by: User, certificate: Certificate, continuing_practice: str, fee_category: str,
                         today: dt.date) -> Application:
    """Open a recertification inside the window. A late one is recorded as refused, saying why.
    The fee category (member / non-member) is recorded; no payment is processed."""
    certification = certificate.certification
    require(certification.holder_id == by.pk, "Only the holder recertifies.")
    if fee_category not in Application.FeeCategory.values:
        refuse("Choose your fee category: member or non-member.", "fee_category")
    window = selectors.recertification_window(certificate)
    position = window.position(today)
    if position == "early":
        refuse(f"Recertification opens on {window.opens} (6 months before your certificate expires on "
               f"{certification.valid_until}).")
    if certification.status_on(today) == "revoked":
        refuse("A revoked certificate cannot be renewed.")
    if Application.objects.filter(renews=certificate).exclude(state__in=FINAL).exists():
        refuse("A recertification for this certificate is already open.")
    application = Application.objects.create(
        candidate=by, kind=Application.Kind.RECERTIFICATION, body=certification.body, level=certification.level,
        route=Route.RECERTIFICATION, ruleset="", renews=certificate, continuing_practice=continuing_practice.strip(),
        fee_category=fee_category)
    record(actor=by, action="application.opened", obj=application,
           data={"candidate_id": by.pk, "renews_certificate_id": certificate.pk, "kind": "recertification",
                 "fee_category": fee_category})
    if position == "late":
        reason = (f"Late application refused: the recertification window closed on {window.closes}. No late "
                  "submissions are accepted; the full certification process (exam and logbook) must be repeated.")
        application.refusal_reason = reason
        application.save(update_fields=["refusal_reason"])
        transition(application, State.REFUSED, by=by, reasons=reason, data={"late": True, "window_closed_on": window.closes})
    return application
