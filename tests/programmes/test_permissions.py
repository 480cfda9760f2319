"""Every programmes URL x every role. The trainee is enrolled; the other trainee is not (the programme is
open, so they see its page but nothing of its sessions or trainees); the mentor teaches on it."""

import pytest

from cmrnet.programmes.models import SessionKind

ROLES = ["director", "lead", "mentor", "trainee", "other_trainee", "admin", "grader", "anonymous"]
OK, FORBIDDEN, NOT_FOUND, LOGIN, NOT_ALLOWED = 200, 403, 404, 302, 405


def row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


TEACHERS = row(FORBIDDEN, director=OK, lead=OK, mentor=OK, admin=OK, anonymous=LOGIN)
MANAGERS = row(FORBIDDEN, director=OK, admin=OK, anonymous=LOGIN)
POST = row(NOT_ALLOWED, anonymous=LOGIN)
ENROLLED = row(OK, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=LOGIN)
MATRIX = {
    "/programmes/": row(OK, anonymous=LOGIN),
    "/programmes/new/": row(FORBIDDEN, director=OK, admin=OK, anonymous=LOGIN),
    "/programmes/{programme}/": row(OK, anonymous=LOGIN),   # open for enrolment: a catalogue page
    "/programmes/{programme}/edit/": MANAGERS,
    "/programmes/{programme}/modules/": POST,
    "/programmes/{programme}/sessions/new/": MANAGERS,
    "/programmes/{programme}/enrolment/": POST,
    "/programmes/{programme}/apply/": POST,
    "/programmes/{programme}/invite/": POST,
    "/programmes/{programme}/verification/": POST,
    "/programmes/{programme}/scmr-plan.pdf": TEACHERS,
    "/programmes/enrolments/{enrolment}/": ENROLLED,
    "/programmes/enrolments/{enrolment}/assessment/": POST,
    "/programmes/enrolments/{enrolment}/level/": POST,
    "/programmes/enrolments/{enrolment}/determination/": POST,
    "/programmes/enrolments/{enrolment}/certificate/": POST,
    "/programmes/enrolments/{enrolment}/certificate.pdf": row(NOT_FOUND, anonymous=LOGIN),  # none issued yet
    "/programmes/enrolments/{enrolment}/withdraw/": POST,
    "/programmes/sessions/{session}/": ENROLLED,
    "/programmes/sessions/{session}/seat/": POST,
    "/programmes/sessions/{session}/join/": POST,
    "/programmes/sessions/{lecture}/video": ENROLLED,
    "/programmes/sessions/{lecture}/watched/": POST,
    "/programmes/verify/{code}/": row(NOT_FOUND),   # public; an unknown code
    "/programmes/sessions/{lecture}/materials": row(NOT_FOUND, anonymous=LOGIN),   # none uploaded
    "/programmes/enrolments/{enrolment}/verification-package.zip": ENROLLED,
    "/programmes/{programme}/surveys/new/": MANAGERS,
    "/programmes/surveys/{survey}/": row(OK, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=LOGIN),
    "/programmes/surveys/{survey}/export.csv": row(FORBIDDEN, director=OK, lead=OK, mentor=OK, admin=OK, other_trainee=NOT_FOUND,
                                                   grader=NOT_FOUND, anonymous=LOGIN),
    "/programmes/{programme}/outcomes/": TEACHERS,
    "/programmes/outcomes/": row(OK, anonymous=LOGIN),   # pooled figures only, no person
    "/programmes/outcomes/import/": row(FORBIDDEN, director=OK, admin=OK, anonymous=LOGIN),
    "/api/v1/programmes/": row(OK, anonymous=401),
    "/api/v1/programmes/{programme}/": row(OK, anonymous=401),
    "/api/v1/programmes/{programme}/checklist/": row(FORBIDDEN, director=OK, lead=OK, mentor=OK, admin=OK, anonymous=401),
    "/api/v1/programmes/{programme}/enrolments/": row(OK, anonymous=401),
    "/api/v1/programmes/{programme}/sessions/": row(OK, anonymous=401),
    "/api/v1/programmes/{programme}/modules/": row(OK, anonymous=401),
    "/api/v1/programmes/{programme}/surveys/": row(OK, anonymous=401),   # a trainee not enrolled: an empty list
    "/api/v1/programme-modules/{module}/": row(OK, anonymous=401),
    "/api/v1/programme-sessions/{session}/": row(OK, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=401),
    "/api/v1/programme-enrolments/{enrolment}/": row(OK, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=401),
    "/api/v1/programme-surveys/{survey}/": row(OK, other_trainee=NOT_FOUND, grader=NOT_FOUND, anonymous=401),
}
CASES = [(url, role, expected) for url, by_role in MATRIX.items() for role, expected in by_role.items()]


@pytest.fixture
def people(director, lead, mentor, trainee, other_trainee, admin, grader):
    return {"director": director, "lead": lead, "mentor": mentor, "trainee": trainee, "other_trainee": other_trainee,
            "admin": admin, "grader": grader}


@pytest.fixture
def ids(open_programme, trainee, enrol, director):
    import datetime as dt

    from cmrnet.programmes import services

    enrolment = enrol(open_programme, trainee)
    survey = services.create_survey(by=director, programme=open_programme, title="S", phase="mid", audience="trainees",
                                    opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 12, 31), questions=[("Q", "likert")])
    return {"programme": open_programme.pk, "enrolment": enrolment.pk, "module": open_programme.modules.first().pk, "code": "unknown-code", "survey": survey.pk,
            "session": open_programme.sessions.get(kind=SessionKind.DIDACTIC_LIVE).pk,
            "lecture": open_programme.sessions.get(kind=SessionKind.RECORDED_LECTURE).pk}


@pytest.mark.django_db
def test_permission_matrix(client, people, ids):
    failures = []
    for url, role, expected in CASES:
        client.logout()
        if role != "anonymous":
            client.force_login(people[role])
        response = client.get(url.format(**ids))
        if response.status_code != expected:
            failures.append(f"{role} GET {url}: {response.status_code}, expected {expected}")
    assert failures == []


def test_every_programmes_url_is_in_the_matrix():
    from cmrnet.programmes.urls import urlpatterns

    covered = {u.removeprefix("/programmes/") for u in MATRIX if u.startswith("/programmes/")}
    import re
    normalised = {re.sub(r"\{[a-z]+\}", "<int:pk>", u).replace("verify/<int:pk>", "verify/<str:code>") for u in covered}
    normalised.add("")   # the list page
    patterns = {str(p.pattern) for p in urlpatterns}
    patterns = {p.replace("<str:action>", "withdraw") for p in patterns}
    assert patterns - normalised == set()


@pytest.mark.django_db
def test_entering_the_live_room_is_a_post_for_enrolled_people_only(client, people, ids):
    url = "/programmes/sessions/{session}/join/".format(**ids)
    expected = {"trainee": 302, "other_trainee": NOT_FOUND, "grader": NOT_FOUND, "anonymous": LOGIN}
    failures = []
    for role, status in expected.items():
        client.logout()
        if role != "anonymous":
            client.force_login(people[role])
        response = client.post(url)
        if response.status_code != status:
            failures.append(f"{role} POST {url}: {response.status_code}, expected {status}")
        if role == "trainee":  # enrolled: sent into the session's live room
            from cmrnet.programmes.models import ProgrammeSession

            room = ProgrammeSession.objects.get(pk=ids["session"]).live_session.room
            assert response["Location"] == f"/live/rooms/{room.pk}/"
    assert failures == []
