"""Every live URL x every role. The session is organised by a remote mentor for the trainee at the
trainee's centre, whose technologist, nurse and programme director are site staff. Administrators see
sessions and attendance but are not in rooms (the console view shows patient data)."""

import datetime as dt

import pytest

ROLES = ["trainee", "remote_mentor", "technologist", "nurse", "director", "admin", "other_trainee", "grader", "anonymous"]
OK, FORBIDDEN, NOT_FOUND, LOGIN, UNAUTH, NOT_ALLOWED = 200, 403, 404, 302, 401, 405


def row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


IN_ROOM = row(OK, admin=NOT_FOUND, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=LOGIN)
SEES_SESSION = row(OK, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=LOGIN)
MATRIX = {
    "/live/": row(OK, anonymous=LOGIN),
    "/live/sessions/new/": row(FORBIDDEN, remote_mentor=OK, director=OK, admin=OK, anonymous=LOGIN),
    "/live/sessions/{session}/": SEES_SESSION,
    "/live/sessions/{session}/edit/": row(FORBIDDEN, remote_mentor=OK, director=OK, admin=OK, other_trainee=NOT_FOUND,
                                          grader=NOT_FOUND, anonymous=LOGIN),
    "/live/sessions/{session}/invite.ics": SEES_SESSION,
    "/live/sessions/{session}/cancel/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/sessions/{session}/invite/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/sessions/{session}/respond/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/participants/{participant}/remove/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/supervisions/{supervision}/room/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/rooms/{room}/": IN_ROOM,
    "/live/rooms/{room}/close/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/training/": row(OK, anonymous=LOGIN),
    "/live/rooms/{room}/control/": IN_ROOM,
    "/live/rooms/{room}/control/grant/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/rooms/{room}/control/take-back/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/rooms/{room}/console/": IN_ROOM,
    "/live/help/": row(OK, anonymous=LOGIN),
    "/live/help/{help}/": row(OK, admin=OK, remote_mentor=NOT_FOUND, other_trainee=NOT_FOUND, grader=NOT_FOUND, trainee=NOT_FOUND,
                             anonymous=LOGIN),  # the requester, the site's staff, those called, administrators
    "/live/help/{help}/accept/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/help/{help}/cancel/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/live/rota/": row(OK, anonymous=LOGIN),
    "/live/rota/{rota}/remove/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/api/v1/live/help-requests/": row(OK, anonymous=UNAUTH),
    "/api/v1/live/help-requests/{help}/": row(OK, remote_mentor=NOT_FOUND, other_trainee=NOT_FOUND, grader=NOT_FOUND, trainee=NOT_FOUND,
                                              anonymous=UNAUTH),
    "/api/v1/live/rota/": row(OK, anonymous=UNAUTH),
    "/api/v1/live/sessions/": row(OK, anonymous=UNAUTH),
    "/api/v1/live/sessions/{session}/": row(OK, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=UNAUTH),
    "/api/v1/live/sessions/{session}/attendance/": row(OK, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=UNAUTH),
}
CASES = [(url, role, expected) for url, by_role in MATRIX.items() for role, expected in by_role.items()]


@pytest.fixture
def people(trainee, remote_mentor, technologist, nurse, director, admin, other_trainee, grader):
    return {"trainee": trainee, "remote_mentor": remote_mentor, "technologist": technologist, "nurse": nurse,
            "director": director, "admin": admin, "other_trainee": other_trainee, "grader": grader}


@pytest.fixture
def help_request(technologist, scanner):
    from cmrnet.live.services import request_expert_help

    return request_expert_help(by=technologist, scanner=scanner, reason="Banding artefact on cine", now=dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC))


@pytest.fixture
def rota_entry(remote_mentor):
    from cmrnet.live.models import RotaEntry

    return RotaEntry.objects.create(expert=remote_mentor, weekday=6, starts=dt.time(8), ends=dt.time(9), time_zone="UTC")


@pytest.mark.parametrize(("url", "role", "expected"), CASES, ids=[f"{r}:{u}" for u, r, _ in CASES])
def test_live_permission_matrix(client, people, session, supervision, help_request, rota_entry, url, role, expected):
    if role != "anonymous":
        client.force_login(people[role])
    participant = session.room.participants.first()
    response = client.get(url.format(session=session.pk, room=session.room.pk, participant=participant.pk,
                                     supervision=supervision.pk, help=help_request.pk, rota=rota_entry.pk))
    assert response.status_code == expected


def test_every_live_url_is_in_the_matrix():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    live = {u for u in walk(get_resolver().url_patterns) if u.startswith("live/")}
    covered = {u.lstrip("/") for u in MATRIX}
    for key in ("{session}", "{room}", "{participant}", "{supervision}", "{help}", "{rota}"):
        covered = {u.replace(key, "<int:pk>") for u in covered}
    assert live - covered == set()


def test_posts_are_refused_to_those_without_the_right(client, people, session, supervision):
    client.force_login(people["trainee"])
    assert client.post(f"/live/sessions/{session.pk}/cancel/").status_code == 403
    assert client.post(f"/live/sessions/{session.pk}/invite/", {"person": people["grader"].pk, "role": "observer"}).status_code == 403
    client.force_login(people["other_trainee"])
    assert client.post(f"/live/supervisions/{supervision.pk}/room/").status_code == 403
    assert client.post(f"/live/rooms/{session.room.pk}/close/").status_code == 404


def test_api_scheduling_follows_the_page_rules(client, people, centre):
    payload = {"title": "API session", "kind": "scan_observation", "starts_at": "2026-05-04T08:00:00Z",
               "ends_at": "2026-05-04T09:00:00Z", "time_zone": "Europe/Berlin", "centre": centre.pk}
    client.force_login(people["trainee"])
    assert client.post("/api/v1/live/sessions/", payload, content_type="application/json").status_code == 403
    client.force_login(people["remote_mentor"])
    created = client.post("/api/v1/live/sessions/", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["room"]
    bad = client.post("/api/v1/live/sessions/", {**payload, "ends_at": "2026-05-04T07:00:00Z"}, content_type="application/json")
    assert bad.status_code == 400 and "ends_at" in bad.json()
    invited = client.post(f"/api/v1/live/sessions/{created.json()['id']}/invite/", {"person": people["trainee"].pk, "role": "trainee"},
                          content_type="application/json")
    assert invited.status_code == 201 and invited.json()["role"] == "trainee"
