import datetime as dt

import pytest

from cmrnet.people.roles import Role
from tests.certification.helpers import import_compliant_logbook, pdf_upload, prepare_candidate

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def supervisor(mentor):
    return mentor


@pytest.fixture
def candidate(trainee, supervisor, board_member, today):
    prepare_candidate(trainee=trainee, supervisor=supervisor, today=today, board=board_member)
    return trainee


@pytest.fixture
def logbook(candidate, supervisor, today):
    from cmrnet.people.models import ExamPass

    exam = ExamPass.objects.get(person=candidate)
    return import_compliant_logbook(trainee=candidate, supervisor=supervisor, exam_date=exam.exam_date)


@pytest.fixture
def grader2(make_person, other_centre):
    person = make_person("gina@example.org", Role.GRADER, full_name="Gina Grader", at=other_centre)
    return person


@pytest.fixture
def chair(board_member, today):
    from cmrnet.certification.services import set_chair

    set_chair(by=board_member, body="EACVI", person=board_member, today=today)
    return board_member


@pytest.fixture
def draft(candidate, logbook, supervisor, today):
    """A level-2 application with every required document, supervisor named, not yet signed."""
    from cmrnet.certification import services

    app = services.open_application(by=candidate, body="EACVI", route="level2", supervisors=[supervisor], today=today)
    for kind in ("registration", "acls"):
        services.upload_document(by=candidate, application=app, kind=kind, file=pdf_upload(f"{kind}.pdf"))
    return app


@pytest.fixture
def signed(draft, supervisor, today):
    from cmrnet.certification import selectors, services

    services.sign_declaration(by=supervisor, application=draft, text=selectors.declaration_text(draft), today=today)
    return draft


@pytest.fixture
def submitted(signed, candidate, today):
    from cmrnet.certification import services

    services.submit(by=candidate, application=signed, today=today)
    signed.refresh_from_db()
    return signed


@pytest.fixture
def in_grading(submitted, board_member):
    from cmrnet.certification import services

    services.accept_into_grading(by=board_member, application=submitted)
    submitted.refresh_from_db()
    return submitted


@pytest.fixture
def graded_apart(in_grading, grader, grader2, board_member, chair):
    from cmrnet.certification import services

    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    services.assign_grader(by=board_member, application=in_grading, grader=grader2)
    services.record_grade(by=grader, application=in_grading, result="pass", comments="Good logbook.")
    services.record_grade(by=grader2, application=in_grading, result="fail", comments="Too few congenital cases.")
    in_grading.refresh_from_db()
    return in_grading


@pytest.fixture
def certificate(graded_apart, chair, today):
    from cmrnet.certification import services

    services.chair_decide(by=chair, application=graded_apart, result="pass", reasons="Congenital cases suffice.", today=today)
    return graded_apart.certificates.get()
