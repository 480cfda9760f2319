"""Reads about logbooks, and the contract the certification app calls.

Contract (stable):
    application_data_for(trainee, *, today, verified_only=False, declaration_signed=False,
                         deadline_override=None, route=None) -> cmrnet.rules.ApplicationData
    logbook_version(trainee) -> str
    evaluate_for(trainee, *, ruleset, route, today, verified_only=False,
                 declaration_signed=False, deadline_override=None) -> cmrnet.rules.Evaluation
    cases_for_user(user, trainee) -> QuerySet[Case]         (Http404 if not entitled)
    get_case_for_user(user, pk) -> Case                     (Http404 if not entitled)

Who may read a logbook: the trainee; anyone who supervises or supervised them; the programme
director of the trainee's centre; the exam board. Everyone else gets 404. Only the trainee writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cmrnet import rules
from cmrnet.logbook.models import Case, CmeActivity, LogbookSettings, PeerRecognition, TrainingPeriod
from cmrnet.people.models import Body, Certification, Supervision, User
from cmrnet.people.roles import Role
from cmrnet.people.selectors import latest_exam_pass

VIA_LEVEL2 = "level3-via-level2"
DASHBOARD_RULESETS = ("eacvi-2025", "scmr-2018")


# ----------------------------------------------------------------------------
# Permissions
# ----------------------------------------------------------------------------
def is_supervisor_of(user: User, trainee: User) -> bool:
    return Supervision.objects.filter(trainee=trainee, supervisor=user).exists()


def can_view_logbook(user: User, trainee: User) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == trainee.pk or can_view_every_logbook(user):
        return True
    if user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id and user.centre_id == trainee.centre_id:
        return True
    return is_supervisor_of(user, trainee)


def can_view_every_logbook(user: User) -> bool:
    """The exam board reads every logbook (and so the logbook's audit entries)."""
    return getattr(user, "is_authenticated", False) and user.has_role(Role.EXAM_BOARD)


def can_edit_logbook(user: User, trainee: User) -> bool:
    return user.pk == trainee.pk


def logbook_owners_for_user(user: User) -> QuerySet[User]:
    """The trainees whose logbooks `user` may read (themselves included if a trainee)."""
    qs = User.objects.filter(is_active=True, role_grants__role=Role.TRAINEE)
    if can_view_every_logbook(user):
        return qs.distinct()
    visible = Q(pk=user.pk) | Q(supervised_by__supervisor=user)
    if user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id:
        visible |= Q(centre_id=user.centre_id)
    return qs.filter(visible).distinct()


def logbook_owners_with_counts(user: User) -> QuerySet[User]:
    """The logbooks `user` reads (not their own), each with `case_count`, counted by the database."""
    visible = logbook_owners_for_user(user).exclude(pk=user.pk).values("pk")
    return (User.objects.filter(pk__in=visible).select_related("centre")
            .annotate(case_count=Count("logbook_cases")).order_by("full_name", "pk"))


def pending_counts(supervisor: User) -> dict[int, int]:
    """{trainee pk: pending cases} for the trainees `supervisor` supervises (one grouped query)."""
    trainee_ids = Supervision.objects.filter(supervisor=supervisor).values("trainee_id")
    rows = (Case.objects.filter(trainee_id__in=trainee_ids, status="pending").values("trainee_id")
            .annotate(n=Count("pk")).values_list("trainee_id", "n"))
    return dict(rows)


def get_trainee_for_user(user: User, pk: int) -> User:
    trainee = User.objects.filter(pk=pk).first()
    if trainee is None or not can_view_logbook(user, trainee):
        raise Http404("No such logbook.")
    return trainee


def cases_for_user(user: User, trainee: User) -> QuerySet[Case]:
    if not can_view_logbook(user, trainee):
        raise Http404("No such logbook.")
    return Case.objects.filter(trainee=trainee).select_related("supervisor", "verified_by", "centre")


def get_case_for_user(user: User, pk: int) -> Case:
    case = Case.objects.select_related("trainee", "supervisor").filter(pk=pk).first()
    if case is None or not can_view_logbook(user, case.trainee):
        raise Http404("No such case.")
    return case


def _get_owned(model, user: User, pk: int):
    obj = model.objects.select_related("trainee").filter(pk=pk).first()
    if obj is None or not can_view_logbook(user, obj.trainee):
        raise Http404("Not found.")
    return obj


def get_cme_for_user(user: User, pk: int) -> CmeActivity:
    return _get_owned(CmeActivity, user, pk)


def get_training_for_user(user: User, pk: int) -> TrainingPeriod:
    return _get_owned(TrainingPeriod, user, pk)


def get_peer_for_user(user: User, pk: int) -> PeerRecognition:
    return _get_owned(PeerRecognition, user, pk)


def cases_to_verify(supervisor: User) -> QuerySet[Case]:
    """Pending cases of the supervisor's trainees."""
    trainee_ids = Supervision.objects.filter(supervisor=supervisor).values("trainee_id")
    return (Case.objects.filter(trainee_id__in=trainee_ids, status="pending")
            .select_related("trainee").order_by("trainee__full_name", "study_date"))


def settings_for(trainee: User) -> LogbookSettings:
    found = LogbookSettings.objects.filter(trainee=trainee).first()
    return found or LogbookSettings(trainee=trainee)


def last_case(trainee: User) -> Case | None:
    return Case.objects.filter(trainee=trainee).order_by("-sequence").first()


def supervisors_of(trainee: User) -> QuerySet[User]:
    """Whom the trainee may name as supervisor of a case or training period: the people with a
    supervision link to them (current or past).  The one definition used by the forms, the API,
    the CSV and package imports and the services."""
    return User.objects.filter(supervising__trainee=trainee).distinct()


def current_supervisors(trainee: User, on: dt.date) -> QuerySet[User]:
    links = Supervision.objects.filter(trainee=trainee, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on))
    return User.objects.filter(pk__in=links.values("supervisor_id"))


# ----------------------------------------------------------------------------
# The rules' view of a logbook
# ----------------------------------------------------------------------------
def supervisor_ref(user: User | None) -> str:
    """The supervisor_id used in application packages: the supervisor's e-mail."""
    return user.email if user is not None else ""


def rules_case(case: Case) -> rules.Case:
    return rules.Case(
        case_id=case.case_id, study_date=case.study_date, patient_key=case.patient_key, category=case.category,
        normal=case.normal, source=case.source, course_id=case.course_id, role=case.role,
        control_room=case.control_room, supervisor_id=supervisor_ref(case.supervisor),
        clinical_change=case.clinical_change, full_review=case.full_review, mode=case.mode)


def rules_training(period: TrainingPeriod) -> rules.TrainingPeriod:
    return rules.TrainingPeriod(
        period_id=period.period_id, start_date=period.start_date, end_date=period.end_date,
        hours_per_week=float(period.hours_per_week), supervisor_id=supervisor_ref(period.supervisor),
        centre=period.centre, mode=period.mode)


def rules_cme(activity: CmeActivity) -> rules.CmeActivity:
    """The claim as the engine reads it, with the committee's figure (accepted_hours) when one is set: the
    engine then takes it in place of the claimed credits, the multimodality division and the catalogue
    figure; its refusals (no certificate, more than 2 years before the exam, self-directed) and the
    8-credits-per-congress-day cap still apply."""
    certificate = activity.certificate.name.rsplit("/", 1)[-1] if activity.certificate else ""
    accepted = float(activity.accepted_hours) if activity.accepted_hours is not None else None
    return rules.CmeActivity(
        activity_id=activity.activity_id, title=activity.title, provider=activity.provider, kind=activity.kind,
        start_date=activity.start_date, end_date=activity.end_date, credits=float(activity.credits),
        modalities=activity.modalities, catalog_id=activity.catalog_id, certificate=certificate,
        full_attendance=activity.full_attendance, accepted_hours=accepted,
        accepted_reason=activity.accepted_hours_reason if accepted is not None else "")


def allocation_rows(trainee: User, allocations) -> list[dict]:
    """Level 3 via Level 2: each training period and CME claim with where it was counted, for a page."""
    training = {p.period_id: f"Training {p.start_date} to {p.end_date} ({p.hours_per_week} h/week)"
                for p in TrainingPeriod.objects.filter(trainee=trainee)}
    cme = {a.activity_id: f"CME: {a.title} ({a.start_date})" for a in CmeActivity.objects.filter(trainee=trainee)}
    where = {"level2": "used for Level 2: not counted here", "level3": "counted here",
             "split": "counted here in part"}
    rows = []
    for item in allocations:
        names = training if item.kind == "training" else cme
        rows.append({"kind": item.kind, "id": item.item_id, "label": names.get(item.item_id, item.item_id),
                     "used_for": item.used_for, "where": where[item.used_for], "reason": item.reason})
    return rows


def training_overlaps(trainee: User, *, period: TrainingPeriod | None = None) -> list[str]:
    """The entry warning: training periods sharing calendar days (all pairs, or those of ``period``).
    Overlaps are allowed (two supervisors on the same days); the rules count each day once, at most
    at full time (rules.training)."""
    periods = list(TrainingPeriod.objects.filter(trainee=trainee).select_related("supervisor"))
    label = {p.period_id: f"{p.start_date} to {p.end_date} ({p.hours_per_week} h/week)" for p in periods}
    items = [rules_training(p) for p in periods]
    if period is not None:
        label[period.period_id] = f"{period.start_date} to {period.end_date} ({period.hours_per_week} h/week)"
        found = rules.overlaps_with(rules_training(period), items)
    else:
        found = rules.find_overlaps(items)
    return [f"Training {label[o.first]} and training {label[o.second]} overlap on {o.days} "
            f"day{'s' if o.days != 1 else ''} ({o.start} to {o.end}): each day counts once, at most at full time."
            for o in found]


def supervisor_certs(supervisor_ids) -> list[rules.SupervisorCert]:
    """Every certification (with revocations) of the given people, for the supervisor rule."""
    certs = []
    for cert in Certification.objects.filter(holder_id__in=set(supervisor_ids)).select_related("holder"):
        certs.append(cert.as_rule_cert(supervisor_ref(cert.holder)))
    return sorted(certs, key=lambda c: (c.supervisor_id, c.awarded_on, c.body, c.level))


# A peer-recognition entry as the rules read it (values_list, no model objects); see rules_peer().
PEER_ROW_COLUMNS = ("pk", "kind", "title", "event", "reference", "date", "scope", "first_author",
                    "presented_in_person")


def rules_peer(row) -> rules.PeerItem:
    """One entry as a rules.PeerItem (item id P<pk>). The event is the entry's event, else (entries made before
    the field existed) its reference; the engine falls back to the title. An unstated answer is no."""
    pk, kind, title, event, reference, day, scope, first_author, presented = row
    return rules.PeerItem(item_id=f"P{pk}", kind=kind, title=title, event=event or reference, day=day, scope=scope,
                          first_author=bool(first_author), presented_in_person=bool(presented))


def peer_recognition(trainee: User) -> rules.PeerRecognition:
    """The trainee's entries as the rules read them: items (distinct events, orals' conditions), no declared counts."""
    rows = PeerRecognition.objects.filter(trainee=trainee).order_by("pk").values_list(*PEER_ROW_COLUMNS)
    return _peer(rows)


def _peer(rows) -> rules.PeerRecognition:
    return rules.PeerRecognition(items=tuple(rules_peer(row) for row in rows))


def peer_overview(trainee: User) -> dict:
    """What the peer-recognition page shows: the counts per alternative (distinct events, as the rules count
    them), the EACVI Level 3 minimum of each, and, per entry pk, why it does not count ('' = counted)."""
    from cmrnet.rules.candidate_rules import peer_counts

    items = peer_recognition(trainee).items
    counts, refused = peer_counts(items)
    reasons = dict(refused)
    params = rules.load_ruleset("eacvi-2025").route("level3-direct").params
    need = {"cme_faculty": params["peer_cme_faculty_min"], "invited_talks": params["peer_invited_talks_min"],
            "publications": params["peer_publications_min"], "first_author_orals": params["peer_first_author_orals_min"]}
    return {"counts": counts, "need": need, "posters": sum(1 for i in items if i.kind == "poster"),
            "reasons": {int(i.item_id[1:]): reasons.get(i.item_id, "") for i in items}}


def level2_certification(trainee: User) -> Certification | None:
    certs = Certification.objects.filter(holder=trainee, body=Body.EACVI, level=2).order_by("-awarded_on")
    return next((c for c in certs if not c.revoked), None)


def _in_level2_logbook(case: Case, cert: Certification | None, until: dt.date | None) -> bool:
    if until is not None:
        return case.study_date <= until
    return cert is not None and case.study_date < cert.awarded_on


# A case as the rules and the progress page read it: loaded as plain tuples (values_list), no model objects.
# Keep in step with rules_case(): tests/logbook/test_lists_at_scale.py checks both give the same rules.Case.
CASE_ROW_COLUMNS = ("trainee_id", "pk", "status", "supervisor_id", "case_id", "study_date", "patient_key", "category",
                    "normal", "source", "course_id", "role", "control_room", "supervisor__email", "clinical_change",
                    "full_review", "mode")


@dataclass(frozen=True, slots=True)
class CaseRow:
    pk: int
    status: str
    supervisor_id: int | None
    rule: rules.Case

    @property
    def study_date(self) -> dt.date:
        return self.rule.study_date


def _case_row(row: tuple) -> CaseRow:
    (_trainee, pk, status, supervisor_id, case_id, study_date, key, category, normal, source, course_id, role,
     control_room, supervisor_email, clinical_change, full_review, mode) = row
    return CaseRow(pk, status, supervisor_id, rules.Case(
        case_id=case_id, study_date=study_date, patient_key=key, category=category, normal=normal, source=source,
        course_id=course_id, role=role, control_room=control_room, supervisor_id=supervisor_email or "",
        clinical_change=clinical_change, full_review=full_review, mode=mode))


@dataclass
class LogbookBundle:
    """Everything the rules read about one trainee, loaded once per request (or once for a whole cohort):
    the cases (sequence order, supervisors joined), training, CME, peer-recognition items, the Level 2
    certification, logbook settings, the latest EACVI exam pass and the supervisors' certifications."""

    trainee: User
    cases: list[CaseRow]                        # in sequence order
    training: list[TrainingPeriod]
    cme: list[CmeActivity]
    peer: rules.PeerRecognition
    level2: Certification | None
    settings: LogbookSettings
    exam: object | None                         # people.ExamPass
    certs: dict[int, list[Certification]] = field(default_factory=dict)   # supervisor pk -> certifications


def _group(rows, key) -> dict:
    grouped: dict = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def load_bundles(trainees) -> dict[int, LogbookBundle]:
    """One LogbookBundle per trainee, in a fixed number of queries whatever the number of trainees or cases."""
    from cmrnet.people.models import ExamPass

    trainees = list(trainees)
    ids = [t.pk for t in trainees]
    cases: dict = defaultdict(list)
    for row in Case.objects.filter(trainee_id__in=ids).order_by("trainee_id", "sequence").values_list(*CASE_ROW_COLUMNS):
        cases[row[0]].append(_case_row(row))
    training = _group(TrainingPeriod.objects.filter(trainee_id__in=ids).select_related("supervisor").order_by("pk"),
                      lambda p: p.trainee_id)
    cme = _group(CmeActivity.objects.filter(trainee_id__in=ids).order_by("pk"), lambda a: a.trainee_id)
    peer = _group(PeerRecognition.objects.filter(trainee_id__in=ids).order_by("pk").values_list(
        "trainee_id", *PEER_ROW_COLUMNS), lambda r: r[0])
    level2 = _group(Certification.objects.filter(holder_id__in=ids, body=Body.EACVI, level=2, revoked=False)
                    .order_by("-awarded_on"), lambda c: c.holder_id)
    settings = {s.trainee_id: s for s in LogbookSettings.objects.filter(trainee_id__in=ids)}
    exams = _group(ExamPass.objects.filter(person_id__in=ids, body=Body.EACVI).order_by("-exam_date"),
                   lambda e: e.person_id)
    supervisor_ids = {c.supervisor_id for rows in cases.values() for c in rows if c.supervisor_id}
    supervisor_ids |= {p.supervisor_id for rows in training.values() for p in rows if p.supervisor_id}
    certs = _group(Certification.objects.filter(holder_id__in=supervisor_ids).select_related("holder"),
                   lambda c: c.holder_id) if supervisor_ids else {}
    bundles = {}
    for trainee in trainees:
        own_cases, own_training = cases.get(trainee.pk, []), training.get(trainee.pk, [])
        used = {c.supervisor_id for c in own_cases} | {p.supervisor_id for p in own_training}
        bundles[trainee.pk] = LogbookBundle(
            trainee=trainee, cases=own_cases, training=own_training, cme=cme.get(trainee.pk, []),
            peer=_peer(row[1:] for row in peer.get(trainee.pk, [])), level2=next(iter(level2.get(trainee.pk, [])), None),
            settings=settings.get(trainee.pk) or LogbookSettings(trainee=trainee),
            exam=next(iter(exams.get(trainee.pk, [])), None),
            certs={pk: certs.get(pk, []) for pk in used if pk})
    return bundles


def bundle_for(trainee: User) -> LogbookBundle:
    return load_bundles([trainee])[trainee.pk]


def application_data_for(trainee: User, *, today: dt.date, verified_only: bool = False,
                         declaration_signed: bool = False, deadline_override: dt.date | None = None,
                         route: str | None = None, bundle: LogbookBundle | None = None) -> rules.ApplicationData:
    """The trainee's logbook, training, CME and standing as rule-engine ApplicationData.

    verified_only: count only cases a supervisor verified (used once the supervisor's declaration
    is signed). deadline_override: an approved logbook deadline (Candidate.logbook_deadline).
    route: "level3-via-level2" puts the Level 2 logbook's cases in candidate.level2 and only later
    cases in .cases; other routes get every case in .cases. With route=None the split is made when
    the trainee holds an EACVI Level 2 certification. The application date is left empty (the
    rules then judge on `today`); use dataclasses.replace(data.candidate, application_date=...) to set it.
    bundle: the trainee's LogbookBundle when the caller already loaded it (nothing is read again).
    """
    bundle = bundle or bundle_for(trainee)
    all_cases = bundle.cases
    if verified_only:
        all_cases = [c for c in all_cases if c.status == "verified"]
    training = bundle.training
    cert = bundle.level2
    until = bundle.settings.level2_logbook_until
    split = route == VIA_LEVEL2 or (route is None and cert is not None)
    level2 = None
    cases = all_cases
    if cert is not None or (route == VIA_LEVEL2 and until is not None):
        earlier = [c for c in all_cases if _in_level2_logbook(c, cert, until)]
        if cert is not None:
            used = bundle.settings
            level2 = rules.Level2Certificate(
                cert.awarded_on, cert.valid_until, tuple(c.rule for c in earlier),
                training_ids=None if used.level2_training_ids is None else tuple(used.level2_training_ids),
                cme_ids=None if used.level2_cme_ids is None else tuple(used.level2_cme_ids))
        if split:
            ids = {c.pk for c in earlier}
            cases = [c for c in all_cases if c.pk not in ids]
    exam = bundle.exam
    candidate = rules.Candidate(
        exam_date=exam.exam_date if exam else None,
        exam_passed=exam is not None,
        registration_valid_until=trainee.registration_valid_until,
        acls_valid_until=trainee.acls_valid_until,
        application_date=None,
        supervisor_declaration=declaration_signed,
        peer_recognition=bundle.peer,
        level2=level2,
        logbook_deadline=deadline_override,
    )
    supervisor_ids = {c.supervisor_id for c in all_cases if c.supervisor_id}
    supervisor_ids |= {p.supervisor_id for p in training if p.supervisor_id}
    certs = [cert.as_rule_cert(supervisor_ref(cert.holder)) for pk in supervisor_ids for cert in bundle.certs.get(pk, [])]
    return rules.ApplicationData(
        candidate=candidate,
        cases=tuple(c.rule for c in cases),
        supervisors=tuple(sorted(certs, key=lambda c: (c.supervisor_id, c.awarded_on, c.body, c.level))),
        training=tuple(map(rules_training, training)),
        cme=tuple(map(rules_cme, bundle.cme)),
    )


def evaluate_for(trainee: User, *, ruleset: str, route: str, today: dt.date, verified_only: bool = False,
                 declaration_signed: bool = False, deadline_override: dt.date | None = None,
                 bundle: LogbookBundle | None = None) -> rules.Evaluation:
    """Evaluate the trainee's logbook against one route of one rule set as of `today`."""
    data = application_data_for(trainee, today=today, verified_only=verified_only,
                                declaration_signed=declaration_signed, deadline_override=deadline_override,
                                route=route, bundle=bundle)
    return rules.evaluate(rules.load_ruleset(ruleset), route, data, today=today)


def logbook_version(trainee: User) -> str:
    """sha256 over the canonical content of the logbook: cases (with verification), training,
    CME (with certificate file), peer recognition and logbook settings. Any change changes it."""
    content = {
        # full_review joins a case's row only when recorded, so logbooks hashed before it existed keep their version.
        "cases": [row[:-1] if row[-1] is None else row for row in Case.objects.filter(
            trainee=trainee).order_by("pk").values_list(
            "pk", "case_id", "study_date", "patient_key", "category", "normal", "source", "course_id", "role",
            "control_room", "supervisor_id", "clinical_change", "centre_id", "status", "verification_comment",
            "verified_by_id", "verified_at", "full_review")],
        # The mode joins a period's row only when remote, so logbooks hashed before it existed keep their version.
        "training": [row[:-1] if row[-1] == "in_person" else row for row in TrainingPeriod.objects.filter(
            trainee=trainee).order_by("pk").values_list(
            "pk", "start_date", "end_date", "hours_per_week", "supervisor_id", "centre", "mode")],
        "cme": [row if row[-1] else row[:-1] for row in CmeActivity.objects.filter(trainee=trainee).order_by(
            "pk").values_list(
            "pk", "title", "provider", "kind", "start_date", "end_date", "credits", "modalities", "catalog_id",
            "certificate", "full_attendance")],
        # event, scope and the orals' answers join an entry's row only when not the defaults, so logbooks hashed
        # before they existed keep their version (but an old first-author oral became kind "oral", first author).
        "peer": [row[:6] if row[6:] == ("", "international", None, None) else row for row in
                 PeerRecognition.objects.filter(trainee=trainee).order_by("pk").values_list(
                     "pk", "kind", "title", "date", "reference", "evidence", "event", "scope", "first_author",
                     "presented_in_person")],
        "settings": list(LogbookSettings.objects.filter(trainee=trainee).values_list(
            "ruleset", "route", "level2_logbook_until")),
    }
    text = json.dumps(content, default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# ----------------------------------------------------------------------------
# The progress dashboard
# ----------------------------------------------------------------------------
def all_routes() -> list[tuple[rules.RuleSet, str]]:
    found = []
    for name in DASHBOARD_RULESETS:
        ruleset = rules.load_ruleset(name)
        found += [(ruleset, route_id) for route_id in ruleset.routes]
    return found


def evaluations_for(trainee: User, *, today: dt.date,
                    bundle: LogbookBundle | None = None) -> list[tuple[rules.RuleSet, rules.Evaluation]]:
    """Every route of the dashboard rule sets, evaluated on the trainee's logbook as of today
    (read once: pass the bundle when the caller has it)."""
    bundle = bundle or bundle_for(trainee)
    base = application_data_for(trainee, today=today, route="level2", bundle=bundle)
    split = None
    results = []
    for ruleset, route_id in all_routes():
        data = base
        if route_id == VIA_LEVEL2:
            split = split or application_data_for(trainee, today=today, route=VIA_LEVEL2, bundle=bundle)
            data = split
        results.append((ruleset, rules.evaluate(ruleset, route_id, data, today=today)))
    return results


def with_declaration(data: rules.ApplicationData, signed: bool) -> rules.ApplicationData:
    return replace(data, candidate=replace(data.candidate, supervisor_declaration=signed))
