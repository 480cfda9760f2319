"""De-identification on the torture set: PS3.15 Basic Profile with Retain Longitudinal Temporal Information
with Modified Dates, Retain Patient Characteristics and Clean Descriptors."""

from __future__ import annotations

import io
import numpy as np
import pydicom
import pytest
from pydicom.uid import ExplicitVRLittleEndian

from cmrnet.library import torture
from cmrnet.library.deid import DeidError, Keys, deidentify, profile
from cmrnet.library.deid.vocabulary import clean_descriptor

KEYS = Keys(b"site-secret-for-tests")


@pytest.fixture(scope="module")
def torture_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("torture")
    files = torture.build(folder)
    out = {}
    for f in files:
        data = (folder / f.name).read_bytes()
        try:
            out[f.name] = (f, data, deidentify(data, keys=KEYS))
        except DeidError as exc:
            out[f.name] = (f, data, exc)
    return out


def _all_bytes(result) -> list[bytes]:
    """The output as written, and as plain explicit little endian (so deflated bytes are searched too)."""
    ds = pydicom.dcmread(io.BytesIO(result.data))
    if not ds.file_meta.TransferSyntaxUID.is_deflated:
        return [result.data]
    plain = io.BytesIO()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.save_as(plain, enforce_file_format=True)
    return [result.data, plain.getvalue()]


def test_no_planted_identifier_survives_in_any_output_byte(torture_set):
    checked = 0
    for name, (f, original, result) in torture_set.items():
        if isinstance(result, DeidError):
            continue
        for blob in _all_bytes(result):
            lowered = blob.lower()
            for planted in torture.PLANTED:
                assert planted.lower().encode() not in lowered, f"{planted!r} survived in {name}"
            for uid in f.original_uids:
                assert uid.encode() not in blob, f"original UID {uid} survived in {name}"
        checked += 1
    assert checked == 21  # 18 MR variants + deflated + burned-in + screenshot (the non-DICOM file is refused)


def test_planted_identifiers_were_really_in_the_inputs(torture_set):
    """The torture set is not toothless: every planted identifier is in some input's bytes."""
    blob = b"".join(data.lower() for _, data, _ in torture_set.values())
    deflated = [data for name, (_, data, _) in torture_set.items() if "deflated" in name]
    assert deflated and b"johanna" not in deflated[0][300:].lower()  # the deflated body hides text...
    for planted in torture.PLANTED:
        assert planted.lower().encode() in blob, planted


def test_patient_name_and_id_become_the_pseudonym():
    result = deidentify(_one("MR_small.dcm"), keys=KEYS, pseudonym="CMR-CASE0001")
    assert str(result.dataset.PatientName) == "CMR-CASE0001" and result.dataset.PatientID == "CMR-CASE0001"


def _one(variant: str) -> bytes:
    from pydicom.data import get_testdata_file

    with open(get_testdata_file(variant), "rb") as fh:
        return fh.read()


def test_uid_remapping_is_consistent_across_files_and_runs(torture_set):
    by_study: dict[str, set[str]] = {}
    for f, _, result in torture_set.values():
        if isinstance(result, DeidError) or f.name.endswith("screenshot.dcm"):
            continue
        by_study.setdefault(f.study, set()).add(result.dataset.StudyInstanceUID)
    assert all(len(uids) == 1 for uids in by_study.values())           # one output study UID per input study
    assert len({next(iter(u)) for u in by_study.values()}) == 3          # and different studies stay apart
    uid = next(iter(by_study["A1"]))
    assert uid.startswith("2.25.") and len(uid) <= 64 and int(uid[5:]) < 2 ** 128
    original = pydicom.dcmread(io.BytesIO(torture_set["A1-001-MR_small.dcm"][1])).StudyInstanceUID
    assert Keys(b"site-secret-for-tests").uid(original) == uid                # a new run, the same answer
    assert Keys(b"another-site").uid(original) != uid                       # another secret, another UID
    # references inside sequences follow the same map: file 2 points at file 1
    ref = torture_set["A1-002-MR_small_implicit.dcm"][2].dataset.ReferencedImageSequence[0].ReferencedSOPInstanceUID
    assert ref == torture_set["A1-001-MR_small.dcm"][2].dataset.SOPInstanceUID
    assert len(torture_set["A1-001-MR_small.dcm"][2].dataset.ReferencedStudySequence) == 0  # X/Z: emptied
    # the file meta header agrees with the dataset
    ds = torture_set["A1-001-MR_small.dcm"][2].dataset
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def test_the_interval_between_two_studies_of_a_patient_survives_the_shift(torture_set):
    a1 = torture_set["A1-001-MR_small.dcm"][2].dataset.StudyDate
    a2 = torture_set["A2-007-MR_small.dcm"][2].dataset.StudyDate
    b1 = torture_set["B1-013-MR_small.dcm"][2].dataset.StudyDate
    assert torture.interval_days(a1, a2) == torture.interval_days("20190301", "20190915") == 198
    assert a1 != "20190301" and b1 != "20210610"
    shift_a = torture.interval_days("20190301", a1)
    assert -3650 <= shift_a <= -365
    assert torture.interval_days("20210610", b1) != shift_a  # each patient has their own shift
    ds = torture_set["A2-007-MR_small.dcm"][2].dataset
    assert ds.SeriesDate == ds.StudyDate == ds.AcquisitionDate and ds.StudyTime == "101500"
    assert ds.LongitudinalTemporalInformationModified == "MODIFIED"


def test_pixel_data_is_unchanged(torture_set):
    for name, (f, original, result) in torture_set.items():
        if isinstance(result, DeidError):
            continue
        before = pydicom.dcmread(io.BytesIO(original))
        after = pydicom.dcmread(io.BytesIO(result.data))
        assert after.file_meta.TransferSyntaxUID == before.file_meta.TransferSyntaxUID
        assert after.PixelData == before.PixelData, name
        assert np.array_equal(after.pixel_array, before.pixel_array), name


def test_private_tags_are_gone_except_the_numeric_safe_list(torture_set):
    for name, (f, original, result) in torture_set.items():
        if isinstance(result, DeidError):
            continue
        private = [e for e in result.dataset.iterall() if e.tag.is_private]
        kept = {(e.tag.group, e.tag.element & 0xFF, e.VR) for e in private if not e.tag.is_private_creator}
        assert kept <= {(0x2005, 0x0E, "FL")}, (name, kept)
        creators = {str(e.value) for e in private if e.tag.is_private_creator}
        assert "ACME HOSPITAL 1.0" not in creators


def test_patient_characteristics_are_retained_and_the_rest_removed(torture_set):
    ds = torture_set["A1-001-MR_small.dcm"][2].dataset
    assert (ds.PatientSex, ds.PatientAge, float(ds.PatientSize), float(ds.PatientWeight)) == ("F", "056Y", 1.68, 61.0)
    assert not ds.get("PatientBirthDate")
    for gone in ("PatientAddress", "OtherPatientIDs", "PatientTelephoneNumbers", "ImageComments",
                 "PerformingPhysicianName", "InstitutionAddress"):
        assert gone not in ds, gone
    assert not ds.get("AdditionalPatientHistory")  # Clean Descriptors: no vocabulary word was left
    for dummy in ("InstitutionName", "OperatorsName", "StationName"):  # X/Z/D: a dummy value
        assert ds[dummy].value == "ANONYMOUS", dummy
    assert "ReferringPhysicianName" in ds and not ds.ReferringPhysicianName and not ds.AccessionNumber  # Z: kept, empty


def test_descriptors_are_cleaned_to_the_vocabulary(torture_set):
    ds = torture_set["A1-001-MR_small.dcm"][2].dataset
    assert ds.SeriesDescription == "sax cine"
    assert ds.StudyDescription == "CMR cine"
    assert ds.ProtocolName == "cardiac protocol"
    assert clean_descriptor("SA_cine_trufi 4ch John Doe 20190301 MRN12345") == "SA cine trufi 4ch"
    assert clean_descriptor("LGE PSIR mag 10") == "LGE PSIR mag 10"


def test_method_is_recorded():
    ds = deidentify(_one("MR_small.dcm"), keys=KEYS).dataset
    assert ds.PatientIdentityRemoved == "YES"
    codes = [item.CodeValue for item in ds.DeidentificationMethodCodeSequence]
    assert codes == ["113100", "113107", "113108", "113105"]
    assert all(len(v) <= 64 for v in ds.DeidentificationMethod)


def test_burned_in_and_secondary_capture_are_quarantined(torture_set):
    burned = torture_set["A2-burned-in.dcm"][2]
    shot = torture_set["A1-screenshot.dcm"][2]
    assert burned.status == "quarantined" and "BurnedInAnnotation" in burned.reason
    assert shot.status == "quarantined" and "secondary capture" in shot.reason
    assert isinstance(torture_set["notes.txt"][2], DeidError)
    statuses = {f.name: r.status for f, _, r in torture_set.values() if not isinstance(r, DeidError)}
    assert [n for n, s in statuses.items() if s == "quarantined"] == ["A2-burned-in.dcm", "A1-screenshot.dcm"]


@pytest.mark.parametrize(("keyword", "action"), [
    ("PatientName", "Z"), ("PatientID", "Z"), ("PatientBirthDate", "Z"), ("PatientAge", "K"), ("PatientSex", "K"),
    ("PatientWeight", "K"), ("PatientSize", "K"), ("StudyDate", "shift"), ("AcquisitionDateTime", "shift"),
    ("SeriesDescription", "clean"), ("ImageComments", "clean"), ("StudyInstanceUID", "U"), ("SOPInstanceUID", "U"),
    ("FrameOfReferenceUID", "U"), ("InstitutionName", "D"), ("OperatorsName", "D"), ("PerformingPhysicianName", "X"), ("PatientAddress", "X"),
    ("AccessionNumber", "Z"), ("ReferencedSOPInstanceUID", "U"),
])
def test_profile_actions_from_the_standards_table(keyword, action):
    from pydicom.datadict import tag_for_keyword

    assert profile.rule_for(tag_for_keyword(keyword)).action == action


def test_overlays_and_curves_follow_the_pattern_rows():
    assert profile.rule_for(0x60003000).action == "X" and profile.rule_for(0x60024000).action == "X"
    assert profile.rule_for(0x50001234).action == "X"
    assert profile.rule_for(0x00280010) is None  # Rows: not in the table, kept
    assert len(profile.rules()) > 400
