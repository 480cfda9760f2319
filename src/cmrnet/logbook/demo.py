"""Demo step: a realistic logbook for trainee@demo.cmrnet.org (idempotent).

About 140 cases over the last year under the demo mentor, a training period and CME from three
sources, so the Level 2 dashboard shows most rules met and a few lines missing (10 more cases,
and the exam, which the demo trainee has not passed yet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cmrnet.logbook import services
from cmrnet.logbook.patient_keys import patient_key
from cmrnet.people.models import User
from cmrnet.rules.dates import add_months
from cmrnet.rules.testing import make_cases

TRAINEE, MENTOR = "trainee@demo.cmrnet.org", "mentor@demo.cmrnet.org"
DEMO_CASES = 140
PDF = b"%PDF-1.4\n% cmrnet demo attendance certificate\n%%EOF\n"


@transaction.atomic
def demo_logbook() -> None:
    trainee = User.objects.filter(email=TRAINEE).first()
    mentor = User.objects.filter(email=MENTOR).first()
    if trainee is None or mentor is None or trainee.logbook_cases.exists():
        return
    today = timezone.localdate()
    first, last = add_months(today, -12), today - dt.timedelta(days=3)
    rows = []
    for i, case in enumerate(make_cases(DEMO_CASES, first, last, seed=2026, prefix="D")):
        case = replace(case, patient_key=patient_key(f"demo-patient-{i:04d}"))
        rows.append(services.CaseInput(
            study_date=case.study_date, patient_key=case.patient_key, category=case.category, normal=case.normal,
            source=case.source, course_id=case.course_id, role=case.role, control_room=case.control_room,
            supervisor_id=mentor.pk, clinical_change=False))
    services.import_cases(by=trainee, trainee=trainee, rows=rows, source="demo")
    services.add_training(by=trainee, trainee=trainee, start_date=add_months(today, -11),
                          end_date=add_months(today, -5), hours_per_week=Decimal("40"), supervisor=mentor,
                          centre=str(mentor.centre or ""))
    cme = [
        ("EuroCMR 2026", "EACVI", "congress", 3, "18", ""),
        ("SCMR Introductory Online Course in CMR", "SCMR", "online", 1, "10", "scmr-intro-online"),
        ("BSCMR Annual Meeting", "BSCMR", "congress", 1, "6", "bscmr-annual"),
    ]
    for n, (title, provider, kind, days, credits, catalog_id) in enumerate(cme):
        start = add_months(today, -10 + 3 * n)
        services.add_cme(by=trainee, trainee=trainee, title=title, provider=provider, kind=kind, start_date=start,
                         end_date=start + dt.timedelta(days=days - 1), credits=Decimal(credits), modalities=1,
                         catalog_id=catalog_id, certificate=ContentFile(PDF, name=f"certificate-{n + 1}.pdf"))
