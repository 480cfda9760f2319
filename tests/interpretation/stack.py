"""A synthetic short-axis cine stack stored as the library stores images (for the viewer and reading tests).

A bright disc (blood pool, value 400) in darker tissue (100) whose radius beats over the phases; the
stack's geometry is known, so the disc summation of traced contours has a known answer.
"""

from __future__ import annotations

import hashlib
import io
import math

import numpy as np
import pydicom
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage

from cmrnet.library.models import Case, CaseStatus, ReferenceReport, Series, Study
from cmrnet.library.store import LocalStore

ROW_MM, COL_MM, SLICE_MM = 1.5, 1.5, 8.0


def radius_px(phase: int, phases: int, *, ed: float = 20.0, es: float = 14.0) -> float:
    """Largest at phase 0 (ED), smallest at the middle phase (ES)."""
    return es + (ed - es) * (1 + math.cos(2 * math.pi * phase / phases)) / 2


def frame(rows: int, cols: int, radius: float) -> np.ndarray:
    y, x = np.mgrid[0:rows, 0:cols]
    img = np.full((rows, cols), 100, dtype=np.uint16)
    img[(x - cols / 2) ** 2 + (y - rows / 2) ** 2 <= radius ** 2] = 400
    img[0, 0] = 4095  # a known corner value for the pixel-value readout
    return img


def dicom_bytes(pixels: np.ndarray, *, slice_index: int, phase: int, frame_time: float, uid: str, series_uid: str,
                study_uid: str) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = MRImageStorage, uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = pydicom.Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.SeriesInstanceUID, ds.StudyInstanceUID = MRImageStorage, uid, series_uid, study_uid
    ds.Modality, ds.PatientName, ds.PatientID = "MR", "CMR-TEST", "CMR-TEST"
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelSpacing = [ROW_MM, COL_MM]
    ds.SliceThickness, ds.SpacingBetweenSlices = SLICE_MM, SLICE_MM
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [0, 0, slice_index * SLICE_MM]
    ds.SliceLocation = slice_index * SLICE_MM
    ds.TriggerTime = phase * frame_time
    ds.InstanceNumber = slice_index * 1000 + phase + 1
    ds.WindowCenter, ds.WindowWidth = 250, 500
    ds.PixelData = pixels.astype("<u2").tobytes()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def make_cine_case(*, contributor, centre, slices: int = 3, phases: int = 4, rows: int = 64, cols: int = 64,
                   frame_time: float = 40.0, title: str = "Dilated cardiomyopathy", category: str = "cardiomyopathy",
                   reference: dict | None = None, uid_root: str = "2.25.77") -> Case:
    from cmrnet.library.models import Instance

    case = Case.objects.create(title=title, category=category, status=CaseStatus.PUBLISHED, contributor=contributor,
                               centre=centre)
    study = Study.objects.create(case=case, study_uid=f"{uid_root}{case.pk}1", description="CMR")
    series = Series.objects.create(
        study=study, series_uid=f"{uid_root}{case.pk}2", series_number=5, description="SA cine", kind="cine_sax",
        frame_time_ms=frame_time, number_of_phases=phases, number_of_slices=slices, number_of_images=slices * phases,
        rows=rows, columns=cols, pixel_spacing_mm=[ROW_MM, COL_MM], slice_thickness_mm=SLICE_MM,
        spacing_between_slices_mm=SLICE_MM)
    store = LocalStore()
    for s in range(slices):
        for p in range(phases):
            uid = f"{uid_root}{case.pk}3{s:03d}{p:03d}"
            data = dicom_bytes(frame(rows, cols, radius_px(p, phases)), slice_index=s, phase=p, frame_time=frame_time,
                               uid=uid, series_uid=series.series_uid, study_uid=study.study_uid)
            key = store.put(data, study_uid=study.study_uid, series_uid=series.series_uid, sop_uid=uid)
            Instance.objects.create(
                series=series, sop_uid=uid, sop_class_uid=MRImageStorage, transfer_syntax_uid=ExplicitVRLittleEndian,
                instance_number=s * 1000 + p + 1, storage_key=key, size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(), rows=rows, columns=cols, bits_allocated=16, bits_stored=12,
                window_center=250, window_width=500, slice_location=s * SLICE_MM, trigger_time_ms=p * frame_time,
                image_position=[0, 0, s * SLICE_MM], image_orientation=[1, 0, 0, 0, 1, 0])
    ReferenceReport.objects.create(case=case, **(reference if reference is not None else {
        "lv_edv_ml": 150, "lv_esv_ml": 60, "lv_ef_pct": 60, "lv_sv_ml": 90, "lge": {"7": "mid_wall", "8": "mid_wall"},
        "perfusion_defects": [], "final_diagnosis": "Dilated cardiomyopathy"}))
    return case
