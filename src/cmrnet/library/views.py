"""Library pages and the frame endpoints. Every read goes through ``selectors`` (network members only;
quarantine for curators only)."""

from __future__ import annotations

import hashlib
import io

import pydicom
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cmrnet.library import ingest as ingest_svc
from cmrnet.library import pixels, resumable, selectors, services
from cmrnet.library.forms import CaseForm, CollectionForm, ReasonForm, ReferenceForm
from cmrnet.library.models import AHA_SEGMENTS, CATEGORY_CHOICES, Difficulty, Ingest, ReferenceReport
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
    response.cmrnet_cacheable = True  # core.middleware leaves it cacheable (de-identified pixels only)
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
    can_edit = selectors.can_edit_case(request.user, case)
    # The reference is the answer key: shown to its editors and mentors, never to a trainee reading blinded.
    shown = ReferenceReport.objects.filter(case=case).first() if selectors.can_read_reference(request.user, case) else None
    segments = [(n, name, (shown.wall_motion or {}).get(str(n), ""), (shown.lge or {}).get(str(n), ""),
                 n in (shown.perfusion_defects or [])) for n, name in AHA_SEGMENTS.items()] if shown else []
    return render(request, "library/case.html", {
        "case": case, "studies": studies, "can_edit": can_edit, "reference": shown, "segments": segments,
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


BATCH_MAX_FRAMES = 200


def parse_batch(text: str) -> list[tuple[int, int]]:
    """'41,42:3' -> [(41, 1), (42, 3)]: instance ids, each with an optional 1-based frame number."""
    items = []
    for piece in text.split(","):
        ident, _, frame_no = piece.partition(":")
        if not ident.isdigit() or len(ident) > 18 or (frame_no and (not frame_no.isdigit() or len(frame_no) > 6)):
            raise ValueError(f"f={text[:60]!r}: items are image ids, each optionally ':frame', separated by commas ({piece[:30]!r}).")
        if frame_no and int(frame_no) < 1:
            raise ValueError(f"f: frame numbers start at 1 ({piece!r}).")
        items.append((int(ident), int(frame_no or 1)))
    if len(items) > BATCH_MAX_FRAMES:
        raise ValueError(f"f: at most {BATCH_MAX_FRAMES} frames per request, {len(items)} asked.")
    return items


@login_required
@require_GET
def series_frames(request, pk: int):
    """Many frames of one series in one answer (the viewer loads a 300-image stack in a few requests):
    ``?f=<image id>[:<frame>],...`` -> multipart/related of application/octet-stream parts in the order asked,
    each exactly what ``frame`` serves for that image and frame (Content-Location names it). All or nothing:
    an image not in this series or not visible to the person answers 404 naming it."""
    from cmrnet.library import wado

    series = selectors.get_series_for_user(request.user, pk)
    try:
        wanted = parse_batch(request.GET.get("f", ""))
    except ValueError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    found = {i.pk: i for i in selectors.instances_for_user(request.user).filter(series=series, pk__in={i for i, _ in wanted})}
    for ident, frame_no in wanted:
        if ident not in found:
            return JsonResponse({"detail": f"Image {ident} is not in this series (or not visible)."}, status=404)
        if frame_no > found[ident].number_of_frames:
            return JsonResponse({"detail": f"Image {ident} has no frame {frame_no}."}, status=404)
    etag = '"' + hashlib.sha256("|".join(f"{found[i].sha256}:{n}" for i, n in wanted).encode()).hexdigest()[:40] + '-b"'
    if _not_modified(request, etag):
        return _cached(HttpResponseNotModified(), etag)
    parts, data_by_id = [], {}
    try:
        for ident, frame_no in wanted:
            instance = found[ident]
            if ident not in data_by_id:
                data_by_id = {ident: _stored_bytes(instance)}  # one object in memory at a time (frames of one image are adjacent)
            parts.append((pixels.frame_bytes(data_by_id[ident], frame_no, sha256=instance.sha256),
                          {"Content-Location": reverse("library-frame", args=[ident, frame_no])}))
    except pixels.FrameError as exc:
        return JsonResponse({"detail": str(exc)}, status=404)
    except FileNotFoundError as exc:
        return JsonResponse({"detail": str(exc)}, status=503)
    body, content_type = wado.multipart(parts, part_type="application/octet-stream")
    return _cached(HttpResponse(body, content_type=content_type), etag)


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


# --- Contributing: new case, upload, publish, withdraw ------------------------------------------------

@login_required
def case_new(request):
    if not selectors.can_contribute(request.user):
        raise PermissionDenied
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = services.create_case(by=request.user, **form.cleaned_data)
        messages.success(request, f"Case {case.pseudonym} created: now upload its images.")
        return redirect("library-upload", pk=case.pk)
    return render(request, "library/case_form.html", {"form": form, "title": "New teaching case"})


def _uploaded_files(uploads):
    """(name, bytes) of every uploaded file; zips are opened member by member in memory."""
    for upload in uploads:
        if upload.name.lower().endswith(".zip"):
            yield from ingest_svc.read_zip(upload.file, upload.name)
        else:
            yield upload.name, upload.read()


@login_required
def upload(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    if not selectors.can_edit_case(request.user, case):
        raise PermissionDenied
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        try:
            if not uploads:
                raise ingest_svc.IngestError("Choose DICOM files, a folder or a zip first.")
            result = ingest_svc.ingest(by=request.user, case=case, files=_uploaded_files(uploads), source=Ingest.Source.UPLOAD)
        except ingest_svc.IngestError as exc:
            if wants_json:
                return JsonResponse({"detail": str(exc)}, status=400)
            messages.error(request, str(exc))
            return redirect("library-upload", pk=case.pk)
        finally:
            for upload_file in uploads:  # Django's temporary upload files (originals) are deleted here
                upload_file.close()
        body = {"counts": result.counts, "files": [{"name": o.name, "status": o.status, "reason": o.reason} for o in result.outcomes]}
        if wants_json:
            return JsonResponse(body)
        counts = result.counts
        messages.success(request, f"{counts['deidentified']} images de-identified and stored, {counts['quarantined']} in "
                                  f"quarantine for a curator, {counts['refused']} refused.")
        return redirect("library-case", pk=case.pk)
    return render(request, "library/upload.html", {"case": case, "ingests": case.ingests.all()[:10]})


# --- Resumable upload within a file (tus 1.0-like; cmrnet.library.resumable) ---------------------------

TUS_VERSION = "1.0.0"


def _tus(response: HttpResponse, upload=None) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    if upload is not None:
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
    return response


def _tus_error(exc) -> HttpResponse:
    return _tus(JsonResponse({"detail": str(exc)}, status=exc.status))


def _header_int(request, name: str) -> int:
    text = request.headers.get(name, "").strip()
    if not text.isdigit() or len(text) > 15:
        raise resumable.UploadError(f"{name}: a whole number of bytes is required.")
    return int(text)


def start_upload(request, user, pk: int) -> HttpResponse:
    """POST with Upload-Length (and Upload-Metadata: filename, sha256) -> 201, Location of the upload.
    Shared by the page (session) and the API (token or session): `request` is Django's request."""
    case = selectors.get_case_for_user(user, pk)
    if not selectors.can_edit_case(user, case):
        raise PermissionDenied
    try:
        meta = resumable.parse_metadata(request.headers.get("Upload-Metadata", ""))
        upload = resumable.start(by=user, case=case, length=_header_int(request, "Upload-Length"),
                                 is_zip=meta.get("filename", "").lower().endswith(".zip"), sha256=meta.get("sha256", ""))
    except resumable.UploadError as exc:
        return _tus_error(exc)
    response = _tus(HttpResponse(status=201), upload)
    api = request.path.startswith("/api/")
    response["Location"] = reverse("api-library-upload-resource" if api else "library-upload-resource", args=[upload.token])
    return response


def upload_request(request, user, token: str) -> HttpResponse:
    """HEAD/GET: the offset held; PATCH (application/offset+octet-stream, Upload-Offset): one chunk, and on the
    last one the ingest (200 with its result; 204 before); DELETE: cancel and delete what was received."""
    try:
        upload = resumable.get(token, by=user)
        if request.method in ("HEAD", "GET"):
            return _tus(HttpResponse(status=200 if request.method == "GET" else 204), upload)
        if request.method == "DELETE":
            resumable.discard(token)
            return _tus(HttpResponse(status=204))
        case = selectors.get_case_for_user(user, upload.case_id)
        if not selectors.can_edit_case(user, case):
            raise PermissionDenied
        if request.content_type != "application/offset+octet-stream":
            raise resumable.UploadError("Content-Type must be application/offset+octet-stream.", 415)
        upload = resumable.append(token, by=user, offset=_header_int(request, "Upload-Offset"), stream=request,
                                  content_length=_header_int(request, "Content-Length"),
                                  checksum=request.headers.get("Upload-Checksum", ""))
        if not upload.complete:
            return _tus(HttpResponse(status=204), upload)
        result, sha256 = resumable.finish(token, by=user, case=case)
    except resumable.UploadError as exc:
        return _tus_error(exc)
    except ingest_svc.IngestError as exc:
        return _tus(JsonResponse({"detail": str(exc)}, status=400))
    body = {"counts": result.counts, "sha256": sha256, "size": upload.length,
            "files": [{"name": o.name, "status": o.status, "reason": o.reason} for o in result.outcomes]}
    return _tus(JsonResponse(body), upload)


@login_required
@require_POST
def upload_start(request, pk: int):
    return start_upload(request, request.user, pk)


@login_required
@require_http_methods(["HEAD", "GET", "PATCH", "DELETE"])
def upload_resource(request, token: str):
    return upload_request(request, request.user, token)


@login_required
@require_POST
def case_publish(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    try:
        services.publish_case(by=request.user, case=case)
        messages.success(request, f"{case.pseudonym} is published to the network.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("library-case", pk=case.pk)


@login_required
def case_withdraw(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    if not selectors.can_edit_case(request.user, case):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.withdraw_case(by=request.user, case=case, reason=form.cleaned_data["reason"])
        messages.success(request, f"{case.pseudonym} is withdrawn from the library.")
        return redirect("library-case", pk=case.pk)
    return render(request, "library/reason_form.html", {"form": form, "case": case, "title": f"Withdraw {case.pseudonym}",
                                                        "button": "Withdraw the case"})


# --- Quarantine review (curators) ---------------------------------------------------------------------

@login_required
def quarantine(request):
    if not selectors.is_curator(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "pending")
    if status not in ("pending", "released", "rejected"):
        status = "pending"
    return render(request, "library/quarantine.html", {
        "instances": selectors.quarantine_for_user(request.user, status=status)[:200], "status": status})


@login_required
def quarantine_review(request, pk: int):
    instance = selectors.get_quarantined_for_user(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        try:
            if decision == "release":
                services.release_instance(by=request.user, instance=instance, reason=form.cleaned_data["reason"])
                messages.success(request, "Released into the library.")
            elif decision == "reject":
                services.reject_instance(by=request.user, instance=instance, reason=form.cleaned_data["reason"])
                messages.success(request, "Rejected: the stored image is deleted.")
            else:
                raise ValidationError("Choose release or reject.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("library-quarantine")
    header = []
    if instance.storage_key:
        ds = _dataset_for_review(instance)
        header = [(e.keyword or str(e.tag), str(e.value)[:120]) for e in ds if e.keyword != "PixelData" and e.VR != "SQ"]
    return render(request, "library/quarantine_review.html", {"instance": instance, "form": form, "header": header})


def _dataset_for_review(instance):
    return pydicom.dcmread(io.BytesIO(_stored_bytes(instance)), stop_before_pixels=True)


@login_required
@require_GET
def quarantine_image(request, pk: int):
    """The pixels of an image in quarantine, for the curator deciding on it (never cached)."""
    instance = selectors.get_quarantined_for_user(request.user, pk)
    if not instance.storage_key:
        return JsonResponse({"detail": "The image was rejected and deleted."}, status=404)
    frame_no = int(request.GET.get("frame", "1")) if request.GET.get("frame", "1").isdigit() else 1
    try:
        body = pixels.to_png(_stored_bytes(instance), frame=max(1, frame_no))
    except (pixels.FrameError, IndexError) as exc:
        return JsonResponse({"detail": str(exc)}, status=404)
    response = HttpResponse(body, content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def reference(request, pk: int):
    """The contributor (or a curator) writes the structured reference report; trainees never see this page."""
    case = selectors.get_case_for_user(request.user, pk)
    if not selectors.can_edit_case(request.user, case):
        raise PermissionDenied
    report = getattr(case, "reference", None) if ReferenceReport.objects.filter(case=case).exists() else None
    form = ReferenceForm(request.POST or None, report=report)
    if report is None and not form.is_bound:  # BSA from the retained patient characteristics (height, weight)
        study = case.studies.exclude(patient_height_m=None).exclude(patient_weight_kg=None).first()
        form.initial["bsa_m2"] = study.bsa_m2 if study else None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_reference_report(by=request.user, case=case, **form.report_fields())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Reference report saved.")
            return redirect("library-case", pk=case.pk)
    return render(request, "library/reference_form.html", {"case": case, "form": form})


@login_required
def case_edit(request, pk: int):
    case = selectors.get_case_for_user(request.user, pk)
    if not selectors.can_edit_case(request.user, case):
        raise PermissionDenied
    initial = {name: getattr(case, name) for name in services.CASE_FIELDS}
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_case(by=request.user, case=case, **form.cleaned_data)
        messages.success(request, "Case saved.")
        return redirect("library-case", pk=case.pk)
    return render(request, "library/case_form.html", {"form": form, "title": f"Edit {case.pseudonym}", "button": "Save"})


@login_required
def collections(request):
    if not selectors.is_network_member(request.user):
        raise PermissionDenied
    can_make = selectors.can_contribute(request.user) or selectors.is_curator(request.user)
    form = None
    if can_make:
        form = CollectionForm(request.POST or None, cases=selectors.cases_for_user(request.user, status="published"))
        if request.method == "POST" and form.is_valid():
            try:
                made = services.create_collection(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Collection “{made.title}” created.")
                return redirect("library-collections")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "library/collections.html", {"collections": selectors.collections_for_user(request.user),
                                                        "form": form})
