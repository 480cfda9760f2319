"""The request, recertification and audit pages through the test client (forms, refusals, redirects)."""

import datetime as dt

from cmrnet.certification.models import ExtensionRequest, RandomAudit, RemoteSupervisionRequest
from tests.certification.helpers import pdf_upload


def test_opening_an_application_without_an_exam_pass_shows_why(trainee, client_for):
    response = client_for(trainee).post("/certification/applications/new/", {"body": "EACVI", "route": "level2"})
    assert response.status_code == 200
    assert "only after the EACVI written exam is passed" in response.content.decode()


def test_submitting_an_incomplete_application_shows_the_unmet_rules(draft, candidate, client_for):
    response = client_for(candidate).post(f"/certification/applications/{draft.pk}/submit/", follow=True)
    page = response.content.decode()
    assert "The application cannot be submitted yet:" in page and "has not signed" in page


def test_an_illegal_transition_from_the_page_is_refused_with_its_message(submitted, board_member, client_for):
    client = client_for(board_member)
    client.post(f"/certification/applications/{submitted.pk}/accept/")
    page = client.post(f"/certification/applications/{submitted.pk}/accept/", follow=True).content.decode()
    assert "cannot become in grading" in page


def test_a_remote_supervision_request_from_the_form(other_trainee, candidate, supervisor, board_member, client_for, today):
    client = client_for(other_trainee)
    assert client.get("/certification/remote-supervision/new/").status_code == 200
    response = client.post("/certification/remote-supervision/new/", {
        "reason": "No Level 3 on site", "annual_caseload": "150", "local_supervision": "Cardiologist, 5 years CMR",
        "remote_supervisor": supervisor.pk, "arrangements": "Teleconference weekly", "contact_time": "2 h/week",
        "assessment_methods": "Report review", "training_starts_on": "2099-01-01"})
    req = RemoteSupervisionRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certification/remote-supervision/{req.pk}/"
    assert client_for(candidate).get(f"/certification/remote-supervision/{req.pk}/").status_code == 404
    board = client_for(board_member)
    client_for(supervisor).post(f"/certification/remote-supervision/{req.pk}/respond/", {"response": "confirm"})
    board.post(f"/certification/remote-supervision/{req.pk}/", {"decision": "approve", "comment": ""})
    req.refresh_from_db()
    assert req.status == "approved"
    assert "overdue" not in board.get("/certification/remote-supervision/").content.decode()


def test_an_extension_request_from_the_form_and_its_letter_download(candidate, logbook, board_member, client_for, other_trainee):
    client = client_for(candidate)
    response = client.post("/certification/extensions/new/", {
        "kind": "logbook", "reason": "illness", "months": "3", "explanation": "Surgery",
        "supervisor_letter": pdf_upload("letter.pdf")})
    ext = ExtensionRequest.objects.get()
    assert response.status_code == 302
    assert client.get(f"/certification/extensions/{ext.pk}/letter/").status_code == 200
    assert client_for(other_trainee).get(f"/certification/extensions/{ext.pk}/letter/").status_code == 404
    client_for(board_member).post(f"/certification/extensions/{ext.pk}/", {"decision": "approve", "comment": ""})
    ext.refresh_from_db()
    assert ext.new_deadline is not None


def test_an_extension_for_an_unlisted_reason_is_refused_by_the_form(candidate, logbook, client_for):
    response = client_for(candidate).post("/certification/extensions/new/", {
        "kind": "logbook", "reason": "holiday", "months": "3", "supervisor_letter": pdf_upload()})
    assert response.status_code == 200 and not ExtensionRequest.objects.exists()


def test_recertification_page_shows_the_window_and_refuses_early(certificate, candidate, client_for):
    client = client_for(candidate)
    page = client.get(f"/certification/certificates/{certificate.pk}/recertify/").content.decode()
    assert "2031-05-23" in page and "2032-05-23" in page
    response = client.post(f"/certification/certificates/{certificate.pk}/recertify/",
                           {"continuing_practice": "Scanning", "fee_category": "member"})
    assert "Recertification opens on 2031-05-23" in response.content.decode()


def test_the_board_draws_an_audit_and_records_an_outcome(certificate, board_member, client_for):
    client = client_for(board_member)
    response = client.post("/certification/audits/", {"sample_size": "2", "note": "Yearly"})
    audit = RandomAudit.objects.get()
    assert response["Location"] == f"/certification/audits/{audit.pk}/"
    page = client.get(f"/certification/audits/{audit.pk}/").content.decode()
    assert "the stored seed gives this sample" in page and "Tara Trainee" in page
    check = audit.checks.get()
    client.post(f"/certification/audits/{audit.pk}/", {"check": check.pk, "outcome": "discrepancy", "notes": "Dates differ"})
    check.refresh_from_db()
    assert check.outcome == "discrepancy"


def test_the_board_designates_the_chair_on_the_office_page(board_member, client_for):
    from cmrnet.certification.models import BoardChair

    client_for(board_member).post("/certification/office/chair/", {"body": "EACVI", "person": board_member.pk})
    assert BoardChair.objects.get(body="EACVI").person == board_member


def test_revocation_from_the_page_is_immediate(certificate, board_member, client_for, today):
    from django.test import Client

    client_for(board_member).post(f"/certification/certificates/{certificate.pk}/revoke/", {
        "on": today.isoformat(), "reason": "Misconduct found."})
    assert ">Revoked<" in Client().get(f"/certification/verify/{certificate.code}/").content.decode()
    assert "Revoked" in Client().get("/certification/register/?name=Tara").content.decode()


def test_the_revoke_page_is_for_the_board_only(certificate, candidate, client_for):
    assert client_for(candidate).get(f"/certification/certificates/{certificate.pk}/revoke/").status_code == 403


def test_a_late_recertification_from_the_page_shows_the_refusal(certificate, candidate, client_for, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2032, 6, 1))
    response = client_for(candidate).post(f"/certification/certificates/{certificate.pk}/recertify/",
                                          {"continuing_practice": "Scanning"}, follow=True)
    page = response.content.decode()
    assert "must be repeated" in page
