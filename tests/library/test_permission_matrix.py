"""Every library URL (pages, frame endpoints, API) x every role: allowed or refused as designed.

The published and the draft case are the mentor's, at the director's centre (the director curates them);
the grader and the other trainee work at another centre. Quarantined images are served to curators only,
and never through the frame endpoints."""

import pytest

from cmrnet.library.models import Case, CaseStatus, Instance, Series, Study
from tests.library.conftest import store_instance

ROLES = ["trainee", "mentor", "director", "board_member", "grader", "admin", "other_trainee", "anonymous"]
OK, FORBIDDEN, NOT_FOUND, LOGIN, UNAUTHENTICATED, NOT_ALLOWED = 200, 403, 404, 302, 401, 405


def row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


PAGE_ALL = row(OK, anonymous=LOGIN)
API_ALL = row(OK, anonymous=UNAUTHENTICATED)
EDITORS = row(FORBIDDEN, mentor=OK, director=OK, admin=OK, anonymous=LOGIN)
EDITORS_404 = row(NOT_FOUND, mentor=OK, director=OK, admin=OK, anonymous=LOGIN)
CURATORS = row(FORBIDDEN, director=OK, admin=OK, anonymous=LOGIN)
CURATORS_404 = row(NOT_FOUND, director=OK, admin=OK, anonymous=LOGIN)

MATRIX = {
    "/library/": PAGE_ALL,
    "/library/cases/new/": EDITORS,
    "/library/cases/{case}/": PAGE_ALL,
    "/library/cases/{draft}/": EDITORS_404,
    "/library/cases/{case}/upload/": EDITORS,
    "/library/cases/{draft}/upload/": EDITORS_404,
    "/library/cases/{case}/publish/": row(NOT_ALLOWED, anonymous=LOGIN),  # POST only
    "/library/cases/{case}/uploads/": row(NOT_ALLOWED, anonymous=LOGIN),  # POST only (test_resumable_upload.py: who)
    "/library/uploads/{token}": row(NOT_FOUND, anonymous=LOGIN),  # an upload is its starter's only (ditto)
    "/library/cases/{case}/withdraw/": EDITORS,
    "/library/cases/{case}/reference/": EDITORS,
    "/library/cases/{case}/edit/": EDITORS,
    "/library/collections/": PAGE_ALL,
    "/library/quarantine/": CURATORS,
    "/library/quarantine/{held}/": CURATORS_404,
    "/library/quarantine/{held}/image.png": CURATORS_404,
    "/library/series/{series}/metadata.json": PAGE_ALL,
    "/library/series/{draft_series}/metadata.json": EDITORS_404,
    "/library/series/{series}/frames?f={image}": PAGE_ALL,
    "/library/series/{draft_series}/frames?f={draft_image}": EDITORS_404,
    "/library/series/{series}/frames?f={held}": row(NOT_FOUND, anonymous=LOGIN),  # never quarantine as frames
    "/library/instances/{image}/frames/1": PAGE_ALL,
    "/library/instances/{image}/frames/1/rendered": PAGE_ALL,
    "/library/instances/{draft_image}/frames/1": EDITORS_404,
    "/library/instances/{held}/frames/1": row(NOT_FOUND, anonymous=LOGIN),  # quarantine is never served as frames
    "/api/v1/library/cases/": API_ALL,
    "/api/v1/library/cases/{case}/": API_ALL,
    "/api/v1/library/cases/{draft}/": row(NOT_FOUND, mentor=OK, director=OK, admin=OK, anonymous=UNAUTHENTICATED),
    "/api/v1/library/cases/{case}/reference/": row(FORBIDDEN, mentor=OK, director=OK, admin=OK, anonymous=UNAUTHENTICATED),
    "/api/v1/library/studies/": API_ALL,
    "/api/v1/library/quarantine/": API_ALL,  # an empty list for non-curators
    "/api/v1/library/quarantine/{held}/": row(NOT_FOUND, director=OK, admin=OK, anonymous=UNAUTHENTICATED),
    "/api/v1/library/collections/": API_ALL,
    # DICOMweb by UID (cmrnet.library.wado): the same selectors; an unreadable UID is an unknown one (404)
    "/api/v1/library/dicomweb/studies": API_ALL,  # only readable studies are listed (test_dicomweb_server.py)
    "/api/v1/library/dicomweb/studies/{study_uid}/metadata": API_ALL,
    "/api/v1/library/dicomweb/studies/{study_uid}/series": API_ALL,
    "/api/v1/library/dicomweb/studies/{study_uid}/series/{series_uid}/metadata": API_ALL,
    "/api/v1/library/dicomweb/studies/{study_uid}/series/{series_uid}/instances": API_ALL,
    "/api/v1/library/dicomweb/studies/{study_uid}/series/{series_uid}/instances/{image_uid}/metadata": API_ALL,
    "/api/v1/library/dicomweb/studies/{study_uid}/series/{series_uid}/instances/{image_uid}/frames/1": API_ALL,
    "/api/v1/library/dicomweb/studies/{draft_study_uid}/metadata": row(NOT_FOUND, mentor=OK, director=OK, admin=OK,
                                                                      anonymous=UNAUTHENTICATED),
    "/api/v1/library/dicomweb/studies/{draft_study_uid}/series/{draft_series_uid}/instances/{draft_image_uid}/frames/1":
        row(NOT_FOUND, mentor=OK, director=OK, admin=OK, anonymous=UNAUTHENTICATED),
    "/api/v1/library/dicomweb/studies/{study_uid}/series/{series_uid}/instances/{held_uid}/metadata":
        row(NOT_FOUND, anonymous=UNAUTHENTICATED),  # quarantine is never served by UID, curators included
    "/api/v1/library/dicomweb/studies/{study_uid}/series/{series_uid}/instances/{held_uid}/frames/1":
        row(NOT_FOUND, anonymous=UNAUTHENTICATED),
}
CASES = [(url, role, expected) for url, by_role in MATRIX.items() for role, expected in by_role.items()]


@pytest.fixture
def objects(db, mentor, centre, mr_bytes):
    out = {}
    for name, status in (("case", CaseStatus.PUBLISHED), ("draft", CaseStatus.DRAFT)):
        case = Case.objects.create(title=name, category="cardiomyopathy", status=status, contributor=mentor, centre=centre)
        study = Study.objects.create(case=case, study_uid=f"2.25.{case.pk}1")
        series = Series.objects.create(study=study, series_uid=f"2.25.{case.pk}2")
        out[name] = case.pk
        out["series" if name == "case" else "draft_series"] = series.pk
        out["image" if name == "case" else "draft_image"] = store_instance(series, mr_bytes).pk
    out["held"] = store_instance(Series.objects.get(pk=out["series"]), mr_bytes, quarantine_status="pending", n=2).pk
    for name in ("series", "draft_series"):
        series = Series.objects.select_related("study").get(pk=out[name])
        out[name.replace("series", "study") + "_uid"], out[name + "_uid"] = series.study.study_uid, series.series_uid
    for name in ("image", "draft_image", "held"):
        out[name + "_uid"] = Instance.objects.get(pk=out[name]).sop_uid
    out["token"] = "t" * 43  # no such upload: nobody's
    return out


@pytest.fixture
def people(trainee, mentor, director, board_member, grader, admin, other_trainee):
    return {"trainee": trainee, "mentor": mentor, "director": director, "board_member": board_member, "grader": grader,
            "admin": admin, "other_trainee": other_trainee}


@pytest.mark.parametrize(("url", "role", "expected"), CASES, ids=[f"{r}:{u}" for u, r, _ in CASES])
def test_permission_matrix(client, people, objects, url, role, expected):
    if role != "anonymous":
        client.force_login(people[role])
    response = client.get(url.format(**objects))
    assert response.status_code == expected
    if expected == LOGIN:
        assert response["Location"].startswith("/accounts/login/")


def test_every_library_url_is_in_the_matrix():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    urls = {u for u in walk(get_resolver().url_patterns) if u.startswith("library/")}
    covered = {u.lstrip("/").split("?")[0].replace("{token}", "<str:token>").replace("{case}", "<int:pk>").replace("{draft}", "<int:pk>").replace("{held}", "<int:pk>")
               .replace("{series}", "<int:pk>").replace("{draft_series}", "<int:pk>").replace("{image}", "<int:pk>")
               .replace("{draft_image}", "<int:pk>").replace("/frames/1", "/frames/<int:n>") for u in MATRIX}
    assert urls - covered == set()


def test_quarantine_list_in_the_api_is_empty_for_non_curators(client, people, objects):
    client.force_login(people["trainee"])
    assert client.get("/api/v1/library/quarantine/").json()["count"] == 0
    client.force_login(people["director"])
    assert [r["id"] for r in client.get("/api/v1/library/quarantine/").json()["results"]] == [objects["held"]]
    assert Instance.objects.count() == 3
