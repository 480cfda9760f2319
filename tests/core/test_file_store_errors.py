"""Security issue, finding 11: when storage cannot be written, every file-saving page says what failed
(503, not a bare 500) and nothing is half-written: no database row, no partial file; a failed write
that had already stored files removes them again."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from cmrnet.audit.models import AuditEntry
from cmrnet.core import files
from cmrnet.logbook.models import CmeActivity, PeerRecognition

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% evidence\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _files_under(folder) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def _assert_clear_503(response, name: str):
    assert response.status_code == 503
    html = response.content.decode()
    assert f"The file &#x27;{name}&#x27; could not be saved: the upload folder does not exist and cannot be created" \
        in html
    assert "Nothing was saved" in html


def test_a_cme_certificate_upload(trainee, client_for, unwritable_media):
    response = client_for(trainee).post("/logbook/cme/", {
        "title": "EuroCMR", "provider": "EACVI", "kind": "congress", "start_date": "2025-01-11",
        "end_date": "2025-01-13", "credits": "18", "modalities": "1", "certificate": SimpleUploadedFile("c.pdf", PDF)})
    _assert_clear_503(response, "c.pdf")
    assert not CmeActivity.objects.exists()
    assert not AuditEntry.objects.filter(action="logbook.cme_added").exists()


def test_peer_recognition_evidence(trainee, client_for, unwritable_media):
    response = client_for(trainee).post("/logbook/peer-recognition/", {
        "kind": "publication", "title": "CMR paper", "event": "JCMR", "scope": "international", "date": "2025-03-01",
        "reference": "doi:10/x",
        "evidence": SimpleUploadedFile("paper.pdf", PDF)})
    _assert_clear_503(response, "paper.pdf")
    assert not PeerRecognition.objects.exists()


def test_acls_evidence_on_the_profile(trainee, client_for, unwritable_media):
    response = client_for(trainee).post(f"/people/{trainee.pk}/edit/", {
        "full_name": "Tara Changed", "specialty": "cardiology", "languages": "en",
        "acls_evidence": SimpleUploadedFile("acls.pdf", PDF)})
    _assert_clear_503(response, "acls.pdf")
    trainee.refresh_from_db()
    assert trainee.full_name == "Tara Trainee" and not trainee.acls_evidence


def test_exam_item_media(board_member, client_for, unwritable_media):
    from cmrnet.exams.models import Item, Topic
    from tests.exams import factories

    factories.ensure_topics()
    data = {**factories.item_values(9), "topic": Topic.objects.get(code="physics").pk,
            "media": SimpleUploadedFile("scan.png", PNG)}
    response = client_for(board_member).post("/exams/items/new/", data)
    _assert_clear_503(response, "scan.png")
    assert not Item.objects.exists()


def test_the_api_gets_the_message_as_json(rf):
    from django.http import HttpResponse

    middleware = files.FileStoreErrorMiddleware(lambda request: HttpResponse())
    response = middleware.process_exception(rf.post("/api/v1/logbook/cme/"), files.FileStoreError("What failed."))
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert middleware.process_exception(rf.get("/"), ValueError("other")) is None


def test_a_write_failing_half_way_leaves_no_partial_file(settings):
    class Broken(ContentFile):
        def chunks(self, chunk_size=None):
            yield b"%PDF-1.4 first half"
            raise OSError(28, "No space left on device")

    with pytest.raises(files.FileStoreError, match="the file store is full"):
        default_storage.save("evidence/cme/2025/big.pdf", Broken(b"", name="big.pdf"))
    assert _files_under(settings.MEDIA_ROOT) == []


def test_a_permission_error_is_named(monkeypatch):
    from django.core.files.storage import FileSystemStorage as Base

    def refuse(self, name, content):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Base, "_save", refuse)
    with pytest.raises(files.FileStoreError, match="could not be saved: the upload folder is not writable"):
        default_storage.save("x/y.pdf", ContentFile(PDF))


class TestAtomicWithFiles:
    def test_files_of_a_failed_call_are_removed(self, settings):
        @files.atomic_with_files
        def write_then_fail():
            default_storage.save("a/one.pdf", ContentFile(PDF))
            raise RuntimeError("later step failed")

        with pytest.raises(RuntimeError):
            write_then_fail()
        assert _files_under(settings.MEDIA_ROOT) == []

    def test_an_outer_failure_removes_the_files_of_inner_calls_that_succeeded(self, settings):
        @files.atomic_with_files
        def inner():
            return default_storage.save("a/inner.pdf", ContentFile(PDF))

        with pytest.raises(RuntimeError):
            with files.files_removed_on_error(), transaction.atomic():
                inner()
                raise RuntimeError("outer step failed")
        assert _files_under(settings.MEDIA_ROOT) == []

    def test_files_of_a_successful_call_stay(self, settings):
        @files.atomic_with_files
        def write():
            return default_storage.save("a/kept.pdf", ContentFile(PDF))

        name = write()
        assert default_storage.exists(name)


def test_the_site_storage_is_the_safe_one():
    assert isinstance(default_storage, files.SafeWritesMixin)
