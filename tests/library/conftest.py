"""Library fixtures: cases with images stored as the ingest stores them."""

from __future__ import annotations

import hashlib
import io

import pydicom
import pytest
from pydicom.data import get_testdata_file

from cmrnet.library.models import Case, CaseStatus, Instance, Series, Study
from cmrnet.library.store import LocalStore


def store_instance(series: Series, data: bytes, *, quarantine_status: str = "clear", n: int = 1) -> Instance:
    ds = pydicom.dcmread(io.BytesIO(data))
    sop = f"2.25.{900000 + series.pk * 1000 + n}"
    key = LocalStore().put(data, study_uid=series.study.study_uid, series_uid=series.series_uid, sop_uid=sop)
    return Instance.objects.create(
        series=series, sop_uid=sop, sop_class_uid=str(ds.SOPClassUID), transfer_syntax_uid=str(ds.file_meta.TransferSyntaxUID),
        instance_number=n, storage_key=key, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        rows=ds.Rows, columns=ds.Columns, bits_allocated=ds.BitsAllocated, bits_stored=ds.BitsStored,
        pixel_representation=ds.PixelRepresentation, quarantine_status=quarantine_status)


@pytest.fixture
def mr_bytes() -> bytes:
    with open(get_testdata_file("MR_small.dcm"), "rb") as fh:
        return fh.read()


@pytest.fixture
def make_case(db, mentor, centre):
    def make(*, status=CaseStatus.PUBLISHED, contributor=None, at=None, title="Dilated cardiomyopathy", category="cardiomyopathy"):
        return Case.objects.create(title=title, category=category, status=status, contributor=contributor or mentor,
                                   centre=at or centre)
    return make


@pytest.fixture
def case_with_image(make_case, mr_bytes):
    case = make_case()
    study = Study.objects.create(case=case, study_uid="2.25.1001", description="CMR")
    series = Series.objects.create(study=study, series_uid="2.25.1002", description="SA cine", kind="cine_sax")
    store_instance(series, mr_bytes)
    return case
