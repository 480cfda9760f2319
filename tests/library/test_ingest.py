"""Ingest: folder, zip and command line; all or nothing; the offline de-identify command."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pydicom
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cmrnet.audit.models import AuditEntry
from cmrnet.library import ingest as svc
from cmrnet.library import torture
from cmrnet.library.models import Instance, QuarantineStatus, Series, Study
from cmrnet.library.store import LocalStore


@pytest.fixture(scope="module")
def torture_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("torture-in")
    files = torture.build(folder)
    return folder, files


def _patient_a(torture_dir):
    folder, files = torture_dir
    return [(f.name, (folder / f.name).read_bytes()) for f in files if f.patient in ("A", None)]


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "library"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_ingest_stores_only_deidentified_objects_and_quarantines(torture_dir, make_case, mentor, settings):
    case = make_case()
    result = svc.ingest(by=mentor, case=case, files=_patient_a(torture_dir), source="upload")
    assert result.counts == {"deidentified": 13, "quarantined": 2, "refused": 1}
    assert Study.objects.filter(case=case).count() == 2           # A1 and A2
    assert Instance.objects.filter(quarantine_status=QuarantineStatus.PENDING).count() == 2
    stored = _stored_files(settings)
    assert len(stored) == 15
    for path in stored:
        blob = path.read_bytes().lower()
        for planted in torture.PLANTED:
            assert planted.lower().encode() not in blob, (planted, path.name)
        ds = pydicom.dcmread(path)
        assert ds.PatientName == case.pseudonym and ds.PatientID == case.pseudonym
    series = Series.objects.filter(study__case=case).order_by("pk").first()
    assert series.kind == "cine_sax" and series.description == "sax cine"
    entry = AuditEntry.objects.get(action="library.ingest")
    assert entry.data["deidentified"] == 13 and entry.actor == mentor
    assert result.ingest.report[-1]["status"] == "refused" and "not a readable DICOM" in result.ingest.report[-1]["reason"]
    assert all("name" not in row for row in result.ingest.report)  # file names may identify: not kept


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_stored(torture_dir, make_case, mentor, settings, monkeypatch):
    case = make_case()
    real_put, calls = LocalStore.put, []

    def failing_put(self, data, **kw):
        calls.append(1)
        if len(calls) == 6:
            raise OSError("disk pulled out")
        return real_put(self, data, **kw)

    monkeypatch.setattr(LocalStore, "put", failing_put)
    with pytest.raises(OSError):
        svc.ingest(by=mentor, case=case, files=_patient_a(torture_dir), source="upload")
    assert len(calls) == 6
    assert _stored_files(settings) == []
    assert not Instance.objects.exists() and not Study.objects.exists()
    assert not AuditEntry.objects.filter(action="library.ingest").exists()


@pytest.mark.django_db
def test_a_second_patient_in_the_same_case_is_refused_whole(torture_dir, make_case, mentor, settings):
    folder, files = torture_dir
    case = make_case()
    mixed = [(f.name, (folder / f.name).read_bytes()) for f in files if f.study in ("A1", "B1")]
    with pytest.raises(svc.IngestError, match="another patient"):
        svc.ingest(by=mentor, case=case, files=mixed, source="upload")
    assert _stored_files(settings) == [] and not Instance.objects.exists()


@pytest.mark.django_db
def test_a_zip_with_a_folder_is_read_and_reimport_is_refused(torture_dir, make_case, mentor):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in _patient_a(torture_dir)[:3]:
            zf.writestr(f"study/{name}", data)
    case = make_case()
    first = svc.ingest(by=mentor, case=case, files=svc.read_zip(buf.getvalue()), source="upload")
    assert first.counts["deidentified"] == 3
    again = svc.ingest(by=mentor, case=case, files=svc.read_zip(buf.getvalue()), source="upload")
    assert again.counts == {"deidentified": 0, "quarantined": 0, "refused": 3}
    with pytest.raises(svc.IngestError, match="not a readable zip"):
        list(svc.read_zip(b"PK\x03\x04 broken"))


@pytest.mark.django_db
def test_import_command_creates_a_case(torture_dir, admin, tmp_path):
    folder, files = torture_dir
    src = tmp_path / "in"
    src.mkdir()
    for f in files:
        if f.study == "B1":
            (src / f.name).write_bytes((folder / f.name).read_bytes())
    out = io.StringIO()
    call_command("dicom", "import", str(src), "--case", "NEW", "--title", "Imported B", stdout=out)
    assert "6 de-identified, 0 quarantined" in out.getvalue()
    assert Instance.objects.count() == 6
    with pytest.raises(CommandError, match="no such case"):
        call_command("dicom", "import", str(src), "--case", "999")


def test_deidentify_command_writes_outputs_and_the_report(torture_dir, tmp_path, settings):
    folder, files = torture_dir
    out, report = tmp_path / "out", tmp_path / "report.json"
    call_command("dicom", "deidentify", str(folder), str(out), "--report", str(report), stdout=io.StringIO())
    body = json.loads(report.read_text())
    by_name = {row["file"]: row for row in body["files"]}
    assert set(by_name) == {f.name for f in files}
    assert {n: r["status"] for n, r in by_name.items() if r["status"] == "quarantined"}.keys() == {
        "A2-burned-in.dcm", "A1-screenshot.dcm", "notes.txt"}
    assert all(row["reason"] for row in body["files"] if row["status"] == "quarantined")
    written = sorted(out.iterdir())
    assert len(written) == body["counts"]["deidentified"] == 19
    for path in written:
        blob = path.read_bytes().lower()
        assert not any(p.lower().encode() in blob for p in torture.PLANTED)


def test_deidentify_command_exits_2_for_an_unreadable_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        call_command("dicom", "deidentify", str(tmp_path / "missing"), str(tmp_path / "out"), "--report", str(tmp_path / "r.json"))
    assert stop.value.code == 2
    assert "not a folder that can be read" in capsys.readouterr().err


@pytest.mark.django_db
def test_an_object_whose_pixels_no_decoder_reads_is_quarantined(make_case, mentor):
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("MR_small_jp2klossless.dcm"))
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.201"  # HTJ2K lossless: no decoder installed
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    result = svc.ingest(by=mentor, case=make_case(), files=[("htj2k.dcm", buf.getvalue())], source="upload")
    assert result.counts == {"deidentified": 0, "quarantined": 1, "refused": 0}
    assert "cannot be decoded" in result.outcomes[0].reason
    assert Instance.objects.get().quarantine_status == QuarantineStatus.PENDING
