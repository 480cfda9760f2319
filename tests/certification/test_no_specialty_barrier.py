"""No barrier by specialty (SCMR position: cardiologists and radiologists alike): no rule or permission
depends on cardiology vs radiology vs other. Every role walks the certification path with each specialty,
every route's verdict is the same whatever the specialty, and the board page reports the specialty mix."""

import re
from pathlib import Path

import pytest

from cmrnet.certification import integration, selectors, services
from cmrnet.certification.models import Route
from cmrnet.people.models import Specialty, User
from cmrnet.people.roles import Role
from cmrnet.people.services import link_supervisor

SPECIALTIES = Specialty.values  # cardiology, radiology, other
ROUTES = [Route.LEVEL2, Route.LEVEL3_VIA_LEVEL2, Route.LEVEL3_DIRECT]


def everyone_is(specialty: str) -> None:
    User.objects.update(specialty=specialty)


def verdicts(candidate, today) -> dict:
    out = {}
    for route in ROUTES:
        data = integration.application_data(candidate, today=today, declaration_signed=True, deadline_override=None,
                                            route=route)
        evaluation = integration.evaluate("eacvi-2025", route, data, today=today)
        out[route] = [(r.id, r.status, r.message) for r in evaluation.rules]
    return out


def test_every_route_gives_the_same_verdict_for_each_specialty(candidate, logbook, today):
    results = {}
    for specialty in SPECIALTIES:
        everyone_is(specialty)
        results[specialty] = verdicts(candidate, today)
    assert results["cardiology"] == results["radiology"] == results["other"]
    assert any(status == "met" for _, status, _ in results["radiology"][Route.LEVEL2])


@pytest.mark.parametrize("specialty", SPECIALTIES)
def test_every_role_walks_the_path_with_each_specialty(specialty, candidate, logbook, supervisor, director, grader,
                                                       grader2, board_member, chair, client_for, today, make_person):
    second = make_person("lea@example.org", Role.MENTOR, full_name="Lea Second")
    everyone_is(specialty)
    for person in (candidate, supervisor, director, grader, grader2, board_member):
        person.refresh_from_db()
        assert person.specialty == specialty
    # programme director: links the on-site supervisor; the trainee reads the check
    link_supervisor(by=director, trainee=candidate, supervisor=second, started_on=today)
    assert client_for(candidate).get(f"/people/{candidate.pk}/supervision/").status_code == 200
    # candidate, supervisor, board, graders: the whole level-2 path to a certificate
    app = services.open_application(by=candidate, body="EACVI", route="level2", supervisors=[supervisor], today=today)
    from tests.certification.helpers import pdf_upload

    for kind in ("registration", "acls"):
        services.upload_document(by=candidate, application=app, kind=kind, file=pdf_upload(f"{kind}.pdf"))
    services.sign_declaration(by=supervisor, application=app, text=selectors.declaration_text(app), today=today)
    services.submit(by=candidate, application=app, today=today)
    services.accept_into_grading(by=board_member, application=app)
    for g in (grader, grader2):
        services.assign_grader(by=board_member, application=app, grader=g)
        services.record_grade(by=g, application=app, result="pass", comments="Complete logbook.")
    services.confirm_decision(by=board_member, application=app, today=today)
    app.refresh_from_db()
    assert app.state == "passed" and app.certificates.get().certification.holder == candidate
    # every role's pages open for every specialty
    for person, url in ((candidate, f"/certification/applications/{app.pk}/"), (supervisor, "/"),
                        (grader, f"/certification/applications/{app.pk}/"), (board_member, "/certification/office/"),
                        (director, f"/people/{candidate.pk}/supervision/")):
        assert client_for(person).get(url).status_code == 200, (specialty, person, url)


def test_no_rule_service_or_permission_reads_the_specialty():
    """Specialty is a profile fact: only the profile (model, forms, services, page, API) and the board's
    specialty-mix report read it. A rule or a permission that did would appear here."""
    root = Path(__file__).resolve().parents[2] / "src" / "cmrnet"
    allowed = {"people/models.py", "people/forms.py", "people/services.py", "people/views.py", "people/api.py",
               "people/templates/people/detail.html", "certification/selectors.py", "certification/views/office.py",
               "certification/templates/certification/office.html",
               # carried by the engine's model and packages for the record; no rule module reads it
               "rules/model.py", "rules/package_io.py"}
    readers = {str(p.relative_to(root)) for p in root.rglob("*") if p.suffix in {".py", ".html", ".toml"}
               and "migrations" not in p.parts and re.search(r"specialty", p.read_text(encoding="utf-8"), re.I)}
    assert readers <= allowed, readers - allowed
    selectors_source = (root / "certification" / "selectors.py").read_text(encoding="utf-8")
    before_report = [line for line in selectors_source[:selectors_source.index("board balance")].splitlines()
                     if not line.startswith(("from ", "import "))]
    assert not [line for line in before_report if "specialty" in line.lower()]  # only the specialty-mix report, nothing that decides


def test_the_office_page_reports_the_specialty_mix(board_member, grader, grader2, chair, make_person, client_for):
    User.objects.filter(pk=grader.pk).update(specialty="radiology")
    make_person("rita@example.org", Role.EXAM_BOARD, full_name="Rita Radiologist")
    User.objects.filter(email="rita@example.org").update(specialty="radiology")
    mix = {m.group: m for m in selectors.specialty_mix()}
    assert mix["Exam board"].counts == {"cardiology": 1, "radiology": 1, "other": 0}
    assert mix["Exam board"].share("radiology") == 50
    assert mix["Graders"].counts == {"cardiology": 1, "radiology": 1, "other": 0}
    assert mix["Chairs"].counts == {"cardiology": 1, "radiology": 0, "other": 0}
    page = client_for(board_member).get("/certification/office/").content.decode()
    table = page[page.index('id="specialty-mix"'):]
    assert "Radiology" in table and "1 (50%)" in table and "Chairs" in table
