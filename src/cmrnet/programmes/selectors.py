"""Reads for programmes: who may see what is decided here, for pages and API alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cmrnet.people.models import User
from cmrnet.people.roles import Role
from cmrnet.programmes import checklist as cl
from cmrnet.programmes import progress
from cmrnet.programmes.models import (Enrolment, Module, Programme, ProgrammeSession, Seat, SessionKind, WatchProgress)

ACTIVE = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)


def can_create(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.PROGRAMME_DIRECTOR, Role.NETWORK_ADMIN)


def can_manage(user: User, programme: Programme) -> bool:
    """The programme's director and network administrators."""
    return user.is_authenticated and (programme.director_id == user.pk or user.has_role(Role.NETWORK_ADMIN))


def is_faculty(user: User, programme: Programme) -> bool:
    return user.pk in (programme.director_id, programme.lead_id) or programme.faculty.filter(pk=user.pk).exists()


def can_teach(user: User, programme: Programme) -> bool:
    """Faculty (lead, director, faculty) and administrators: see the trainees' records of the programme."""
    return user.is_authenticated and (is_faculty(user, programme) or user.has_role(Role.NETWORK_ADMIN))


def programmes_for_user(user: User) -> QuerySet[Programme]:
    """Administrators: all. Others: those they direct, lead or teach, those they are enrolled in (any
    status), and those open for enrolment."""
    if not user.is_authenticated:
        return Programme.objects.none()
    qs = Programme.objects.select_related("host_centre", "director", "lead")
    if user.has_role(Role.NETWORK_ADMIN):
        return qs
    return qs.filter(Q(director=user) | Q(lead=user) | Q(faculty=user) | Q(enrolments__trainee=user)
                     | Q(enrolment_open=True)).distinct()


def get_programme_for_user(user: User, pk: int) -> Programme:
    try:
        return programmes_for_user(user).get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404("No such programme.") from None


def enrolment_of(user: User, programme: Programme) -> Enrolment | None:
    return Enrolment.objects.filter(programme=programme, trainee=user).first()


def enrolments_for_user(user: User, programme: Programme) -> QuerySet[Enrolment]:
    """The programme's enrolments: all for faculty and administrators; a trainee only their own."""
    qs = Enrolment.objects.filter(programme=programme).select_related("trainee", "trainee__centre")
    return qs if can_teach(user, programme) else qs.filter(trainee=user)


def get_enrolment_for_user(user: User, pk: int) -> Enrolment:
    enrolment = Enrolment.objects.select_related("programme", "trainee").filter(pk=pk).first()
    if enrolment is None or not (enrolment.trainee_id == user.pk or can_teach(user, enrolment.programme)):
        raise Http404("No such enrolment.")
    return enrolment


def seats_taken(programme: Programme) -> int:
    return programme.enrolments.filter(status__in=ACTIVE).count()


def waiting_list(programme: Programme) -> list[Enrolment]:
    return list(programme.enrolments.filter(status=Enrolment.Status.WAITLISTED).order_by("waitlisted_at", "pk")
                .select_related("trainee"))


# --------------------------------------------------------------------------- sessions
def sessions_for_user(user: User, programme: Programme) -> QuerySet[ProgrammeSession]:
    """Faculty and administrators: all sessions; an enrolled trainee too; others none."""
    qs = programme.sessions.select_related("module", "mentor", "live_session", "live_session__room").prefetch_related(
        "co_mentors").annotate(seated=Count("seats"))
    if can_teach(user, programme):
        return qs
    enrolment = enrolment_of(user, programme)
    return qs if enrolment and enrolment.status in ACTIVE else qs.none()


def get_session_for_user(user: User, pk: int) -> ProgrammeSession:
    session = ProgrammeSession.objects.select_related("programme", "live_session").filter(pk=pk).first()
    if session is None or not sessions_for_user(user, session.programme).filter(pk=pk).exists():
        raise Http404("No such session.")
    return session


def in_person_topics(programme: Programme) -> frozenset[str]:
    """The topics the programme makes in-person components (below its competence level)."""
    return frozenset(t for t, on in (("stress", programme.stress_in_person), ("devices", programme.devices_in_person)) if on)


def virtual_refusal(enrolment: Enrolment, session: ProgrammeSession) -> str | None:
    """Why the enrolled trainee may not take part in `session` virtually (stress testing or implanted-device
    scanning below the programme's competence level), or None."""
    programme = session.programme
    if not session.in_person_topic:
        return None
    return progress.in_person_refusal(topic=session.in_person_topic, in_person_topics=in_person_topics(programme),
                                      level=enrolment.competence_level, below_level=programme.in_person_below_level,
                                      centre=programme.host_centre.name)


def session_starts(session: ProgrammeSession) -> dt.datetime | None:
    return session.live_session.starts_at if session.live_session_id else None


# --------------------------------------------------------------------------- checklist
def programme_facts(programme: Programme) -> cl.ProgrammeFacts:
    from cmrnet.logbook.models import TrainingMode, TrainingPeriod

    modules = list(programme.modules.all())
    sessions = []
    for s in programme.sessions.select_related("live_session", "mentor").prefetch_related("cases", "co_mentors"):
        reading = reading_set_facts(s) if s.kind == SessionKind.INTERPRETATION else {}
        sessions.append(cl.SessionFact(kind=s.kind, title=s.title, has_video=bool(s.video), covers_safety=s.covers_safety,
                                       cancelled=bool(s.live_session_id and s.live_session.cancelled),
                                       has_mentor=bool(s.mentor_id), **reading))
    centre = programme.host_centre
    completed = set(Enrolment.objects.filter(programme__host_centre=centre, status=Enrolment.Status.COMPLETED,
                                             programme__delivery_mode="in_person").values_list("trainee_id", flat=True))
    on_site = set(TrainingPeriod.objects.filter(centre__iexact=centre.name, mode=TrainingMode.IN_PERSON)
                  .values_list("trainee_id", flat=True))
    verification = programme.verifications.first()
    return cl.ProgrammeFacts(
        title=programme.title, starts_on=programme.starts_on, ends_on=programme.ends_on,
        delivery_mode=programme.delivery_mode, modules=len(modules),
        objectives=sum(len(m.objective_list) for m in modules),
        modules_cover_safety=any(m.covers_safety for m in modules),
        lead_name=str(programme.lead), lead_certs=tuple(c.as_rule_cert(str(programme.lead_id))
                                                        for c in programme.lead.certifications.all()),
        lead_equivalent_expert=programme.lead_equivalent_expert,
        lead_equivalent_evidence=bool(programme.lead_equivalent_evidence),
        host_centre=centre.name, host_trainees_recorded=len(completed | on_site),
        host_trainees_declared=centre.trainees_trained,
        training_record_document=bool(programme.training_record_document), sessions=tuple(sessions),
        stress_in_person=programme.stress_in_person, devices_in_person=programme.devices_in_person,
        in_person_below_level=programme.in_person_below_level,
        video_equipment_statement=programme.video_equipment_statement, privacy_statement=programme.privacy_statement,
        scmr_feedback_arrangement=programme.scmr_feedback_arrangement,
        scmr_verified_on=verification.verified_on if verification else None,
        scmr_reference=verification.reference if verification else "")


def reading_set_facts(session: ProgrammeSession) -> dict:
    """What the interpretation app holds of a session's reading set: published cases, their categories, and
    the readings of them by trainees holding a place that the session's mentors have reviewed."""
    from cmrnet.interpretation.models import Interpretation, Status
    from cmrnet.library.models import CaseStatus

    cases = [c for c in session.cases.all() if c.status == CaseStatus.PUBLISHED]
    reviewed = Interpretation.objects.filter(
        case__in=[c.pk for c in cases], mentor__in=[m.pk for m in session.mentors], status=Status.REVIEWED,
        trainee__in=session.seats.values("trainee_id")).count() if cases else 0
    return {"reading_set": len(cases), "case_categories": tuple(sorted({c.category for c in cases})), "reviewed": reviewed}


def reading_set_for_user(user: User, session: ProgrammeSession) -> list[tuple]:
    """The reading set as the session page shows it: (case, the user's own reading or None, readings, reviewed)
    for faculty (counts over the trainees holding a place), (case, own reading, None, None) for a trainee."""
    from cmrnet.interpretation.models import Interpretation, Status

    cases = list(session.cases.order_by("category", "pseudonym"))
    own = {r.case_id: r for r in Interpretation.objects.filter(trainee=user, case__in=cases)}
    if not can_teach(user, session.programme):
        return [(c, own.get(c.pk), None, None) for c in cases]
    readings = Interpretation.objects.filter(case__in=cases, trainee__in=session.seats.values("trainee_id"))
    counts = {c.pk: [0, 0] for c in cases}
    for case_id, status in readings.values_list("case_id", "status"):
        counts[case_id][0] += 1
        counts[case_id][1] += status == Status.REVIEWED
    return [(c, own.get(c.pk), *counts[c.pk]) for c in cases]


def checklist(programme: Programme, *, today: dt.date) -> cl.Checklist:
    return cl.evaluate_checklist(programme_facts(programme), today=today)


# --------------------------------------------------------------------------- attendance and progress
@dataclass(frozen=True)
class SessionRecord:
    session: ProgrammeSession
    expected: bool          # the trainee is expected (all trainees; small groups only those seated)
    attended: bool
    detail: str


def _live_seconds(session: ProgrammeSession, trainee: User, *, now: dt.datetime) -> tuple[int, int] | None:
    """Seconds the trainee was present in the session's room between its start and end (several
    connections merged, a silent connection ending when last seen, as live attendance counts), and the
    session's scheduled seconds."""
    from cmrnet.live import attendance as att
    from cmrnet.live.models import Presence
    from cmrnet.live.selectors import STALE_AFTER

    if not session.live_session_id:
        return None
    ls = session.live_session
    spans = att.merge(att.presence_interval(p.joined_at, p.left_at, p.last_seen, now=now, stale_after=STALE_AFTER)
                      for p in Presence.objects.filter(room__session=ls, person=trainee))
    return att.attended_seconds(spans, window=(ls.starts_at, ls.ends_at)), int((ls.ends_at - ls.starts_at).total_seconds())


def attendance_record(trainee: User, programme: Programme, *, now: dt.datetime) -> list[SessionRecord]:
    """One line per session of the programme: expected, attended, and how it was measured (watch
    progress for recorded lectures, presence in the live room for live sessions)."""
    seated = set(Seat.objects.filter(trainee=trainee, session__programme=programme).values_list("session_id", flat=True))
    enrolment = enrolment_of(trainee, programme)
    watched = {w.session_id: w for w in WatchProgress.objects.filter(trainee=trainee, session__programme=programme)}
    records = []
    for session in programme.sessions.select_related("live_session", "module", "mentor"):
        expected = session.pk in seated if session.is_small_group else True
        if enrolment is not None and session.in_person_topic and virtual_refusal(enrolment, session):
            records.append(SessionRecord(session, False, False,
                                         f"in person (competence level {enrolment.competence_level} below "
                                         f"{programme.in_person_below_level})"))
            continue
        if session.kind == SessionKind.RECORDED_LECTURE:
            w = watched.get(session.pk)
            seconds = w.seconds_watched if w else 0
            share = progress.watched_share(seconds, session.video_seconds)
            records.append(SessionRecord(session, expected, progress.watched_enough(seconds, session.video_seconds),
                                         f"{float(share) * 100:.0f}% watched"))
            continue
        live = _live_seconds(session, trainee, now=now)
        if live is None:
            records.append(SessionRecord(session, expected, False, "not linked to a live room"))
        else:
            seconds, scheduled = live
            records.append(SessionRecord(session, expected, progress.present_enough(seconds, scheduled),
                                         f"{seconds // 60} of {scheduled // 60} minutes present"))
    return records


@dataclass(frozen=True)
class Progress:
    expected: int
    attended: int

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.expected) if self.expected else 0


def progress_of(records: list[SessionRecord]) -> Progress:
    expected = [r for r in records if r.expected]
    return Progress(len(expected), sum(1 for r in expected if r.attended))


def modules_of(programme: Programme) -> QuerySet[Module]:
    return programme.modules.prefetch_related("sessions")


# --------------------------------------------------------------------------- surveys
def survey_refusal(user: User, survey, *, today: dt.date) -> str | None:
    """Why `user` may not answer `survey` now (None: they may)."""
    from cmrnet.programmes.models import Survey

    programme = survey.programme
    if survey.audience == Survey.Audience.TRAINEES:
        enrolment = enrolment_of(user, programme)
        if enrolment is None or enrolment.status not in ACTIVE:
            return "This survey is for the programme's trainees."
    elif not is_faculty(user, programme):
        return "This survey is for the programme's mentors and faculty."
    if not survey.opens_on <= today <= survey.closes_on:
        return f"This survey is open from {survey.opens_on:%Y-%m-%d} to {survey.closes_on:%Y-%m-%d}."
    if survey.submissions.filter(respondent=user).exists():
        return "You have answered this survey (answers cannot be changed: they are kept apart from your name)."
    return None


def surveys_for_user(user: User, programme: Programme):
    """Faculty: every survey; trainees: those for trainees (if enrolled)."""
    qs = programme.surveys.all()
    if can_teach(user, programme):
        return qs
    enrolment = enrolment_of(user, programme)
    return qs.filter(audience="trainees") if enrolment and enrolment.status in ACTIVE else qs.none()


def get_survey_for_user(user: User, pk: int):
    from cmrnet.programmes.models import Survey

    survey = Survey.objects.select_related("programme").filter(pk=pk).first()
    if survey is None or not surveys_for_user(user, survey.programme).filter(pk=pk).exists():
        raise Http404("No such survey.")
    return survey


def survey_results(survey) -> list:
    from cmrnet.programmes import outcomes

    results = []
    for q in survey.questions.prefetch_related("answers"):
        answers = list(q.answers.all())
        results.append(outcomes.aggregate(q.text, q.kind, likert=[a.likert for a in answers if a.likert is not None],
                                          texts=[a.text for a in answers], min_group=survey.min_group_size))
    return results


def programme_survey_score(programme: Programme):
    """Mean of the Likert answers of the programme's trainee surveys, from questions shown (min group size)."""
    from fractions import Fraction

    means = [r.mean for s in programme.surveys.filter(audience="trainees") for r in survey_results(s)
             if r.shown and r.kind == "likert"]
    return round(float(sum(means, Fraction(0)) / len(means)), 2) if means else None


# --------------------------------------------------------------------------- outcomes
def participants(records) -> list:
    from cmrnet.programmes import outcomes

    return [outcomes.Participant(off_site_days=r.off_site_days, days_to_first_own_scan=r.days_to_first_own_scan,
                                 attendance_percent=r.attendance_percent, completed=r.completed, exam_passed=r.exam_passed,
                                 survey_score=float(r.survey_score) if r.survey_score is not None else None,
                                 surveyed=r.surveyed) for r in records]


def comparison() -> dict:
    """Network teaching vs traditional fellowship: every cohort of each kind pooled, plus each cohort."""
    from cmrnet.programmes import outcomes
    from cmrnet.programmes.models import Cohort, OutcomeRecord

    groups = {}
    for kind, label in Cohort.Kind.choices:
        people = participants(OutcomeRecord.objects.filter(cohort__kind=kind))
        groups[kind] = {"label": label, "summary": outcomes.summarise(people),
                        "first_scan": outcomes.first_scan_distribution(people),
                        "off_site": outcomes.off_site_distribution(people)}
    cohorts = [(c, outcomes.summarise(participants(c.records.all()))) for c in Cohort.objects.all()]
    return {"groups": groups, "cohorts": cohorts,
            "surveyed": sum(g["summary"].surveyed for g in groups.values())}


# --------------------------------------------------------------------------- completion certificates
COMPLETION_DISCLAIMER = ("A programme completion is not a board certification: SCMR and EACVI verify or certify CMR "
                         "competence separately.")


def completion_by_code(code: str):
    """A programme completion certificate as the certification register's public verification shows it
    (registered with `certification.selectors.register_code_lookup`), or None."""
    from cmrnet.certification.selectors import VerifiedDocument
    from cmrnet.programmes.models import CompletionCertificate

    certificate = CompletionCertificate.objects.select_related(
        "enrolment__trainee", "enrolment__programme__host_centre", "enrolment__determination").filter(code=code).first()
    if certificate is None:
        return None
    enrolment, programme = certificate.enrolment, certificate.enrolment.programme
    determination = getattr(enrolment, "determination", None)
    facts = (("Programme", programme.title), ("Host centre", programme.host_centre.name),
             ("Dates", f"{programme.starts_on:%Y-%m-%d} to {programme.ends_on:%Y-%m-%d}"),
             ("Final determination", f"competent, on {determination.decided_on:%Y-%m-%d}, by the programme director"
              if determination else "-"),
             ("Issued", f"{certificate.issued_at:%Y-%m-%d}"))
    return VerifiedDocument(kind="programme_completion", title="Programme completion certificate",
                            name=enrolment.trainee.full_name, facts=facts, disclaimer=COMPLETION_DISCLAIMER)
