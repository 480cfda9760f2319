"""Who may enter a room: invited people, the site's staff, supervisors of a trainee in it; nobody else.
Joins, leaves and refusals are audited; the cap counts open connections."""

import datetime as dt

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.live import selectors, services
from cmrnet.live.models import Presence
from cmrnet.people.services import add_supervision
from tests.live.conftest import START

DAY = START.date()


def test_invited_people_may_join(room, trainee, remote_mentor):
    assert selectors.can_join_room(trainee, room, on=DAY)
    assert selectors.can_join_room(remote_mentor, room, on=DAY)


def test_the_sites_technologist_and_nurse_may_join(room, technologist, nurse):
    assert selectors.can_join_room(technologist, room, on=DAY)
    assert selectors.can_join_room(nurse, room, on=DAY)


def test_staff_of_another_centre_may_not(room, make_person, other_centre):
    elsewhere = make_person("ivo@example.org", "technologist", at=other_centre)
    assert not selectors.can_join_room(elsewhere, room, on=DAY)


def test_a_trainee_of_the_same_centre_is_not_staff(room, make_person):
    colleague = make_person("tim@example.org", "trainee")
    assert not selectors.can_join_room(colleague, room, on=DAY)


def test_a_current_supervisor_of_a_trainee_in_the_room_may_join(room, trainee, make_person, other_centre):
    sup = make_person("sam@example.org", "mentor", at=other_centre)
    assert not selectors.can_join_room(sup, room, on=DAY)
    add_supervision(by=None, trainee=trainee, supervisor=sup, started_on=DAY)
    assert selectors.can_join_room(sup, room, on=DAY)
    assert not selectors.can_join_room(sup, room, on=DAY - dt.timedelta(days=1))  # the link starts that day


def test_strangers_are_refused_and_the_refusal_is_audited(room, other_trainee):
    with pytest.raises(services.RoomRefused, match="not invited"):
        services.record_join(room=room, person=other_trainee, peer_id="p1", at=START)
    entry = AuditEntry.objects.get(action="live.room_refused")
    assert entry.actor == other_trainee and "not invited" in entry.data["reason"]


def test_join_and_leave_are_audited_with_times(room, trainee):
    presence = services.record_join(room=room, person=trainee, peer_id="p1", at=START)
    services.record_leave(presence_id=presence.pk, at=START + dt.timedelta(minutes=42))
    assert AuditEntry.objects.filter(action="live.room_joined", actor=trainee).count() == 1
    assert AuditEntry.objects.get(action="live.room_left").data["minutes"] == 42
    assert services.record_leave(presence_id=presence.pk, at=START + dt.timedelta(minutes=50)) is None  # once only


def test_the_cap_counts_open_connections(room, trainee, remote_mentor, technologist):
    room.cap = 2
    room.save()
    services.record_join(room=room, person=trainee, peer_id="a", at=START)
    second = services.record_join(room=room, person=remote_mentor, peer_id="b", at=START)
    with pytest.raises(services.RoomRefused, match="full"):
        services.record_join(room=room, person=technologist, peer_id="c", at=START)
    services.record_leave(presence_id=second.pk, at=START + dt.timedelta(seconds=5))
    services.record_join(room=room, person=technologist, peer_id="c", at=START + dt.timedelta(seconds=6))


def test_a_connection_silent_for_over_a_minute_frees_its_place(room, trainee, remote_mentor):
    room.cap = 2
    room.save()
    services.record_join(room=room, person=trainee, peer_id="a", at=START)
    services.record_join(room=room, person=remote_mentor, peer_id="b", at=START)
    later = START + dt.timedelta(seconds=61)
    services.record_join(room=room, person=remote_mentor, peer_id="b2", at=later)  # the dead ones are stale now
    assert Presence.objects.filter(room=room).count() == 3


def test_a_cancelled_session_or_closed_room_cannot_be_entered(session, trainee, remote_mentor):
    services.cancel_session(by=remote_mentor, session=session, now=START)
    with pytest.raises(services.RoomRefused, match="cancelled"):
        services.record_join(room=session.room, person=trainee, peer_id="x", at=START)


def test_ad_hoc_room_from_a_supervision_link(supervision, trainee, remote_mentor, technologist, other_trainee):
    room = services.open_supervision_room(by=trainee, supervision=supervision)
    assert room.centre == trainee.centre and room.origin == "supervision"
    assert {p.person for p in room.participants.all()} == {trainee, remote_mentor}
    assert selectors.can_join_room(technologist, room, on=DAY)
    assert not selectors.can_join_room(other_trainee, room, on=DAY)
    assert selectors.is_remote_expert(remote_mentor, room) and not selectors.is_remote_expert(technologist, room)


def test_ice_servers_default_to_none_and_turn_credentials_are_time_limited(trainee, settings):
    assert selectors.ice_servers(trainee, now=START) == []
    settings.CMRNET_TURN_URLS = ["turns:turn.hospital.example:443?transport=tcp"]
    settings.CMRNET_TURN_SECRET = "coturn-shared-secret"
    settings.CMRNET_TURN_CREDENTIAL_SECONDS = 3600
    [turn] = selectors.ice_servers(trainee, now=START)
    assert turn["username"] == f"{int(START.timestamp()) + 3600}:{trainee.pk}"
    assert "coturn-shared-secret" not in str(turn)
    import base64
    import hashlib
    import hmac
    expected = base64.b64encode(hmac.new(b"coturn-shared-secret", turn["username"].encode(), hashlib.sha1).digest()).decode()
    assert turn["credential"] == expected
