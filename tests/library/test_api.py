"""Library API: create, upload, publish, reference report (never to trainees), quarantine decisions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet.library.models import Case, Instance, QuarantineStatus

pytestmark = pytest.mark.django_db


def test_a_mentor_builds_a_case_through_the_api(client_for, mentor, trainee, mr_bytes):
    api = client_for(mentor)
    created = api.post("/api/v1/library/cases/", {"title": "HCM", "category": "cardiomyopathy", "difficulty": "advanced"},
                       content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    up = api.post(f"/api/v1/library/cases/{pk}/upload/", {"files": [SimpleUploadedFile("a.dcm", mr_bytes)]})
    assert up.status_code == 201 and up.json()["counts"]["deidentified"] == 1
    assert api.post(f"/api/v1/library/cases/{pk}/publish/").json()["status"] == "published"
    detail = client_for(trainee).get(f"/api/v1/library/cases/{pk}/").json()
    series = detail["studies"][0]["series"][0]
    assert series["metadata_url"] == f"/library/series/{series['id']}/metadata.json"
    assert series["thumbnail_url"].endswith("/frames/1/rendered?size=128")
    assert client_for(trainee).get(series["thumbnail_url"]).content[:4] == b"\x89PNG"


def test_trainees_cannot_create_or_upload(client_for, trainee, case_with_image, mr_bytes):
    api = client_for(trainee)
    assert api.post("/api/v1/library/cases/", {"title": "x", "category": "other"}, content_type="application/json").status_code == 403
    up = api.post(f"/api/v1/library/cases/{case_with_image.pk}/upload/", {"files": [SimpleUploadedFile("a.dcm", mr_bytes)]})
    assert up.status_code == 403


def test_the_reference_report_is_written_by_the_contributor_and_hidden_from_trainees(client_for, mentor, trainee, case_with_image):
    url = f"/api/v1/library/cases/{case_with_image.pk}/reference/"
    saved = client_for(mentor).put(url, {"lv_edv_ml": 150, "lv_esv_ml": 60, "lv_mass_g": 120, "bsa_m2": 2.0,
                                         "lge": {"7": "transmural"}, "final_diagnosis": "anterior infarct"},
                                   content_type="application/json")
    assert saved.status_code == 200
    body = saved.json()
    assert (body["lv_ef_pct"], body["lv_sv_ml"], body["lv_mass_index_g_m2"]) == (60.0, 90.0, 60.0)
    assert client_for(trainee).get(url).status_code == 403
    bad = client_for(mentor).put(url, {"lv_ef_pct": 140}, content_type="application/json")
    assert bad.status_code == 400


def test_curators_release_through_the_api_with_a_reason(client_for, admin, trainee, case_with_image, mr_bytes):
    from tests.library.conftest import store_instance

    held = store_instance(Instance.objects.get().series, mr_bytes, quarantine_status="pending", n=2)
    assert client_for(trainee).post(f"/api/v1/library/quarantine/{held.pk}/release/", {"reason": "ok"}).status_code == 404
    api = client_for(admin)
    assert api.post(f"/api/v1/library/quarantine/{held.pk}/release/", {}).status_code == 400
    done = api.post(f"/api/v1/library/quarantine/{held.pk}/release/", {"reason": "scale bar only"})
    assert done.status_code == 200 and done.json()["quarantine_status"] == "released"
    held.refresh_from_db()
    assert held.quarantine_status == QuarantineStatus.RELEASED and held.reviewed_by == admin
    again = api.post(f"/api/v1/library/quarantine/{held.pk}/reject/", {"reason": "changed my mind"})
    assert again.status_code == 400 and "not awaiting review" in str(again.json())


def test_the_schema_documents_the_library(client_for, trainee):
    paths = client_for(trainee).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/v1/library/cases/{id}/upload/" in paths and "/api/v1/library/studies/" in paths
    assert Case.objects.count() == 0
