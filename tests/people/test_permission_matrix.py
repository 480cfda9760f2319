"""Every URL x every role: allowed or refused as designed.

The trainee under test is supervised by the mentor and belongs to the director's centre; the
grader and the other trainee work at another centre and are entitled to nothing about her.
"""

import datetime as dt

import pytest

from cmrnet.people.services import add_supervision

ROLES = ["trainee", "mentor", "director", "board_member", "grader", "admin", "other_trainee", "technologist", "nurse",
         "anonymous"]
OK, FORBIDDEN, NOT_FOUND, LOGIN, UNAUTHENTICATED = 200, 403, 404, 302, 401


def row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


PAGE_ALL = row(OK, anonymous=LOGIN)
ADMIN_ONLY = row(FORBIDDEN, admin=OK, anonymous=LOGIN)
# Technologists and nurses work at the trainee's centre but see no one's profile but their own.
TRAINEE_PROFILE = row(OK, grader=NOT_FOUND, other_trainee=NOT_FOUND, technologist=NOT_FOUND, nurse=NOT_FOUND, anonymous=LOGIN)

MATRIX = {
    "/": PAGE_ALL,
    "/network/": PAGE_ALL,
    "/network/centres/{centre}/": PAGE_ALL,
    "/network/centres/new/": ADMIN_ONLY,
    "/network/centres/{centre}/edit/": ADMIN_ONLY,
    "/network/centres/{centre}/scanners/": PAGE_ALL,
    "/network/scanners/{scanner}/edit/": row(FORBIDDEN, admin=OK, director=OK, anonymous=LOGIN),  # the centre's own director
    "/network/centres/{centre}/accreditations/": row(405, anonymous=LOGIN),  # POST only
    "/network/accreditations/{centre}/remove/": row(405, anonymous=LOGIN),  # POST only (any id: the method is refused first)
    "/people/": PAGE_ALL,
    "/people/new/": ADMIN_ONLY,
    "/people/{trainee}/": TRAINEE_PROFILE,
    "/people/{trainee}/edit/": row(FORBIDDEN, trainee=OK, admin=OK, grader=NOT_FOUND, other_trainee=NOT_FOUND,
                                   technologist=NOT_FOUND, nurse=NOT_FOUND, anonymous=LOGIN),
    "/people/{trainee}/roles/": ADMIN_ONLY,
    "/people/{trainee}/api-tokens/": row(FORBIDDEN, trainee=OK, admin=OK, grader=NOT_FOUND, other_trainee=NOT_FOUND,
                                         technologist=NOT_FOUND, nurse=NOT_FOUND, anonymous=LOGIN),
    "/people/{trainee}/deactivate/": ADMIN_ONLY,
    "/people/{trainee}/invite/": row(405, anonymous=LOGIN),  # POST only; refused to non-administrators on POST
    "/people/{trainee}/reactivate/": row(405, anonymous=LOGIN),  # POST only
    "/people/{trainee}/certifications/new/": row(FORBIDDEN, admin=OK, board_member=OK, anonymous=LOGIN),
    "/people/{trainee}/acls-evidence/": row(NOT_FOUND, anonymous=LOGIN),  # no evidence uploaded: 404 even when entitled
    "/people/supervision-check/": PAGE_ALL,
    "/people/{trainee}/supervision/": TRAINEE_PROFILE,
    "/people/{trainee}/supervision/{link}/end/": row(405, grader=405, anonymous=LOGIN),  # POST only
    "/audit/": row(FORBIDDEN, admin=OK, board_member=OK, anonymous=LOGIN),  # each reads their own scopes
    "/audit/export.csv": row(FORBIDDEN, admin=OK, board_member=OK, anonymous=LOGIN),
    "/api/v1/centres/": row(OK, anonymous=UNAUTHENTICATED),
    "/api/v1/centres/{centre}/": row(OK, anonymous=UNAUTHENTICATED),
    "/api/v1/people/me/": row(OK, anonymous=UNAUTHENTICATED),
    "/api/v1/people/{trainee}/": row(OK, grader=NOT_FOUND, other_trainee=NOT_FOUND, technologist=NOT_FOUND, nurse=NOT_FOUND,
                                     anonymous=UNAUTHENTICATED),
    "/api/v1/supervision-links/": row(OK, anonymous=UNAUTHENTICATED),
    "/api/v1/supervision-links/{link}/": row(NOT_FOUND, trainee=OK, mentor=OK, director=OK, board_member=OK, admin=OK,
                                             anonymous=UNAUTHENTICATED),
    "/api/v1/scanners/": row(OK, anonymous=UNAUTHENTICATED),
    "/api/v1/scanners/{scanner}/": row(OK, anonymous=UNAUTHENTICATED),
    "/api/v1/schema/": row(OK, anonymous=UNAUTHENTICATED),
    "/healthz": row(OK),
}
CASES = [(url, role, expected) for url, expected_by_role in MATRIX.items() for role, expected in expected_by_role.items()]


@pytest.fixture
def people(request, trainee, mentor, director, board_member, grader, admin, other_trainee, make_person):
    link = add_supervision(by=None, trainee=trainee, supervisor=mentor, started_on=dt.date(2025, 1, 1))
    return {"link": link, "trainee": trainee, "mentor": mentor, "director": director, "board_member": board_member,
            "grader": grader, "admin": admin, "other_trainee": other_trainee,
            "technologist": make_person("theo@example.org", "technologist", full_name="Theo Tech"),
            "nurse": make_person("nora@example.org", "nurse", full_name="Nora Nurse")}


@pytest.fixture
def scanner(centre):
    from cmrnet.network.services import create_scanner

    return create_scanner(by=None, centre=centre, name="MR 1", vendor="siemens", model="Sola", field_strength="1.5T")


@pytest.mark.parametrize(("url", "role", "expected"), CASES, ids=[f"{r}:{u}" for u, r, _ in CASES])
def test_permission_matrix(client, people, centre, scanner, url, role, expected):
    if role != "anonymous":
        client.force_login(people[role])
    response = client.get(url.format(trainee=people["trainee"].pk, centre=centre.pk, scanner=scanner.pk,
                                     link=people["link"].pk))
    assert response.status_code == expected
    if expected == LOGIN:
        assert response["Location"].startswith("/accounts/login/")


def test_every_page_url_is_in_the_matrix():
    """A new URL without a row here fails, so the matrix cannot silently go stale."""
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    names = {u for u in walk(get_resolver().url_patterns)
             if not u.startswith(("accounts/", "api/v1/")) and "<" not in u.split("/")[0]}
    covered = {u.lstrip("/").replace("{centre}", "<int:pk>").replace("{trainee}", "<int:pk>").replace("{scanner}", "<int:pk>")
               .replace("{link}", "<int:link_pk>") for u in MATRIX}
    # The foundation's pages; each domain app keeps its own matrix in tests/<app>/.
    pages = {n for n in names if not n.startswith(("api", "static", "logbook/", "exams/", "certification/", "live/",
                                                     "programmes/", "interpretation/", "library/", "notifications/"))}
    # revoking a token (POST, <int:token_pk>): tests/people/test_api_tokens.py
    uncovered = {p for p in pages if p not in covered and "<int:cert_pk>" not in p and "<int:token_pk>" not in p}
    assert uncovered == set()


def test_api_writes_are_for_administrators_only(client, people, centre):
    payload = {"name": "New", "city": "X", "country": "DE", "beds": 100, "annual_scan_volume": 1, "joined_on": "2020-01-01"}
    client.force_login(people["board_member"])
    assert client.post("/api/v1/centres/", payload, content_type="application/json").status_code == 403
    client.force_login(people["admin"])
    created = client.post("/api/v1/centres/", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["size_class"] == "small"
