import datetime as dt

from cmrnet.people.services import issue_api_token

from cmrnet.audit.models import AuditEntry
from cmrnet.people.models import Certification


def test_trainee_edits_own_profile_and_the_change_is_audited(client_for, trainee):
    response = client_for(trainee).post(f"/people/{trainee.pk}/edit/", {
        "full_name": "Tara T. Trainee", "specialty": "radiology", "languages": "en,de", "registration_country": "de",
        "registration_number": "DE-1", "registration_valid_until": "2030-01-01", "acls_valid_until": "2027-01-01"})
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.registration_country == "DE" and trainee.specialty == "radiology"
    entry = AuditEntry.objects.get(action="person.updated")
    assert entry.changes["specialty"] == ["cardiology", "radiology"]
    assert entry.actor == trainee


def test_board_records_and_revokes_a_certification(client_for, board_member, trainee):
    c = client_for(board_member)
    c.post(f"/people/{trainee.pk}/certifications/new/", {"body": "EACVI", "level": 2, "awarded_on": "2024-01-01", "valid_until": "2029-01-01"})
    cert = Certification.objects.get(holder=trainee)
    assert cert.level == 2
    response = c.post(f"/people/{trainee.pk}/certifications/{cert.pk}/revoke/", {"revoked_on": "2025-06-01", "reason": "Misconduct"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked and cert.revoked_on == dt.date(2025, 6, 1)
    assert cert.status_on(dt.date(2025, 6, 1)) == "revoked"
    assert AuditEntry.objects.filter(action="certification.revoked", object_id=str(cert.pk)).exists()


def test_certification_must_end_after_it_starts(client_for, board_member, trainee):
    response = client_for(board_member).post(f"/people/{trainee.pk}/certifications/new/", {
        "body": "EACVI", "level": 3, "awarded_on": "2024-01-01", "valid_until": "2023-01-01"})
    assert response.status_code == 200 and "Must be after the award date" in response.content.decode()
    assert not Certification.objects.exists()


def test_api_token_authentication_and_visibility(client, trainee, other_trainee):
    _token, secret = issue_api_token(by=trainee, person=trainee, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    me = client.get("/api/v1/people/me/", **auth)
    assert me.status_code == 200 and me.json()["email"] == trainee.email and me.json()["roles"] == ["trainee"]
    listing = client.get("/api/v1/people/", **auth).json()
    assert [p["email"] for p in listing["results"]] == [trainee.email]
    assert client.get(f"/api/v1/people/{other_trainee.pk}/", **auth).status_code == 404
    assert client.get("/api/v1/people/me/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_openapi_schema_and_docs_are_served_locally(client_for, trainee):
    c = client_for(trainee)
    schema = c.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/centres/" in paths and "/api/v1/people/me/" in paths
    docs = c.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()
