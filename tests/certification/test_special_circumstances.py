"""Special-circumstances applications outside the routes: a statement with documents, submitted to the exam
board, which decides with reasons; every step audited."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import services
from cmrnet.certification.models import SpecialCircumstancesRequest
from tests.certification.helpers import pdf_upload

STATEMENT = "Twelve years of CMR reporting in a country without a Level 3 holder; 2000 studies reported."


@pytest.fixture
def draft_special(trainee):
    return services.open_special_request(by=trainee, body="EACVI", level=3, statement=STATEMENT)


def test_a_request_is_drafted_with_documents_and_submitted_audited_and_the_board_is_mailed(
        draft_special, trainee, board_member, today, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="at least one document"):
        services.submit_special_request(by=trainee, request=draft_special, today=today)
    services.add_special_document(by=trainee, request=draft_special, file=pdf_upload(), title="Reporting statistics")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_special_request(by=trainee, request=draft_special, today=today)
    draft_special.refresh_from_db()
    assert (draft_special.status, draft_special.submitted_on) == ("submitted", today)
    assert [e.action for e in AuditEntry.objects.filter(object_id=str(draft_special.pk),
                                                        action__startswith="special_circumstances").order_by("id")] == [
        "special_circumstances.opened", "special_circumstances.document_uploaded", "special_circumstances.submitted"]
    assert board_member.email in mail.outbox[-1].to and f"/certification/special/{draft_special.pk}/" in mail.outbox[-1].body
    with pytest.raises(ValidationError, match="no longer be changed"):
        services.add_special_document(by=trainee, request=draft_special, file=pdf_upload(), title="Late")


def test_a_non_english_document_blocks_submission_until_translated(draft_special, trainee, today):
    letter = services.add_special_document(by=trainee, request=draft_special, file=pdf_upload(), title="Lettera del primario",
                                           language="it")
    with pytest.raises(ValidationError, match="Document 'Lettera del primario' is in Italian"):
        services.submit_special_request(by=trainee, request=draft_special, today=today)
    services.add_special_document(by=trainee, request=draft_special, file=pdf_upload(), title="Head of department letter",
                                  language="en", translation_of=letter)
    assert services.submit_special_request(by=trainee, request=draft_special, today=today).status == "submitted"


def test_the_board_decides_with_reasons_audited_and_the_candidate_is_mailed(
        draft_special, trainee, board_member, today, django_capture_on_commit_callbacks):
    services.add_special_document(by=trainee, request=draft_special, file=pdf_upload(), title="CV")
    with pytest.raises(ValidationError, match="Only a submitted"):
        services.decide_special_request(by=board_member, request=draft_special, approve=True, comment="x", today=today)
    services.submit_special_request(by=trainee, request=draft_special, today=today)
    with pytest.raises(PermissionDenied):
        services.decide_special_request(by=trainee, request=draft_special, approve=True, comment="x", today=today)
    with pytest.raises(ValidationError) as exc:
        services.decide_special_request(by=board_member, request=draft_special, approve=True, comment=" ", today=today)
    assert "comment" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_special_request(by=board_member, request=draft_special, approve=True,
                                        comment="Considered: submit the logbook of the last 3 years.", today=today)
    draft_special.refresh_from_db()
    assert (draft_special.status, draft_special.decided_by, draft_special.decided_on) == ("approved", board_member, today)
    entry = AuditEntry.objects.get(action="special_circumstances.decided")
    assert entry.changes == {"status": ["submitted", "approved"]} and entry.actor == board_member
    assert mail.outbox[-1].to == [trainee.email]


def test_pages_candidate_drafts_uploads_submits_board_decides_others_404(
        trainee, other_trainee, board_member, client_for, grader):
    c = client_for(trainee)
    response = c.post("/certification/special/new/", {"body": "EACVI", "level": "2", "statement": STATEMENT})
    req = SpecialCircumstancesRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certification/special/{req.pk}/"
    board = client_for(board_member)
    assert board.get(f"/certification/special/{req.pk}/").status_code == 404  # a draft is the candidate's own
    c.post(f"/certification/special/{req.pk}/documents/", {"title": "CV", "language": "en", "file": pdf_upload()})
    c.post(f"/certification/special/{req.pk}/submit/")
    req.refresh_from_db()
    assert req.status == "submitted"
    assert "CV" in board.get(f"/certification/special/{req.pk}/").content.decode()
    assert str(req.candidate) in board.get("/certification/special/").content.decode()
    for person in (other_trainee, grader):
        assert client_for(person).get(f"/certification/special/{req.pk}/").status_code == 404
    assert c.post(f"/certification/special/{req.pk}/decision/", {"decision": "approve", "comment": "x"}).status_code == 403
    board.post(f"/certification/special/{req.pk}/decision/", {"decision": "decline", "comment": "Use the Level 2 route."})
    req.refresh_from_db()
    assert req.status == "declined" and "Use the Level 2 route." in c.get(f"/certification/special/{req.pk}/").content.decode()
    doc = req.documents.get()
    assert c.get(f"/certification/special/{req.pk}/documents/{doc.pk}/").status_code == 200
    assert client_for(other_trainee).get(f"/certification/special/{req.pk}/documents/{doc.pk}/").status_code == 404
