"""Security issue, finding 5: the case import reads RFC 4180 CSV (no dialect guessed), and a row with
extra cells, a duplicated header or a value longer than its field is an error named by row and column
in the preview, never a silent shift nor a server error at confirm time. No raw patient identifier
ever reaches storage, not even through a shifted column."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet.audit.models import AuditEntry
from cmrnet.logbook import importing, package, services
from cmrnet.logbook.models import Case
from cmrnet.logbook.patient_keys import patient_key

pytestmark = pytest.mark.django_db
IDENTIFIER = 'local "B", 4711'          # a local identifier with a quote and a comma, as RFC 4180 writes it


def _upload(text: str, name: str = "cases.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _preview(trainee, text: str):
    return importing.preview_file(_upload(text), trainee=trainee, categories=package.all_categories())


def _errors(preview) -> list[str]:
    return [e for row in preview.rows for e in row.errors]


def _stored_text(trainee) -> str:
    """Everything the import could have stored about the trainee's cases, and the audit log."""
    cases = Case.objects.filter(trainee=trainee).values_list("case_id", "course_id", "category", "patient_key")
    return repr(list(cases)) + repr([(e.data, e.changes) for e in AuditEntry.objects.all()])


class TestQuoting:
    TEXT = ("study_date,category,normal,source,role,patient_id,case_id\n"
            '{day},mass,no,own_centre,observer,"local ""B"", 4711"\n')

    def test_standard_quoting_keeps_every_value_in_its_column(self, supervised, day):
        preview = _preview(supervised, self.TEXT.format(day=day))
        assert preview.ok
        data = preview.valid_rows[0]
        assert data.patient_key == patient_key(IDENTIFIER) and data.case_id == ""

    def test_the_identifier_never_ends_up_stored_as_a_case_id(self, supervised, day, client):
        client.force_login(supervised)
        response = client.post("/logbook/import/", {"file": _upload(self.TEXT.format(day=day))})
        token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
        client.post("/logbook/import/confirm/", {"token": token})
        case = Case.objects.get(trainee=supervised)
        assert case.case_id == "C0001" and case.patient_key == patient_key(IDENTIFIER)
        assert "4711" not in _stored_text(supervised)

    def test_a_case_id_that_is_a_patient_identifier_of_the_file_is_refused(self, supervised, day):
        text = ("study_date,patient_id,category,normal,source,role,case_id\n"
                f"{day},local-9,mass,no,own_centre,observer,c-1\n"
                f"{day},local-10,mass,no,own_centre,observer, LOCAL-9\n")
        preview = _preview(supervised, text)
        assert _errors(preview) == ["Row 2 (line 3), column case_id: is the patient identifier of row 1; "
                                    "a case id must not identify a patient"]

    def test_a_semicolon_file_is_refused_with_what_to_do(self, supervised, day):
        with pytest.raises(importing.ImportFileError, match="separated by semicolons, not commas"):
            _preview(supervised, f"study_date;patient_id;category;normal;source;role\n{day};a;mass;no;own_centre;observer\n")

    def test_a_stray_quote_names_the_line(self, supervised, day):
        with pytest.raises(importing.ImportFileError, match="cannot be read: line 2"):
            _preview(supervised, f'study_date,patient_id,category,normal,source,role\n{day},"a"b,mass,no,own_centre,observer\n')


class TestShape:
    def test_a_row_with_extra_cells_is_an_error_naming_the_row(self, supervised, day):
        text = (f"study_date,patient_id,category,normal,source,role\n{day},local-1,mass,no,own_centre,observer\n"
                f"{day},local-2,mass,no,own_centre,observer,surplus\n")
        preview = _preview(supervised, text)
        assert not preview.ok
        assert _errors(preview) == ["Row 2 (line 3): 7 values for 6 columns (a value with a comma must be in "
                                    "double quotes: \"a, b\")"]

    def test_a_duplicated_header_is_refused(self, supervised, day):
        with pytest.raises(importing.ImportFileError, match="column\\(s\\) case_id appear more than once"):
            _preview(supervised, f"study_date,patient_id,category,normal,source,role,case_id,case_id\n"
                                 f"{day},local-1,mass,no,own_centre,observer,a,b\n")

    @pytest.mark.parametrize("column, limit", [("case_id", 40), ("course_id", 80), ("patient_id", 200)])
    def test_a_value_longer_than_its_field_is_named_in_the_preview(self, supervised, day, column, limit):
        values = {"case_id": "", "course_id": "course-1", "patient_id": "local-1"}
        values[column] = "x" * (limit + 1)
        text = ("study_date,patient_id,category,normal,source,role,case_id,course_id\n"
                f"{day},{values['patient_id']},mass,no,course,observer,{values['case_id']},{values['course_id']}\n")
        assert _errors(_preview(supervised, text)) == [
            f"Row 1 (line 2), column {column}: {limit + 1} characters; at most {limit}"]

    def test_a_value_at_the_limit_is_accepted(self, supervised, day):
        text = ("study_date,patient_id,category,normal,source,role,case_id\n"
                f"{day},local-1,mass,no,own_centre,observer,{'x' * 40}\n")
        assert _preview(supervised, text).ok


class TestServiceLimits:
    """The confirm step (and any other caller) checks lengths too: a clear error, never a database error."""

    def test_an_over_long_case_id_is_refused_before_the_database(self, supervised, mentor, day):
        row = services.CaseInput(study_date=day, patient_key=patient_key("local-1"), category="mass",
                                 supervisor_id=mentor.pk, case_id="y" * 41)
        with pytest.raises(ValidationError, match="row 1, column case_id: 41 characters; at most 40"):
            services.import_cases(by=supervised, trainee=supervised, rows=[row])
        assert not Case.objects.filter(trainee=supervised).exists()

    def test_an_over_long_case_id_in_a_package_names_file_row_and_column(self, supervised, mentor, today, client):
        from tests.logbook.test_package_paths import _base, _zip

        files = _base(today, mentor.email)
        lines = files["cases.csv"].splitlines()
        lines[2] = "z" * 41 + lines[2][lines[2].index(","):]
        files["cases.csv"] = "\n".join(lines) + "\n"
        client.force_login(supervised)
        html = client.post("/logbook/package/import/", {"package": _zip(files)}).content.decode()
        assert "cases.csv row 2, column case_id: 41 characters; at most 40." in html
        assert not Case.objects.filter(trainee=supervised).exists()

    def test_a_package_row_with_extra_cells_or_a_duplicated_header_is_refused(self, supervised, mentor, today):
        from cmrnet import rules
        from tests.logbook.test_package_paths import _base, _zip

        files = _base(today, mentor.email)
        files["cases.csv"] = files["cases.csv"].replace("case_id,", "case_id,case_id,", 1)
        with pytest.raises(rules.PackageError, match="cases.csv header \\(line 1\\): column 'case_id' appears twice"):
            package.import_zip(by=supervised, trainee=supervised, upload=_zip(files))


def test_the_study_date_column_is_still_checked(supervised):
    future = dt.date.today() + dt.timedelta(days=3)
    preview = _preview(supervised, f"study_date,patient_id,category,normal,source,role\n{future},a,mass,no,own_centre,observer\n")
    assert _errors(preview) == [f"Row 1 (line 2), column study_date: {future} is in the future"]
