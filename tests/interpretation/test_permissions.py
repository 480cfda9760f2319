"""Every interpretation URL x every role. The trainee is supervised by the mentor and has submitted a
reading of a published case (assigned by the mentor); the other trainee works elsewhere."""

import pytest

from cmrnet.interpretation import services
from tests.interpretation.stack import make_cine_case
from tests.logbook.factories import supervise

ROLES = ["trainee", "mentor", "director", "board_member", "admin", "other_trainee", "anonymous"]
OK, FORBIDDEN, NOT_FOUND, LOGIN, UNAUTH, NOT_ALLOWED = 200, 403, 404, 302, 401, 405


def row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


READING = row(OK, board_member=NOT_FOUND, admin=NOT_FOUND, other_trainee=NOT_FOUND, anonymous=LOGIN)
MATRIX = {
    "/interpretation/": row(OK, anonymous=LOGIN),
    "/interpretation/start/{case}/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/interpretation/assign/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/interpretation/{reading}/": READING,
    "/interpretation/{reading}/save/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/interpretation/{reading}/comment/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/interpretation/{reading}/review/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/interpretation/{reading}/logbook/": row(NOT_ALLOWED, anonymous=LOGIN),
    "/interpretation/cases/{case}/viewer/": row(OK, anonymous=LOGIN),
    "/interpretation/cases/{case}/manifest.json": row(OK, anonymous=LOGIN),
    "/interpretation/progress/": row(OK, anonymous=LOGIN),
    "/interpretation/trainees/{trainee}/progress/": row(OK, other_trainee=NOT_FOUND, admin=NOT_FOUND, anonymous=LOGIN),
    "/interpretation/tolerances/": row(OK, anonymous=LOGIN),
    "/api/v1/interpretations/": row(OK, anonymous=UNAUTH),
    "/api/v1/interpretations/{reading}/": row(OK, board_member=NOT_FOUND, admin=NOT_FOUND, other_trainee=NOT_FOUND,
                                              anonymous=UNAUTH),
    "/api/v1/interpretations/{reading}/comments/": row(OK, board_member=NOT_FOUND, admin=NOT_FOUND,
                                                       other_trainee=NOT_FOUND, anonymous=UNAUTH),
    "/api/v1/assignments/": row(NOT_ALLOWED, anonymous=UNAUTH),
    "/api/v1/library-cases/{case}/viewer-manifest/": row(OK, anonymous=UNAUTH),
}
CASES = [(url, role, expected) for url, by_role in MATRIX.items() for role, expected in by_role.items()]


@pytest.fixture
def world(trainee, mentor, director, board_member, admin, other_trainee, centre, today):
    supervise(trainee, mentor, today=today)
    case = make_cine_case(contributor=mentor, centre=centre, slices=1, phases=2)
    reading = services.assign_case(by=mentor, trainee=trainee, case=case).interpretation
    services.submit(by=trainee, interpretation=reading, report={"lv_ef_pct": 55})
    return {"case": case, "reading": reading, "trainee": trainee, "mentor": mentor, "director": director,
            "board_member": board_member, "admin": admin, "other_trainee": other_trainee}


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "role", "expected"), CASES, ids=[f"{r}:{u}" for u, r, _ in CASES])
def test_permission_matrix(client, world, url, role, expected):
    if role != "anonymous":
        client.force_login(world[role])
    response = client.get(url.format(case=world["case"].pk, reading=world["reading"].pk, trainee=world["trainee"].pk))
    assert response.status_code == expected


def test_every_interpretation_url_is_in_the_matrix():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    urls = {u for u in walk(get_resolver().url_patterns) if u.startswith("interpretation/")}
    covered = {u.lstrip("/").replace("{case}", "<int:case_pk>").replace("{reading}", "<int:pk>")
               .replace("{trainee}", "<int:trainee_pk>") for u in MATRIX}
    assert urls - covered == set()
