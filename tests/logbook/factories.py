"""Builders for logbook tests (also used by the browser test)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet.logbook import services
from cmrnet.logbook.patient_keys import patient_key
from cmrnet.people.models import Certification
from cmrnet.people.services import add_certification, add_supervision, record_exam_pass, update_profile
from cmrnet.rules.dates import add_months
from cmrnet.rules.testing import make_cases

PDF = b"%PDF-1.4\n% test certificate\n%%EOF\n"


def pdf(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def case_input(mentor, *, day: dt.date, identifier: str = "MRN-1", category: str = "ischaemic", **extra):
    values = dict(study_date=day, patient_key=patient_key(identifier), category=category, normal=False,
                  source="own_centre", role="primary_operator", control_room=True, supervisor_id=mentor.pk)
    values.update(extra)
    return services.CaseInput(**values)


def supervise(trainee, mentor, *, today: dt.date) -> None:
    if not Certification.objects.filter(holder=mentor, level=3).exists():
        add_certification(by=None, holder=mentor, body="EACVI", level=3, awarded_on=add_months(today, -72),
                          valid_until=add_months(today, 48))
    add_supervision(by=None, trainee=trainee, supervisor=mentor, started_on=add_months(today, -24))


def generated_cases(mentor, count: int, *, today: dt.date, seed: int = 1, prefix: str = "G"):
    rows = []
    for i, case in enumerate(make_cases(count, add_months(today, -12), today - dt.timedelta(days=7), seed=seed,
                                        prefix=prefix, other_centre=0, course=0)):
        case = replace(case, patient_key=patient_key(f"{prefix}-patient-{i}"))
        rows.append(services.CaseInput(
            study_date=case.study_date, patient_key=case.patient_key, category=case.category, normal=case.normal,
            source=case.source, course_id=case.course_id, role=case.role, control_room=case.control_room,
            supervisor_id=mentor.pk))
    return rows


def ready_but_cases(trainee, mentor, *, today: dt.date, cases: int = 146) -> dt.date:
    """Everything for EACVI Level 2 in place except the case count (and the declaration at application).

    Returns the exam date."""
    supervise(trainee, mentor, today=today)
    update_profile(by=trainee, person=trainee, registration_valid_until=add_months(today, 36),
                   acls_valid_until=add_months(today, 18))
    exam = today - dt.timedelta(days=150)
    record_exam_pass(by=None, person=trainee, body="EACVI", exam_date=exam, source="board", reference="test")
    services.add_training(by=trainee, trainee=trainee, start_date=add_months(today, -10),
                          end_date=add_months(today, -5), hours_per_week=Decimal("40"), supervisor=mentor,
                          centre="Test Heart Centre")
    for n, (title, provider, credits) in enumerate([("EuroCMR", "EACVI", "16"), ("CMR course", "Uni", "12")]):
        start = add_months(today, -9 + 3 * n)
        services.add_cme(by=trainee, trainee=trainee, title=title, provider=provider, kind="course",
                         start_date=start, end_date=start + dt.timedelta(days=1), credits=Decimal(credits),
                         modalities=1, catalog_id="", certificate=pdf(f"cert-{n}.pdf"))
    if cases:
        services.import_cases(by=trainee, trainee=trainee, rows=generated_cases(mentor, cases, today=today))
    return exam
