"""Bulk import (preview, all or nothing), exports, and the application package round trip."""

import csv
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from cmrnet import rules
from cmrnet.audit.models import AuditEntry
from cmrnet.logbook import importing, package, selectors
from cmrnet.logbook.models import Case, TrainingMode
from cmrnet.logbook.patient_keys import patient_key
from tests.logbook.factories import ready_but_cases, supervise

pytestmark = pytest.mark.django_db
HEADER = "study_date,patient_id,category,normal,source,role,control_room,supervisor,clinical_change,course_id"


def upload(text: str, name: str = "cases.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def rows(day, *lines):
    return "\n".join([HEADER, *[line.format(day=day) for line in lines]]) + "\n"


GOOD = "{day},MRN-1,ischaemic,no,own_centre,primary_operator,yes,,no,"


class TestPreview:
    def test_every_bad_cell_is_reported_with_row_and_column(self, supervised, day):
        text = rows(day, GOOD,
                    "{day},MRN-2,cardiac,maybe,own_centre,primary_operator,yes,,no,",
                    "2025-13-01,,ischaemic,no,elsewhere,observer,,nobody@example.org,no,",
                    "{day},MRN-4,valvular,no,course,reporting,no,,no,")
        preview = importing.preview_file(upload(text), trainee=supervised, categories=package.all_categories())
        assert not preview.ok and preview.error_count == 3
        errors = [e for r in preview.rows for e in r.errors]
        assert "Row 2 (line 3), column category: 'cardiac' is not one of" in errors[0]
        assert errors[1] == "Row 2 (line 3), column normal: 'maybe' is not yes or no"
        assert any(e.startswith("Row 3 (line 4), column study_date: '2025-13-01' is not a date") for e in errors)
        assert "Row 3 (line 4), column patient_id: is empty" in errors
        assert any(e.startswith("Row 3 (line 4), column source:") for e in errors)
        assert any(e.startswith("Row 3 (line 4), column supervisor: 'nobody@example.org' is not one of your") for e in errors)
        assert "Row 4 (line 5), column course_id: a course case needs the course id" in errors
        assert preview.rows[0].errors == []

    def test_header_problems_name_the_columns(self, supervised):
        with pytest.raises(importing.ImportFileError, match="missing column\\(s\\) patient_id; unknown column\\(s\\) mrn"):
            importing.preview_file(upload("study_date,mrn,category,normal,source,role\n"), trainee=supervised,
                                   categories=package.all_categories())

    def test_repeat_patient_is_warned_not_refused(self, supervised, day):
        text = rows(day, GOOD, GOOD.replace("MRN-1", " mrn-1"))
        preview = importing.preview_file(upload(text), trainee=supervised, categories=package.all_categories())
        assert preview.ok
        assert preview.rows[1].warnings == ["Row 2 (line 3): same patient as row 1; counted once unless "
                                            "clinical_change is yes"]

    def test_xlsx_is_read_like_csv(self, supervised, day):
        book = Workbook()
        sheet = book.active
        sheet.append(HEADER.split(","))
        sheet.append([day, "MRN-77", "mass", "no", "own_centre", "reporting", True, None, "no", None])
        out = io.BytesIO()
        book.save(out)
        preview = importing.preview_file(SimpleUploadedFile("cases.xlsx", out.getvalue()), trainee=supervised,
                                         categories=package.all_categories())
        assert preview.ok
        data = preview.valid_rows[0]
        assert (data.study_date, data.category, data.control_room, data.patient_key) == (
            day, "mass", True, patient_key("mrn-77"))

    def test_other_file_types_are_refused(self, supervised):
        with pytest.raises(importing.ImportFileError, match="Upload a .csv or .xlsx file"):
            importing.preview_file(upload("x", "cases.txt"), trainee=supervised, categories=())


class TestImportPages:
    def test_bad_file_saves_nothing_and_good_file_saves_all_after_confirm(self, supervised, day, client):
        client.force_login(supervised)
        bad = rows(day, GOOD, "{day},MRN-2,ischaemic,no,own_centre,primary_operator,yes,,no,",
                   "{day},MRN-3,ischaemic,no,own_centre,boss,yes,,no,")
        response = client.post("/logbook/import/", {"file": upload(bad)})
        html = response.content.decode()
        assert "Row 3 (line 4), column role: &#x27;boss&#x27; is not one of" in html
        assert 'name="token"' not in html and not Case.objects.exists()
        assert "MRN-2" not in html                              # the preview never echoes identifiers

        good = rows(day, GOOD, "{day},MRN-2,ischaemic,no,own_centre,primary_operator,yes,,no,")
        response = client.post("/logbook/import/", {"file": upload(good)})
        token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
        assert not Case.objects.exists()                        # preview only
        response = client.post("/logbook/import/confirm/", {"token": token})
        assert response.status_code == 302
        assert Case.objects.filter(trainee=supervised).count() == 2
        entry = AuditEntry.objects.get(action="logbook.cases_imported")
        assert entry.data["count"] == 2

    def test_a_tampered_token_is_refused(self, supervised, client):
        client.force_login(supervised)
        response = client.post("/logbook/import/confirm/", {"token": "abc"}, follow=True)
        assert "The preview has expired or was altered" in response.content.decode()
        assert not Case.objects.exists()

    def test_a_token_is_bound_to_its_trainee(self, supervised, day, client, make_person, mentor):
        client.force_login(supervised)
        response = client.post("/logbook/import/", {"file": upload(rows(day, GOOD))})
        token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
        intruder = make_person("ivy@example.org", "trainee")
        client.force_login(intruder)
        assert client.post("/logbook/import/confirm/", {"token": token}).status_code == 403
        assert not Case.objects.exists()


class TestExports:
    def test_csv_and_xlsx_list_every_case_with_its_key(self, trainee, mentor, today, client):
        ready_but_cases(trainee, mentor, today=today, cases=12)
        client.force_login(trainee)
        text = client.get("/logbook/export/csv/").content.decode()
        table = list(csv.DictReader(io.StringIO(text)))
        assert len(table) == 12
        first = Case.objects.order_by("study_date", "sequence").first()
        assert table[0]["patient_key"] == first.patient_key and table[0]["supervisor"] == mentor.email
        book = load_workbook(io.BytesIO(client.get("/logbook/export/xlsx/").content))
        assert book.active.max_row == 13 and book.active["A1"].value == "case_id"

    def test_pdf_is_a_pdf(self, trainee, mentor, today, client):
        ready_but_cases(trainee, mentor, today=today, cases=3)
        client.force_login(trainee)
        response = client.get("/logbook/export/pdf/")
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


class TestPackage:
    def test_zip_is_the_check_application_format(self, trainee, mentor, today, tmp_path):
        ready_but_cases(trainee, mentor, today=today, cases=20)
        archive = zipfile.ZipFile(io.BytesIO(package.export_zip(trainee, today=today)))
        names = set(archive.namelist())
        assert {"cases.csv", "supervisors.csv", "training.csv", "cme.csv", "candidate.toml"} <= names
        assert sorted(n for n in names if n.startswith("certificates/")) == [
            "certificates/cert-0.pdf", "certificates/cert-1.pdf"]
        archive.extractall(tmp_path)
        data = rules.read_package(tmp_path)
        assert len(data.cases) == 20 and data.supervisors[0].supervisor_id == mentor.email
        assert data.candidate.exam_passed is True

    def test_export_then_import_at_another_site_keeps_the_logbook(self, trainee, mentor, other_trainee, today):
        ready_but_cases(trainee, mentor, today=today, cases=30)
        supervise(other_trainee, mentor, today=today)
        blob = package.export_zip(trainee, today=today)
        summary = package.import_zip(by=other_trainee, trainee=other_trainee,
                                     upload=SimpleUploadedFile("package.zip", blob))
        assert summary == {"cases": 30, "training": 1, "cme": 2, "peer": 0}
        mine = selectors.application_data_for(trainee, today=today)
        theirs = selectors.application_data_for(other_trainee, today=today)
        key = lambda c: (c.case_id, c.study_date, c.patient_key, c.category, c.normal, c.source, c.role,  # noqa: E731
                         c.control_room, c.supervisor_id)
        assert sorted(map(key, mine.cases)) == sorted(map(key, theirs.cases))
        assert [(a.title, a.credits, a.has_certificate) for a in theirs.cme] == \
            [(a.title, a.credits, a.has_certificate) for a in mine.cme]
        assert AuditEntry.objects.filter(action="logbook.package_imported", data__trainee_id=other_trainee.pk).exists()

    def test_remote_training_and_cases_keep_their_mode_through_the_package(self, trainee, mentor, other_trainee, today):
        ready_but_cases(trainee, mentor, today=today, cases=2)
        supervise(other_trainee, mentor, today=today)
        trainee.training_periods.update(mode=TrainingMode.VIRTUAL)
        Case.objects.filter(pk=Case.objects.filter(trainee=trainee).first().pk).update(mode=TrainingMode.VIRTUAL)
        assert {t.mode for t in selectors.application_data_for(trainee, today=today).training} == {"virtual"}  # the engine sees it
        blob = package.export_zip(trainee, today=today)
        header, first = zipfile.ZipFile(io.BytesIO(blob)).read("training.csv").decode().splitlines()[:2]
        assert header.endswith(",mode") and first.endswith(",virtual")
        package.import_zip(by=other_trainee, trainee=other_trainee, upload=SimpleUploadedFile("package.zip", blob))
        assert list(other_trainee.training_periods.values_list("mode", flat=True)) == [TrainingMode.VIRTUAL]
        assert {t.mode for t in selectors.application_data_for(other_trainee, today=today).training} == {"virtual"}
        assert sorted(Case.objects.filter(trainee=other_trainee).values_list("mode", flat=True)) == ["in_person", "virtual"]

    def test_bad_package_names_file_row_and_column_and_saves_nothing(self, trainee, mentor, other_trainee, today):
        ready_but_cases(trainee, mentor, today=today, cases=5)
        supervise(other_trainee, mentor, today=today)
        source = zipfile.ZipFile(io.BytesIO(package.export_zip(trainee, today=today)))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in source.namelist():
                body = source.read(name)
                if name == "cases.csv":
                    lines = body.decode().splitlines()
                    lines[3] = lines[3].replace("yes", "perhaps", 1) if "yes" in lines[3] else lines[3].replace(
                        "no", "perhaps", 1)
                    body = ("\n".join(lines) + "\n").encode()
                target.writestr(name, body)
        with pytest.raises(rules.PackageError, match=r"cases.csv row 3, column (normal|control_room|clinical_change)"):
            package.import_zip(by=other_trainee, trainee=other_trainee, upload=SimpleUploadedFile("p.zip", out.getvalue()))
        assert not Case.objects.filter(trainee=other_trainee).exists()
        assert not other_trainee.cme_activities.exists()

    def test_unknown_supervisor_is_refused(self, trainee, mentor, other_trainee, today):
        ready_but_cases(trainee, mentor, today=today, cases=2)
        supervise(other_trainee, mentor, today=today)
        blob = package.export_zip(trainee, today=today)
        mentor.email = "moved-away@example.org"
        mentor.save()
        with pytest.raises(rules.PackageError, match="column supervisor_id: 'max@example.org' is not one of your "
                                                     "supervisors on this site"):
            package.import_zip(by=other_trainee, trainee=other_trainee, upload=SimpleUploadedFile("p.zip", blob))
        assert not Case.objects.filter(trainee=other_trainee).exists()


def test_a_virtual_case_keeps_its_mode_through_the_package(trainee, mentor, other_trainee, today):
    ready_but_cases(trainee, mentor, today=today, cases=3)
    supervise(other_trainee, mentor, today=today)
    first = Case.objects.filter(trainee=trainee).order_by("sequence").first()
    Case.objects.filter(pk=first.pk).update(mode=TrainingMode.VIRTUAL)
    blob = package.export_zip(trainee, today=today)
    assert zipfile.ZipFile(io.BytesIO(blob)).read("cases.csv").decode().splitlines()[0].endswith(",mode")
    package.import_zip(by=other_trainee, trainee=other_trainee, upload=SimpleUploadedFile("package.zip", blob))
    assert list(Case.objects.filter(trainee=other_trainee, mode=TrainingMode.VIRTUAL).values_list("case_id", flat=True)) == \
        [first.case_id]
