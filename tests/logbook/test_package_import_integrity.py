"""Security issue, findings 8, 10 and 11 for the package import: sizes are capped like the CSV import,
the package is read and checked with no transaction open, only the trainee's supervisors are accepted
(the same rule as the form, the CSV import and the API), a damaged zip is a clear error, and a failed
import leaves no file behind."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet import rules
from cmrnet.logbook import package, services
from cmrnet.logbook.models import Case, CmeActivity, PeerRecognition, TrainingPeriod
from cmrnet.logbook.patient_keys import patient_key
from cmrnet.rules.package_io import CME_COLUMNS
from tests.logbook.test_package_paths import PDF, _base, _zip

pytestmark = pytest.mark.django_db


def _cme(*rows: tuple[str, str]) -> str:
    lines = [",".join(CME_COLUMNS)]
    for n, (title, certificate) in enumerate(rows, start=1):
        lines.append(f"cme-{n},{title},EACVI,congress,2025-01-11,2025-01-13,18,1,,{certificate}")
    return "\n".join(lines) + "\n"


def _nothing_imported(trainee, settings):
    assert not Case.objects.filter(trainee=trainee).exists()
    assert not CmeActivity.objects.filter(trainee=trainee).exists()
    assert not TrainingPeriod.objects.filter(trainee=trainee).exists()
    assert not PeerRecognition.objects.filter(trainee=trainee).exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


class TestSizes:
    def test_more_cases_than_the_csv_import_allows_is_refused_before_writing(self, supervised, mentor, today,
                                                                             settings):
        files = _base(today, mentor.email)
        header, first = files["cases.csv"].splitlines()[:2]
        cells = first.split(",")
        lines = [header] + [",".join([f"x{n}", *cells[1:]]) for n in range(package.MAX_CASES + 1)]
        files["cases.csv"] = "\n".join(lines) + "\n"
        with pytest.raises(rules.PackageError, match=f"holds {package.MAX_CASES + 1} cases; at most 5000"):
            package.import_zip(by=supervised, trainee=supervised, upload=_zip(files))
        _nothing_imported(supervised, settings)

    def test_peer_recognition_counts_are_capped(self, supervised, mentor, today, settings):
        files = _base(today, mentor.email)
        files["candidate.toml"] = files["candidate.toml"].replace("publications = 0", "publications = 201")
        with pytest.raises(rules.PackageError, match="201 entries; at most 200"):
            package.import_zip(by=supervised, trainee=supervised, upload=_zip(files))
        _nothing_imported(supervised, settings)

    def test_a_zip_over_50_mb_is_refused_unread(self, supervised):
        upload = SimpleUploadedFile("big.zip", b"PK")
        upload.size = package.MAX_ZIP_BYTES + 1
        with pytest.raises(rules.PackageError, match="larger than 50 MB"):
            package.import_zip(by=supervised, trainee=supervised, upload=upload)


@pytest.mark.django_db(transaction=True)
def test_the_package_is_read_and_checked_with_no_transaction_open(supervised, mentor, today, monkeypatch):
    from django.db import connection

    seen = []
    read = rules.read_package
    check = services.check_case

    def spy_read(*args, **kwargs):
        seen.append(("read", connection.in_atomic_block))
        return read(*args, **kwargs)

    def spy_check(case, **kwargs):
        seen.append(("check", connection.in_atomic_block))
        return check(case, **kwargs)

    monkeypatch.setattr(rules, "read_package", spy_read)
    monkeypatch.setattr(services, "check_case", spy_check)
    package.import_zip(by=supervised, trainee=supervised, upload=_zip(_base(today, mentor.email)))
    assert {what for what, _ in seen} == {"read", "check"} and all(inside is False for _, inside in seen)
    assert Case.objects.filter(trainee=supervised).count() == 2


class TestSupervisors:
    @pytest.mark.parametrize("who", ["site_user", "stranger"])
    def test_only_the_trainees_supervisors_are_accepted(self, supervised, mentor, make_person, today, settings, who):
        email = make_person("sam@example.org", "mentor").email if who == "site_user" else "nobody@example.org"
        files = _base(today, email)
        with pytest.raises(rules.PackageError) as error:
            package.import_zip(by=supervised, trainee=supervised, upload=_zip(files))
        assert str(error.value) == (f"cases.csv row 1, column supervisor_id: '{email}' is not one of your supervisors "
                                    f"on this site (a supervisor is linked to you here first)")
        _nothing_imported(supervised, settings)

    def test_the_services_apply_the_same_rule(self, supervised, make_person, day):
        other = make_person("sam@example.org", "mentor")
        data = services.CaseInput(study_date=day, patient_key=patient_key("local-1"), category="mass",
                                  supervisor_id=other.pk)
        for write in (lambda: services.add_case(by=supervised, trainee=supervised, data=data),
                      lambda: services.import_cases(by=supervised, trainee=supervised, rows=[data])):
            with pytest.raises(ValidationError, match="Not one of the trainee's supervisors"):
                write()
        with pytest.raises(ValidationError, match="Not one of the trainee's supervisors"):
            services.add_training(by=supervised, trainee=supervised, start_date=day, end_date=day,
                                  hours_per_week=35, supervisor=other, centre="")
        assert not Case.objects.filter(trainee=supervised).exists()

    def test_the_form_the_csv_import_and_the_api_offer_the_same_people(self, supervised, mentor, make_person):
        from cmrnet.logbook import selectors
        from cmrnet.logbook.forms import CaseForm, TrainingForm

        make_person("sam@example.org", "mentor")
        expected = {mentor.pk}
        assert set(selectors.supervisors_of(supervised).values_list("pk", flat=True)) == expected
        assert set(CaseForm(trainee=supervised).fields["supervisor"].queryset.values_list("pk", flat=True)) == expected
        assert set(TrainingForm(trainee=supervised).fields["supervisor"].queryset.values_list("pk", flat=True)) == \
            expected


class TestDamagedZipAndLeftovers:
    def test_a_zip_with_damaged_data_is_a_clear_error_not_a_500(self, supervised, mentor, today, client):
        files = {**_base(today, mentor.email), "cme.csv": _cme(("EuroCMR", "certificates/a.pdf")),
                 "certificates/a.pdf": PDF * 50}
        blob = bytearray(_zip_bytes(files, compression=zipfile.ZIP_DEFLATED))
        start = blob.index(b"certificates/a.pdf") + len("certificates/a.pdf")
        blob[start + 5:start + 25] = b"\xff" * 20               # corrupt the compressed certificate
        client.force_login(supervised)
        response = client.post("/logbook/package/import/", {"package": SimpleUploadedFile("p.zip", bytes(blob))})
        assert response.status_code == 200
        assert "certificates/a.pdf: cannot be read from the zip (the archive is damaged)" in response.content.decode()

    def test_not_a_zip_at_all(self, supervised, client):
        client.force_login(supervised)
        response = client.post("/logbook/package/import/", {"package": SimpleUploadedFile("p.zip", b"PK\x03\x04junk")})
        assert response.status_code == 200 and "not a readable zip archive" in response.content.decode()

    def test_a_bad_later_row_leaves_no_certificate_file(self, supervised, mentor, today, settings):
        files = {**_base(today, mentor.email), "certificates/a.pdf": PDF,
                 "cme.csv": _cme(("EuroCMR", "certificates/a.pdf"), ("x" * 300, ""))}
        with pytest.raises(rules.PackageError, match="cme.csv row 2, column title"):
            package.import_zip(by=supervised, trainee=supervised, upload=_zip(files))
        _nothing_imported(supervised, settings)

    def test_a_failure_while_writing_removes_the_stored_certificates(self, supervised, mentor, today, settings,
                                                                    monkeypatch):
        files = {**_base(today, mentor.email), "certificates/a.pdf": PDF, "cme.csv": _cme(("EuroCMR", "certificates/a.pdf"))}
        files["candidate.toml"] = files["candidate.toml"].replace("posters = 0", "posters = 1")

        def fail(*args, **kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(PeerRecognition.objects, "bulk_create", fail)
        with pytest.raises(RuntimeError):
            package.import_zip(by=supervised, trainee=supervised, upload=_zip(files))
        _nothing_imported(supervised, settings)

    def test_a_certificate_that_is_not_a_pdf_or_image_is_refused(self, supervised, mentor, today, settings):
        files = {**_base(today, mentor.email), "certificates/a.pdf": b"<html>not a certificate</html>",
                 "cme.csv": _cme(("EuroCMR", "certificates/a.pdf"))}
        with pytest.raises(rules.PackageError, match="cme.csv row 1, column certificate: 'certificates/a.pdf': "
                                                     "The file's content is not a PDF, PNG or JPEG."):
            package.import_zip(by=supervised, trainee=supervised, upload=_zip(files))
        _nothing_imported(supervised, settings)


def _zip_bytes(files: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()
