"""Resumable upload within a file (a tus 1.0-like protocol, docs/case-library.md "Resumable upload").

A large zip or DICOM file is sent in chunks: ``start`` reserves an upload of a declared length, ``append``
writes one chunk at the offset the server holds, ``status`` says that offset after a broken connection,
and the chunk that completes the file runs the ordinary all-or-nothing ingest on it.

- **A chunk counts whole or not at all.** It is written after the bytes already held and kept only when all
  of its bytes arrived (and its checksum matched, if the client sent one); otherwise the file is cut back to
  the previous offset. A resumed upload therefore continues at a chunk boundary the server confirmed.
- **Nothing is ingested before the last byte**, and then only when the whole file's SHA-256 equals the one
  the client declared (if it did). The ingest itself is one transaction and one "remove what was stored"
  block, so a failure half-way leaves nothing in the library.
- **The partial original is not storage.** It lives in a private folder of the operating system's temporary
  directory (``FILE_UPLOAD_TEMP_DIR``, as Django's own upload files do; folder 0700, files 0600), never in the
  media storage or Orthanc, and is deleted when the upload completes (ingested or refused), when the
  client cancels it, and at the latest ``STALE_AFTER`` after its last chunk. Its original file name is not
  kept (it may carry the patient's name): only whether it is a zip.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

STALE_AFTER = dt.timedelta(hours=24)
MAX_CHUNK_BYTES = 32 * 1024 * 1024
TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_COPY = 1024 * 1024


class UploadError(Exception):
    """The request cannot be applied; `status` is the HTTP status to answer with, the message says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Upload:
    token: str
    user_id: int
    case_id: int
    length: int
    offset: int
    is_zip: bool
    sha256: str            # declared by the client (hex), or ""
    updated_at: dt.datetime

    @property
    def complete(self) -> bool:
        return self.offset == self.length


def folder() -> Path:
    base = Path(getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or tempfile.gettempdir()) / "cmrnet-resumable"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return base


def _paths(token: str) -> tuple[Path, Path]:
    if not TOKEN.fullmatch(token or ""):
        raise UploadError("No such upload.", 404)
    base = folder()
    return base / f"{token}.part", base / f"{token}.json"


def max_length() -> int:
    return settings.CMRNET_DICOM_MAX_UPLOAD_MB * 1024 * 1024


def parse_metadata(header: str) -> dict[str, str]:
    """tus Upload-Metadata: 'key base64value,key base64value' -> {key: text}."""
    out = {}
    for item in (header or "").split(","):
        item = item.strip()
        if not item:
            continue
        key, _, value = item.partition(" ")
        try:
            out[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value.strip() else ""
        except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError; so is non-ASCII input
            raise UploadError(f"Upload-Metadata: the value of {key[:40]!r} is not base64.") from None
    return out


def is_stale(updated_at: dt.datetime, *, now: dt.datetime) -> bool:
    return now - updated_at >= STALE_AFTER


def _save(upload: Upload) -> None:
    _, state = _paths(upload.token)
    tmp = state.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"user": upload.user_id, "case": upload.case_id, "length": upload.length,
                               "offset": upload.offset, "zip": upload.is_zip, "sha256": upload.sha256,
                               "updated_at": upload.updated_at.isoformat()}))
    os.chmod(tmp, 0o600)
    tmp.replace(state)


def _load(token: str) -> Upload:
    part, state = _paths(token)
    try:
        data = json.loads(state.read_text())
    except (FileNotFoundError, ValueError):
        raise UploadError("No such upload (finished, cancelled or expired): start it again.", 404) from None
    return Upload(token, data["user"], data["case"], data["length"], data["offset"], data["zip"], data["sha256"],
                  dt.datetime.fromisoformat(data["updated_at"]))


def discard(token: str) -> None:
    """Delete an upload's partial file and state (idempotent)."""
    for path in _paths(token):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def purge_stale(*, now: dt.datetime) -> int:
    """Delete uploads whose last chunk is older than STALE_AFTER; returns how many."""
    gone = 0
    for state in folder().glob("*.json"):
        try:
            upload = _load(state.stem)
        except (UploadError, KeyError):
            continue
        if is_stale(upload.updated_at, now=now):
            discard(upload.token)
            gone += 1
    return gone


def start(*, by, case, length: int, is_zip: bool, sha256: str = "", now: dt.datetime | None = None) -> Upload:
    """Reserve an upload of `length` bytes into `case` for `by` (the caller checked that they may upload)."""
    now = now or timezone.now()
    purge_stale(now=now)
    if length < 1:
        raise UploadError("Upload-Length: the file is empty.")
    if length > max_length():
        raise UploadError(f"Upload-Length: {length} bytes is more than the {settings.CMRNET_DICOM_MAX_UPLOAD_MB} MB "
                          f"one upload may hold (CMRNET_DICOM_MAX_UPLOAD_MB).", 413)
    sha256 = (sha256 or "").strip().lower()
    if sha256 and not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise UploadError("Upload-Metadata: sha256 must be 64 hexadecimal digits.")
    upload = Upload(secrets.token_urlsafe(32), by.pk, case.pk, length, 0, is_zip, sha256, now)
    part, _ = _paths(upload.token)
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    _save(upload)
    return upload


def get(token: str, *, by) -> Upload:
    """The upload `token` of `by`; someone else's is 'no such upload'."""
    upload = _load(token)
    if upload.user_id != by.pk:
        raise UploadError("No such upload.", 404)
    return upload


def _checksum(header: str) -> tuple[str, bytes] | None:
    """tus checksum extension: 'sha256 <base64 digest>' (also sha1, md5)."""
    if not header:
        return None
    algorithm, _, value = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in ("sha256", "sha1", "md5"):
        raise UploadError(f"Upload-Checksum: {algorithm!r} is not supported (sha256, sha1, md5).")
    try:
        return algorithm, base64.b64decode(value.strip(), validate=True)
    except ValueError:  # binascii.Error, or non-ASCII input
        raise UploadError("Upload-Checksum: the digest is not base64.") from None


def append(token: str, *, by, offset: int, stream, content_length: int, checksum: str = "",
           now: dt.datetime | None = None) -> Upload:
    """Write one chunk of `content_length` bytes read from `stream` at `offset` (which must be the server's).
    Kept only if every byte arrived and the checksum (if any) matched; otherwise cut back and raised."""
    now = now or timezone.now()
    upload = get(token, by=by)
    expected = _checksum(checksum)
    if content_length < 0 or content_length > MAX_CHUNK_BYTES:
        raise UploadError(f"A chunk holds at most {MAX_CHUNK_BYTES // (1024 * 1024)} MB; send smaller chunks.", 413)
    part, _ = _paths(token)
    with open(part, "r+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadError("Another chunk of this upload is being written; ask for the offset and try again.", 409) from None
        upload = get(token, by=by)  # re-read under the lock
        held = os.fstat(fh.fileno()).st_size
        if held != upload.offset:   # a crash between writing and saving the state: the state is the truth
            fh.truncate(upload.offset)
        if offset != upload.offset:
            raise UploadError(f"Upload-Offset: {offset} does not match the {upload.offset} bytes the server holds; "
                              f"ask for the offset (HEAD) and continue from there.", 409)
        if upload.offset + content_length > upload.length:
            raise UploadError(f"The chunk would go past the declared length ({upload.length} bytes).", 400)
        digest = hashlib.new(expected[0]) if expected else None
        fh.seek(upload.offset)
        received = 0
        try:
            while received < content_length:
                piece = stream.read(min(_COPY, content_length - received))
                if not piece:
                    break
                fh.write(piece)
                if digest:
                    digest.update(piece)
                received += len(piece)
        except OSError:
            pass  # the connection broke: what arrived of this chunk is dropped below
        if received != content_length:
            fh.truncate(upload.offset)
            raise UploadError(f"The chunk broke off after {received} of {content_length} bytes; nothing of it was kept. "
                              f"Continue from offset {upload.offset}.", 400)
        if digest and digest.digest() != expected[1]:
            fh.truncate(upload.offset)
            raise UploadError("Upload-Checksum: the chunk's checksum does not match; nothing of it was kept.", 460)
        fh.flush()
        os.fsync(fh.fileno())
        upload.offset += received
        upload.updated_at = now
        _save(upload)
    return upload


def file_sha256(token: str) -> str:
    part, _ = _paths(token)
    digest = hashlib.sha256()
    with open(part, "rb") as fh:
        while block := fh.read(_COPY):
            digest.update(block)
    return digest.hexdigest()


def finish(token: str, *, by, case, label: str = "upload"):
    """Ingest a complete upload (all or nothing) and delete its partial file whatever happens.
    Returns (IngestResult, sha256 of the file as received)."""
    from cmrnet.library import ingest as ingest_svc
    from cmrnet.library.models import Ingest

    upload = get(token, by=by)
    part, _ = _paths(token)
    if not upload.complete:
        raise UploadError(f"The upload holds {upload.offset} of {upload.length} bytes; send the rest first.", 409)
    try:
        received = file_sha256(token)
        if upload.sha256 and received != upload.sha256:
            raise UploadError("The file as received does not have the SHA-256 the client declared; nothing was stored. "
                              "Send it again.", 460)
        if upload.is_zip:
            files = ingest_svc.read_zip(part, f"{label}.zip")
        else:
            files = iter([(f"{label}.dcm", part.read_bytes())])
        result = ingest_svc.ingest(by=by, case=case, files=files, source=Ingest.Source.UPLOAD)
        return result, received
    finally:
        discard(token)
