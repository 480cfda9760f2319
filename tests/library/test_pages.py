"""Library pages: contribute a case, upload a zip, review quarantine; permissions as the selectors say."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.library import torture
from cmrnet.library.models import Case, CaseStatus, Instance, QuarantineStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def patient_a_zip(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("upload")
    files = torture.build(folder)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in files:
            if f.study == "A1":
                zf.writestr(f"CMR/{f.name}", (folder / f.name).read_bytes())
    return buf.getvalue()


def _upload(client, case, data: bytes, **headers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/library/cases/{case.pk}/upload/", {"files": [SimpleUploadedFile("study.zip", data)]}, **headers)


def test_a_mentor_creates_a_case_uploads_a_zip_and_publishes(client_for, mentor, trainee, patient_a_zip, settings):
    client = client_for(mentor)
    response = client.post("/library/cases/new/", {"title": "Anterior STEMI", "category": "ischaemic",
                                                   "difficulty": "basic", "teaching_points": "LAD territory"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/library/cases/{case.pk}/upload/"
    body = _upload(client, case, patient_a_zip, HTTP_ACCEPT="application/json").json()
    assert body["counts"] == {"deidentified": 7, "quarantined": 1, "refused": 0}
    assert [f["status"] for f in body["files"]].count("quarantined") == 1
    assert client_for(trainee).get(f"/library/cases/{case.pk}/").status_code == 404  # still a draft
    client.post(f"/library/cases/{case.pk}/publish/")
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    page = client_for(trainee).get(f"/library/cases/{case.pk}/").content.decode()
    assert "Anterior STEMI" in page and "sax cine" in page
    for path in Path(settings.MEDIA_ROOT).rglob("*.dcm"):
        assert b"Johanna" not in path.read_bytes()


def test_uploading_is_for_the_contributor_and_curators(client_for, make_case, trainee, other_trainee, patient_a_zip):
    case = make_case()
    assert _upload(client_for(trainee), case, patient_a_zip).status_code == 403
    assert not Instance.objects.exists()
    assert client_for(trainee).get("/library/cases/new/").status_code == 403


def test_an_empty_upload_says_what_to_do(client_for, make_case, mentor):
    case = make_case()
    response = client_for(mentor).post(f"/library/cases/{case.pk}/upload/", {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "Choose DICOM files" in response.json()["detail"]


def test_curator_reviews_quarantine_release_and_reject_are_audited(client_for, make_case, mentor, admin, trainee, patient_a_zip):
    case = make_case()
    _upload(client_for(mentor), case, patient_a_zip + b"", HTTP_ACCEPT="application/json")
    held = Instance.objects.get(quarantine_status=QuarantineStatus.PENDING)
    assert client_for(trainee).get("/library/quarantine/").status_code == 403
    assert client_for(trainee).get(f"/library/quarantine/{held.pk}/").status_code == 404
    curator = client_for(admin)
    page = curator.get("/library/quarantine/").content.decode()
    assert "secondary capture" in page
    review = curator.get(f"/library/quarantine/{held.pk}/")
    assert review.status_code == 200 and b"PatientIdentityRemoved" in review.content
    image = curator.get(f"/library/quarantine/{held.pk}/image.png")
    assert image["Content-Type"] == "image/png" and image.content[:4] == b"\x89PNG" and image["Cache-Control"] == "no-store"
    assert curator.post(f"/library/quarantine/{held.pk}/", {"decision": "release", "reason": ""}).status_code == 200  # reason required
    curator.post(f"/library/quarantine/{held.pk}/", {"decision": "reject", "reason": "desktop screenshot with a name bar"})
    held.refresh_from_db()
    assert held.quarantine_status == QuarantineStatus.REJECTED and held.storage_key == ""
    entry = AuditEntry.objects.get(action="library.quarantine.reject")
    assert entry.data["reason"] == "desktop screenshot with a name bar" and entry.actor == admin


def test_release_makes_the_image_visible(client_for, case_with_image, admin, trainee, mr_bytes):
    from cmrnet.library import services
    from tests.library.conftest import store_instance

    held = store_instance(Instance.objects.get().series, mr_bytes, quarantine_status="pending", n=2)
    assert client_for(trainee).get(f"/library/instances/{held.pk}/frames/1").status_code == 404
    services.release_instance(by=admin, instance=held, reason="MR image, only a scale bar burned in")
    assert client_for(trainee).get(f"/library/instances/{held.pk}/frames/1").status_code == 200
    assert AuditEntry.objects.filter(action="library.quarantine.release").exists()


def test_the_contributor_withdraws_a_case_with_a_reason(client_for, make_case, mentor, trainee):
    case = make_case()
    client = client_for(mentor)
    client.post(f"/library/cases/{case.pk}/withdraw/", {"reason": ""})
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    client.post(f"/library/cases/{case.pk}/withdraw/", {"reason": "consent withdrawn"})
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.withdrawal_reason == "consent withdrawn"
    assert client_for(trainee).get(f"/library/cases/{case.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="library.case.withdraw", object_id=str(case.pk)).exists()


def test_the_contributor_writes_the_reference_report_and_trainees_never_see_it(client_for, case_with_image, mentor, trainee):
    client = client_for(mentor)
    form = {"lv_edv_ml": "150", "lv_esv_ml": "60", "lv_mass_g": "120", "bsa_m2": "2", "wm_7": "akinetic", "wm_8": "hypokinetic",
            "lge_7": "transmural", "lge_8": "subendocardial", "perf_7": "on", "valve_findings": "Mild MR",
            "final_diagnosis": "Anterior infarct"}
    response = client.post(f"/library/cases/{case_with_image.pk}/reference/", form)
    assert response.status_code == 302
    ref = case_with_image.__class__.objects.get(pk=case_with_image.pk).reference
    assert (ref.lv_ef_pct, ref.lv_sv_ml, ref.lv_mass_index_g_m2) == (60.0, 90.0, 60.0)
    assert ref.wall_motion == {"7": "akinetic", "8": "hypokinetic"} and ref.lge == {"7": "transmural", "8": "subendocardial"}
    assert ref.perfusion_defects == [7] and ref.final_diagnosis == "Anterior infarct"
    assert AuditEntry.objects.filter(action="library.reference.save").exists()
    assert "Anterior infarct" in client.get(f"/library/cases/{case_with_image.pk}/").content.decode()
    trainee_view = client_for(trainee).get(f"/library/cases/{case_with_image.pk}/").content.decode()
    assert "Anterior infarct" not in trainee_view and "Reference report" not in trainee_view
    assert client_for(trainee).get(f"/library/cases/{case_with_image.pk}/reference/").status_code == 403
    again = client.get(f"/library/cases/{case_with_image.pk}/reference/").content.decode()
    assert 'value="150.0"' in again and '<option value="akinetic" selected>' in again
    bad = client.post(f"/library/cases/{case_with_image.pk}/reference/", {**form, "lv_ef_pct": "140"})
    assert bad.status_code == 200 and "100" in bad.content.decode()


def test_editing_a_case_is_audited_and_collections_group_published_cases(client_for, make_case, mentor, trainee):
    case = make_case(title="Old title")
    draft = make_case(status=CaseStatus.DRAFT, title="Not yet")
    client = client_for(mentor)
    client.post(f"/library/cases/{case.pk}/edit/", {"title": "New title", "category": "valvular", "difficulty": "advanced",
                                                     "teaching_points": "Look at the valve."})
    case.refresh_from_db()
    assert (case.title, case.category, case.difficulty) == ("New title", "valvular", "advanced")
    entry = AuditEntry.objects.get(action="library.case.update")
    assert entry.changes["title"] == ["Old title", "New title"]
    page = client.get("/library/collections/").content.decode()
    assert "New title" in page and "Not yet" not in page  # only published cases can be collected
    client.post("/library/collections/", {"title": "Valves", "description": "", "cases": [case.pk]})
    listing = client_for(trainee).get("/library/collections/").content.decode()
    assert "Valves" in listing and "<td>1</td>" in listing
    assert client_for(trainee).post("/library/collections/", {"title": "Mine"}).status_code == 403
    assert "New title" in client_for(trainee).get("/library/?collection=" + str(case.collections.get().pk)).content.decode()
    assert draft.collections.count() == 0
