"""Programmes, enrolment with a waiting list, the checklist blocking enrolment, sessions and caps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.live.models import Participant
from cmrnet.programmes import selectors, services
from cmrnet.programmes.models import Enrolment, SessionKind

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 10)


def test_enrolment_cannot_open_while_a_mandatory_stipulation_is_unmet_and_says_what_is_missing(draft, director):
    with pytest.raises(ValidationError) as exc:
        services.open_enrolment(by=director, programme=draft, today=TODAY)
    text = " ".join(exc.value.messages)
    assert "add at least one module with its learning objectives" in text
    assert "schedule a live scan-observation session" in text
    assert "write the video equipment statement" in text
    draft.refresh_from_db()
    assert not draft.enrolment_open


def test_a_complete_programme_opens_enrolment_and_the_change_is_audited(complete_programme, director):
    assert selectors.checklist(complete_programme, today=TODAY).may_open
    services.open_enrolment(by=director, programme=complete_programme, today=TODAY)
    complete_programme.refresh_from_db()
    assert complete_programme.enrolment_open
    assert AuditEntry.objects.filter(action="programme.enrolment_opened", object_id=str(complete_programme.pk)).exists()


def test_the_lead_level3_expiring_the_day_before_the_start_blocks_enrolment(complete_programme, director, lead):
    lead.certifications.update(valid_until=dt.date(2026, 3, 1))
    result = selectors.checklist(complete_programme, today=TODAY)
    assert result.item("lead").status == "unmet"
    with pytest.raises(ValidationError):
        services.open_enrolment(by=director, programme=complete_programme, today=TODAY)


def test_only_the_director_opens_enrolment(complete_programme, mentor):
    with pytest.raises(PermissionDenied):
        services.open_enrolment(by=mentor, programme=complete_programme, today=TODAY)


def test_applications_fill_the_capacity_then_the_waiting_list_moves_up_on_withdrawal(open_programme, make_trainees, enrol):
    trainees = make_trainees(6)
    enrolments = [enrol(open_programme, t) for t in trainees]
    assert [e.status for e in enrolments] == ["enrolled"] * 5 + ["waitlisted"]
    services.withdraw(by=trainees[0], enrolment=enrolments[0], now=timezone.now())
    enrolments[5].refresh_from_db()
    assert enrolments[5].status == Enrolment.Status.ENROLLED
    assert selectors.seats_taken(open_programme) == 5


def test_invitation_programmes_refuse_applications_and_the_trainee_accepts(open_programme, director, trainee):
    open_programme.enrolment_policy = "invitation"
    open_programme.save()
    with pytest.raises(ValidationError, match="invitation only"):
        services.apply(by=trainee, programme=open_programme, now=timezone.now())
    enrolment = services.invite_trainee(by=director, programme=open_programme, trainee=trainee, now=timezone.now())
    with pytest.raises(PermissionDenied):
        services.accept(by=director, enrolment=enrolment, now=timezone.now())
    assert services.accept(by=trainee, enrolment=enrolment, now=timezone.now()).status == "enrolled"


def test_a_closed_programme_refuses_applications(complete_programme, trainee):
    with pytest.raises(ValidationError, match="not open"):
        services.apply(by=trainee, programme=complete_programme, now=timezone.now())


def test_a_small_group_of_four_refuses_the_fifth_at_enrolment_and_at_join(open_programme, make_trainees, enrol):
    group = open_programme.sessions.get(kind=SessionKind.INTERPRETATION)
    assert group.effective_cap == 4
    trainees = make_trainees(5)
    for t in trainees:
        enrol(open_programme, t)
    for t in trainees[:4]:
        services.take_seat(by=t, session=group, now=timezone.now())
    with pytest.raises(ValidationError, match=r"full \(4 trainees per mentor\)"):
        services.take_seat(by=trainees[4], session=group, now=timezone.now())
    assert group.seats.count() == 4
    assert AuditEntry.objects.filter(action="programme.seat_refused").count() == 1
    # seated trainees are invited to the live room; the fifth is not, and the join check refuses them
    invited = set(Participant.objects.filter(room=group.live_session.room, role="trainee").values_list("person_id", flat=True))
    assert invited == {t.pk for t in trainees[:4]}
    assert services.join_refusal(trainees[0], group) is None
    assert services.join_refusal(trainees[4], group) == "This small group is full (4 trainees per mentor)."
    # the cap lowered to 3 after four places were taken: the fourth loses the right to join
    group.cap = 3
    group.save()
    assert services.join_refusal(trainees[3], group) == "This small group is full (3 trainees per mentor)."


def test_didactic_sessions_have_no_cap(open_programme):
    didactic = open_programme.sessions.get(kind=SessionKind.DIDACTIC_LIVE)
    assert didactic.effective_cap is None


def test_watch_progress_counts_distinct_seconds_and_attends_at_90_percent(open_programme, trainee, enrol):
    enrol(open_programme, trainee)
    lecture = open_programme.sessions.get(kind=SessionKind.RECORDED_LECTURE)
    now = timezone.now()
    services.record_watch(by=trainee, session=lecture, start=0, end=50, now=now)
    services.record_watch(by=trainee, session=lecture, start=20, end=50, now=now)     # replay: nothing new
    row = services.record_watch(by=trainee, session=lecture, start=50, end=89, now=now)
    assert row.seconds_watched == 89
    record = next(r for r in selectors.attendance_record(trainee, open_programme, now=now) if r.session == lecture)
    assert not record.attended and record.detail == "89% watched"
    services.record_watch(by=trainee, session=lecture, start=89, end=90, now=now)
    record = next(r for r in selectors.attendance_record(trainee, open_programme, now=now) if r.session == lecture)
    assert record.attended
    assert AuditEntry.objects.filter(action="programme.lecture_watched").count() == 1


def test_only_enrolled_trainees_record_watch_progress(open_programme, other_trainee):
    lecture = open_programme.sessions.get(kind=SessionKind.RECORDED_LECTURE)
    with pytest.raises(PermissionDenied):
        services.record_watch(by=other_trainee, session=lecture, start=0, end=10, now=timezone.now())


def test_live_attendance_comes_from_presence_in_the_linked_room(open_programme, trainee, enrol):
    from cmrnet.live.models import Presence

    enrol(open_programme, trainee)
    scan = open_programme.sessions.get(kind=SessionKind.SCAN_OBSERVATION)
    services.take_seat(by=trainee, session=scan, now=timezone.now())
    ls = scan.live_session
    Presence.objects.create(room=ls.room, person=trainee, peer_id="p1", joined_at=ls.starts_at,
                            last_seen=ls.starts_at + dt.timedelta(minutes=44), left_at=ls.starts_at + dt.timedelta(minutes=44))
    later = ls.ends_at + dt.timedelta(hours=1)
    record = next(r for r in selectors.attendance_record(trainee, open_programme, now=later) if r.session == scan)
    assert (record.attended, record.detail) == (False, "44 of 60 minutes present")
    Presence.objects.create(room=ls.room, person=trainee, peer_id="p2", joined_at=ls.starts_at + dt.timedelta(minutes=44),
                            last_seen=ls.starts_at + dt.timedelta(minutes=45), left_at=ls.starts_at + dt.timedelta(minutes=45))
    record = next(r for r in selectors.attendance_record(trainee, open_programme, now=later) if r.session == scan)
    assert record.attended


def test_the_final_determination_needs_an_in_person_assessment_and_only_the_director_records_it(
        open_programme, director, mentor, trainee, enrol):
    enrolment = enrol(open_programme, trainee)
    with pytest.raises(PermissionDenied):
        services.record_determination(by=mentor, enrolment=enrolment, competent=True, decided_on=dt.date(2026, 6, 30))
    with pytest.raises(ValidationError, match="requires an in-person assessment"):
        services.record_determination(by=director, enrolment=enrolment, competent=True, decided_on=dt.date(2026, 6, 30))
    services.record_assessment(by=mentor, enrolment=enrolment, assessed_on=dt.date(2026, 6, 29), in_person=False)
    with pytest.raises(ValidationError):
        services.record_determination(by=director, enrolment=enrolment, competent=True, decided_on=dt.date(2026, 6, 30))
    services.record_assessment(by=mentor, enrolment=enrolment, assessed_on=dt.date(2026, 6, 30), in_person=True)
    determination = services.record_determination(by=director, enrolment=enrolment, competent=True, decided_on=dt.date(2026, 6, 30))
    enrolment.refresh_from_db()
    assert determination.assessment.in_person and enrolment.status == "completed"
    certificate = services.issue_certificate(by=director, enrolment=enrolment, now=timezone.now())
    assert len(certificate.code) >= 20


def test_no_certificate_without_a_competent_determination(open_programme, director, trainee, enrol):
    enrolment = enrol(open_programme, trainee)
    with pytest.raises(ValidationError):
        services.issue_certificate(by=director, enrolment=enrolment, now=timezone.now())
