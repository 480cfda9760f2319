"""cmrnet's own DICOMweb endpoints (cmrnet.library.wado): QIDO-RS search limited to what the person may
read, WADO-RS metadata equal to the stored de-identified objects (and nothing identifying), frames equal to
the stored pixel data, Accept negotiation per PS3.18, 404 for unknown UIDs."""

from __future__ import annotations

import io
import json

import numpy as np
import pydicom
import pytest

from cmrnet.library import torture, wado
from cmrnet.library.dicomweb import decode_multipart
from cmrnet.library.ingest import ingest
from cmrnet.library.models import Case, CaseStatus, Instance, Series, Study
from cmrnet.library.services import publish_case
from cmrnet.library.store import get_store
from tests.library.conftest import store_instance

ROOT = "/api/v1/library/dicomweb/studies"
MULTI = 'multipart/related; type="application/octet-stream"'


@pytest.fixture(scope="module")
def torture_a(tmp_path_factory):
    """Patient A's torture files (two studies, every transfer syntax, a burned-in image, a screenshot)."""
    folder = tmp_path_factory.mktemp("torture-wado")
    files = [f for f in torture.build(folder) if f.patient == "A"]
    return [(f.name, (folder / f.name).read_bytes()) for f in files], [u for f in files for u in f.original_uids]


@pytest.fixture
def library(db, mentor, centre, torture_a, mr_bytes):
    """A published case holding patient A (de-identified by the real ingest) and the mentor's draft case."""
    files, _ = torture_a
    case = Case.objects.create(title="Torture", category="cardiomyopathy", contributor=mentor, centre=centre)
    result = ingest(by=mentor, case=case, files=files, source="command")
    assert result.counts["deidentified"] >= 6 and result.counts["quarantined"] == 2
    publish_case(by=mentor, case=case)
    draft = Case.objects.create(title="Draft", category="cardiomyopathy", contributor=mentor, centre=centre,
                                status=CaseStatus.DRAFT)
    study = Study.objects.create(case=draft, study_uid="2.25.7777", description="CMR")
    series = Series.objects.create(study=study, series_uid="2.25.7778", description="SA cine", series_number=3)
    store_instance(series, mr_bytes)
    return {"case": Case.objects.get(pk=case.pk), "draft": draft, "draft_study": study}


def _visible(case):
    return Instance.objects.filter(series__study__case=case, quarantine_status="clear").select_related("series__study")


def _path(instance, tail=""):
    s = instance.series
    return f"{ROOT}/{s.study.study_uid}/series/{s.series_uid}/instances/{instance.sop_uid}{tail}"


def _stored_dataset(instance):
    return pydicom.dcmread(io.BytesIO(get_store().get(instance.storage_key)))


# --- Search: only what the person may read ---------------------------------------------------------------

@pytest.mark.parametrize(("role", "sees_draft"), [
    ("trainee", False), ("other_trainee", False), ("grader", False), ("board_member", False),
    ("mentor", True), ("director", True), ("admin", True)])
def test_study_search_lists_the_studies_the_person_may_read(client_for, library, request, role, sees_draft):
    person = request.getfixturevalue(role)
    response = client_for(person).get(ROOT)
    assert response.status_code == 200 and response["Content-Type"] == "application/dicom+json"
    uids = {s["0020000D"]["Value"][0] for s in response.json()}
    published = set(Study.objects.filter(case=library["case"]).values_list("study_uid", flat=True))
    assert len(published) == 2  # patient A's two studies
    assert uids == published | ({"2.25.7777"} if sees_draft else set())


def test_search_needs_a_signed_in_network_member(client, client_for, make_person, library):
    assert client.get(ROOT).status_code == 401
    outsider = make_person("nobody@example.org")
    outsider.centre = None
    outsider.save()
    assert client_for(outsider).get(ROOT).json() == []


def test_study_search_attributes_and_counts(client_for, trainee, library):
    case = library["case"]
    rows = client_for(trainee).get(ROOT).json()
    for row in rows:
        study = Study.objects.get(study_uid=row["0020000D"]["Value"][0])
        visible = Instance.objects.filter(series__study=study, quarantine_status="clear").count()
        assert row["00201208"]["Value"] == [visible]  # the quarantined ones are not counted
        assert row["00201206"]["Value"] == [study.series.count()]
        assert row["00100020"]["Value"] == [case.pseudonym]
        assert row["00100010"]["Value"] == [{"Alphabetic": case.pseudonym}]
        assert row["00080061"]["Value"] == ["MR"]
        assert row["00080020"]["Value"] == [study.study_date.strftime("%Y%m%d")]
        assert row["00081190"]["Value"] == [f"{ROOT}/{study.study_uid}"]


def test_study_search_matching_keys(client_for, admin, library):
    client = client_for(admin)
    studies = list(Study.objects.filter(case=library["case"]).order_by("study_date"))
    early, late = studies
    uids = lambda r: sorted(s["0020000D"]["Value"][0] for s in r.json())  # noqa: E731
    day = early.study_date.strftime("%Y%m%d")
    assert uids(client.get(ROOT, {"StudyDate": day})) == [early.study_uid]
    assert uids(client.get(ROOT, {"StudyDate": f"{day}-"})) == sorted([early.study_uid, late.study_uid])
    assert uids(client.get(ROOT, {"StudyDate": f"-{day}"})) == [early.study_uid]
    assert uids(client.get(ROOT, {"StudyInstanceUID": f"{late.study_uid},2.25.7777"})) == sorted([late.study_uid, "2.25.7777"])
    pseudonym = library["case"].pseudonym
    assert uids(client.get(ROOT, {"PatientID": pseudonym[:6] + "*"})) == sorted([early.study_uid, late.study_uid])
    assert uids(client.get(ROOT, {"PatientID": "CMR-NOBODY"})) == []
    assert uids(client.get(ROOT, {"00100020": pseudonym})) == sorted([early.study_uid, late.study_uid])  # tag form
    assert uids(client.get(ROOT, {"ModalitiesInStudy": "CT"})) == []
    assert len(client.get(ROOT, {"limit": "1"}).json()) == 1
    assert len(client.get(ROOT, {"limit": "2", "offset": "2"}).json()) == 1  # three studies in all


def test_study_search_refuses_bad_values_by_name_and_warns_of_unsupported_keys(client_for, admin, library):
    client = client_for(admin)
    bad = client.get(ROOT, {"StudyDate": "2019-03-01"})
    assert bad.status_code == 400 and "StudyDate" in bad.json()["detail"]
    assert "limit" in client.get(ROOT, {"limit": "-1"}).json()["detail"]
    assert "StudyInstanceUID" in client.get(ROOT, {"StudyInstanceUID": "abc"}).json()["detail"]
    nul = client.get(ROOT, {"StudyDescription": "cine\x00"})
    assert nul.status_code == 400 and "control characters" in nul.json()["detail"]
    warned = client.get(ROOT, {"ReferringPhysicianName": "Jekyll"})
    assert warned.status_code == 200 and "ReferringPhysicianName" in warned["Warning"] and len(warned.json()) == 3


def test_series_and_instance_search(client_for, trainee, library):
    client = client_for(trainee)
    study = Study.objects.filter(case=library["case"]).first()
    rows = client.get(f"{ROOT}/{study.study_uid}/series").json()
    assert sorted(r["0020000E"]["Value"][0] for r in rows) == sorted(study.series.values_list("series_uid", flat=True))
    series = study.series.first()
    rows = client.get(f"{ROOT}/{study.study_uid}/series/{series.series_uid}/instances").json()
    expected = Instance.objects.filter(series=series, quarantine_status="clear")
    assert sorted(r["00080018"]["Value"][0] for r in rows) == sorted(expected.values_list("sop_uid", flat=True))
    draft = library["draft_study"]
    assert client.get(f"{ROOT}/{draft.study_uid}/series").status_code == 404  # a trainee does not read drafts


# --- Metadata: the de-identified objects, nothing identifying ---------------------------------------------

def _without_pixels(ds) -> dict:
    del ds.PixelData
    return json.loads(ds.to_json(bulk_data_threshold=1024))


def _private_keys(obj) -> list[str]:
    found = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if len(key) == 8 and all(c in "0123456789ABCDEF" for c in key) and int(key[:4], 16) % 2 == 1:
                found.append(key)
            found += _private_keys(value)
    elif isinstance(obj, list):
        for value in obj:
            found += _private_keys(value)
    return found


def test_metadata_is_the_stored_deidentified_object(client_for, trainee, library):
    client = client_for(trainee)
    for instance in _visible(library["case"]):
        response = client.get(_path(instance, "/metadata"))
        assert response.status_code == 200 and response["Content-Type"] == "application/dicom+json"
        [got] = response.json()
        stored = _without_pixels(_stored_dataset(instance))
        public = {k: v for k, v in stored.items() if int(k[:4], 16) % 2 == 0}  # private elements are not served
        assert {k: v for k, v in got.items() if k != "7FE00010"} == public
        assert got["7FE00010"]["BulkDataURI"].endswith(_path(instance, "/frames/1"))
        assert got["0020000D"]["Value"] == [instance.series.study.study_uid]
        assert got["00080018"]["Value"] == [instance.sop_uid]


def test_series_and_study_metadata_hold_every_visible_instance_and_no_quarantined_one(client_for, director, library):
    client = client_for(director)  # a curator: still no quarantined object through DICOMweb
    for study in Study.objects.filter(case=library["case"]):
        got = {r["00080018"]["Value"][0] for r in client.get(f"{ROOT}/{study.study_uid}/metadata").json()}
        assert got == set(Instance.objects.filter(series__study=study, quarantine_status="clear").values_list("sop_uid", flat=True))
        for series in study.series.all():
            got = {r["00080018"]["Value"][0] for r in client.get(f"{ROOT}/{study.study_uid}/series/{series.series_uid}/metadata").json()}
            assert got == set(Instance.objects.filter(series=series, quarantine_status="clear").values_list("sop_uid", flat=True))
    held = Instance.objects.filter(series__study__case=library["case"]).exclude(quarantine_status="clear")
    assert held.count() == 2
    for instance in held:
        assert client.get(_path(instance, "/metadata")).status_code == 404
        assert client.get(_path(instance, "/frames/1")).status_code == 404


def test_no_identifier_is_ever_returned(client_for, admin, library, torture_a):
    _, original_uids = torture_a
    client = client_for(admin)
    bodies = [client.get(ROOT).content]
    for study in Study.objects.filter(case=library["case"]):
        bodies.append(client.get(f"{ROOT}/{study.study_uid}/metadata").content)
        bodies.append(client.get(f"{ROOT}/{study.study_uid}/series").content)
        for series in study.series.all():
            bodies.append(client.get(f"{ROOT}/{study.study_uid}/series/{series.series_uid}/metadata").content)
            bodies.append(client.get(f"{ROOT}/{study.study_uid}/series/{series.series_uid}/instances").content)
    for instance in _visible(library["case"]):
        bodies.append(client.get(_path(instance, "/metadata")).content)
        bodies.append(client.get(_path(instance, "/frames/1")).content)
    blob = b"".join(bodies)
    assert len(blob) > 10000
    for planted in torture.PLANTED:
        assert planted.lower().encode() not in blob.lower(), planted
    for uid in original_uids:
        assert uid.encode() not in blob, uid
    for instance in _visible(library["case"]):
        assert _private_keys(client.get(_path(instance, "/metadata")).json()) == []


def test_the_guard_drops_what_the_profile_removes_private_elements_and_names():
    ds = pydicom.Dataset()
    ds.PatientName, ds.PatientID = "Smith^Johanna", "MRN-1"
    ds.OperatorsName = "Operator^Olga"            # PN other than the patient's: dropped
    ds.PatientAddress = "Lindenstrasse 12"        # X in the Basic Profile: dropped
    ds.Rows = 64
    ds.add_new(0x00091010, "LO", "PRIVATE-SECRET")
    item = pydicom.Dataset()
    item.PerformingPhysicianName = "Jekyll"
    item.CodeValue = "113100"
    ds.ReferencedStudySequence = [item]
    wado.guard(ds, pseudonym="CMR-AAAA0000")
    assert str(ds.PatientName) == "CMR-AAAA0000" and ds.PatientID == "CMR-AAAA0000"
    assert "OperatorsName" not in ds and "PatientAddress" not in ds and 0x00091010 not in ds and ds.Rows == 64
    assert "PerformingPhysicianName" not in ds.ReferencedStudySequence[0]
    assert ds.ReferencedStudySequence[0].CodeValue == "113100"


# --- Frames: the stored pixel values ------------------------------------------------------------------------

def _expected_frame(instance, n=1) -> bytes:
    arr = _stored_dataset(instance).pixel_array
    arr = arr[n - 1] if instance.number_of_frames > 1 else arr
    return arr.astype(arr.dtype.newbyteorder("<")).tobytes()


def test_frames_are_the_stored_pixel_data_in_every_transfer_syntax(client_for, trainee, library):
    client = client_for(trainee)
    syntaxes = set()
    for instance in _visible(library["case"]):
        response = client.get(_path(instance, "/frames/1"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith('multipart/related; type="application/octet-stream"; boundary=')
        [part] = decode_multipart(response.content, response["Content-Type"])
        assert part == _expected_frame(instance)
        assert len(part) == instance.rows * instance.columns * instance.bits_allocated // 8
        syntaxes.add(instance.transfer_syntax_uid)
    assert len(syntaxes) >= 4  # explicit/implicit little endian, big endian, RLE, J2K... stored as they came


def test_a_single_frame_as_octet_stream_and_several_frames_as_parts(client_for, trainee, library):
    client = client_for(trainee)
    instance = _visible(library["case"]).first()
    single = client.get(_path(instance, "/frames/1"), HTTP_ACCEPT="application/octet-stream")
    assert single.status_code == 200 and single["Content-Type"] == "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"
    assert single.content == _expected_frame(instance)
    twice = client.get(_path(instance, "/frames/1,1"), HTTP_ACCEPT=f"{MULTI}; transfer-syntax=*")
    parts = decode_multipart(twice.content, twice["Content-Type"])
    assert parts == [_expected_frame(instance)] * 2
    assert client.get(_path(instance, "/frames/1,1"), HTTP_ACCEPT="application/octet-stream").status_code == 406


@pytest.mark.parametrize("accept", ["image/jpeg", "image/png, text/html", f"{MULTI}; transfer-syntax=1.2.840.10008.1.2.4.50",
                                    'multipart/related; type="image/jls"', "*/*;q=0"])
def test_media_types_cmrnet_does_not_serve_are_406(client_for, trainee, library, accept):
    instance = _visible(library["case"]).first()
    response = client_for(trainee).get(_path(instance, "/frames/1"), HTTP_ACCEPT=accept)
    assert response.status_code == 406 and "never re-encodes" in response.json()["detail"]


def test_metadata_and_search_accept_json_only(client_for, trainee, library):
    client = client_for(trainee)
    assert client.get(ROOT, HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"
    assert client.get(ROOT, HTTP_ACCEPT="multipart/related; type=\"application/dicom+xml\"").status_code == 406
    instance = _visible(library["case"]).first()
    assert client.get(_path(instance, "/metadata"), HTTP_ACCEPT="application/dicom+xml").status_code == 406


def test_unknown_uids_and_frames_are_404_and_a_bad_frame_list_400(client_for, trainee, library):
    client = client_for(trainee)
    instance = _visible(library["case"]).first()
    s = instance.series
    for url in (f"{ROOT}/2.25.1/metadata", f"{ROOT}/2.25.1/series", f"{ROOT}/{s.study.study_uid}/series/2.25.1/metadata",
                f"{ROOT}/{s.study.study_uid}/series/{s.series_uid}/instances/2.25.1/metadata",
                f"{ROOT}/{s.study.study_uid}/series/{s.series_uid}/instances/2.25.1/frames/1",
                # the right UIDs under the wrong parent
                f"{ROOT}/{library['draft_study'].study_uid}/series/{s.series_uid}/metadata",
                f"{ROOT}/abc/metadata", _path(instance, "/frames/2")):
        assert client.get(url).status_code == 404, url
    assert "Frame 2 does not exist" in client.get(_path(instance, "/frames/2")).json()["detail"]
    assert client.get(_path(instance, "/frames/0")).status_code == 400
    assert client.get(_path(instance, "/frames/1,,2")).status_code == 400


def test_frames_are_cached_by_etag(client_for, trainee, library):
    client = client_for(trainee)
    instance = _visible(library["case"]).first()
    first = client.get(_path(instance, "/frames/1"))
    assert first["Cache-Control"] == "private, max-age=31536000, immutable"
    again = client.get(_path(instance, "/frames/1"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    single = client.get(_path(instance, "/frames/1"), HTTP_ACCEPT="application/octet-stream")
    assert single["ETag"] != first["ETag"]  # another representation, another tag


def test_the_draft_is_read_by_its_contributor_and_curators_only(client_for, mentor, director, trainee, other_trainee, library):
    draft = library["draft_study"]
    url = f"{ROOT}/{draft.study_uid}/metadata"
    assert client_for(mentor).get(url).status_code == 200
    assert client_for(director).get(url).status_code == 200
    assert client_for(trainee).get(url).status_code == 404
    assert client_for(other_trainee).get(url).status_code == 404


# --- Pure parts -------------------------------------------------------------------------------------------

def test_parse_accept_orders_by_quality_and_keeps_quoted_parameters():
    ranges = wado.parse_accept('application/json;q=0.5, multipart/related; type="application/octet-stream"; '
                               'transfer-syntax=*, image/jpeg;q=0')
    assert [r.type for r in ranges] == ["multipart/related", "application/json"]
    assert ranges[0].params == {"type": "application/octet-stream", "transfer-syntax": "*"}


def test_negotiate_frames():
    assert wado.negotiate_frames("", 3) == "multipart"
    assert wado.negotiate_frames("application/octet-stream", 1) == "single"
    assert wado.negotiate_frames("application/octet-stream, multipart/related", 2) == "multipart"
    with pytest.raises(wado.NotAcceptable):
        wado.negotiate_frames("application/octet-stream", 2)


def test_multipart_round_trips_through_the_client_parser():
    payloads = [bytes(range(256)) * 3, b"\r\n--x\r\n", np.arange(10, dtype="<u2").tobytes()]
    body, ctype = wado.multipart([(p, {}) for p in payloads], part_type="application/octet-stream")
    assert decode_multipart(body, ctype) == payloads


def test_frame_list():
    assert wado.parse_frame_list("1,3,2") == [1, 3, 2]
    for bad in ("0", "1,,2", "1,-1", ",".join(["1"] * 501)):
        with pytest.raises(wado.BadQuery):
            wado.parse_frame_list(bad)
