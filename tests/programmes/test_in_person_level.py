"""Stress testing and implanted-device scanning are in-person components below the programme's competence level:
refused at place-taking, at the programme's join and in the live room itself (page and WebSocket path), audited;
tested exactly at the level and one below."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.live import selectors as live_selectors
from cmrnet.live import services as live_services
from cmrnet.live.models import Participant
from cmrnet.programmes import progress, selectors, services

from .conftest import VIDEO, live_times

STRESS_BELOW_2 = ("Stress testing is an in-person component of this programme for trainees below competence level 2 "
                  "(yours: 1): take part in person at Test Heart Centre, not in the live room.")


# --------------------------------------------------------------------------- the pure rule
@pytest.mark.parametrize(("level", "refused"), [(0, True), (1, True), (2, False), (3, False)])
def test_the_rule_refuses_below_the_level_and_allows_exactly_at_it(level, refused):
    reason = progress.in_person_refusal(topic="stress", in_person_topics={"stress", "devices"}, level=level, below_level=2)
    assert (reason is not None) is refused
    if refused:
        assert reason.startswith("Stress testing is an in-person component") and f"(yours: {level})" in reason


def test_the_rule_ignores_topics_the_programme_does_not_make_in_person_and_sessions_without_a_topic():
    assert progress.in_person_refusal(topic="devices", in_person_topics={"stress"}, level=0, below_level=3) is None
    assert progress.in_person_refusal(topic="", in_person_topics={"stress", "devices"}, level=0, below_level=3) is None
    assert "Implanted-device scanning" in progress.in_person_refusal(topic="devices", in_person_topics={"devices"},
                                                                     level=2, below_level=3)


# --------------------------------------------------------------------------- through the services and the room


@pytest.fixture
def stress_group(open_programme, director, mentor):
    start, end = live_times(16)
    return services.add_session(by=director, programme=open_programme, kind="scan_observation", title="Stress perfusion",
                                mentor=mentor, starts_at=start, ends_at=end, in_person_topic="stress")


@pytest.fixture
def at_level_and_below(open_programme, make_trainees, enrol, mentor):
    """Two enrolled trainees: one exactly at the programme's level (2), one a level below."""
    assert open_programme.in_person_below_level == 2 and open_programme.stress_in_person
    at, below = make_trainees(2)
    services.set_competence_level(by=mentor, enrolment=enrol(open_programme, at), level=2)
    services.set_competence_level(by=mentor, enrolment=enrol(open_programme, below), level=1)
    return at, below


@pytest.mark.django_db
def test_a_trainee_one_level_below_cannot_take_a_place_and_the_refusal_is_audited(stress_group, at_level_and_below):
    at, below = at_level_and_below
    with pytest.raises(ValidationError) as exc:
        services.take_seat(by=below, session=stress_group, now=timezone.now())
    assert exc.value.messages == [STRESS_BELOW_2]
    assert not stress_group.seats.filter(trainee=below).exists()
    assert not Participant.objects.filter(room=stress_group.live_session.room, person=below).exists()
    entry = AuditEntry.objects.get(action="programme.seat_refused", actor=below)
    assert entry.data["reason"] == STRESS_BELOW_2 and entry.data["competence_level"] == 1
    # exactly at the level: the place is taken and the room admits them
    services.take_seat(by=at, session=stress_group, now=timezone.now())
    assert services.join_refusal(at, stress_group) is None
    room = stress_group.live_session.room
    assert live_selectors.join_refusal(at, room, on=timezone.localdate()) is None
    assert services.join_session(by=at, session=stress_group, now=timezone.now()) == room


@pytest.mark.django_db
def test_the_live_room_itself_refuses_a_trainee_below_the_level_even_when_invited(stress_group, at_level_and_below, director):
    at, below = at_level_and_below
    room = stress_group.live_session.room
    # invited to the room some other way (e.g. by the organiser): the room's gate still refuses
    live_services.invite(by=director, room=room, person=below, role="trainee", notify=False)
    assert live_selectors.join_refusal(below, room, on=timezone.localdate()) == STRESS_BELOW_2
    with pytest.raises(live_services.RoomRefused, match="in-person component"):
        live_services.record_join(room=room, person=below, peer_id="p-below", at=timezone.now())
    refused = AuditEntry.objects.get(action="live.room_refused", actor=below)
    assert refused.data["reason"] == STRESS_BELOW_2
    assert not room.presences.filter(person=below).exists()


@pytest.mark.django_db
def test_lowering_a_trainees_level_gives_up_their_place_and_closes_the_room_to_them(stress_group, at_level_and_below, mentor):
    at, _ = at_level_and_below
    services.take_seat(by=at, session=stress_group, now=timezone.now())
    enrolment = selectors.enrolment_of(at, stress_group.programme)
    changed = services.set_competence_level(by=mentor, enrolment=enrolment, level=1)
    assert changed.released_places == ["Stress perfusion"]
    assert not stress_group.seats.filter(trainee=at).exists()
    assert not Participant.objects.filter(room=stress_group.live_session.room, person=at).exists()
    entry = AuditEntry.objects.filter(action="programme.competence_level_set").latest("pk")
    assert entry.data["places_released"] == [stress_group.pk] and entry.changes["competence_level"] == [2, 1]
    assert services.join_refusal(at, stress_group) == STRESS_BELOW_2


@pytest.mark.django_db
def test_the_programme_join_page_refuses_with_the_message_and_audits(stress_group, at_level_and_below, client_for):
    _, below = at_level_and_below
    page = client_for(below).post(f"/programmes/sessions/{stress_group.pk}/join/", follow=True)
    text = page.content.decode()
    assert page.redirect_chain[-1][0] == f"/programmes/sessions/{stress_group.pk}/"
    assert "in-person component of this programme for trainees below competence level 2" in text
    assert 'id="take-seat"' not in text  # no place to take at this level
    entry = AuditEntry.objects.get(action="programme.join_refused", actor=below)
    assert entry.data == {"session_id": stress_group.pk, "reason": STRESS_BELOW_2}


@pytest.mark.django_db
def test_a_device_session_without_places_is_refused_below_and_entered_at_the_level(open_programme, director, mentor,
                                                                                  at_level_and_below, client_for):
    at, below = at_level_and_below
    start, end = live_times(18)
    devices = services.add_session(by=director, programme=open_programme, kind="planning", title="Pacemaker protocol",
                                   mentor=mentor, starts_at=start, ends_at=end, in_person_topic="devices")
    assert "Implanted-device scanning" in services.join_refusal(below, devices)
    with pytest.raises(ValidationError):
        services.join_session(by=below, session=devices, now=timezone.now())
    # at the level: the join invites them to the room (no place needed) and sends them in
    response = client_for(at).post(f"/programmes/sessions/{devices.pk}/join/")
    assert response.status_code == 302 and response["Location"] == f"/live/rooms/{devices.live_session.room.pk}/"
    assert Participant.objects.filter(room=devices.live_session.room, person=at, role="trainee").exists()
    # the attendance record does not expect the trainee below the level in the room
    record = {r.session.pk: r for r in selectors.attendance_record(below, open_programme, now=timezone.now())}
    assert record[devices.pk].expected is False and record[devices.pk].detail == "in person (competence level 1 below 2)"
    assert record[devices.pk].attended is False
    assert {r.session.pk: r for r in selectors.attendance_record(at, open_programme, now=timezone.now())}[devices.pk].expected


@pytest.mark.django_db
def test_a_topic_the_programme_leaves_virtual_is_open_to_every_level_and_faculty_are_never_refused(
        stress_group, at_level_and_below, director, mentor):
    _, below = at_level_and_below
    programme = stress_group.programme
    services.update_programme(by=director, programme=programme, stress_in_person=False)
    stress_group.refresh_from_db()
    assert services.join_refusal(below, stress_group) == "Take a place in this small group first."
    services.take_seat(by=below, session=stress_group, now=timezone.now())
    assert services.join_refusal(below, stress_group) is None
    services.update_programme(by=director, programme=programme, stress_in_person=True)
    stress_group.refresh_from_db()
    assert services.join_refusal(mentor, stress_group) is None


@pytest.mark.django_db
def test_a_recorded_lecture_cannot_be_an_in_person_component(open_programme, director):
    with pytest.raises(ValidationError) as exc:
        services.add_session(by=director, programme=open_programme, kind="recorded_lecture", title="Stress lecture",
                             video=SimpleUploadedFile("s.mp4", VIDEO), video_seconds=10, in_person_topic="stress")
    assert "in_person_topic" in exc.value.message_dict
