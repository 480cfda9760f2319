"""Library pages and the frame endpoints. Every read goes through ``selectors`` (network members only;
quarantine for curators only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cmrnet.library import pixels, selectors
from cmrnet.library.models import CATEGORY_CHOICES, Difficulty
from cmrnet.library.store import DicomStoreError, get_store

# Frames and rendered images of an instance never change (a new upload is a new instance with a new id
# and a new hash), so browsers may keep them; "private": they are behind a permission check.
IMMUTABLE = "private, max-age=31536000, immutable"


def _not_modified(request, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return etag in [t.strip() for t in sent.split(",")] or sent.strip() == "*"


def _cached(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = IMMUTABLE
    return response


@login_required
def home(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("text", "category", "difficulty")}
    collection = request.GET.get("collection", "")
    cases = selectors.library_cases(request.user, **filters,
                                    collection=int(collection) if collection.isdigit() else None)
    return render(request, "library/home.html", {
        "cases": cases, "filters": filters, "collection": collection, "categories": CATEGORY_CHOICES,
        "difficulties": Difficulty.choices, "collections": selectors.collections_for_user(request.user),
        "is_member": selectors.is_network_member(request.user), "can_contribute": selectors.can_contribute(request.user),
        "is_curator": selectors.is_curator(request.user),
    })


@login_required
def case_detail(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    studies = case.studies.prefetch_related("series")
    return render(request, "library/case.html", {
        "case": case, "studies": studies, "can_edit": selectors.can_edit_case(request.user, case),
    })


@login_required
@require_GET
def series_metadata(request, pk: int):
    series = selectors.get_series_for_user(request.user, pk)
    instances = selectors.instances_for_user(request.user).filter(series=series).order_by(
        "slice_location", "trigger_time_ms", "instance_number", "pk")
    return JsonResponse(selectors.series_metadata(series, instances))


def _stored_bytes(instance) -> bytes:
    try:
        return get_store().get(instance.storage_key)
    except DicomStoreError as exc:
        raise FileNotFoundError(str(exc)) from exc


@login_required
@require_GET
def frame(request, pk: int, n: int):
    instance = selectors.get_instance_for_user(request.user, pk)
    etag = f'"{instance.sha256}-{n}"'
    if _not_modified(request, etag):
        return _cached(HttpResponseNotModified(), etag)
    try:
        body = pixels.frame_bytes(_stored_bytes(instance), n, sha256=instance.sha256)
    except pixels.FrameError as exc:
        return JsonResponse({"detail": str(exc)}, status=404)
    except FileNotFoundError as exc:
        return JsonResponse({"detail": str(exc)}, status=503)
    response = HttpResponse(body, content_type="application/octet-stream")
    for header, value in (("X-Rows", instance.rows), ("X-Columns", instance.columns),
                          ("X-Bits-Allocated", instance.bits_allocated),
                          ("X-Pixel-Representation", instance.pixel_representation),
                          ("X-Samples-Per-Pixel", instance.samples_per_pixel)):
        response[header] = str(value)
    return _cached(response, etag)


@login_required
@require_GET
def rendered(request, pk: int, n: int):
    """A PNG of one frame (thumbnails). Pixel-exact data for measurement comes from ``frame``."""
    instance = selectors.get_instance_for_user(request.user, pk)
    size = request.GET.get("size", "")
    size = min(int(size), 1024) if size.isdigit() and int(size) > 0 else None
    etag = f'"{instance.sha256}-{n}-png-{size or 0}"'
    if _not_modified(request, etag):
        return _cached(HttpResponseNotModified(), etag)
    try:
        body = pixels.to_png(_stored_bytes(instance), frame=n, size=size)
    except (pixels.FrameError, IndexError) as exc:
        return JsonResponse({"detail": str(exc)}, status=404)
    except FileNotFoundError as exc:
        return JsonResponse({"detail": str(exc)}, status=503)
    return _cached(HttpResponse(body, content_type="image/png"), etag)
