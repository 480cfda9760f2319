"""Where de-identified DICOM objects live.

- ``local`` (default): Django's default storage (files under the data directory, or S3 in production),
  keys ``library/dicom/<study>/<series>/<sop>.dcm``. Writes join the enclosing ``atomic_with_files``
  block, so a failed ingest removes them.
- ``orthanc``: an Orthanc (or any DICOMweb server) at ``CMRNET_DICOM_STORE_URL``; STOW-RS in, WADO-RS out,
  keys ``dicomweb:<study>/<series>/<sop>``. A failed ingest deletes what it stored through Orthanc's REST
  API (``DELETE /instances/{id}``), see ``written_keys_removed_on_error``.

Only de-identified bytes are ever passed to ``put``: the ingest service calls it after ``deid``.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cmrnet.library import dicomweb

log = logging.getLogger(__name__)
_WRITTEN: ContextVar[list | None] = ContextVar("cmrnet_dicom_written", default=None)


class DicomStoreError(Exception):
    """The DICOM store refused or lost an object; the message says which and why."""


class LocalStore:
    name = "local"

    def key_for(self, study_uid: str, series_uid: str, sop_uid: str) -> str:
        return f"library/dicom/{study_uid}/{series_uid}/{sop_uid}.dcm"

    def put(self, data: bytes, *, study_uid: str, series_uid: str, sop_uid: str) -> str:
        key = self.key_for(study_uid, series_uid, sop_uid)
        saved = default_storage.save(key, ContentFile(data))
        _remember(self, saved)
        return saved

    def get(self, key: str) -> bytes:
        try:
            with default_storage.open(key, "rb") as fh:
                return fh.read()
        except FileNotFoundError as exc:
            raise DicomStoreError(f"The stored image {key.rsplit('/', 1)[-1]} is missing from the file store.") from exc

    def delete(self, key: str) -> None:
        default_storage.delete(key)

    def exists(self, key: str) -> bool:
        return default_storage.exists(key)


class DicomWebStore:
    """Orthanc with its DICOMweb plug-in (Debian packages ``orthanc`` and ``orthanc-dicomweb``)."""

    name = "orthanc"

    def __init__(self, base_url: str):
        self.client = dicomweb.Client(base_url)

    def put(self, data: bytes, *, study_uid: str, series_uid: str, sop_uid: str) -> str:
        self.client.stow([data])
        key = f"dicomweb:{study_uid}/{series_uid}/{sop_uid}"
        _remember(self, key)
        return key

    @staticmethod
    def _uids(key: str) -> tuple[str, str, str]:
        study, series, sop = key.removeprefix("dicomweb:").split("/")
        return study, series, sop

    def get(self, key: str) -> bytes:
        study, series, sop = self._uids(key)
        parts = self.client.retrieve_instance(study, series, sop)
        if not parts:
            raise DicomStoreError(f"The DICOM store has no instance {sop}.")
        return parts[0]

    def delete(self, key: str) -> None:
        study, series, sop = self._uids(key)
        self.client.orthanc_delete_instance(sop)

    def exists(self, key: str) -> bool:
        study, series, sop = self._uids(key)
        return bool(self.client.search_instances(study, series, sop))


def get_store():
    if settings.CMRNET_DICOM_STORE == "orthanc":
        return DicomWebStore(settings.CMRNET_DICOM_STORE_URL)
    return LocalStore()


def _remember(store, key: str) -> None:
    written = _WRITTEN.get()
    if written is not None:
        written.append((store, key))


@contextmanager
def written_keys_removed_on_error():
    """Objects put into any DICOM store inside the block are deleted again if the block raises."""
    written: list = []
    outer = _WRITTEN.get()
    token = _WRITTEN.set(written)
    try:
        yield written
    except BaseException:
        for store, key in reversed(written):
            try:
                store.delete(key)
            except Exception:
                log.exception("could not delete %s after a failed ingest", key)
        raise
    finally:
        _WRITTEN.reset(token)
    if outer is not None:
        outer.extend(written)
