"""Building a compliant logbook through the logbook app's own import (no rule re-implemented here)."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet import rules
from cmrnet.rules.dates import add_months
from cmrnet.rules.testing import make_compliant_application

PDF = b"%PDF-1.4\n% cmrnet test document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def exam_date_for(today: dt.date) -> dt.date:
    """An exam date that makes the generated level-2 logbook complete and in time on `today`."""
    return add_months(today, -8)


def prepare_candidate(*, trainee, supervisor, today: dt.date, board=None, record_exam: bool = True) -> dt.date:
    """Profile facts, the supervisor's Level 3 and link, and the exam pass (recorded by the board)."""
    from cmrnet.people.models import Certification
    from cmrnet.people.services import add_certification, add_supervision, record_exam_pass, update_profile

    exam_date = exam_date_for(today)
    update_profile(by=trainee, person=trainee, registration_country="DE", registration_number="DE-123456",
                   registration_valid_until=dt.date(today.year + 4, 12, 31), acls_valid_until=add_months(today, 18),
                   languages="de,en")
    if not Certification.objects.filter(holder=supervisor, level=3).exists():
        add_certification(by=None, holder=supervisor, body="EACVI", level=3, awarded_on=add_months(exam_date, -72),
                          valid_until=add_months(exam_date, 60))
    add_supervision(by=None, trainee=trainee, supervisor=supervisor, started_on=add_months(exam_date, -13))
    if record_exam:
        record_exam_pass(by=board, person=trainee, body="EACVI", exam_date=exam_date, source="board",
                         reference="EACVI CMR exam", results_released_on=exam_date + dt.timedelta(days=30))
    return exam_date


def import_compliant_logbook(*, trainee, supervisor, exam_date: dt.date, verify: bool = True) -> dict:
    """A level-2 logbook that meets every rule, imported with cmrnet.logbook.package.import_zip and
    (optionally) verified case by case by the supervisor through the logbook's services."""
    from cmrnet.logbook import package, services
    from cmrnet.logbook.models import Case

    data = make_compliant_application("level2", exam_date=exam_date)
    email = supervisor.email
    data = replace(data, cases=tuple(replace(c, supervisor_id=email) for c in data.cases),
                   training=tuple(replace(t, supervisor_id=email) for t in data.training), supervisors=())
    with tempfile.TemporaryDirectory() as tmp:
        folder = rules.write_package(Path(tmp) / "pkg", data)
        for activity in data.cme:
            (folder / activity.certificate).write_bytes(PDF)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, path.name)
    upload = SimpleUploadedFile("logbook.zip", buffer.getvalue(), content_type="application/zip")
    summary = package.import_zip(by=trainee, trainee=trainee, upload=upload)
    if verify:
        for case in Case.objects.filter(trainee=trainee):
            services.verify_case(by=supervisor, case=case, status="verified")
    return summary
