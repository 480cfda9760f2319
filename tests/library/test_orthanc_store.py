"""The DICOM store against a real Orthanc with its DICOMweb plug-in (started by .ci/run, or by hand:
``scripts/orthanc-test.sh start`` then CMRNET_TEST_ORTHANC_URL=http://127.0.0.1:8043/dicom-web).
Outside CI these tests skip with the reason; under CI=true a missing Orthanc fails them."""

from __future__ import annotations

import io
import os
import secrets
import urllib.request

import pydicom
import pytest

from cmrnet.library import dicomweb, pull, torture
from cmrnet.library import ingest as svc
from cmrnet.library.deid import Keys, deidentify
from cmrnet.library.models import Instance
from cmrnet.library.store import DicomWebStore, get_store


@pytest.fixture(scope="module")
def orthanc_url() -> str:
    url = os.environ.get("CMRNET_TEST_ORTHANC_URL", "")
    problem = "CMRNET_TEST_ORTHANC_URL is not set" if not url else ""
    if url:
        try:
            urllib.request.urlopen(url.removesuffix("/dicom-web") + "/system", timeout=5).read()
        except OSError as exc:
            problem = f"no Orthanc answers at {url} ({exc})"
    if problem:
        message = f"Orthanc storage tests need a running Orthanc with DICOMweb: {problem}. Run scripts/orthanc-test.sh start."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip("SKIPPED LOUDLY: " + message)
    return url


@pytest.fixture(scope="module")
def torture_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("torture-orthanc")
    return folder, torture.build(folder)


@pytest.fixture
def orthanc_store(settings, orthanc_url):
    settings.CMRNET_DICOM_STORE, settings.CMRNET_DICOM_STORE_URL = "orthanc", orthanc_url
    settings.CMRNET_DEID_SECRET = secrets.token_hex(16)  # fresh UIDs: tests never see each other's objects
    return get_store()


def _sop_present(url: str, sop_uid: str) -> bool:
    client = dicomweb.Client(url)
    raw, _ = client._request("POST", f"{client.orthanc_root}/tools/lookup", data=sop_uid.encode(),
                             headers={"Content-Type": "text/plain"})
    return b"Instance" in raw


def test_stow_then_wado_gives_back_the_same_object(orthanc_store, orthanc_url, torture_files):
    folder, files = torture_files
    result = deidentify((folder / files[0].name).read_bytes(), keys=Keys(secrets.token_bytes(16)))
    ds = result.dataset
    assert isinstance(orthanc_store, DicomWebStore)
    key = orthanc_store.put(result.data, study_uid=ds.StudyInstanceUID, series_uid=ds.SeriesInstanceUID, sop_uid=ds.SOPInstanceUID)
    assert orthanc_store.exists(key)
    back = pydicom.dcmread(io.BytesIO(orthanc_store.get(key)))
    assert back.SOPInstanceUID == ds.SOPInstanceUID and back.PixelData == ds.PixelData
    orthanc_store.delete(key)
    assert not orthanc_store.exists(key) and not _sop_present(orthanc_url, ds.SOPInstanceUID)


@pytest.mark.django_db
def test_ingest_into_orthanc_and_frames_come_back_from_it(orthanc_store, orthanc_url, torture_files, make_case, mentor,
                                                        client_for, trainee):
    folder, files = torture_files
    case = make_case()
    chosen = [f for f in files if f.study == "A1" and f.expect == "deidentified"]
    result = svc.ingest(by=mentor, case=case, files=[(f.name, (folder / f.name).read_bytes()) for f in chosen], source="upload")
    assert result.counts["deidentified"] == len(chosen)
    study_uid = case.studies.get().study_uid
    found = dicomweb.Client(orthanc_url).search_series(study_uid)
    assert len(found) == 1
    instance = Instance.objects.filter(series__study__case=case).first()
    assert instance.storage_key.startswith("dicomweb:")
    frame = client_for(trainee).get(f"/library/instances/{instance.pk}/frames/1")
    assert frame.status_code == 200 and len(frame.content) == 64 * 64 * 2


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_in_orthanc(orthanc_store, orthanc_url, torture_files, make_case, mentor, monkeypatch):
    folder, files = torture_files
    chosen = [f for f in files if f.study == "A1" and f.expect == "deidentified"]
    real_put, stored = DicomWebStore.put, []

    def failing_put(self, data, **kw):
        if len(stored) == 3:
            raise dicomweb.DicomWebError("the PACS went away")
        stored.append(kw["sop_uid"])
        return real_put(self, data, **kw)

    monkeypatch.setattr(DicomWebStore, "put", failing_put)
    with pytest.raises(dicomweb.DicomWebError):
        svc.ingest(by=mentor, case=make_case(), files=[(f.name, (folder / f.name).read_bytes()) for f in chosen], source="upload")
    assert len(stored) == 3
    assert not any(_sop_present(orthanc_url, uid) for uid in stored)
    assert not Instance.objects.exists()


@pytest.mark.django_db
def test_pull_a_study_by_uid_from_a_dicomweb_server(settings, orthanc_url, torture_files, make_case, mentor):
    """The Orthanc plays a hospital PACS holding identifiable originals; the library (file store) pulls one study."""
    folder, files = torture_files
    originals = [(folder / f.name).read_bytes() for f in files if f.study == "A2" and f.expect == "deidentified"]
    dicomweb.Client(orthanc_url).stow(originals)
    study_uid = pydicom.dcmread(io.BytesIO(originals[0])).StudyInstanceUID
    case = make_case()
    result = pull.pull_study(by=mentor, case=case, base_url=orthanc_url, study_uid=study_uid)
    assert result.counts["deidentified"] == len(originals)
    assert case.studies.get().study_uid != study_uid
    with pytest.raises(svc.IngestError, match="no such study"):
        pull.pull_study(by=mentor, case=make_case(), base_url=orthanc_url, study_uid="1.2.3.4.5.404")


@pytest.mark.django_db
def test_cmrnet_dicomweb_serves_metadata_and_frames_out_of_orthanc(orthanc_store, orthanc_url, torture_files, make_case,
                                                                   mentor, client_for, trainee):
    """cmrnet's own DICOMweb endpoints (cmrnet.library.wado) read through the Orthanc store: frame bytes equal
    the pixel data Orthanc holds, metadata equals the object Orthanc holds (minus private elements)."""
    from cmrnet.library.dicomweb import decode_multipart

    folder, files = torture_files
    case = make_case()
    chosen = [f for f in files if f.study == "A1" and f.expect == "deidentified"]
    svc.ingest(by=mentor, case=case, files=[(f.name, (folder / f.name).read_bytes()) for f in chosen], source="upload")
    client = client_for(trainee)
    checked = 0
    for instance in Instance.objects.filter(series__study__case=case, quarantine_status="clear").select_related("series__study"):
        base = (f"/api/v1/library/dicomweb/studies/{instance.series.study.study_uid}/series/{instance.series.series_uid}"
                f"/instances/{instance.sop_uid}")
        held = pydicom.dcmread(io.BytesIO(orthanc_store.get(instance.storage_key)))
        response = client.get(base + "/frames/1")
        assert response.status_code == 200
        [part] = decode_multipart(response.content, response["Content-Type"])
        arr = held.pixel_array
        assert part == arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        [meta] = client.get(base + "/metadata").json()
        del held.PixelData
        expected = {k: v for k, v in held.to_json_dict(bulk_data_threshold=1024).items() if int(k[:4], 16) % 2 == 0}
        assert {k: v for k, v in meta.items() if k != "7FE00010"} == expected
        checked += 1
    assert checked == len(chosen)
    assert client.get("/api/v1/library/dicomweb/studies/2.25.404/metadata").status_code == 404
