"""The logbook API: own logbook CRUD, supervisors read, evaluation endpoint."""

import pytest
from rest_framework.test import APIClient

from cmrnet.audit.models import AuditEntry
from cmrnet.logbook import services
from cmrnet.logbook.models import Case
from cmrnet.logbook.patient_keys import patient_key
from tests.logbook.factories import case_input, ready_but_cases

pytestmark = pytest.mark.django_db


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_trainee_creates_updates_and_deletes_a_case(supervised, mentor, day):
    client = api(supervised)
    response = client.post("/api/v1/logbook/cases/", {
        "study_date": day.isoformat(), "patient_identifier": "MRN-5", "category": "valvular", "normal": False,
        "source": "own_centre", "role": "reporting", "control_room": True, "supervisor": mentor.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case_id"] == "C0001" and body["patient_key_short"] == patient_key("mrn-5")[:8]
    assert "patient_identifier" not in body and body["status"] == "pending"
    pk = body["id"]
    response = client.patch(f"/api/v1/logbook/cases/{pk}/", {"category": "mass"}, format="json")
    assert response.status_code == 200 and response.json()["category"] == "mass"
    assert Case.objects.get().patient_key == patient_key("MRN-5")          # kept when not re-typed
    assert client.delete(f"/api/v1/logbook/cases/{pk}/").status_code == 204
    assert not Case.objects.exists()
    actions = list(AuditEntry.objects.filter(action__startswith="logbook.case").values_list("action", flat=True))
    assert sorted(actions) == ["logbook.case_added", "logbook.case_deleted", "logbook.case_updated"]


def test_create_without_identifier_or_with_a_stranger_as_supervisor_is_refused(supervised, make_person, day):
    stranger = make_person("sid@example.org", "mentor")
    client = api(supervised)
    response = client.post("/api/v1/logbook/cases/", {"study_date": day.isoformat(), "category": "mass"}, format="json")
    assert response.status_code == 400 and "patient_identifier" in response.json()
    response = client.post("/api/v1/logbook/cases/", {
        "study_date": day.isoformat(), "patient_identifier": "x", "category": "mass", "supervisor": stranger.pk},
        format="json")
    assert response.status_code == 400 and response.json()["supervisor"] == ["Not one of your supervisors."]
    assert not Case.objects.exists()


def test_supervisor_reads_but_cannot_write(supervised, mentor, day):
    case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
    client = api(mentor)
    listing = client.get(f"/api/v1/logbook/cases/?trainee={supervised.pk}").json()
    assert [c["case_id"] for c in listing["results"]] == [case.case_id]
    assert client.patch(f"/api/v1/logbook/cases/{case.pk}/", {"category": "mass"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/logbook/cases/{case.pk}/").status_code == 403
    assert client.post("/api/v1/logbook/cases/", {}, format="json").status_code == 403
    assert Case.objects.get().category == "ischaemic"


def test_cme_api_lists_and_creates(supervised, day):
    client = api(supervised)
    response = client.post("/api/v1/logbook/cme/", {
        "title": "EuroCMR", "provider": "EACVI", "kind": "congress", "start_date": day.isoformat(),
        "end_date": day.isoformat(), "credits": "8.00", "modalities": 1, "catalog_id": ""}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["has_certificate"] is False
    assert client.get("/api/v1/logbook/cme/").json()["count"] == 1
    assert AuditEntry.objects.filter(action="logbook.cme_added").count() == 1


def test_evaluation_endpoint_matches_the_rule_engine(trainee, mentor, today):
    ready_but_cases(trainee, mentor, today=today, cases=149)
    response = api(trainee).get("/api/v1/logbook/evaluation/?ruleset=eacvi-2025&route=level2")
    assert response.status_code == 200
    body = response.json()
    assert (body["ruleset"], body["route"], body["compliant"]) == ("eacvi-2025", "level2", False)
    statuses = {r["id"]: r["status"] for r in body["rules"]}
    assert statuses["case_count"] == "not_met" and statuses["cme_hours"] == "met"
    assert "1 more eligible cases" in body["missing"] and len(body["logbook_version"]) == 64
    bad = api(trainee).get("/api/v1/logbook/evaluation/?ruleset=eacvi-2025&route=level9")
    assert bad.status_code == 400 and "unknown route" in bad.json()["detail"]
