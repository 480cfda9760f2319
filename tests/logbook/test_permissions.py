"""Every logbook page and API endpoint x every role.

The trainee is supervised by the mentor and belongs to the director's centre; the grader, the other
trainee and the administrator are entitled to nothing about her logbook (404)."""

import datetime as dt
from decimal import Decimal

import pytest

from cmrnet.logbook import services
from tests.logbook.factories import case_input, pdf, supervise

ROLES = ["trainee", "mentor", "director", "board_member", "grader", "admin", "other_trainee", "anonymous"]
OK, REDIRECT, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED = 200, 302, 403, 404, 401


def row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


READ = row(NOT_FOUND, trainee=OK, mentor=OK, director=OK, board_member=OK, anonymous=REDIRECT)
OWNER_ONLY = row(NOT_FOUND, trainee=OK, mentor=FORBIDDEN, director=FORBIDDEN, board_member=FORBIDDEN, anonymous=REDIRECT)
OWN_PAGE = row(FORBIDDEN, trainee=OK, other_trainee=OK, anonymous=REDIRECT)   # "your logbook": trainees only
API_READ = row(NOT_FOUND, trainee=OK, mentor=OK, director=OK, board_member=OK, anonymous=UNAUTHENTICATED)

GET_MATRIX = {
    "/logbook/": row(OK, anonymous=REDIRECT),
    "/logbook/logbooks/": row(OK, anonymous=REDIRECT),
    "/logbook/cohort/": row(FORBIDDEN, mentor=OK, director=OK, board_member=OK, anonymous=REDIRECT),
    "/logbook/cohort/?format=csv": row(FORBIDDEN, mentor=OK, director=OK, board_member=OK, anonymous=REDIRECT),
    "/logbook/progress/": OWN_PAGE,
    "/logbook/cme/": OWN_PAGE,
    "/logbook/training/": OWN_PAGE,
    "/logbook/peer-recognition/": OWN_PAGE,
    "/logbook/import/": OWN_PAGE,
    "/logbook/import/template.csv": row(OK, anonymous=REDIRECT),  # an empty template: anyone signed in
    "/logbook/import/template.xlsx": row(OK, anonymous=REDIRECT),
    "/logbook/package/import/": OWN_PAGE,
    "/logbook/settings/": OWN_PAGE,
    "/logbook/trainee/{trainee}/": READ,
    "/logbook/trainee/{trainee}/progress/": READ,
    "/logbook/trainee/{trainee}/progress/summary/": READ,
    "/logbook/trainee/{trainee}/cme/": READ,
    "/logbook/trainee/{trainee}/training/": READ,
    "/logbook/trainee/{trainee}/peer-recognition/": READ,
    "/logbook/trainee/{trainee}/export/csv/": READ,
    "/logbook/trainee/{trainee}/export/xlsx/": READ,
    "/logbook/trainee/{trainee}/export/pdf/": READ,
    "/logbook/trainee/{trainee}/export/zip/": READ,
    "/logbook/cme/{cme}/file/": READ,
    "/logbook/peer/{peer}/file/": READ,
    "/logbook/cases/{case}/edit/": OWNER_ONLY,
    "/logbook/cases/{case}/delete/": OWNER_ONLY,
    "/logbook/cme/{cme}/edit/": OWNER_ONLY,
    "/logbook/cme/{cme}/delete/": OWNER_ONLY,
    "/logbook/training/{training}/edit/": OWNER_ONLY,
    "/logbook/training/{training}/delete/": OWNER_ONLY,
    "/logbook/peer/{peer}/edit/": OWNER_ONLY,
    "/logbook/peer/{peer}/delete/": OWNER_ONLY,
    "/api/v1/logbook/cases/?trainee={trainee}": API_READ,
    "/api/v1/logbook/cases/{case}/": API_READ,
    "/api/v1/logbook/cme/?trainee={trainee}": API_READ,
    "/api/v1/logbook/cme/{cme}/": API_READ,
    "/api/v1/logbook/peer/?trainee={trainee}": API_READ,
    "/api/v1/logbook/peer/{peer}/": API_READ,
    "/api/v1/logbook/evaluation/?ruleset=eacvi-2025&route=level2&trainee={trainee}": API_READ,
    "/api/v1/logbook/cases/": row(FORBIDDEN, trainee=OK, other_trainee=OK, anonymous=UNAUTHENTICATED),
}
GET_CASES = [(u, r, e) for u, by_role in GET_MATRIX.items() for r, e in by_role.items()]

POST_MATRIX = {
    # verify: only a supervisor of the trainee; the trainee herself is refused
    "/logbook/cases/{case}/verify/": row(NOT_FOUND, trainee=FORBIDDEN, mentor=REDIRECT, director=FORBIDDEN,
                                         board_member=FORBIDDEN, anonymous=REDIRECT),
    "/logbook/cases/{case}/delete/": row(NOT_FOUND, trainee=REDIRECT, mentor=FORBIDDEN, director=FORBIDDEN,
                                         board_member=FORBIDDEN, anonymous=REDIRECT),
    "/logbook/cases/add/": row(FORBIDDEN, trainee=OK, other_trainee=OK, anonymous=REDIRECT),
    # bulk verification: only a supervisor of the trainee; readers who do not supervise are refused
    "/logbook/trainee/{trainee}/verify/": row(NOT_FOUND, trainee=FORBIDDEN, mentor=REDIRECT, director=FORBIDDEN,
                                              board_member=FORBIDDEN, anonymous=REDIRECT),
}
POST_CASES = [(u, r, e) for u, by_role in POST_MATRIX.items() for r, e in by_role.items()]


@pytest.fixture
def world(trainee, mentor, director, board_member, grader, admin, other_trainee, today):
    supervise(trainee, mentor, today=today)
    day = today - dt.timedelta(days=10)
    case = services.add_case(by=trainee, trainee=trainee, data=case_input(mentor, day=day))
    cme = services.add_cme(by=trainee, trainee=trainee, title="EuroCMR", provider="EACVI", kind="congress",
                           start_date=day, end_date=day, credits=Decimal("8"), certificate=pdf())
    training = services.add_training(by=trainee, trainee=trainee, start_date=day, end_date=today,
                                     hours_per_week=Decimal("35"), supervisor=mentor, centre="")
    peer = services.add_peer_recognition(by=trainee, trainee=trainee, kind="publication", title="Paper", date=day,
                                         evidence=pdf("paper.pdf"))
    people = {"trainee": trainee, "mentor": mentor, "director": director, "board_member": board_member,
              "grader": grader, "admin": admin, "other_trainee": other_trainee}
    ids = {"trainee": trainee.pk, "case": case.pk, "cme": cme.pk, "training": training.pk, "peer": peer.pk}
    return people, ids


def _as(client, world, role):
    people, ids = world
    if role != "anonymous":
        client.force_login(people[role])
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "role", "expected"), GET_CASES, ids=[f"{r}:{u}" for u, r, _ in GET_CASES])
def test_get(client, world, url, role, expected):
    ids = _as(client, world, role)
    assert client.get(url.format(**ids)).status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "role", "expected"), POST_CASES, ids=[f"{r}:{u}" for u, r, _ in POST_CASES])
def test_post(client, world, url, role, expected):
    ids = _as(client, world, role)
    assert client.post(url.format(**ids), {"status": "verified", "comment": ""}).status_code == expected


# The overview lists exactly the logbooks each person may read (content, not only the status code).
LOGBOOKS_LISTED = {
    "trainee": [], "other_trainee": [], "grader": [], "admin": [],
    "mentor": ["Tara Trainee"], "director": ["Tara Trainee"], "board_member": ["Otto Other", "Tara Trainee"],
}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "listed"), LOGBOOKS_LISTED.items(), ids=list(LOGBOOKS_LISTED))
def test_the_logbooks_overview_lists_exactly_the_readable_logbooks(client, world, role, listed):
    import re

    people, ids = world
    _as(client, world, role)
    page = client.get("/logbook/logbooks/").content.decode()
    shown = sorted(re.findall(r'<a href="/logbook/trainee/\d+/">([^<]+)</a>', page))
    assert shown == listed
    if "Tara Trainee" in listed:
        row = page[page.index(f'/logbook/trainee/{ids["trainee"]}/"'):]
        cells = re.findall(r"<td>(\d+)</td>", row)[:2]
        assert cells == ["1", "1" if role == "mentor" else "0"]  # 1 case; pending verification only for her mentor
    else:
        assert listed or "No logbooks to show" in page
