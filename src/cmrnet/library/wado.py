"""DICOMweb on cmrnet's own side (PS3.18): the library's de-identified studies by UID, behind the library's
permission checks (``selectors``), served from whichever store holds them (files or Orthanc).

    /api/v1/library/dicomweb/studies                                          QIDO-RS study search
    /api/v1/library/dicomweb/studies/{study}/series                           QIDO-RS series of a study
    /api/v1/library/dicomweb/studies/{study}/series/{series}/instances        QIDO-RS instances of a series
    /api/v1/library/dicomweb/studies/{study}/metadata                         WADO-RS metadata (DICOM JSON)
    /api/v1/library/dicomweb/studies/{study}/series/{series}/metadata
    /api/v1/library/dicomweb/studies/{study}/series/{series}/instances/{sop}/metadata
    /api/v1/library/dicomweb/studies/{study}/series/{series}/instances/{sop}/frames/{1,2,...}   WADO-RS frames

Search answers only what the person may read (a trainee: published cases; a contributor: also their own;
curators: what they curate). An unknown UID and a UID the person may not read answer the same 404.
Instances in quarantine are absent everywhere here, curators included (they review them on the quarantine page).

Metadata is the stored, already de-identified object without its pixel data, passed once more through a
guard (``guard``) that drops anything the confidentiality profile removes, every private element and every
person name other than the case pseudonym (empty and "ANONYMOUS" dummies stay): a defect upstream still returns nothing identifying.

Frames are the stored pixel values, decoded losslessly when the object is compressed, as uncompressed
little-endian bytes: ``application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1`` parts in a
``multipart/related`` answer (the default, and what PS3.18 defines for frames), or a single
``application/octet-stream`` body when exactly one frame is asked for with that Accept. Other media types
(``image/jpeg``, a compressed transfer syntax) answer 406: cmrnet never re-encodes.

The pure functions (Accept parsing, multipart writing, the QIDO filters, the guard) are tested without HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

import pydicom
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from cmrnet.library import pixels, selectors
from cmrnet.library.deid.engine import DUMMY
from cmrnet.library.deid.profile import rule_for
from cmrnet.library.models import VISIBLE_QUARANTINE, Instance, Series, Study
from cmrnet.library.store import DicomStoreError, get_store

EXPLICIT_LE = "1.2.840.10008.1.2.1"
DICOM_JSON = "application/dicom+json"
OCTETS = "application/octet-stream"
UID_PATTERN = r"[0-9]+(?:\.[0-9]+){1,40}"  # a DICOM UID: digits and dots, at most 64 characters (checked below)
MAX_FRAMES_PER_REQUEST = 500
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
IMMUTABLE = "private, max-age=31536000, immutable"


class NotAcceptable(Exception):
    """The Accept header asks for nothing cmrnet serves; the message says what it serves."""


class BadQuery(Exception):
    """A query parameter cannot be understood; the message names it."""


# --- Accept negotiation (RFC 9110, PS3.18 8.7) ----------------------------------------------------------

@dataclass(frozen=True)
class MediaRange:
    type: str                 # "multipart/related", "application/octet-stream", "*/*"...
    params: dict
    q: float


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header, best first (q, then order); q=0 ranges are dropped."""
    ranges = []
    for position, item in enumerate(_split_outside_quotes(header or "", ",")):
        pieces = _split_outside_quotes(item, ";")
        media = pieces[0].strip().lower()
        if not media:
            continue
        params, q = {}, 1.0
        for piece in pieces[1:]:
            name, _, value = piece.strip().partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
            elif name:
                params[name] = value
        if q > 0:
            ranges.append((q, position, MediaRange(media, params, q)))
    return [r for _, _, r in sorted(ranges, key=lambda t: (-t[0], t[1]))]


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    out, current, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return out


def _syntax_ok(params: dict) -> bool:
    return params.get("transfer-syntax", EXPLICIT_LE) in (EXPLICIT_LE, "*")


def negotiate_frames(accept: str, n_frames: int) -> str:
    """'multipart' or 'single' for a frames request of `n_frames`; NotAcceptable otherwise.

    No Accept (or */*) gets PS3.18's default for uncompressed frames, multipart/related of
    application/octet-stream. A single-part application/octet-stream answer holds exactly one frame."""
    ranges = parse_accept(accept) if accept.strip() else [MediaRange("*/*", {}, 1.0)]
    for r in ranges:
        if r.type in ("*/*", "multipart/*"):
            return "multipart"
        if r.type == "multipart/related" and r.params.get("type", OCTETS).lower() in (OCTETS, "application/*", "*/*") \
                and _syntax_ok(r.params):
            return "multipart"
        if r.type in (OCTETS, "application/*") and _syntax_ok(r.params) and n_frames == 1:
            return "single"
    raise NotAcceptable(
        "Frames are served uncompressed as multipart/related; type=\"application/octet-stream\"; "
        f"transfer-syntax={EXPLICIT_LE} (or a single application/octet-stream for one frame). "
        "cmrnet never re-encodes pixel data, so image/jpeg, image/png and compressed transfer syntaxes are not offered.")


def negotiate_json(accept: str) -> str:
    """The JSON media type to answer with (QIDO-RS results, metadata); NotAcceptable for XML and the rest."""
    ranges = parse_accept(accept) if accept.strip() else [MediaRange("*/*", {}, 1.0)]
    for r in ranges:
        if r.type in (DICOM_JSON, "*/*", "application/*"):
            return DICOM_JSON
        if r.type == "application/json":
            return "application/json"
    raise NotAcceptable(f"Searches and metadata are served as {DICOM_JSON} (the DICOM JSON model) only.")


def multipart(parts: list[tuple[bytes, dict]], *, part_type: str) -> tuple[bytes, str]:
    """A multipart/related body of `parts` ((payload, extra headers)) and its Content-Type. Each part carries
    its Content-Type and Content-Length, so a reader can slice the body without searching for the boundary."""
    boundary = secrets.token_hex(16)
    body = bytearray()
    for payload, headers in parts:
        lines = [f"--{boundary}", f"Content-Type: {part_type}", f"Content-Length: {len(payload)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        body += ("\r\n".join(lines) + "\r\n\r\n").encode()
        body += payload + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    outer_type = part_type.split(";")[0]
    return bytes(body), f'multipart/related; type="{outer_type}"; boundary={boundary}'


def parse_frame_list(text: str) -> list[int]:
    """'1,3,5' -> [1, 3, 5] (PS3.18 frame list: positive integers, comma-separated); BadQuery otherwise."""
    try:
        frames = [int(p) for p in text.split(",")]
    except ValueError:
        raise BadQuery(f"frame list {text!r}: frame numbers are positive integers separated by commas.") from None
    if not frames or any(n < 1 for n in frames):
        raise BadQuery(f"frame list {text!r}: frame numbers start at 1.")
    if len(frames) > MAX_FRAMES_PER_REQUEST:
        raise BadQuery(f"frame list: at most {MAX_FRAMES_PER_REQUEST} frames per request, {len(frames)} asked.")
    return frames


# --- The guard and the DICOM JSON model --------------------------------------------------------------

ALLOWED_NAMES = {0x00100010}  # PatientName: the case pseudonym. Every other person name goes unless empty/dummy.
DUMMY_NAME = DUMMY["PN"]
MAX_INLINE_BINARY = 1024


def _blank_name(value) -> bool:
    """An empty person name, or the profile's dummy (type 2 attributes stay present, emptied or ANONYMOUS)."""
    values = value if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]
    return all(str(v or "").strip() in ("", DUMMY_NAME) for v in values)


def guard(ds: pydicom.Dataset, *, pseudonym: str) -> pydicom.Dataset:
    """Drop from `ds` (in place, nested sequences too) every private element, every element the
    confidentiality profile removes (X), every person name but PatientName (unless empty or the dummy), and binary values above
    1 KiB (bulk data is not part of metadata); PatientName and PatientID are set to the pseudonym."""
    for elem in list(ds):
        tag = int(elem.tag)
        rule = rule_for(tag)
        if (elem.tag.is_private or (rule is not None and rule.action == "X")
                or (elem.VR == "PN" and tag not in ALLOWED_NAMES and not _blank_name(elem.value))
                or (elem.VR in ("OB", "OW", "OF", "OD", "OL", "OV", "UN") and len(elem.value or b"") > MAX_INLINE_BINARY)):
            del ds[elem.tag]
            continue
        if elem.VR == "SQ":
            for item in elem.value:
                guard(item, pseudonym=pseudonym)
    if "PatientName" in ds:
        ds.PatientName = pseudonym
    if "PatientID" in ds:
        ds.PatientID = pseudonym
    return ds


_JSON_CACHE: OrderedDict[tuple[str, str], dict] = OrderedDict()
_JSON_CACHE_SIZE = 2048  # instances; the stored object never changes (new bytes = new instance)
_LOCK = threading.Lock()


def instance_json(instance: Instance, data_for, *, frames_url: str) -> dict:
    """The DICOM JSON model of a stored instance, guarded, its pixel data as a BulkDataURI to the frames."""
    key = (instance.sha256, frames_url)
    with _LOCK:
        if instance.sha256 and key in _JSON_CACHE:
            _JSON_CACHE.move_to_end(key)
            return _JSON_CACHE[key]
    ds = pydicom.dcmread(io.BytesIO(data_for(instance)), stop_before_pixels=True, force=True)
    guard(ds, pseudonym=instance.series.study.case.pseudonym)
    out = ds.to_json_dict(bulk_data_threshold=MAX_INLINE_BINARY)
    out["7FE00010"] = {"vr": "OW" if instance.bits_allocated > 8 else "OB", "BulkDataURI": frames_url}
    with _LOCK:
        _JSON_CACHE[key] = out
        while len(_JSON_CACHE) > _JSON_CACHE_SIZE:
            _JSON_CACHE.popitem(last=False)
    return out


def _stored(instance: Instance) -> bytes:
    return get_store().get(instance.storage_key)


# --- QIDO-RS -----------------------------------------------------------------------------------------

def _el(vr: str, *values) -> dict:
    values = [v for v in values if v not in (None, "")]
    return {"vr": vr, "Value": values} if values else {"vr": vr}


def _wildcard(value: str) -> str:
    """A QIDO-RS value with * and ? as a case-insensitive regular expression anchored at both ends."""
    return "^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value) + "$"


def _date_range(value: str, name: str) -> tuple[dt.date | None, dt.date | None]:
    def day(text: str) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            raise BadQuery(f"{name}={value!r}: dates are YYYYMMDD, a range YYYYMMDD-YYYYMMDD (either end may be open).") from None
    start, sep, end = value.partition("-")
    if not sep:
        one = day(start)
        return one, one
    if not start and not end:
        raise BadQuery(f"{name}={value!r}: a range needs at least one end.")
    return day(start), day(end)


def _uid_list(value: str, name: str) -> list[str]:
    uids = [u.strip() for u in re.split(r"[,\\]", value) if u.strip()]
    if not uids or any(not re.fullmatch(UID_PATTERN, u) or len(u) > 64 for u in uids):
        raise BadQuery(f"{name}={value!r}: UIDs are digits and dots (at most 64 characters), separated by commas.")
    return uids


def _paging(params) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        text = params.get(name, "")
        if text == "":
            return default
        if not text.isdigit() or len(text) > 9:
            raise BadQuery(f"{name}={text!r}: a whole number of 0 or more.")
        return int(text)
    return number("offset", 0), min(number("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)


STUDY_KEYS = {"StudyInstanceUID", "0020000D", "StudyDate", "00080020", "StudyDescription", "00081030",
              "ModalitiesInStudy", "00080061", "PatientID", "00100020", "PatientName", "00100010"}
SERIES_KEYS = {"SeriesInstanceUID", "0020000E", "Modality", "00080060", "SeriesNumber", "00200011",
               "SeriesDescription", "0008103E"}
INSTANCE_KEYS = {"SOPInstanceUID", "00080018", "InstanceNumber", "00200013", "SOPClassUID", "00080016"}
CONTROL_KEYS = {"limit", "offset", "includefield", "fuzzymatching"}
KEYWORDS = {"0020000D": "StudyInstanceUID", "00080020": "StudyDate", "00081030": "StudyDescription",
            "00080061": "ModalitiesInStudy", "00100020": "PatientID", "00100010": "PatientName",
            "0020000E": "SeriesInstanceUID", "00080060": "Modality", "00200011": "SeriesNumber",
            "0008103E": "SeriesDescription", "00080018": "SOPInstanceUID", "00200013": "InstanceNumber",
            "00080016": "SOPClassUID"}


def _keys(params, allowed: set[str]) -> tuple[dict[str, str], list[str]]:
    """Matching keys by keyword (tags accepted too), and the names that are not supported."""
    keys, unsupported = {}, []
    for name, value in params.items():
        if any(ord(c) < 0x20 for c in value):  # NUL and other controls: PostgreSQL refuses them in a query
            raise BadQuery(f"{name[:40]}: control characters are not allowed in a query value.")
        if name in CONTROL_KEYS:
            continue
        if name in allowed:
            keys[KEYWORDS.get(name.upper(), name)] = value
        else:
            unsupported.append(name)
    return keys, unsupported


def filter_studies(qs, keys: dict[str, str]):
    """Apply QIDO-RS study matching keys to a Study queryset (values as sent; wildcards * and ?)."""
    if value := keys.get("StudyInstanceUID"):
        qs = qs.filter(study_uid__in=_uid_list(value, "StudyInstanceUID"))
    if value := keys.get("StudyDate"):
        start, end = _date_range(value, "StudyDate")
        if start:
            qs = qs.filter(study_date__gte=start)
        if end:
            qs = qs.filter(study_date__lte=end)
    if value := keys.get("StudyDescription"):
        qs = qs.filter(description__iregex=_wildcard(value))
    if value := keys.get("ModalitiesInStudy"):
        qs = qs.filter(series__modality__in=[m.strip().upper() for m in re.split(r"[,\\]", value) if m.strip()])
    for key in ("PatientID", "PatientName"):
        if value := keys.get(key):
            qs = qs.filter(case__pseudonym__iregex=_wildcard(value))
    return qs.distinct()


def study_attributes(study: Study, *, modalities: list[str], n_series: int, n_instances: int) -> dict:
    return {
        "00080020": _el("DA", study.study_date.strftime("%Y%m%d") if study.study_date else None),
        "00080050": _el("SH"),
        "00080061": _el("CS", *modalities),
        "00081030": _el("LO", study.description),
        "00081190": _el("UR", reverse("api-library-dicomweb-study-metadata", args=[study.study_uid]).removesuffix("/metadata")),
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": study.case.pseudonym}]},
        "00100020": _el("LO", study.case.pseudonym),
        "0020000D": _el("UI", study.study_uid),
        "00200010": _el("SH"),
        "00201206": _el("IS", n_series),
        "00201208": _el("IS", n_instances),
    }


def series_attributes(series: Series, *, n_instances: int) -> dict:
    base = reverse("api-library-dicomweb-series-metadata", args=[series.study.study_uid, series.series_uid])
    return {
        "00080060": _el("CS", series.modality),
        "0008103E": _el("LO", series.description),
        "00081190": _el("UR", base.removesuffix("/metadata")),
        "0020000D": _el("UI", series.study.study_uid),
        "0020000E": _el("UI", series.series_uid),
        "00200011": _el("IS", series.series_number),
        "00201209": _el("IS", n_instances),
    }


def instance_attributes(instance: Instance) -> dict:
    series = instance.series
    return {
        "00080016": _el("UI", instance.sop_class_uid),
        "00080018": _el("UI", instance.sop_uid),
        "00081190": _el("UR", reverse("api-library-dicomweb-instance-metadata", args=[
            series.study.study_uid, series.series_uid, instance.sop_uid]).removesuffix("/metadata")),
        "0020000D": _el("UI", series.study.study_uid),
        "0020000E": _el("UI", series.series_uid),
        "00200013": _el("IS", instance.instance_number),
        "00280008": _el("IS", instance.number_of_frames),
        "00280010": _el("US", instance.rows),
        "00280011": _el("US", instance.columns),
        "00280100": _el("US", instance.bits_allocated),
    }


# --- Views -------------------------------------------------------------------------------------------

def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _json(request, payload, *, warning: str = "") -> HttpResponse:
    try:
        media = negotiate_json(request.headers.get("Accept", ""))
    except NotAcceptable as exc:
        return _error(406, str(exc))
    response = JsonResponse(payload, safe=False, content_type=media)
    if warning:
        response["Warning"] = warning
    return response


def _unsupported_warning(names: list[str]) -> str:
    return f'299 cmrnet "The following attributes are not supported as query keys: {", ".join(sorted(names))}"' if names else ""


class DicomWebView(APIView):
    # Authentication and 401 as the rest of the API; the body is written here, not by DRF's renderers, so
    # DRF's own content negotiation is bypassed (``force``) and done per PS3.18 in the view.

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


_QIDO_RESPONSES = {200: OpenApiResponse(OpenApiTypes.OBJECT, description="DICOM JSON (application/dicom+json): a list of "
                                        "matching objects"), 400: OpenApiResponse(description="a query key has a bad value"),
                   406: OpenApiResponse(description="Accept asks for something other than JSON")}
_METADATA_RESPONSES = {200: OpenApiResponse(OpenApiTypes.OBJECT, description="DICOM JSON (application/dicom+json): one "
                                            "object per instance, pixel data as a BulkDataURI to the frames"),
                       404: OpenApiResponse(description="no such UID, or not one the person may read"),
                       406: OpenApiResponse(description="Accept asks for something other than JSON")}


class StudySearch(DicomWebView):
    @extend_schema(operation_id="library_dicomweb_search_studies", tags=["library"], responses=_QIDO_RESPONSES,
                   summary="QIDO-RS: search the studies the person may read",
                   parameters=[OpenApiParameter(k, str) for k in ("StudyInstanceUID", "StudyDate", "StudyDescription",
                                                                  "ModalitiesInStudy", "PatientID", "PatientName")]
                   + [OpenApiParameter("limit", int), OpenApiParameter("offset", int)])
    def get(self, request):
        params = request.query_params
        try:
            keys, unsupported = _keys(params, STUDY_KEYS)
            offset, limit = _paging(params)
            studies = filter_studies(selectors.studies_for_user(request.user), keys)
        except BadQuery as exc:
            return _error(400, str(exc))
        visible = Q(series__instances__quarantine_status__in=VISIBLE_QUARANTINE)
        studies = studies.annotate(
            n_series=Count("series", distinct=True),
            n_instances=Count("series__instances", filter=visible, distinct=True),
        ).order_by("-study_date", "pk")[offset:offset + limit]
        studies = list(studies)
        modalities: dict[int, set[str]] = {}
        for study_id, modality in Series.objects.filter(study__in=[s.pk for s in studies]).values_list("study_id", "modality"):
            modalities.setdefault(study_id, set()).add(modality)
        payload = [study_attributes(s, modalities=sorted(modalities.get(s.pk, ())), n_series=s.n_series,
                                    n_instances=s.n_instances) for s in studies]
        return _json(request, payload, warning=_unsupported_warning(unsupported))


class SeriesSearch(DicomWebView):
    @extend_schema(operation_id="library_dicomweb_search_series", tags=["library"], responses=_QIDO_RESPONSES,
                   summary="QIDO-RS: the series of a study",
                   parameters=[OpenApiParameter(k, str) for k in ("SeriesInstanceUID", "Modality", "SeriesNumber")]
                   + [OpenApiParameter("limit", int), OpenApiParameter("offset", int)])
    def get(self, request, study: str):
        found = selectors.get_study_by_uid_for_user(request.user, study)
        qs = selectors.series_for_user(request.user).filter(study=found)
        try:
            keys, unsupported = _keys(request.query_params, SERIES_KEYS)
            offset, limit = _paging(request.query_params)
            if value := keys.get("SeriesInstanceUID"):
                qs = qs.filter(series_uid__in=_uid_list(value, "SeriesInstanceUID"))
            if value := keys.get("Modality"):
                qs = qs.filter(modality__iexact=value.strip())
            if value := keys.get("SeriesNumber"):
                if not value.strip().lstrip("-").isdigit() or len(value) > 9:
                    raise BadQuery(f"SeriesNumber={value!r}: a whole number.")
                qs = qs.filter(series_number=int(value))
            if value := keys.get("SeriesDescription"):
                qs = qs.filter(description__iregex=_wildcard(value))
        except BadQuery as exc:
            return _error(400, str(exc))
        qs = qs.annotate(n=Count("instances", filter=Q(instances__quarantine_status__in=VISIBLE_QUARANTINE)))
        payload = [series_attributes(s, n_instances=s.n) for s in qs.order_by("series_number", "pk")[offset:offset + limit]]
        return _json(request, payload, warning=_unsupported_warning(unsupported))


class InstanceSearch(DicomWebView):
    @extend_schema(operation_id="library_dicomweb_search_instances", tags=["library"], responses=_QIDO_RESPONSES,
                   summary="QIDO-RS: the instances of a series (outside quarantine)",
                   parameters=[OpenApiParameter(k, str) for k in ("SOPInstanceUID", "InstanceNumber")]
                   + [OpenApiParameter("limit", int), OpenApiParameter("offset", int)])
    def get(self, request, study: str, series: str):
        found = selectors.get_series_by_uid_for_user(request.user, study, series)
        qs = selectors.instances_for_user(request.user).filter(series=found)
        try:
            keys, unsupported = _keys(request.query_params, INSTANCE_KEYS)
            offset, limit = _paging(request.query_params)
            if value := keys.get("SOPInstanceUID"):
                qs = qs.filter(sop_uid__in=_uid_list(value, "SOPInstanceUID"))
            if value := keys.get("SOPClassUID"):
                qs = qs.filter(sop_class_uid__in=_uid_list(value, "SOPClassUID"))
            if value := keys.get("InstanceNumber"):
                if not value.strip().lstrip("-").isdigit() or len(value) > 9:
                    raise BadQuery(f"InstanceNumber={value!r}: a whole number.")
                qs = qs.filter(instance_number=int(value))
        except BadQuery as exc:
            return _error(400, str(exc))
        payload = [instance_attributes(i) for i in qs.order_by("instance_number", "pk")[offset:offset + limit]]
        return _json(request, payload, warning=_unsupported_warning(unsupported))


def _frames_url(instance: Instance) -> str:
    series = instance.series
    frames = ",".join(str(n) for n in range(1, instance.number_of_frames + 1))
    return reverse("api-library-dicomweb-frames", args=[series.study.study_uid, series.series_uid, instance.sop_uid, frames])


def _metadata(request, instances) -> HttpResponse:
    try:
        negotiate_json(request.headers.get("Accept", ""))
        payload = [instance_json(i, _stored, frames_url=request.build_absolute_uri(_frames_url(i))) for i in instances]
    except NotAcceptable as exc:
        return _error(406, str(exc))
    except DicomStoreError as exc:
        return _error(503, str(exc))
    return _json(request, payload)


def _ordered(qs):
    return qs.select_related("series__study__case").order_by("series__series_number", "series__pk", "instance_number", "pk")


class StudyMetadata(DicomWebView):
    @extend_schema(operation_id="library_dicomweb_study_metadata", tags=["library"], responses=_METADATA_RESPONSES,
                   summary="WADO-RS: metadata of every instance of a study (de-identified, guarded)")
    def get(self, request, study: str):
        found = selectors.get_study_by_uid_for_user(request.user, study)
        return _metadata(request, _ordered(selectors.instances_for_user(request.user).filter(series__study=found)))


class SeriesMetadata(DicomWebView):
    @extend_schema(operation_id="library_dicomweb_series_metadata", tags=["library"], responses=_METADATA_RESPONSES,
                   summary="WADO-RS: metadata of every instance of a series (de-identified, guarded)")
    def get(self, request, study: str, series: str):
        found = selectors.get_series_by_uid_for_user(request.user, study, series)
        return _metadata(request, _ordered(selectors.instances_for_user(request.user).filter(series=found)))


class InstanceMetadata(DicomWebView):
    @extend_schema(operation_id="library_dicomweb_instance_metadata", tags=["library"], responses=_METADATA_RESPONSES,
                   summary="WADO-RS: metadata of one instance (de-identified, guarded)")
    def get(self, request, study: str, series: str, sop: str):
        found = selectors.get_instance_by_uid_for_user(request.user, study, series, sop)
        return _metadata(request, [found])


def frames_etag(instance: Instance, frames: list[int], how: str) -> str:
    return '"' + hashlib.sha256(f"{instance.sha256}|{','.join(map(str, frames))}|{how}".encode()).hexdigest()[:40] + '"'


def not_modified(request, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return sent.strip() == "*" or etag in [t.strip() for t in sent.split(",")]


def cacheable(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = IMMUTABLE
    response.cmrnet_cacheable = True  # core.middleware: de-identified pixels behind a permission check, immutable URL
    return response


class Frames(DicomWebView):
    @extend_schema(operation_id="library_dicomweb_frames", tags=["library"],
                   summary="WADO-RS: frames of an instance as stored values (uncompressed, little endian)",
                   responses={200: OpenApiResponse(OpenApiTypes.BINARY, description='multipart/related; type='
                              '"application/octet-stream" (one part per frame, in the order asked), or '
                              'application/octet-stream for a single frame'),
                              304: OpenApiResponse(description="If-None-Match matched"),
                              400: OpenApiResponse(description="bad frame list"),
                              404: OpenApiResponse(description="no such instance or frame for this person"),
                              406: OpenApiResponse(description="a media type or transfer syntax cmrnet does not serve")})
    def get(self, request, study: str, series: str, sop: str, frames: str):
        instance = selectors.get_instance_by_uid_for_user(request.user, study, series, sop)
        try:
            wanted = parse_frame_list(frames)
            how = negotiate_frames(request.headers.get("Accept", ""), len(wanted))
        except BadQuery as exc:
            return _error(400, str(exc))
        except NotAcceptable as exc:
            return _error(406, str(exc))
        missing = [n for n in wanted if n > instance.number_of_frames]
        if missing:
            return _error(404, f"Frame {missing[0]} does not exist: the instance has {instance.number_of_frames} frame(s).")
        etag = frames_etag(instance, wanted, how)
        if not_modified(request, etag):
            return cacheable(HttpResponseNotModified(), etag)
        try:
            data = _stored(instance)
            payloads = [pixels.frame_bytes(data, n, sha256=instance.sha256) for n in wanted]
        except pixels.FrameError as exc:
            return _error(404, str(exc))
        except DicomStoreError as exc:
            return _error(503, str(exc))
        part_type = f"{OCTETS}; transfer-syntax={EXPLICIT_LE}"
        if how == "single":
            response = HttpResponse(payloads[0], content_type=part_type)
        else:
            base = request.path.rsplit("/", 1)[0]
            body, content_type = multipart([(p, {"Content-Location": f"{base}/{n}"}) for p, n in zip(payloads, wanted)],
                                           part_type=part_type)
            response = HttpResponse(body, content_type=content_type)
        return cacheable(response, etag)
