"""Helpers for route tests: a Level 1 course claim, and a full grant (two passing graders, board confirms)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cmrnet.rules.dates import add_months
from tests.certification.helpers import pdf_upload


def add_level1_course(trainee, *, today: dt.date):
    """The EACVI Level 1 Course, all modules completed, with its certificate (logbook service)."""
    from cmrnet.logbook import services

    return services.add_cme(by=trainee, trainee=trainee, title="EACVI Level 1 Course", provider="EACVI",
                            kind="online", start_date=add_months(today, -3), end_date=add_months(today, -2),
                            credits=Decimal("9"), modalities=1, catalog_id="eacvi-level1-course",
                            full_attendance=True, certificate=pdf_upload("level1-course.pdf"))


def grant(application, *, board, graders, today: dt.date):
    """Accept, two graders pass it, the board confirms: the certificate is issued."""
    from cmrnet.certification import services

    services.accept_into_grading(by=board, application=application)
    for grader in graders:
        services.assign_grader(by=board, application=application, grader=grader)
    for grader in graders:
        services.record_grade(by=grader, application=application, result="pass", comments="Meets every rule.")
    services.confirm_decision(by=board, application=application, today=today)
    application.refresh_from_db()
    return application.certificates.get()
