"""Saving uploaded files: a clear error when storage cannot be written, and no file left behind
by a write that failed.

- The site's storages (``FileSystemStorage`` here, ``cmrnet.core.files_s3.S3Storage``, chosen in
  settings) turn any
  failure to write into ``FileStoreError``, whose message says what failed, and remove a file they
  had begun to write.  ``FileStoreErrorMiddleware`` answers it with that message (503), for pages
  and the API alike, so no file-saving page gives a bare 500.
- ``atomic_with_files`` is ``transaction.atomic`` for services that save files: files written to
  storage inside the call are deleted again if the call fails (the database rolls back, storage
  does not).  Blocks nest: an outer block that fails also removes the files of inner blocks that
  succeeded.
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files import storage as django_storage
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)
_WRITTEN: ContextVar[list | None] = ContextVar("cmrnet_files_written", default=None)


class FileStoreError(Exception):
    """Storage refused a file; ``str()`` says what failed, in words for the person who uploaded it."""


def _reason(error: Exception) -> str:
    if isinstance(error, PermissionError):
        return "the upload folder is not writable"
    if isinstance(error, (NotADirectoryError, FileNotFoundError)):
        return "the upload folder does not exist and cannot be created"
    if isinstance(error, OSError) and error.errno == 28:
        return "the file store is full"
    return "the file store refused it"


class SafeWritesMixin:
    """For a Django storage: a failed write raises FileStoreError and leaves no partial file;
    a successful one is remembered by the enclosing ``atomic_with_files`` block."""

    def _save(self, name, content):
        existed = self._exists_quietly(name)
        try:
            saved = super()._save(name, content)
        except Exception as error:
            if not existed:
                self._delete_quietly(name)
            log.error("storage write failed for %s: %r", name, error)
            raise FileStoreError(f"The file {name.rsplit('/', 1)[-1]!r} could not be saved: {_reason(error)}. "
                                 f"Nothing was saved; please tell the site administrator.") from error
        written = _WRITTEN.get()
        if written is not None:
            written.append((self, saved))
        return saved

    def _exists_quietly(self, name) -> bool:
        try:
            return self.exists(name)
        except Exception:
            return False

    def _delete_quietly(self, name) -> None:
        try:
            self.delete(name)
        except Exception:       # the file may never have been created
            pass


class FileSystemStorage(SafeWritesMixin, django_storage.FileSystemStorage):
    pass


@contextmanager
def files_removed_on_error():
    """Files written to storage inside the block are deleted if the block raises."""
    written: list = []
    outer = _WRITTEN.get()
    token = _WRITTEN.set(written)
    try:
        yield written
    except BaseException:
        for storage, name in written:
            try:
                storage.delete(name)
            except Exception:
                log.exception("could not delete %s after a failed write", name)
        raise
    finally:
        _WRITTEN.reset(token)
    if outer is not None:
        outer.extend(written)


def atomic_with_files(func):
    """``transaction.atomic`` that also removes the files the call wrote when it fails."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with files_removed_on_error(), transaction.atomic():
            return func(*args, **kwargs)
    return wrapper


class FileStoreErrorMiddleware:
    """A FileStoreError anywhere becomes a 503 naming what failed (HTML page, or JSON for the API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, FileStoreError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(exception)}, status=503)
        return render(request, "core/file_store_error.html", {"message": str(exception)}, status=503)
