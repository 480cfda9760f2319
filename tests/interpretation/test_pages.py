"""The reading pages: blinded until submission, then the differences; comments link to their frame."""

import pytest

from cmrnet.interpretation import services
from cmrnet.interpretation.models import Interpretation, Status
from cmrnet.library.models import Series

pytestmark = pytest.mark.django_db

FORM = {"lv_edv_ml": "150", "lv_esv_ml": "60", "lv_ef_pct": "52", "category": "cardiomyopathy",
        "final_diagnosis": "Dilated cardiomyopathy", "lge_7": "mid_wall", "viewer_measurements":
        '[{"type": "distance", "series": 1, "slice": 0, "phase": 0, "points": [[1, 2], [30, 2]]}]'}


def test_trainee_reads_blinded_then_sees_the_differences(client_for, supervised, mentor, cine_case):
    reading = services.assign_case(by=mentor, trainee=supervised, case=cine_case).interpretation
    client = client_for(supervised)
    page = client.get(f"/interpretation/{reading.pk}/").content.decode()
    assert cine_case.title not in page and "data-cmr-viewer" in page and "Submit for review" in page
    assert client.post(f"/interpretation/{reading.pk}/save/", {**FORM, "save": "1"}).status_code == 302
    reading.refresh_from_db()
    assert reading.status == Status.DRAFT and reading.report["lv_ef_pct"] == 52.0
    assert reading.measurements[0]["points"] == [[1.0, 2.0], [30.0, 2.0]]
    assert f"<small>{cine_case.title}</small>" not in client.get(f"/interpretation/{reading.pk}/").content.decode()
    client.post(f"/interpretation/{reading.pk}/save/", {**FORM, "submit": "1"})
    page = client.get(f"/interpretation/{reading.pk}/").content.decode()
    assert f"<small>{cine_case.title}</small>" in page
    assert 'class="differ" data-field="lv_ef_pct"' in page and "-8 points" in page
    assert 'class="agree" data-field="lv_edv_ml"' in page


def test_bad_form_value_keeps_the_draft_and_names_the_field(client_for, supervised, mentor, cine_case):
    reading = services.start_reading(by=supervised, case=cine_case)
    client = client_for(supervised)
    response = client.post(f"/interpretation/{reading.pk}/save/", {"lv_ef_pct": "140", "submit": "1"}, follow=True)
    assert "LV ejection fraction" in response.content.decode()
    assert Interpretation.objects.get(pk=reading.pk).status == Status.DRAFT


def test_mentor_comments_on_a_frame_and_the_link_opens_the_viewer_there(client_for, supervised, mentor, cine_case):
    reading = services.assign_case(by=mentor, trainee=supervised, case=cine_case).interpretation
    services.submit(by=supervised, interpretation=reading, report={"lv_ef_pct": 50})
    series = Series.objects.get(study__case=cine_case)
    mentor_client = client_for(mentor)
    page = mentor_client.get(f"/interpretation/{reading.pk}/").content.decode()
    assert "Point for a comment" in page and "Record the review" in page
    mentor_client.post(f"/interpretation/{reading.pk}/comment/", {
        "text": "ES is here", "anchor_series": series.pk, "anchor_slice": 2, "anchor_phase": 3, "anchor_x": 31.5,
        "anchor_y": 30})
    mentor_client.post(f"/interpretation/{reading.pk}/review/", {"grade": "good", "full_review": "on"})
    trainee_client = client_for(supervised)
    page = trainee_client.get(f"/interpretation/{reading.pk}/").content.decode()
    link = f"/interpretation/{reading.pk}/?series={series.pk}&amp;slice=2&amp;phase=3&amp;x=31.5&amp;y=30.0#viewer"
    assert link in page and "Add to my logbook" in page
    opened = trainee_client.get(link.replace("&amp;", "&")).content.decode()
    assert f'data-series="{series.pk}" data-slice="2" data-phase="3" data-x="31.5" data-y="30.0"' in opened
    # the trainee cannot comment or review; an unrelated mentor's post is a 404
    assert trainee_client.post(f"/interpretation/{reading.pk}/review/", {"grade": "excellent"}).status_code == 404
    reading.refresh_from_db()
    assert reading.grade == "good" and reading.full_review


def test_progress_page_lists_missing_categories_and_the_bland_altman_plot(client_for, supervised, mentor, cine_case):
    reading = services.start_reading(by=supervised, case=cine_case)
    services.submit(by=supervised, interpretation=reading, report={"lv_ef_pct": 50, "lv_edv_ml": 140})
    page = client_for(supervised).get("/interpretation/progress/").content.decode()
    assert "Still missing" in page and "Congenital" in page
    assert 'data-parameter="lv_ef_pct"' in page and "bias -10.0" in page and "<svg" in page
    assert client_for(mentor).get(f"/interpretation/trainees/{supervised.pk}/progress/").status_code == 200


def test_api_flow_keeps_the_comparison_hidden_until_submission(client_for, supervised, mentor, cine_case):
    api = client_for(supervised)
    created = api.post("/api/v1/interpretations/", {"case": cine_case.pk, "mentor": mentor.pk},
                       content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    bad = api.post(f"/api/v1/interpretations/{pk}/draft/", {"report": {"lv_ef_pct": 120}}, content_type="application/json")
    assert bad.status_code == 400 and "lv_ef_pct" in bad.json()
    draft = api.post(f"/api/v1/interpretations/{pk}/draft/", {"report": {"lv_ef_pct": 58}}, content_type="application/json")
    assert draft.json()["comparison"] == [] and "reference" not in str(draft.json()["report"])
    done = api.post(f"/api/v1/interpretations/{pk}/submit/", {"report": {"lv_ef_pct": 58}}, content_type="application/json")
    ef = next(r for r in done.json()["comparison"] if r["field"] == "lv_ef_pct")
    assert ef["status"] == "agree" and ef["reference"] == 60.0
    series = Series.objects.get(study__case=cine_case)
    mentor_api = client_for(mentor)
    assert api.post(f"/api/v1/interpretations/{pk}/comments/", {"text": "x"}, content_type="application/json").status_code == 403
    comments = mentor_api.post(f"/api/v1/interpretations/{pk}/comments/", {
        "text": "Look", "series": series.pk, "slice_index": 0, "phase_index": 1, "x": 3, "y": 4},
        content_type="application/json")
    assert comments.json()[0]["phase_index"] == 1
    reviewed = mentor_api.post(f"/api/v1/interpretations/{pk}/review/", {"grade": "excellent", "full_review": True},
                               content_type="application/json")
    assert reviewed.json()["status"] == "reviewed"
    logged = api.post(f"/api/v1/interpretations/{pk}/logbook/", content_type="application/json")
    assert logged.status_code == 200 and logged.json()["logbook_case"]


def test_api_assignment_only_to_supervised_trainees(client_for, supervised, other_trainee, mentor, cine_case):
    api = client_for(mentor)
    ok = api.post("/api/v1/assignments/", {"trainee": supervised.pk, "case": cine_case.pk}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["status"] == "draft"
    refused = api.post("/api/v1/assignments/", {"trainee": other_trainee.pk, "case": cine_case.pk},
                       content_type="application/json")
    assert refused.status_code == 403


def test_the_library_case_page_opens_the_viewer(client_for, trainee, cine_case):
    client = client_for(trainee)
    page = client.get(f"/library/cases/{cine_case.pk}/").content.decode()
    assert f'href="/interpretation/cases/{cine_case.pk}/viewer/"' in page
    viewer = client.get(f"/interpretation/cases/{cine_case.pk}/viewer/").content.decode()
    assert "data-cmr-viewer" in viewer and f"/interpretation/cases/{cine_case.pk}/manifest.json" in viewer
    assert "Use in my report" not in viewer      # no report on the plain viewer page
