"""A de-identification torture set built from pydicom's bundled MR test files (tests and bench/dicom.py).

Two patients; patient A has two studies 198 days apart. Identifiers are planted in standard elements
(names, IDs, addresses, institution, physicians, accession number...), in nested sequences, in private
blocks (text and UN), in descriptions, protocol names and comments, in an overlay comment, in the file meta
header (source AE title) and in the 128-byte preamble. The MR image comes in several transfer syntaxes
(explicit and implicit little endian, explicit big endian, deflated, RLE, JPEG 2000 lossless, JPEG-LS
lossless); one instance has BurnedInAnnotation YES; one is a secondary-capture screenshot (modality OT,
RGB); one file is not DICOM at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian, SecondaryCaptureImageStorage,
                         generate_uid)

# Planted identifiers: none may appear in any output byte (case-insensitive).
PLANTED = [
    "Smith^Johanna", "SMITHJ", "Johanna", "MRN-4711-0815", "19620314", "Elsewhere", "Lindenstrasse",
    "Jekyll", "Operator^Olga", "ACC-998877", "STATION-BASEMENT", "+49-30-1234567", "Hyde^Edward",
    "Nightingale", "Whitfield", "Bloggs^Fred", "MRN-0000-1234", "19480704", "PRIVATE-SECRET",
    "Mildred", "ELSEWHERE_MR", "St-Barts-Req", "StudyID-5521",
]
# The MR test file in each transfer syntax pydicom bundles (file name -> label).
MR_VARIANTS = {
    "MR_small.dcm": "explicit VR little endian",
    "MR_small_implicit.dcm": "implicit VR little endian",
    "MR_small_bigendian.dcm": "explicit VR big endian",
    "MR_small_RLE.dcm": "RLE lossless",
    "MR_small_jp2klossless.dcm": "JPEG 2000 lossless",
    "MR_small_jpeg_ls_lossless.dcm": "JPEG-LS lossless",
}
STUDY_DATES = {"A1": "20190301", "A2": "20190915", "B1": "20210610"}


@dataclass
class TortureFile:
    name: str
    patient: str | None          # "A" / "B", None for the non-DICOM file
    study: str | None            # "A1", "A2", "B1"
    expect: str                  # "deidentified" or "quarantined"
    transfer_syntax: str = ""
    original_uids: list[str] = field(default_factory=list)


def _patient(ds: Dataset, who: str) -> None:
    if who == "A":
        ds.PatientName, ds.PatientID, ds.PatientBirthDate = "Smith^Johanna", "MRN-4711-0815", "19620314"
        ds.OtherPatientIDs = "SMITHJ"
        ds.PatientAddress = "Lindenstrasse 12, Berlin"
        ds.PatientTelephoneNumbers = "+49-30-1234567"
        ds.PatientMotherBirthName = "Nightingale^Mildred"
    else:
        ds.PatientName, ds.PatientID, ds.PatientBirthDate = "Bloggs^Fred", "MRN-0000-1234", "19480704"
    ds.PatientSex, ds.PatientAge, ds.PatientSize, ds.PatientWeight = ("F", "056Y", 1.68, 61.0) if who == "A" else ("M", "072Y", 1.80, 90.0)


def _plant(ds: Dataset, who: str, study: str, uids: dict[str, str], n: int) -> None:
    _patient(ds, who)
    ds.StudyInstanceUID = uids[f"study-{study}"]
    ds.SeriesInstanceUID = uids[f"series-{study}"]
    ds.FrameOfReferenceUID = uids[f"for-{study}"]
    ds.SOPInstanceUID = uids[f"sop-{study}-{n}"]
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.SourceApplicationEntityTitle = "ELSEWHERE_MR"
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = STUDY_DATES[study]
    ds.StudyTime = "101500"
    ds.InstitutionName = "St Elsewhere Hospital"
    ds.InstitutionAddress = "Lindenstrasse 1, Berlin"
    ds.ReferringPhysicianName = "Jekyll^Henry"
    ds.PerformingPhysicianName = "Hyde^Edward"
    ds.OperatorsName = "Operator^Olga"
    ds.AccessionNumber = "ACC-998877"
    ds.StationName = "STATION-BASEMENT"
    ds.StudyID = "StudyID-5521"
    ds.StudyDescription = "CMR Smith^Johanna cine"
    ds.SeriesDescription = "sax cine Whitfield"
    ds.ProtocolName = "cardiac Elsewhere protocol"
    ds.ImageComments = "scanned for Dr Jekyll, patient Johanna"
    ds.AdditionalPatientHistory = "referred by Nightingale"
    ds.BurnedInAnnotation = "NO"
    # Nested sequences: a request with a requesting physician, two levels deep.
    inner = Dataset()
    inner.ScheduledProcedureStepID = "St-Barts-Req"
    inner.ScheduledPerformingPhysicianName = "Whitfield^Anna"
    request = Dataset()
    request.RequestingPhysician = "Jekyll^Henry"
    request.RequestedProcedureID = "ACC-998877"
    request.RequestedProcedureDescription = "MRN-4711-0815 heart"
    request.ScheduledProtocolCodeSequence = Sequence([inner])
    ds.RequestAttributesSequence = Sequence([request])
    ref = Dataset()
    ref.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
    ref.ReferencedSOPInstanceUID = uids[f"study-{study}"]
    ds.ReferencedStudySequence = Sequence([ref])
    image_ref = Dataset()
    image_ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    image_ref.ReferencedSOPInstanceUID = uids[f"sop-{study}-{ {'A1': 1, 'A2': 7, 'B1': 13}[study] }"]
    ds.ReferencedImageSequence = Sequence([image_ref])
    # A private block: a text element, an element read back as UN, and a safe-listed numeric one.
    block = ds.private_block(0x0009, "ACME HOSPITAL 1.0", create=True)
    block.add_new(0x01, "LO", "Smith^Johanna PRIVATE-SECRET")
    block.add_new(0x02, "UN", b"MRN-4711-0815\x00")
    philips = ds.private_block(0x2005, "Philips MR Imaging DD 001", create=True)
    philips.add_new(0x0E, "FL", 1.25)
    philips.add_new(0x10, "LO", "Johanna")
    ds.add_new(0x60004000, "LT", "overlay for Smith^Johanna")
    ds.preamble = b"Smith^Johanna".ljust(128, b"\x00")


def _uids() -> dict[str, str]:
    keys = [f"{kind}-{s}" for kind in ("study", "series", "for") for s in STUDY_DATES]
    keys += [f"sop-{s}-{n}" for s in STUDY_DATES for n in range(20)]
    return {k: generate_uid(prefix="1.2.826.0.1.3680043.8.498.") for k in keys}


def _save(ds: Dataset, path: Path) -> None:
    ds.save_as(path, enforce_file_format=True)


def _screenshot(uids: dict[str, str]) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.Modality = "OT"
    ds.ConversionType = "WSD"
    ds.Rows, ds.Columns, ds.SamplesPerPixel = 32, 48, 3
    ds.PhotometricInterpretation, ds.PlanarConfiguration = "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = (np.arange(32 * 48 * 3) % 251).astype(np.uint8).tobytes()
    _plant(ds, "A", "A1", uids, 19)
    ds.ImageType = ["DERIVED", "SECONDARY", "SCREEN SHOT"]
    return ds


def build(folder: Path, *, copies: int = 1) -> list[TortureFile]:
    """Write the torture set into `folder`; returns what each file is and what must become of it.
    `copies` > 1 repeats the MR variants (more instances per series) for throughput measurements."""
    folder.mkdir(parents=True, exist_ok=True)
    uids = _uids()
    files: list[TortureFile] = []
    n = 0
    for copy_no in range(copies):
        for study, who in (("A1", "A"), ("A2", "A"), ("B1", "B")):
            for variant, label in MR_VARIANTS.items():
                ds = pydicom.dcmread(get_testdata_file(variant))
                n += 1
                _plant(ds, who, study, uids, n % 18)
                ds.SOPInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.8.498.") if copy_no else ds.SOPInstanceUID
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
                ds.InstanceNumber = n
                name = f"{study}-{n:03d}-{variant}"
                _save(ds, folder / name)
                files.append(TortureFile(name, who, study, "deidentified", label, [ds.SOPInstanceUID, ds.StudyInstanceUID]))
    ds = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
    _plant(ds, "A", "A1", uids, 18)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    _save(ds, folder / "A1-deflated.dcm")
    files.append(TortureFile("A1-deflated.dcm", "A", "A1", "deidentified", "deflated explicit VR little endian",
                             [ds.SOPInstanceUID]))
    burned = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
    _plant(burned, "A", "A2", uids, 17)
    burned.BurnedInAnnotation = "YES"
    _save(burned, folder / "A2-burned-in.dcm")
    files.append(TortureFile("A2-burned-in.dcm", "A", "A2", "quarantined", "explicit VR little endian", [burned.SOPInstanceUID]))
    shot = _screenshot(uids)
    _save(shot, folder / "A1-screenshot.dcm")
    files.append(TortureFile("A1-screenshot.dcm", "A", "A1", "quarantined", "explicit VR little endian", [shot.SOPInstanceUID]))
    (folder / "notes.txt").write_text("Patient Smith^Johanna MRN-4711-0815, not an image.")
    files.append(TortureFile("notes.txt", None, None, "quarantined"))
    return files


def interval_days(a: str, b: str) -> int:
    return (dt.datetime.strptime(b, "%Y%m%d") - dt.datetime.strptime(a, "%Y%m%d")).days

