"""Review findings: the application-package import and bad input on the import/API paths."""

import datetime as dt
import io
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet import rules
from cmrnet.audit.models import AuditEntry
from cmrnet.logbook.models import Case, CmeActivity
from cmrnet.logbook.patient_keys import patient_key
from cmrnet.rules.testing import make_compliant_application

pytestmark = pytest.mark.django_db


def _package(data) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        folder = rules.write_package(Path(tmp) / "pkg", data)
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
    return SimpleUploadedFile("package.zip", buffer.getvalue(), content_type="application/zip")


def _small_package(today, supervisor_email: str, *, cases: int = 3, **cme_changes):
    data = make_compliant_application("level2", exam_date=today - dt.timedelta(days=200))
    first = [replace(c, supervisor_id=supervisor_email) for c in data.cases[:cases]]
    cme = tuple(replace(a, certificate="", **cme_changes) for a in data.cme[:1])
    training = tuple(replace(t, supervisor_id=supervisor_email) for t in data.training[:1])
    return replace(data, cases=tuple(first), cme=cme, training=training, supervisors=())


class TestPackagePatientKeys:
    def test_a_raw_identifier_in_a_package_is_hashed_never_stored(self, supervised, mentor, today, client):
        data = _small_package(today, mentor.email, cases=2)
        data = replace(data, cases=(replace(data.cases[0], patient_key="MRN-4711-SMITH"), data.cases[1]))
        client.force_login(supervised)
        response = client.post("/logbook/package/import/", {"package": _package(data)})
        assert response.status_code == 302
        keys = set(Case.objects.filter(trainee=supervised).values_list("patient_key", flat=True))
        assert "MRN-4711-SMITH" not in keys
        assert patient_key("MRN-4711-SMITH") in keys
        assert not any("MRN-4711" in repr(e.data) + repr(e.changes) for e in AuditEntry.objects.all())

    def test_a_pseudonymous_key_from_another_site_is_kept(self, supervised, mentor, today):
        from cmrnet.logbook import package

        key = patient_key("elsewhere-1")
        data = _small_package(today, mentor.email, cases=1)
        data = replace(data, cases=(replace(data.cases[0], patient_key=key),))
        package.import_zip(by=supervised, trainee=supervised, upload=_package(data))
        assert Case.objects.get(trainee=supervised).patient_key == key


class TestPackageBadValues:
    def test_an_over_long_cme_title_is_reported_not_a_server_error(self, supervised, mentor, today, client):
        data = _small_package(today, mentor.email, title="x" * 400)
        client.force_login(supervised)
        response = client.post("/logbook/package/import/", {"package": _package(data)})
        assert response.status_code == 200
        assert "title" in response.content.decode().lower()
        assert not Case.objects.filter(trainee=supervised).exists()
        assert not CmeActivity.objects.filter(trainee=supervised).exists()


class TestBadInput:
    def test_a_csv_cell_beyond_the_csv_field_limit_is_a_clear_error(self, supervised, client):
        text = "study_date,patient_id,category,normal,source,role\n2025-01-01,\"" + "a" * 200_000 + "\",mass,no,own_centre,observer\n"
        client.force_login(supervised)
        response = client.post("/logbook/import/", {"file": SimpleUploadedFile("cases.csv", text.encode())})
        assert response.status_code == 200
        assert "cannot be read" in response.content.decode()
        assert not Case.objects.exists()

    @pytest.mark.parametrize("value", ["²", "١٢x", "-1", "1e3"])
    def test_a_non_number_trainee_parameter_is_404_not_500(self, supervised, mentor, value):
        from rest_framework.test import APIClient

        api = APIClient()
        api.force_authenticate(mentor)
        assert api.get("/api/v1/logbook/cases/", {"trainee": value}).status_code == 404
        assert api.get("/api/v1/logbook/evaluation/", {"trainee": value, "ruleset": "eacvi-2025",
                                                       "route": "level2"}).status_code == 404
