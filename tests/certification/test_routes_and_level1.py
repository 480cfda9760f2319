"""Applications open only on routes the chosen rule set defines (rules.route_choices); EACVI Level 1 has an
application and a certificate like the other levels (no logbook, no exam)."""

import pytest
from django.core.exceptions import ValidationError

from cmrnet import rules
from cmrnet.audit.models import AuditEntry
from cmrnet.certification import selectors, services
from cmrnet.certification.forms import ApplicationForm
from cmrnet.people.services import update_profile
from tests.certification.helpers import pdf_upload
from tests.certification.routes_helpers import add_level1_course, grant


def test_the_form_offers_exactly_the_routes_of_each_rule_set(db):
    groups = dict(ApplicationForm().fields["route"].choices)
    assert [r for r, _ in groups["EACVI"]] == list(rules.load_ruleset("eacvi-2025").routes)
    assert [r for r, _ in groups["SCMR"]] == ["level1", "level2", "level3"]
    assert ApplicationForm({"body": "SCMR", "route": "level3-via-level2"}).errors["route"] == [
        "The SCMR rule set defines only: SCMR Level 1, SCMR Level 2, SCMR Level 3."]
    assert ApplicationForm({"body": "SCMR", "route": "level3"}).is_valid()
    assert not ApplicationForm({"body": "EACVI", "route": "level3"}).is_valid()


def test_an_scmr_application_on_an_eacvi_route_is_refused_with_the_routes_it_defines(candidate, today):
    from cmrnet.people.services import record_exam_pass

    record_exam_pass(by=None, person=candidate, body="SCMR", exam_date=today, source="board", reference="SCMR")
    with pytest.raises(ValidationError) as refused:
        services.open_application(by=candidate, body="SCMR", route="level3-direct", today=today)
    message = refused.value.message_dict["route"][0]
    assert message.startswith("The SCMR rule set (scmr-2018) defines only these routes: SCMR Level 1 (level1)")
    assert "not 'level3-direct'" in message
    app = services.open_application(by=candidate, body="SCMR", route="level3", today=today)
    assert (app.level, app.ruleset, app.route) == (3, "scmr-2018", "level3")
    verdict = selectors.verdict(app, today=today)
    assert [r.id for r in verdict.evaluation.rules] == ["training_months", "cases_performed", "cases_interpreted"]


def test_the_page_answers_a_bad_route_with_the_form_not_an_error(candidate, client_for):
    response = client_for(candidate).post("/certification/applications/new/", {"body": "SCMR",
                                                                               "route": "level3-via-level2"})
    assert response.status_code == 200
    assert "The SCMR rule set defines only" in response.content.decode()


def test_a_ruleset_other_than_the_bodys_is_refused(candidate, today):
    with pytest.raises(ValidationError, match="judged by 'eacvi-2025'"):
        services.open_application(by=candidate, body="EACVI", route="level2", ruleset="scmr-2018", today=today)


def test_level1_needs_no_exam_no_logbook_and_no_declaration(trainee, board_member, grader, grader2, today):
    update_profile(by=trainee, person=trainee, registration_country="FR", registration_number="FR-1",
                   registration_valid_until=today.replace(year=today.year + 3))
    app = services.open_application(by=trainee, body="EACVI", route="level1", today=today)
    assert (app.level, app.exam_pass) == (1, None)
    verdict = selectors.verdict(app, today=today)
    assert [r.id for r in verdict.evaluation.rules] == ["registration", "level1_knowledge"]
    assert not verdict.evaluation.rule("level1_knowledge").met
    assert verdict.declarations == [] and not any("supervisor" in b.lower() for b in verdict.blockers)
    assert "Missing document: CME attendance certificate." in verdict.blockers
    assert not any("ACLS" in b for b in verdict.blockers)

    course = add_level1_course(trainee, today=today)
    services.upload_document(by=trainee, application=app, kind="registration", file=pdf_upload("reg.pdf"))
    verdict = selectors.verdict(app, today=today)
    knowledge = verdict.evaluation.rule("level1_knowledge")
    assert knowledge.met and knowledge.numbers["courses"] == [course.activity_id]
    assert verdict.blockers == []

    services.submit(by=trainee, application=app, today=today)
    certificate = grant(app, board=board_member, graders=[grader, grader2], today=today)
    assert (certificate.certification.level, certificate.certification.body) == (1, "EACVI")
    entries = selectors.public_register(today=today, level=1)
    assert [(e.name, e.level) for e in entries] == [(trainee.full_name, 1)]
    assert AuditEntry.objects.filter(action="certificate.issued", data__application_id=app.pk).exists()


def test_level1_without_the_course_is_met_by_nine_accepted_cme_hours_and_not_by_eight(trainee, today):
    from decimal import Decimal

    from cmrnet.logbook import services as logbook
    from cmrnet.rules.dates import add_months

    update_profile(by=trainee, person=trainee, registration_valid_until=today.replace(year=today.year + 3))
    app = services.open_application(by=trainee, body="EACVI", route="level1", today=today)
    activity = logbook.add_cme(by=trainee, trainee=trainee, title="CMR update", provider="Uni", kind="course",
                               start_date=add_months(today, -4), end_date=add_months(today, -4),
                               credits=Decimal("8"), modalities=1, catalog_id="", certificate=pdf_upload("c.pdf"))
    assert not selectors.verdict(app, today=today).evaluation.rule("level1_knowledge").met
    logbook.update_cme(by=trainee, activity=activity, credits=Decimal("9"))
    assert selectors.verdict(app, today=today).evaluation.rule("level1_knowledge").met


def test_the_level1_certificate_pages_show_level_1(trainee, board_member, grader, grader2, today, client_for):
    update_profile(by=trainee, person=trainee, registration_valid_until=today.replace(year=today.year + 3))
    app = services.open_application(by=trainee, body="EACVI", route="level1", today=today)
    add_level1_course(trainee, today=today)
    services.upload_document(by=trainee, application=app, kind="registration", file=pdf_upload("reg.pdf"))
    services.submit(by=trainee, application=app, today=today)
    certificate = grant(app, board=board_member, graders=[grader, grader2], today=today)
    page = client_for(trainee).get(f"/certification/applications/{app.pk}/").content.decode()
    assert "EACVI CMR Level 1" in page
    assert 'id="declaration-text"' not in page   # no logbook, no supervisor's declaration
    verify = client_for(board_member).get(f"/certification/verify/{certificate.code}/").content.decode()
    assert "Level 1" in verify
    register = client_for(board_member).get("/certification/register/?level=1").content.decode()
    assert trainee.full_name in register
