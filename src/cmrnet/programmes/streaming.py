"""Serving a stored video with HTTP range requests (RFC 9110 section 14): the player seeks without
downloading the whole file. Works with any Django storage that can open and seek a file."""

from __future__ import annotations

import mimetypes
import re

from django.http import HttpResponse, StreamingHttpResponse

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(first, last) inclusive for a single satisfiable range; None without a usable header; "unsatisfiable"."""
    match = RANGE.match(header.strip()) if header else None
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return "unsatisfiable"
    return start, end


def _reader(handle, start: int, length: int):
    handle.seek(start)
    remaining = length
    try:
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def ranged_file_response(field_file, range_header: str) -> HttpResponse:
    size = field_file.size
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    wanted = parse_range(range_header, size)
    if wanted == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted if wanted else (0, size - 1)
    handle = field_file.storage.open(field_file.name, "rb")
    response = StreamingHttpResponse(_reader(handle, start, end - start + 1), status=206 if wanted else 200,
                                     content_type=content_type)
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Cache-Control"] = "private, no-store"
    return response
