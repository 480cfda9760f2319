"""Security issue, finding 11, for the certification app's files: documents, extension letters and the
frozen snapshot. An unwritable file store gives a clear 503 (or FileStoreError from the service) and
nothing is half-written."""

from pathlib import Path

import pytest

from cmrnet.certification.models import Document, ExtensionRequest, Snapshot
from cmrnet.core.files import FileStoreError
from tests.certification.helpers import pdf_upload

pytestmark = pytest.mark.django_db


def test_a_document_upload(draft, candidate, client_for, unwritable_media):
    before = Document.objects.count()
    response = client_for(candidate).post(f"/certification/applications/{draft.pk}/documents/", {
        "kind": "other", "title": "Letter", "file": pdf_upload("letter.pdf")})
    assert response.status_code == 503
    assert "could not be saved: the upload folder does not exist" in response.content.decode()
    assert Document.objects.count() == before


def test_an_extension_letter(candidate, logbook, client_for, unwritable_media):
    response = client_for(candidate).post("/certification/extensions/new/", {
        "kind": "logbook", "reason": "illness", "months": "3", "explanation": "Surgery",
        "supervisor_letter": pdf_upload("letter.pdf")})
    assert response.status_code == 503 and not ExtensionRequest.objects.exists()


def test_the_frozen_snapshot_at_submission(signed, candidate, today, settings, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from cmrnet.certification import services

    def refuse(self, name, content):          # documents stay readable; only new writes fail
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    state = signed.state
    with pytest.raises(FileStoreError, match="the upload folder is not writable"):
        services.submit(by=candidate, application=signed, today=today)
    signed.refresh_from_db()
    assert signed.state == state and not Snapshot.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.zip"))
