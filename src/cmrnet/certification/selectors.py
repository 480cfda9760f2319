"""Certification reads. Every application read goes through `get_application_for_user`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from cmrnet.certification import integration, windows
from cmrnet.core.listing import search_filter
from cmrnet.certification.languages import needing_translation
from cmrnet.certification.languages import refusal as language_refusal
from cmrnet.certification.models import (
    Application, BoardChair, Certificate, Document, ExtensionRequest, GraderAssignment, RemoteSupervisionRequest,
)
from cmrnet.certification.states import EDITABLE, State
from cmrnet.people.models import Certification, CertificationStatus, Specialty, User
from cmrnet.people.roles import Role
from cmrnet.people.selectors import holds_current_level3

# The supervisor's declaration: the seed's words ("a supervisor's declaration stating that the candidate
# was under his/her direct supervision, was responsible for supervising the CMR sessions, was primary
# operator/reporting physician for all of the cases provided in their logbook and is of the appropriate
# standard for Level N certification"), in the first person of the supervisor who signs.
DECLARATION_TEMPLATE = (
    "I declare that the candidate, {candidate}, was under my direct supervision; that I was responsible for "
    "supervising the CMR sessions; that the candidate was primary operator/reporting physician for all of the "
    "cases provided in their logbook; and that the candidate is of the appropriate standard for Level {level} "
    "certification."
)


def declaration_text(application: Application) -> str:
    return DECLARATION_TEMPLATE.format(candidate=application.candidate.full_name, level=application.level)


# --------------------------------------------------------------------------- who sees what
def is_board(user: User) -> bool:
    return user.has_role(Role.EXAM_BOARD)


def applications_for_user(user: User) -> QuerySet[Application]:
    """The candidate's own, the ones naming the user as supervisor, the ones assigned to the user as
    grader; everything for the exam board (the certification office)."""
    qs = Application.objects.select_related("candidate", "candidate__centre")
    if is_board(user):
        return qs
    return qs.filter(Q(candidate=user) | Q(supervisors=user) | Q(assignments__grader=user)).distinct()


def get_application_for_user(user: User, pk: int) -> Application:
    try:
        return applications_for_user(user).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None


def assigned_applications(grader: User) -> QuerySet[Application]:
    return Application.objects.filter(assignments__grader=grader).select_related("candidate").distinct()


def assignment_of(application: Application, user: User) -> GraderAssignment | None:
    return application.assignments.filter(grader=user).first()


def role_in(application: Application, user: User) -> set[str]:
    roles = set()
    if application.candidate_id == user.pk:
        roles.add("candidate")
    if application.supervisors.filter(pk=user.pk).exists():
        roles.add("supervisor")
    if application.assignments.filter(grader=user).exists():
        roles.add("grader")
    if is_board(user):
        roles.add("board")
    if chair_for(application) == user:
        roles.add("chair")
    return roles


def chair_for(application: Application) -> User | None:
    if application.chair_id:
        return application.chair
    chair = BoardChair.objects.filter(body=application.body).select_related("person").first()
    return chair.person if chair else None


# --------------------------------------------------------------------------- declarations
@dataclass
class DeclarationState:
    supervisor: User
    declaration: object | None
    status: str  # signed | unsigned | void
    note: str = ""

    @property
    def valid(self) -> bool:
        return self.status == "signed"


def declaration_states(application: Application, *, version: str | None = None) -> list[DeclarationState]:
    """Per named supervisor: the latest signature, valid only if it covers the current logbook version."""
    if version is None:
        version = integration.logbook_version(application.candidate)
    states = []
    for supervisor in application.supervisors.all():
        latest = application.declarations.filter(supervisor=supervisor).first()
        if latest is None:
            states.append(DeclarationState(supervisor, None, "unsigned"))
        elif latest.voided_at or latest.logbook_version != version:
            states.append(DeclarationState(supervisor, latest, "void",
                                           latest.void_reason or "the logbook changed after the declaration was signed"))
        else:
            states.append(DeclarationState(supervisor, latest, "signed"))
    return states


# --------------------------------------------------------------------------- deadlines and documents
def approved_extension(candidate: User, *, kind: str, certificate: Certificate | None = None) -> ExtensionRequest | None:
    qs = ExtensionRequest.objects.filter(candidate=candidate, kind=kind, status=ExtensionRequest.Status.APPROVED)
    if certificate is not None:
        qs = qs.filter(certificate=certificate)
    return qs.order_by("-new_deadline").first()


def deadline_override(candidate: User) -> dt.date | None:
    ext = approved_extension(candidate, kind=ExtensionRequest.Kind.LOGBOOK)
    return ext.new_deadline if ext else None


def recertification_window(certificate: Certificate) -> windows.Window:
    ext = approved_extension(certificate.certification.holder, kind=ExtensionRequest.Kind.RECERTIFICATION,
                             certificate=certificate)
    return windows.recertification_window(certificate.certification.valid_until,
                                          extended_until=ext.new_deadline if ext else None)


REQUIRED_DOCUMENTS = {
    # Level 1: "a certificate of completion of a Level 1 course, or CME attendance certificates" and registration
    "level1": [Document.Kind.REGISTRATION, Document.Kind.ATTENDANCE],
    "initial": [Document.Kind.REGISTRATION, Document.Kind.ACLS, Document.Kind.ATTENDANCE],
    "level3": [Document.Kind.PEER_RECOGNITION],
    "recertification": [Document.Kind.CONTINUING_PRACTICE, Document.Kind.ATTENDANCE],
}


def missing_documents(application: Application, data=None) -> list[str]:
    """The required documents not yet provided, by label. ACLS evidence may come from the profile;
    attendance certificates from the logbook's CME entries (each with its certificate)."""
    have = set(application.documents.values_list("kind", flat=True))
    if application.candidate.acls_evidence:
        have.add(Document.Kind.ACLS)
    if data is not None and data.cme and all(a.has_certificate for a in data.cme):
        have.add(Document.Kind.ATTENDANCE)
    if application.is_recertification:
        needed = REQUIRED_DOCUMENTS["recertification"]
    elif application.level == 1:
        needed = REQUIRED_DOCUMENTS["level1"]
    else:
        needed = REQUIRED_DOCUMENTS["initial"] + (REQUIRED_DOCUMENTS["level3"] if application.level == 3 else [])
    return [Document.Kind(kind).label for kind in needed if kind not in have]


# --------------------------------------------------------------------------- the live verdict
@dataclass
class Verdict:
    evaluation: object | None = None
    declarations: list[DeclarationState] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    deadline: dt.date | None = None
    blockers: list[str] = field(default_factory=list)
    logbook_version: str = ""
    data: object | None = None

    @property
    def can_submit(self) -> bool:
        return not self.blockers


def verdict(application: Application, *, today: dt.date) -> Verdict:
    """Everything that decides whether the application may be submitted today, with reasons."""
    if application.is_recertification:
        return _recertification_verdict(application, today=today)
    result = Verdict()
    try:
        result.logbook_version = integration.logbook_version(application.candidate)
        result.declarations = declaration_states(application, version=result.logbook_version)
        signed = bool(result.declarations) and all(d.valid for d in result.declarations)
        data = integration.application_data(application.candidate, today=today, declaration_signed=signed,
                                            deadline_override=deadline_override(application.candidate),
                                            route=application.route)
        # Dated today: the frozen package then re-evaluates to the same verdict on any later day.
        result.data = replace(data, candidate=replace(data.candidate, application_date=today))
        result.evaluation = integration.evaluate(application.ruleset, application.route, result.data, today=today)
    except integration.LogbookUnavailable as exc:
        result.blockers.append(str(exc))
        return result
    try:
        result.deadline = dt.date.fromisoformat(result.evaluation.rule("submission_deadline").numbers["deadline"])
    except (KeyError, TypeError, ValueError):
        result.deadline = None
    for rule in result.evaluation.rules:
        if not rule.met:
            result.blockers.append(f"Rule not met: {rule.title or rule.id}: {rule.message}")
    if not integration.has_logbook(application.ruleset, application.route):
        result.declarations = []   # Level 1 (EACVI): no logbook, so no supervisor's declaration
    elif not result.declarations:
        result.blockers.append("Name at least one Level 3 supervisor to sign the declaration.")
    for state in result.declarations:
        if not state.valid:
            what = "has not signed" if state.status == "unsigned" else f"declaration is void ({state.note})"
            result.blockers.append(f"Supervisor's declaration: {state.supervisor} {what}.")
    result.missing_documents = missing_documents(application, result.data)
    result.blockers += [f"Missing document: {label}." for label in result.missing_documents]
    result.blockers += untranslated_documents(application)
    return result


def untranslated_documents(application: Application) -> list[str]:
    """One refusal per non-English document without its English translation, naming the document."""
    docs = needing_translation(d.as_language_doc() for d in application.documents.all())
    return [language_refusal(d) for d in docs]


def _recertification_verdict(application: Application, *, today: dt.date) -> Verdict:
    result = Verdict()
    certificate = application.renews
    window = recertification_window(certificate)
    result.deadline = window.closes
    if window.position(today) == "early":
        result.blockers.append(f"The recertification window opens on {window.opens}.")
    elif window.position(today) == "late":
        result.blockers.append(f"The recertification window closed on {window.closes}: the full certification "
                               "process (exam and logbook) must be repeated.")
    if not application.continuing_practice.strip():
        result.blockers.append("Describe your continuing CMR practice.")
    result.missing_documents = missing_documents(application)
    result.blockers += [f"Missing document: {label}." for label in result.missing_documents]
    result.blockers += untranslated_documents(application)
    return result


# --------------------------------------------------------------------------- graders
def eligible_graders(application: Application) -> list[tuple[User, bool]]:
    """Graders who may be assigned: never from the candidate's centre, never the candidate or a named
    supervisor, not already assigned; those sharing a language with the candidate first."""
    candidate = application.candidate
    excluded = {candidate.pk, *application.supervisors.values_list("pk", flat=True),
                *application.assignments.values_list("grader_id", flat=True)}
    graders = User.objects.filter(role_grants__role=Role.GRADER, is_active=True).exclude(pk__in=excluded)
    if candidate.centre_id:
        graders = graders.exclude(centre_id=candidate.centre_id)
    wanted = languages(candidate)
    rows = [(g, bool(languages(g) & wanted)) for g in graders.distinct()]
    return sorted(rows, key=lambda row: (not row[1], row[0].full_name))


def languages(person: User) -> set[str]:
    return {code.strip().lower() for code in (person.languages or "").split(",") if code.strip()}


# --------------------------------------------------------------------------- certificates and register
def certificate_by_code(code: str) -> Certificate:
    from cmrnet.certification.models import could_be_code

    if not could_be_code(code):
        raise Http404("No certificate with this verification code.")
    try:
        return Certificate.objects.select_related("certification", "certification__holder",
                                                  "certification__holder__centre").get(code=code)
    except Certificate.DoesNotExist:
        raise Http404("No certificate with this verification code.") from None


@dataclass(frozen=True)
class VerifiedDocument:
    """Another app's certificate found by its verification code (e.g. a programme completion certificate), shown
    by the same public verification page and API as certificates."""

    kind: str                              # machine name, e.g. "programme_completion"
    title: str                             # what it is, e.g. "Programme completion certificate"
    name: str                              # whose it is
    facts: tuple[tuple[str, str], ...]     # (label, value) lines shown under the name
    status: str = "active"
    status_label: str = "Valid"
    disclaimer: str = ""


# Apps that issue documents with codes from `models.new_code` register a lookup: lookup(code) -> VerifiedDocument
# or None (registered in their AppConfig.ready; certification does not import them).
_CODE_LOOKUPS: list = []


def register_code_lookup(lookup) -> None:
    if lookup not in _CODE_LOOKUPS:
        _CODE_LOOKUPS.append(lookup)


def other_document_by_code(code: str) -> VerifiedDocument | None:
    """A registered app's document with this code, or None (a code that cannot be one finds nothing)."""
    from cmrnet.certification.models import could_be_code

    if not could_be_code(code):
        return None
    for lookup in _CODE_LOOKUPS:
        found = lookup(code)
        if found is not None:
            return found
    return None


def get_certificate_for_user(user: User, pk: int) -> Certificate:
    qs = Certificate.objects.select_related("certification", "certification__holder")
    if not is_board(user):
        qs = qs.filter(certification__holder=user)
    try:
        return qs.get(pk=pk)
    except Certificate.DoesNotExist:
        raise Http404("No such certificate.") from None


def country_of(person: User) -> str:
    if person.registration_country:
        return person.registration_country
    return person.centre.country if person.centre_id else ""


@dataclass(frozen=True)
class RegisterEntry:
    """Exactly what the public register publishes, nothing more."""

    name: str
    country: str
    body: str
    level: int
    valid_until: dt.date
    status: str


# The register's sort keys (?sort=name, ?sort=-valid_until ...): ordered, searched and paged by the database.
REGISTER_SORTS = {"name": ("certification__holder__full_name", "-certification__awarded_on"),
                  "country": ("register_country", "certification__holder__full_name"),
                  "body": ("certification__body", "certification__holder__full_name"),
                  "level": ("certification__level", "certification__holder__full_name"),
                  "valid_until": ("certification__valid_until", "certification__holder__full_name")}


def register_queryset(*, name: str = "", country: str = "", level: int | None = None) -> QuerySet[Certificate]:
    """The certificates the public register lists (Levels 1 to 3), filtered in the database; each carries
    `register_country` (the registration country, else the centre's), as country_of() reads it."""
    qs = (Certificate.objects.filter(certification__level__in=[1, 2, 3])
          .select_related("certification", "certification__holder")
          .annotate(register_country=Coalesce(NullIf("certification__holder__registration_country", Value("")),
                                              "certification__holder__centre__country", Value(""))))
    if name.strip():
        qs = qs.filter(search_filter(name, ("certification__holder__full_name",)))
    if level:
        qs = qs.filter(certification__level=level)
    if country.strip():
        qs = qs.filter(register_country__iexact=country.strip())
    return qs


def register_entry(cert: Certificate, *, today: dt.date) -> RegisterEntry:
    c = cert.certification
    return RegisterEntry(c.holder.full_name, cert.register_country, c.body, c.level, c.valid_until,
                         CertificationStatus(c.status_on(today)).label)


def public_register(*, today: dt.date, name: str = "", country: str = "", level: int | None = None) -> list[RegisterEntry]:
    """Every entry matching (the page uses register_queryset with cmrnet.core.listing to read one page only)."""
    qs = register_queryset(name=name, country=country, level=level)
    return [register_entry(cert, today=today) for cert in qs.order_by(*REGISTER_SORTS["name"], "pk")]


def certificates_of(person: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(certification__holder=person).select_related("certification")


def current_supervisor_level3(person: User, *, on: dt.date) -> list[Certification]:
    return [c for c in person.certifications.filter(level=3) if c.is_current_on(on)]


# --------------------------------------------------------------------------- service levels
@dataclass(frozen=True)
class SlaRow:
    kind: str
    label: str
    started_on: dt.date
    due_on: dt.date
    done_on: dt.date | None
    overdue: bool
    url: str = ""


def service_levels(*, today: dt.date) -> dict[str, list[SlaRow]]:
    decisions = []
    for app in Application.objects.exclude(first_submitted_on=None).select_related("candidate"):
        due = windows.decision_due(app.first_submitted_on)
        done = app.decided_on
        if app.state == State.WITHDRAWN and done is None:
            continue
        decisions.append(SlaRow("decision", str(app), app.first_submitted_on, due, done,
                                windows.is_overdue(due, done_on=done, today=today), f"/certification/applications/{app.pk}/"))
    remote = []
    for req in RemoteSupervisionRequest.objects.select_related("candidate"):
        due = windows.remote_request_due(req.submitted_on)
        remote.append(SlaRow("remote", f"Remote supervision: {req.candidate}", req.submitted_on, due, req.decided_on,
                             windows.is_overdue(due, done_on=req.decided_on, today=today),
                             f"/certification/remote-supervision/{req.pk}/"))
    return {"decisions": decisions, "remote": remote, "exams": exam_result_rows(today=today)}


def exam_result_rows(*, today: dt.date) -> list[SlaRow] | None:
    """Exam results within 8 weeks of the sitting, from the exams app; None if it is not installed."""
    try:
        from cmrnet.exams.models import Sitting
    except ImportError:  # pragma: no cover
        return None
    from django.utils import timezone

    rows = []
    for sitting in Sitting.objects.all():
        sat = sitting.exam_date
        if sat > today:
            continue
        due = windows.exam_results_due(sat)
        done = timezone.localtime(sitting.released_at).date() if sitting.released_at else None
        rows.append(SlaRow("exam", f"Exam results: {sitting.title}", sat, due, done,
                           windows.is_overdue(due, done_on=done, today=today)))
    return rows


def editable(application: Application) -> bool:
    return application.state in EDITABLE


def level3_on_site(candidate: User, *, on: dt.date) -> list[User]:
    if not candidate.centre_id:
        return []
    people = User.objects.filter(centre_id=candidate.centre_id, is_active=True).exclude(pk=candidate.pk)
    return [p for p in people if holds_current_level3(p, on)]


# --------------------------------------------------------------------------- board balance
@dataclass(frozen=True)
class SpecialtyMix:
    """How many people of each specialty hold a board function (SCMR keeps its board balanced)."""

    group: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, specialty: str) -> int:
        """Whole per cent of the group, 0 for an empty group."""
        return round(100 * self.counts.get(specialty, 0) / self.total) if self.total else 0

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        return [(label, self.counts.get(value, 0), self.share(value)) for value, label in Specialty.choices]


def specialty_mix() -> list[SpecialtyMix]:
    """The specialty mix of the exam board, the graders and the chairs (active people; a person in several
    groups counts in each)."""
    def mix(group: str, people) -> SpecialtyMix:
        counts = {value: 0 for value in Specialty.values}
        for specialty in people.values_list("specialty", flat=True):
            counts[specialty] = counts.get(specialty, 0) + 1
        return SpecialtyMix(group, counts)

    active = User.objects.filter(is_active=True)
    return [mix("Exam board", active.filter(role_grants__role=Role.EXAM_BOARD).distinct()),
            mix("Graders", active.filter(role_grants__role=Role.GRADER).distinct()),
            mix("Chairs", active.filter(Q(pk__in=BoardChair.objects.values("person_id"))
                                        | Q(pk__in=Application.objects.filter(chair__isnull=False).values("chair_id"))))]
