"""Security issue, finding 1: a path named inside an application package is a member of that zip,
never a file of the server (absolute paths, '../', symbolic links), and errors never tell whether
a path exists outside the package."""

import datetime as dt
import io
import re
import stat
import zipfile
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet.logbook.models import Case, CmeActivity, TrainingPeriod
from cmrnet.rules.package_io import CME_COLUMNS, candidate_toml
from cmrnet.rules.testing import make_compliant_application

pytestmark = pytest.mark.django_db
SECRET = "SECRET-MARKER-7f3a9c-do-not-leak"
PDF = b"%PDF-1.4\n% a real certificate\n%%EOF\n"


@pytest.fixture
def server_files(tmp_path):
    """Stand-ins for the files the finding named: the secret-key file and the SQLite database."""
    folder = tmp_path / "var"
    folder.mkdir()
    secret = folder / "secret_key"
    secret.write_text(SECRET + "\n")
    database = folder / "cmrnet.sqlite3"
    database.write_bytes(b"SQLite format 3\x00" + SECRET.encode() + b"\x00" * 64)
    return {"secret": secret, "database": database, "missing": folder / "no-such-file"}


def _cme_csv(certificate: str) -> str:
    row = ["cme-1", "EuroCMR", "EACVI", "congress", "2025-01-11", "2025-01-13", "18", "1", "", certificate]
    return ",".join(CME_COLUMNS) + "\n" + ",".join(row) + "\n"


def _zip(files: dict, links: dict | None = None) -> SimpleUploadedFile:
    """A package zip; `links` are symbolic-link members (name -> target), as `zip -y` stores them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return SimpleUploadedFile("package.zip", buffer.getvalue(), content_type="application/zip")


def _base(today, supervisor_email: str) -> dict:
    data = make_compliant_application("level2", exam_date=today - dt.timedelta(days=200))
    cases = tuple(replace(c, supervisor_id=supervisor_email) for c in data.cases[:2])
    header = "case_id,study_date,patient_key,category,normal,source,course_id,role,control_room,supervisor_id,clinical_change"
    lines = [header] + [f"{c.case_id},{c.study_date},{c.patient_key},{c.category},no,own_centre,,primary_operator,yes,"
                        f"{c.supervisor_id},no" for c in cases]
    return {"candidate.toml": candidate_toml(data.candidate), "cases.csv": "\n".join(lines) + "\n"}


def _post(client, user, upload):
    client.force_login(user)
    return client.post("/logbook/package/import/", {"package": upload})


def _message(html: str) -> str:
    return re.search(r"<p>Nothing was imported: (.*?)</p>", html, re.S).group(1)


def _assert_refused(response, trainee):
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert SECRET not in html
    assert not Case.objects.filter(trainee=trainee).exists()
    assert not CmeActivity.objects.filter(trainee=trainee).exists()
    assert not TrainingPeriod.objects.filter(trainee=trainee).exists()
    return html


def _no_secret_in_storage(settings):
    from pathlib import Path

    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


class TestCertificateColumn:
    @pytest.mark.parametrize("which", ["secret", "database"])
    def test_an_absolute_path_to_a_server_file_is_refused(self, supervised, mentor, today, client, settings,
                                                          server_files, which):
        files = {**_base(today, mentor.email), "cme.csv": _cme_csv(str(server_files[which]))}
        html = _assert_refused(_post(client, supervised, _zip(files)), supervised)
        assert "cme.csv row 1, column certificate" in html
        _no_secret_in_storage(settings)

    @pytest.mark.parametrize("reference", ["../../secret_key", "certificates/../../secret_key", "..\\secret_key",
                                           "C:\\Windows\\win.ini"])
    def test_a_path_leaving_the_package_is_refused(self, supervised, mentor, today, client, settings, reference):
        files = {**_base(today, mentor.email), "cme.csv": _cme_csv(reference)}
        html = _assert_refused(_post(client, supervised, _zip(files)), supervised)
        assert "cme.csv row 1, column certificate" in html
        _no_secret_in_storage(settings)

    def test_the_message_is_the_same_whether_the_outside_file_exists_or_not(self, supervised, mentor, today, client,
                                                                            server_files):
        messages = []
        for which in ("secret", "missing"):
            files = {**_base(today, mentor.email), "cme.csv": _cme_csv(str(server_files[which]))}
            html = _assert_refused(_post(client, supervised, _zip(files)), supervised)
            messages.append(_message(html).replace(str(server_files[which]), "PATH"))
        assert messages[0] == messages[1]

    def test_a_symbolic_link_member_is_refused(self, supervised, mentor, today, client, settings, server_files):
        files = {**_base(today, mentor.email), "cme.csv": _cme_csv("certificates/eurocmr.pdf")}
        upload = _zip(files, links={"certificates/eurocmr.pdf": str(server_files["secret"])})
        html = _assert_refused(_post(client, supervised, upload), supervised)
        assert "symbolic link" in html
        _no_secret_in_storage(settings)

    def test_a_certificate_inside_the_zip_is_imported_and_served(self, supervised, mentor, today, client):
        files = {**_base(today, mentor.email), "cme.csv": _cme_csv("certificates/eurocmr.pdf"),
                 "certificates/eurocmr.pdf": PDF}
        response = _post(client, supervised, _zip(files))
        assert response.status_code == 302
        activity = CmeActivity.objects.get(trainee=supervised)
        served = client.get(f"/logbook/cme/{activity.pk}/file/")
        assert b"".join(served.streaming_content) == PDF

    def test_a_certificate_named_but_not_in_the_zip_is_an_error_not_a_silent_drop(self, supervised, mentor, today,
                                                                                client):
        files = {**_base(today, mentor.email), "cme.csv": _cme_csv("certificates/missing.pdf")}
        html = _assert_refused(_post(client, supervised, _zip(files)), supervised)
        assert "cme.csv row 1, column certificate: &#x27;certificates/missing.pdf&#x27; is not a file in the package" \
            in html


class TestLevel2CasesKey:
    def _files(self, today, mentor, cases_ref: str) -> dict:
        files = _base(today, mentor.email)
        files["candidate.toml"] += f'\n[level2]\nawarded_on = 2020-01-01\nvalid_until = 2030-01-01\ncases = "{cases_ref}"\n'
        return files

    @pytest.mark.parametrize("which", ["secret", "database"])
    def test_an_absolute_path_is_refused_without_reading_it(self, supervised, mentor, today, client, server_files,
                                                           which):
        html = _assert_refused(_post(client, supervised, _zip(self._files(today, mentor, str(server_files[which])))),
                               supervised)
        assert "candidate.toml key level2.cases" in html

    def test_traversal_is_refused(self, supervised, mentor, today, client):
        html = _assert_refused(_post(client, supervised, _zip(self._files(today, mentor, "../../secret_key"))),
                               supervised)
        assert "candidate.toml key level2.cases" in html

    def test_existing_and_missing_outside_files_give_the_same_message(self, supervised, mentor, today, client,
                                                                     server_files):
        pages = []
        for which in ("secret", "missing"):
            path = str(server_files[which])
            html = _assert_refused(_post(client, supervised, _zip(self._files(today, mentor, path))), supervised)
            pages.append(_message(html).replace(path, "PATH"))
        assert pages[0] == pages[1]

    def test_a_symbolic_link_member_is_refused(self, supervised, mentor, today, client, server_files):
        upload = _zip(self._files(today, mentor, "level2_cases.csv"),
                      links={"level2_cases.csv": str(server_files["secret"])})
        html = _assert_refused(_post(client, supervised, upload), supervised)
        assert "symbolic link" in html


class TestZipMemberNames:
    @pytest.mark.parametrize("name", ["../cases.csv", "/etc/cases.csv", "a/../../cases.csv"])
    def test_an_unsafe_member_name_is_refused(self, supervised, mentor, today, client, name):
        files = {**_base(today, mentor.email), name: "x"}
        _assert_refused(_post(client, supervised, _zip(files)), supervised)

    def test_two_members_with_the_same_name_are_refused(self, supervised, mentor, today, client):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, body in _base(today, mentor.email).items():
                archive.writestr(name, body)
            with pytest.warns(UserWarning):
                archive.writestr("cases.csv", "case_id\n")
        html = _assert_refused(_post(client, supervised, SimpleUploadedFile("p.zip", buffer.getvalue())), supervised)
        assert "twice" in html


def test_two_certificates_with_the_same_stored_name_travel_as_two_members(trainee, mentor, other_trainee, today):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cmrnet.logbook import package
    from tests.logbook.factories import ready_but_cases, supervise

    ready_but_cases(trainee, mentor, today=today, cases=2)
    supervise(other_trainee, mentor, today=today)
    for year, activity in zip((2023, 2024), trainee.cme_activities.order_by("pk")):
        activity.certificate.name = default_storage.save(f"evidence/cme/{year}/certificate.pdf",
                                                         ContentFile(PDF + str(year).encode()))
        activity.save()
    blob = package.export_zip(trainee, today=today)
    names = zipfile.ZipFile(io.BytesIO(blob)).namelist()
    assert len(names) == len(set(names))
    package.import_zip(by=other_trainee, trainee=other_trainee, upload=SimpleUploadedFile("p.zip", blob))
    bodies = sorted(a.certificate.read() for a in other_trainee.cme_activities.all())
    assert bodies == [PDF + b"2023", PDF + b"2024"]
