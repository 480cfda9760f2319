"""Finding 11: personal pages, exports and downloads carry `Cache-Control: no-store`; public pages do not need it."""

import datetime as dt
from decimal import Decimal

import pytest
from cmrnet.people.services import issue_api_token

from cmrnet.logbook import services
from tests.logbook.factories import pdf

pytestmark = pytest.mark.django_db


def assert_no_store(response):
    assert response["Cache-Control"] == "no-store", response.get("Cache-Control")
    assert response["Pragma"] == "no-cache"


@pytest.fixture
def cme(trainee):
    return services.add_cme(by=trainee, trainee=trainee, title="CMR course", provider="EACVI", kind="course",
                            start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 2), credits=Decimal("8"),
                            certificate=pdf())


@pytest.mark.parametrize("url", ["/", "/logbook/", "/logbook/cme/", "/logbook/export/csv/", "/logbook/export/xlsx/",
                                 "/certification/", "/exams/mine/"])
def test_personal_pages_and_exports_are_not_stored(client_for, trainee, url):
    response = client_for(trainee).get(url)
    assert response.status_code == 200
    assert_no_store(response)


def test_a_person_page_is_not_stored(client_for, trainee):
    assert_no_store(client_for(trainee).get(f"/people/{trainee.pk}/"))


def test_a_downloaded_certificate_file_is_not_stored(client_for, trainee, cme):
    response = client_for(trainee).get(f"/logbook/cme/{cme.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert_no_store(response)


def test_api_answers_to_a_token_are_not_stored(client, trainee):
    _token, secret = issue_api_token(by=trainee, person=trainee, name="test")
    response = client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200 and response.json()["email"] == trainee.email
    assert_no_store(response)


def test_an_error_page_for_a_signed_in_person_is_not_stored_either(client_for, trainee, other_trainee):
    response = client_for(trainee).get(f"/logbook/trainee/{other_trainee.pk}/")
    assert response.status_code == 404
    assert_no_store(response)


def test_the_public_register_may_be_cached(client):
    response = client.get("/certification/register/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")



def test_only_a_view_marked_cacheable_escapes_no_store(trainee, rf):
    """The library's de-identified frames are the one deliberate exception (marked by the view)."""
    from django.http import HttpResponse

    from cmrnet.core.middleware import NoStoreForSignedInMiddleware

    request = rf.get("/library/instances/1/frames/1")
    request.user = trainee
    marked = HttpResponse(b"frame")
    marked["Cache-Control"] = "private, max-age=31536000, immutable"
    marked.cmrnet_cacheable = True
    assert NoStoreForSignedInMiddleware(lambda r: marked)(request)["Cache-Control"].startswith("private")
    unmarked = HttpResponse(b"page")
    unmarked["Cache-Control"] = "private, max-age=600"
    assert NoStoreForSignedInMiddleware(lambda r: unmarked)(request)["Cache-Control"] == "no-store"
