"""Bringing DICOM into the library: de-identify every object in memory, store only the result, record
studies, series and instances, all or nothing.

Sources give ``(name, bytes)`` pairs: a folder, a zip (read member by member in memory, with size limits),
browser uploads, a DICOMweb pull. ``ingest`` runs inside one database transaction and one "remove what was
stored if anything fails" block for the file store and for Orthanc, so a failure half-way leaves nothing.
Original bytes live only in memory (or in the temporary upload file Django made, which the caller deletes
in ``finally``); they never reach storage.
"""

from __future__ import annotations

import hashlib
import io
import statistics
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from cmrnet.audit.services import record
from cmrnet.core.files import files_removed_on_error
from cmrnet.library.deid import DeidError, Keys, deidentify
from cmrnet.library.models import VISIBLE_QUARANTINE, Case, Ingest, Instance, QuarantineStatus, Series, SeriesKind, Study
from cmrnet.library.store import get_store, written_keys_removed_on_error

MAX_MEMBER_BYTES = 512 * 1024 * 1024   # one DICOM object in a zip
MAX_ZIP_MEMBERS = 20000


class IngestError(Exception):
    """The input cannot be ingested as a whole; the message says why, naming the file."""


@dataclass
class Outcome:
    name: str
    status: str          # "deidentified" | "quarantined" | "refused"
    reason: str = ""
    instance_id: int | None = None


@dataclass
class IngestResult:
    ingest: Ingest
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"deidentified": 0, "quarantined": 0, "refused": 0}
        for o in self.outcomes:
            out[o.status] += 1
        return out


def site_keys() -> Keys:
    return Keys.from_text(settings.CMRNET_DEID_SECRET)


# --- Sources ---------------------------------------------------------------------------------------

def _zip_members(zf: zipfile.ZipFile, label: str) -> Iterator[tuple[str, bytes]]:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > MAX_ZIP_MEMBERS:
        raise IngestError(f"{label}: {len(infos)} files in the zip; at most {MAX_ZIP_MEMBERS} per upload.")
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            raise IngestError(f"{label}: {info.filename} is {info.file_size} bytes unpacked; too large for one DICOM object.")
        if info.filename.rsplit("/", 1)[-1].startswith(".") or "__MACOSX" in info.filename:
            continue
        yield f"{label}/{info.filename}", zf.read(info)


def read_zip(data_or_path, label: str = "upload.zip") -> Iterator[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(data_or_path if not isinstance(data_or_path, bytes) else io.BytesIO(data_or_path)) as zf:
            yield from _zip_members(zf, label)
    except zipfile.BadZipFile as exc:
        raise IngestError(f"{label}: not a readable zip file ({exc}).") from exc


def read_folder(folder: Path) -> Iterator[tuple[str, bytes]]:
    """Every regular file under `folder` (sorted), as (relative name, bytes); zips inside are opened."""
    if not folder.is_dir():
        raise IngestError(f"{folder}: not a folder that can be read.")
    try:
        paths = sorted(p for p in folder.rglob("*") if p.is_file())
    except OSError as exc:
        raise IngestError(f"{folder}: cannot be read ({exc.strerror or exc}).") from exc
    for path in paths:
        name = str(path.relative_to(folder))
        if path.name.startswith("."):
            continue
        if path.suffix.lower() == ".zip":
            yield from read_zip(path, name)
            continue
        try:
            yield name, path.read_bytes()
        except OSError as exc:
            raise IngestError(f"{name}: cannot be read ({exc.strerror or exc}).") from exc


def read_path(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_file() and path.suffix.lower() == ".zip":
        return read_zip(path, path.name)
    return read_folder(path)


# --- Facts taken from a de-identified dataset --------------------------------------------------------

def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _first(value):
    if value is None:
        return None
    try:
        return value[0] if not isinstance(value, (str, bytes)) and len(value) else value
    except TypeError:
        return value


def series_kind(description: str) -> str:
    words = set(description.lower().replace("_", " ").split())
    if words & {"lge", "psir", "late"} or "de" in words:
        return SeriesKind.LGE
    if words & {"perf", "perfusion"}:
        return SeriesKind.PERFUSION
    if words & {"map", "maps", "mapping", "molli", "shmolli", "sasha", "t1", "t2", "t2star"}:
        return SeriesKind.MAPPING
    if words & {"flow", "pc", "venc", "qflow"}:
        return SeriesKind.FLOW
    if words & {"cine", "trufi", "bssfp", "ssfp", "fiesta", "tf"}:
        if words & {"2ch", "3ch", "4ch", "lax", "lvot", "la", "long"}:
            return SeriesKind.CINE_LAX
        return SeriesKind.CINE_SAX
    return SeriesKind.OTHER


def _study_date(ds):
    import datetime as dt

    text = str(ds.get("StudyDate", "") or "")
    try:
        return dt.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        return None


def _instance_fields(ds) -> dict:
    position = ds.get("ImagePositionPatient")
    orientation = ds.get("ImageOrientationPatient")
    return {
        "sop_class_uid": str(ds.SOPClassUID), "transfer_syntax_uid": str(ds.file_meta.TransferSyntaxUID),
        "instance_number": int(ds.InstanceNumber) if ds.get("InstanceNumber") not in (None, "") else None,
        "rows": int(ds.get("Rows", 0) or 0), "columns": int(ds.get("Columns", 0) or 0),
        "number_of_frames": int(ds.get("NumberOfFrames", 1) or 1),
        "bits_allocated": int(ds.get("BitsAllocated", 16) or 16), "bits_stored": int(ds.get("BitsStored", 16) or 16),
        "pixel_representation": int(ds.get("PixelRepresentation", 0) or 0),
        "samples_per_pixel": int(ds.get("SamplesPerPixel", 1) or 1),
        "photometric_interpretation": str(ds.get("PhotometricInterpretation", "MONOCHROME2")),
        "rescale_slope": _float(ds.get("RescaleSlope")) or 1.0, "rescale_intercept": _float(ds.get("RescaleIntercept")) or 0.0,
        "window_center": _float(_first(ds.get("WindowCenter"))), "window_width": _float(_first(ds.get("WindowWidth"))),
        "slice_location": _float(ds.get("SliceLocation")), "trigger_time_ms": _float(ds.get("TriggerTime")),
        "image_position": [float(v) for v in position] if position else None,
        "image_orientation": [float(v) for v in orientation] if orientation else None,
    }


def summarise_series(series: Series) -> None:
    """Phases, slices, images and frame time of `series` from the instances a viewer gets (cleared or released)."""
    rows = list(series.instances.filter(quarantine_status__in=VISIBLE_QUARANTINE).values(
        "slice_location", "image_position", "trigger_time_ms", "number_of_frames"))
    by_slice: dict[float | None, list[float | None]] = {}
    for row in rows:
        where = row["slice_location"]
        if where is None and row["image_position"]:
            where = row["image_position"][2]
        by_slice.setdefault(round(where, 1) if where is not None else None, []).append(row["trigger_time_ms"])
    series.number_of_images = sum(r["number_of_frames"] for r in rows)
    series.number_of_slices = max(1, len(by_slice))
    series.number_of_phases = max([len(v) for v in by_slice.values()] or [1])
    steps = []
    for times in by_slice.values():
        known = sorted(t for t in times if t is not None)
        steps += [b - a for a, b in zip(known, known[1:]) if b > a]
    if steps:
        series.frame_time_ms = round(statistics.median(steps), 3)
    series.save(update_fields=["number_of_images", "number_of_slices", "number_of_phases", "frame_time_ms"])


def _series_fields(ds) -> dict:
    spacing = ds.get("PixelSpacing")
    description = str(ds.get("SeriesDescription", "") or "")
    nominal = _float(ds.get("NominalInterval"))
    heart_rate = _float(ds.get("HeartRate")) or (round(60000 / nominal, 1) if nominal else None)
    frame_time = _float(ds.get("FrameTime"))
    return {
        "series_number": int(ds.SeriesNumber) if ds.get("SeriesNumber") not in (None, "") else None,
        "modality": str(ds.get("Modality", "") or "MR")[:16], "description": description[:200],
        "kind": series_kind(description), "heart_rate_bpm": heart_rate, "frame_time_ms": frame_time,
        "rows": int(ds.get("Rows", 0) or 0) or None, "columns": int(ds.get("Columns", 0) or 0) or None,
        "pixel_spacing_mm": [float(v) for v in spacing] if spacing else None,
        "slice_thickness_mm": _float(ds.get("SliceThickness")),
        "spacing_between_slices_mm": _float(ds.get("SpacingBetweenSlices")),
    }


def _study_fields(ds) -> dict:
    return {
        "study_date": _study_date(ds), "description": str(ds.get("StudyDescription", "") or "")[:200],
        "patient_sex": str(ds.get("PatientSex", "") or "")[:1], "patient_age": str(ds.get("PatientAge", "") or "")[:4],
        "patient_height_m": _float(ds.get("PatientSize")), "patient_weight_kg": _float(ds.get("PatientWeight")),
    }


# --- The service -------------------------------------------------------------------------------------

def _check_patient(case: Case, patient: str, name: str) -> None:
    if not case.patient_key:
        case.patient_key = patient
        case.save(update_fields=["patient_key"])
    elif case.patient_key != patient:
        raise IngestError(f"{name}: belongs to another patient than case {case.pseudonym}; a case holds one patient. "
                          f"Nothing was stored.")


def ingest(*, by, case: Case, files: Iterable[tuple[str, bytes]], source: str, keys: Keys | None = None) -> IngestResult:
    """De-identify and store `files` into `case`; all or nothing. Raises IngestError (nothing stored) when the
    input as a whole cannot be taken (another patient, unreadable zip, the store refuses)."""
    keys = keys or site_keys()
    store = get_store()
    with written_keys_removed_on_error(), files_removed_on_error(), transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        result = IngestResult(Ingest.objects.create(case=case, source=source, by=by if getattr(by, "pk", None) else None))
        touched: set[int] = set()
        for name, data in files:
            result.outcomes.append(_one(case, name, data, keys=keys, store=store, touched=touched))
            del data
        for series in Series.objects.filter(pk__in=touched):
            summarise_series(series)
        counts = result.counts
        ingest_row = result.ingest
        ingest_row.files, ingest_row.deidentified, ingest_row.quarantined = len(result.outcomes), counts["deidentified"], counts["quarantined"]
        ingest_row.report = [{"file": i + 1, "status": o.status, "reason": o.reason, "instance": o.instance_id}
                             for i, o in enumerate(result.outcomes)]
        ingest_row.save()
        record(actor=by, action="library.ingest", obj=case, data={"ingest": ingest_row.pk, "source": source, **counts})
        return result


def _one(case: Case, name: str, data: bytes, *, keys: Keys, store, touched: set[int]) -> Outcome:
    try:
        result = deidentify(data, keys=keys, pseudonym=case.pseudonym)
    except DeidError as exc:
        return Outcome(name, "refused", str(exc))
    ds = result.dataset
    if not case.phantom:
        _check_patient(case, result.patient, name)
    status, reason = result.status, result.reason
    if status == "deidentified" and (problem := _undecodable(ds)):
        status, reason = "quarantined", problem
    sop_uid = str(ds.SOPInstanceUID)
    if Instance.objects.filter(sop_uid=sop_uid).exists():
        return Outcome(name, "refused", "already in the library (the same image was imported before)")
    study, _ = Study.objects.get_or_create(study_uid=str(ds.StudyInstanceUID), defaults={"case": case, **_study_fields(ds)})
    if study.case_id != case.pk:
        raise IngestError(f"{name}: its study is already in another case of the library. Nothing was stored.")
    series, _ = Series.objects.get_or_create(series_uid=str(ds.SeriesInstanceUID), defaults={"study": study, **_series_fields(ds)})
    key = store.put(result.data, study_uid=study.study_uid, series_uid=series.series_uid, sop_uid=sop_uid)
    instance = Instance.objects.create(
        series=series, sop_uid=sop_uid, storage_key=key, size_bytes=len(result.data),
        sha256=hashlib.sha256(result.data).hexdigest(),
        quarantine_status=QuarantineStatus.PENDING if status == "quarantined" else QuarantineStatus.CLEAR,
        quarantine_reason=reason[:300], **_instance_fields(ds))
    touched.add(series.pk)
    return Outcome(name, status, reason, instance.pk)


def _undecodable(ds) -> str:
    """Why the viewer could not get this object's pixels (a transfer syntax no installed decoder reads), or ""."""
    try:
        ds.pixel_array  # noqa: B018  (decoding is the check)
    except Exception as exc:  # pydicom raises several kinds for missing decoders and broken data
        return (f"pixel data cannot be decoded ({ds.file_meta.TransferSyntaxUID.name}): {str(exc).splitlines()[0][:150]}; "
                f"a curator may reject it, or convert it and upload again")
    return ""


@transaction.atomic
def new_case(*, by, title: str = "", category: str = "other", centre=None, phantom: bool = False) -> Case:
    if not title:
        title = "Imported case"
    case = Case(title=title, category=category, contributor=by, centre=centre if centre is not None else getattr(by, "centre", None),
                phantom=phantom)
    try:
        case.full_clean(exclude=["pseudonym"])
    except ValidationError as exc:
        raise IngestError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    case.save()
    record(actor=by, action="library.case.create", obj=case, data={"title": title, "category": category})
    return case


# --- Offline: de-identify a folder into another (cmrnet dicom deidentify) --------------------------

def deidentify_folder(in_dir: Path, out_dir: Path, *, keys: Keys | None = None) -> list[dict]:
    """De-identify every file under `in_dir` into `out_dir` (named by the new SOP instance UID); quarantined
    and unreadable files are left out. Returns one report row per input file."""
    keys = keys or site_keys()
    rows = []
    files = read_folder(in_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        try:
            result = deidentify(data, keys=keys)
        except DeidError as exc:
            rows.append({"file": name, "status": "quarantined", "reason": str(exc)})
            continue
        row = {"file": name, "status": result.status, "reason": result.reason}
        if result.status == "deidentified" and (problem := _undecodable(result.dataset)):
            row.update(status="quarantined", reason=problem)
        if result.status == "deidentified":
            target = out_dir / f"{result.dataset.SOPInstanceUID}.dcm"
            target.write_bytes(result.data)
            row["output"] = target.name
        rows.append(row)
    return rows
