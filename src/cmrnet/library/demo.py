"""Demo step: a working teaching library. Three known-truth phantoms (normal, dilated with low EF,
hypertrophied) with reference reports holding their true values, and pydicom's real MR test image with
a screenshot waiting in quarantine; two collections. Everything goes through the ordinary ingest
(de-identification included). Idempotent."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

from cmrnet.core.demo import DEMO_NOTES
from cmrnet.library import ingest, phantom, services
from cmrnet.library.models import Case, CaseStatus, Collection, Ingest
from cmrnet.people.models import User

PHANTOMS = [  # title, category, normal, difficulty, EDV, ESV, mass, diagnosis, teaching points
    ("Phantom: normal left ventricle", "other", True, "basic", 150, 60, 120, "Normal LV size, mass and function",
     "Known-truth phantom: EDV 150 ml, ESV 60 ml, EF 60 %, mass 120 g. Measure it and compare."),
    ("Phantom: dilated LV with low ejection fraction", "cardiomyopathy", False, "intermediate", 260, 190, 170,
     "Dilated LV with severely reduced systolic function", "Known-truth phantom: EDV 260 ml, ESV 190 ml, EF 27 %, mass 170 g."),
    ("Phantom: concentric LV hypertrophy", "cardiomyopathy", False, "intermediate", 110, 35, 210,
     "Concentric LV hypertrophy with hyperdynamic function", "Known-truth phantom: EDV 110 ml, ESV 35 ml, EF 68 %, mass 210 g."),
]
REAL_TITLE = "pydicom MR test image (real MR)"


def _phantom_case(mentor: User, spec) -> Case:
    title, category, normal, difficulty, edv, esv, mass, diagnosis, points = spec
    case = services.create_case(by=mentor, title=title, category=category, normal=normal, difficulty=difficulty,
                                teaching_points=points, phantom=True)
    truth, cine, heights = phantom.generate(edv, esv, mass, phases=14, slices=6, matrix=96)  # quick: demo runs in tests too
    with tempfile.TemporaryDirectory() as folder:
        phantom.write_dicom(Path(folder), truth, cine, heights)
        ingest.ingest(by=mentor, case=case, files=ingest.read_folder(Path(folder)), source=Ingest.Source.DEMO)
    bsa = case.studies.first().bsa_m2
    services.save_reference_report(by=mentor, case=case, lv_edv_ml=edv, lv_esv_ml=esv, lv_mass_g=mass, bsa_m2=bsa,
                                   wall_motion={str(s): "normal" for s in range(1, 18)}, lge={}, perfusion_defects=[],
                                   valve_findings="Not assessed (phantom).", final_diagnosis=diagnosis)
    services.publish_case(by=mentor, case=case)
    return case


def _screenshot_of(source: pydicom.Dataset) -> bytes:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = SecondaryCaptureImageStorage, generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = source.StudyInstanceUID, generate_uid()
    ds.PatientName, ds.PatientID = source.PatientName, source.PatientID
    ds.Modality, ds.ConversionType, ds.SeriesDescription = "OT", "WSD", "report screenshot"
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = 64, 96, 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = (np.add.outer(np.arange(64), np.arange(96)) % 256).astype(np.uint8).tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _real_case(mentor: User) -> Case:
    case = services.create_case(by=mentor, title=REAL_TITLE, category="other", difficulty="basic",
                                teaching_points="A real MR image from pydicom's test data, de-identified on the way in; "
                                                "a screenshot of the same patient waits in quarantine for a curator.")
    with open(get_testdata_file("MR_small.dcm"), "rb") as fh:
        data = fh.read()
    source = pydicom.dcmread(io.BytesIO(data))
    ingest.ingest(by=mentor, case=case, files=[("MR_small.dcm", data), ("screenshot.dcm", _screenshot_of(source))],
                  source=Ingest.Source.DEMO)
    services.publish_case(by=mentor, case=case)
    return case


def load() -> None:
    mentor = User.objects.filter(email="mentor@demo.cmrnet.org").first()
    if mentor is None:
        return
    if not Case.objects.filter(phantom=True, title=PHANTOMS[0][0]).exists():
        cases = [_phantom_case(mentor, spec) for spec in PHANTOMS]
        _real_case(mentor)
        services.create_collection(by=mentor, title="Known-truth phantoms", description="Measure, then compare with the truth.",
                                   cases=cases)
        services.create_collection(by=mentor, title="Cardiomyopathy basics", description="Dilated and hypertrophied ventricles.",
                                   cases=[c for c in cases if c.category == "cardiomyopathy"])
    published = Case.objects.filter(status=CaseStatus.PUBLISHED).count()
    note = (f"Library: {published} published teaching cases (known-truth phantoms and a real MR image) at /library/; "
            f"a screenshot waits in quarantine for a curator (admin@demo.cmrnet.org).")
    if note not in DEMO_NOTES:
        DEMO_NOTES.append(note)
