"""Resumable upload within a file (cmrnet.library.resumable, /library/cases/<id>/uploads/): a zip sent in
chunks, broken off in the middle of a chunk, resumed from the offset the server confirms; the file as
received is identical (SHA-256) and nothing is ingested before the last byte, nor after a failure."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import RequestFactory

from cmrnet.library import resumable, torture, views
from cmrnet.library.models import Case, Instance
from cmrnet.library.store import LocalStore

OCTETS = "application/offset+octet-stream"


@pytest.fixture(autouse=True)
def _private_temp(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "os-temp")
    (tmp_path / "os-temp").mkdir()


@pytest.fixture(scope="module")
def study_zip(tmp_path_factory) -> bytes:
    """Patient A's de-identifiable torture files, zipped (stored, not deflated: the bytes are the files')."""
    folder = tmp_path_factory.mktemp("resumable")
    files = [f for f in torture.build(folder) if f.patient == "A" and f.expect == "deidentified"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for f in files:
            zf.write(folder / f.name, f.name)
    return buf.getvalue()


def _meta(name: str, sha: str = "") -> str:
    items = [f"filename {base64.b64encode(name.encode()).decode()}"]
    if sha:
        items.append(f"sha256 {base64.b64encode(sha.encode()).decode()}")
    return ",".join(items)


def _start(client, case, data: bytes, *, name="study.zip", sha=True):
    response = client.post(f"/library/cases/{case.pk}/uploads/", HTTP_UPLOAD_LENGTH=str(len(data)),
                           HTTP_UPLOAD_METADATA=_meta(name, hashlib.sha256(data).hexdigest() if sha else ""))
    assert response.status_code == 201, response.content
    assert response["Tus-Resumable"] == "1.0.0" and response["Upload-Offset"] == "0"
    return response["Location"]


def _patch(client, url, chunk: bytes, offset: int, **extra):
    return client.generic("PATCH", url, chunk, content_type=OCTETS, HTTP_UPLOAD_OFFSET=str(offset), **extra)


def _media_files() -> list[str]:
    root = default_storage.path("")
    import os
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]


class BrokenStream:
    """A request body whose connection drops after `keep` bytes (as a WSGI server's input does)."""

    def __init__(self, data: bytes, keep: int):
        self.buf, self.keep = io.BytesIO(data), keep

    def read(self, size=-1):
        if self.buf.tell() >= self.keep:
            raise OSError("connection reset by peer")
        return self.buf.read(min(size if size >= 0 else self.keep, self.keep - self.buf.tell()))


def test_interrupted_mid_chunk_then_resumed_gives_the_identical_file_and_one_ingest(client_for, mentor, make_case, study_zip):
    case = make_case()
    client = client_for(mentor)
    url = _start(client, case, study_zip)
    third = len(study_zip) // 3
    first = _patch(client, url, study_zip[:third], 0)
    assert first.status_code == 204 and first["Upload-Offset"] == str(third)

    # the second chunk breaks off half-way: the server keeps nothing of it
    token = url.rsplit("/", 1)[-1]
    request = RequestFactory().generic("PATCH", url, b"x", content_type=OCTETS, HTTP_UPLOAD_OFFSET=str(third))
    request.user = mentor
    request._stream = BrokenStream(study_zip[third:2 * third], keep=third // 2)
    request.META["CONTENT_LENGTH"] = str(third)
    request._dont_enforce_csrf_checks = True
    broken = views.upload_resource(request, token)
    assert broken.status_code == 400 and b"broke off" in broken.content

    # nothing ingested, nothing stored; the offset is the last whole chunk
    assert not Instance.objects.exists() and _media_files() == []
    head = client.head(url)
    assert head.status_code == 204 and head["Upload-Offset"] == str(third) and head["Upload-Length"] == str(len(study_zip))
    # a chunk at the wrong offset is refused, with the offset to use
    wrong = _patch(client, url, study_zip[third // 2:], third // 2)
    assert wrong.status_code == 409 and str(third) in wrong.json()["detail"]

    # resume from the confirmed offset: the last chunk ingests the whole file
    second = _patch(client, url, study_zip[third:2 * third], third)
    assert second.status_code == 204 and second["Upload-Offset"] == str(2 * third)
    done = _patch(client, url, study_zip[2 * third:], 2 * third)
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["sha256"] == hashlib.sha256(study_zip).hexdigest() and body["size"] == len(study_zip)
    n_files = len(zipfile.ZipFile(io.BytesIO(study_zip)).namelist())
    assert body["counts"] == {"deidentified": n_files, "quarantined": 0, "refused": 0}
    assert Instance.objects.filter(series__study__case=case).count() == n_files
    # the partial original is gone; the upload no longer exists
    assert list(resumable.folder().iterdir()) == []
    assert client.head(url).status_code == 404


def test_the_same_result_as_a_one_shot_upload(client_for, mentor, make_case, study_zip, settings):
    """Chunked and one-shot uploads of the same zip store the same de-identified pixel data."""
    chunked, whole = make_case(), make_case()
    client = client_for(mentor)
    url = _start(client, chunked, study_zip)
    step = 50_000
    for offset in range(0, len(study_zip), step):
        response = _patch(client, url, study_zip[offset:offset + step], offset)
    assert response.status_code == 200
    again = client.post(f"/library/cases/{whole.pk}/upload/", {"files": [_named(study_zip, "study.zip")]}, HTTP_ACCEPT="application/json")
    assert again.json()["counts"]["refused"] == 13  # the same images (same remapped UIDs) are already in the library
    settings.CMRNET_DEID_SECRET = "another site secret for the comparison"
    whole = make_case()
    one = client.post(f"/library/cases/{whole.pk}/upload/", {"files": [_named(study_zip, "study.zip")]}, HTTP_ACCEPT="application/json")
    assert one.status_code == 200 and one.json()["counts"] == response.json()["counts"]

    def pixels(case):
        import pydicom
        out = []
        for i in Instance.objects.filter(series__study__case=case):
            ds = pydicom.dcmread(io.BytesIO(LocalStore().get(i.storage_key)))
            out.append(hashlib.sha256(ds.PixelData).hexdigest())
        return sorted(out)

    assert pixels(chunked) == pixels(whole) and len(pixels(whole)) >= 6


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile
    return SimpleUploadedFile(name, data, content_type="application/zip")


def test_a_file_that_differs_from_the_declared_hash_is_not_ingested(client_for, mentor, make_case, study_zip):
    client = client_for(mentor)
    case = make_case()
    url = _start(client, case, study_zip)
    tampered = study_zip[:-10] + b"X" * 10
    response = _patch(client, url, tampered, 0)
    assert response.status_code == 460 and "SHA-256" in response.json()["detail"]
    assert not Instance.objects.exists() and _media_files() == [] and list(resumable.folder().iterdir()) == []


def test_a_chunk_checksum_mismatch_keeps_nothing_of_the_chunk(client_for, mentor, make_case, study_zip):
    client = client_for(mentor)
    url = _start(client, make_case(), study_zip)
    good = base64.b64encode(hashlib.sha256(study_zip[:1000]).digest()).decode()
    bad = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    assert _patch(client, url, study_zip[:1000], 0, HTTP_UPLOAD_CHECKSUM=f"sha256 {bad}").status_code == 460
    assert client.head(url)["Upload-Offset"] == "0"
    assert _patch(client, url, study_zip[:1000], 0, HTTP_UPLOAD_CHECKSUM=f"sha256 {good}")["Upload-Offset"] == "1000"


def test_a_failure_during_the_final_ingest_leaves_nothing(client_for, mentor, make_case, study_zip, monkeypatch):
    client = client_for(mentor)
    case = make_case()
    url = _start(client, case, study_zip)
    real_put, calls = LocalStore.put, []

    def failing_put(self, data, **kw):
        calls.append(1)
        if len(calls) == 4:
            raise OSError("No space left on device")
        return real_put(self, data, **kw)

    monkeypatch.setattr(LocalStore, "put", failing_put)
    client.raise_request_exception = False
    response = _patch(client, url, study_zip, 0)
    assert response.status_code == 500 and len(calls) == 4
    assert not Instance.objects.exists() and _media_files() == [] and list(resumable.folder().iterdir()) == []


def test_only_the_uploader_continues_an_upload_and_only_editors_start_one(client_for, mentor, director, trainee, make_case, study_zip):
    case = make_case()
    url = _start(client_for(mentor), case, study_zip)
    for other in (director, trainee):
        client = client_for(other)
        assert client.head(url).status_code == 404
        assert _patch(client, url, study_zip[:10], 0).status_code == 404
        assert client.delete(url).status_code == 404
    assert client_for(mentor).head(url)["Upload-Offset"] == "0"
    response = client_for(trainee).post(f"/library/cases/{case.pk}/uploads/", HTTP_UPLOAD_LENGTH="10")
    assert response.status_code == 403
    assert client_for(mentor).delete(url).status_code == 204
    assert client_for(mentor).head(url).status_code == 404 and list(resumable.folder().iterdir()) == []


def test_bad_requests_name_the_header(client_for, mentor, make_case, settings, study_zip):
    client = client_for(mentor)
    case = make_case()
    start = f"/library/cases/{case.pk}/uploads/"
    assert "Upload-Length" in client.post(start).json()["detail"]
    settings.CMRNET_DICOM_MAX_UPLOAD_MB = 1
    too_big = client.post(start, HTTP_UPLOAD_LENGTH=str(2 * 1024 * 1024))
    assert too_big.status_code == 413 and "CMRNET_DICOM_MAX_UPLOAD_MB" in too_big.json()["detail"]
    assert "sha256" in client.post(start, HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=_meta("a.zip", "abc")).json()["detail"]
    not_b64 = client.post(start, HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA="filename é€ü")
    assert not_b64.status_code == 400 and "not base64" in not_b64.json()["detail"]
    url = _start(client, case, study_zip)
    wrong_type = client.generic("PATCH", url, b"abc", content_type="application/zip", HTTP_UPLOAD_OFFSET="0")
    assert wrong_type.status_code == 415
    assert "Upload-Offset" in client.generic("PATCH", url, b"abc", content_type=OCTETS).json()["detail"]
    assert client.head("/library/uploads/not-a-token").status_code == 404
    past = _patch(client, url, study_zip + b"more", 0)
    assert past.status_code == 400 and "past the declared length" in past.json()["detail"]


def test_stale_uploads_are_purged_after_a_day(mentor, make_case, db):
    case = make_case()
    t0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    upload = resumable.start(by=mentor, case=case, length=10, is_zip=False, now=t0)
    assert resumable.purge_stale(now=t0 + resumable.STALE_AFTER - dt.timedelta(seconds=1)) == 0
    assert resumable.get(upload.token, by=mentor).offset == 0
    assert resumable.purge_stale(now=t0 + resumable.STALE_AFTER) == 1
    with pytest.raises(resumable.UploadError):
        resumable.get(upload.token, by=mentor)
    assert Case.objects.filter(pk=case.pk).exists()


def test_partial_files_are_private_and_hold_no_file_name(client_for, mentor, make_case, study_zip):
    import os
    import stat

    client = client_for(mentor)
    url = _start(client, make_case(), study_zip, name="Smith^Johanna MRN-4711.zip")
    _patch(client, url, study_zip[:100], 0)
    folder = resumable.folder()
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        if path.suffix == ".json":
            assert b"Smith" not in path.read_bytes() and b"4711" not in path.read_bytes()


def test_the_api_speaks_the_same_protocol_with_a_token(mentor, trainee, make_case, study_zip):
    """/api/v1/library/cases/<id>/uploads/ and /api/v1/library/uploads/<token>: the same service, for a
    script holding an API token (no session, no CSRF)."""
    from django.test import Client

    from cmrnet.people.services import issue_api_token

    _, secret = issue_api_token(by=mentor, person=mentor, name="uploader")
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    case = make_case()
    assert Client().post(f"/api/v1/library/cases/{case.pk}/uploads/", HTTP_UPLOAD_LENGTH="10").status_code == 401
    created = api.post(f"/api/v1/library/cases/{case.pk}/uploads/", HTTP_UPLOAD_LENGTH=str(len(study_zip)),
                       HTTP_UPLOAD_METADATA=_meta("s.zip", hashlib.sha256(study_zip).hexdigest()))
    assert created.status_code == 201 and created["Location"].startswith("/api/v1/library/uploads/")
    url = created["Location"]
    half = len(study_zip) // 2
    assert _patch(api, url, study_zip[:half], 0)["Upload-Offset"] == str(half)
    assert api.head(url)["Upload-Offset"] == str(half)
    done = _patch(api, url, study_zip[half:], half)
    assert done.status_code == 200 and done.json()["sha256"] == hashlib.sha256(study_zip).hexdigest()
    assert Instance.objects.filter(series__study__case=case).count() == done.json()["counts"]["deidentified"] > 0
    _, other = issue_api_token(by=trainee, person=trainee, name="x")
    assert Client(HTTP_AUTHORIZATION=f"Token {other}").post(
        f"/api/v1/library/cases/{case.pk}/uploads/", HTTP_UPLOAD_LENGTH="10").status_code == 403
