"""Who may fetch which file: every download route of the URLconf has a permission test.

`download_routes()` reads the URLconf and picks every view whose code answers with a file (FileResponse,
an attachment, PDF, calendar, raw or rendered pixel data, an export). Each must appear in PERMISSION_TESTS,
naming the tests that fetch it as each kind of person (entitled: 200; others: 403 or 404; anonymous: the
login page). A new download route without such a test fails `test_every_download_route_has_a_permission_test`.
Routes without a test elsewhere are tested here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from cmrnet.people.roles import Role

SERVES_A_FILE = re.compile(
    r"FileResponse|StreamingHttpResponse|Content-Disposition|as_attachment|application/pdf|text/calendar|"
    r"application/octet-stream|application/dicom|image/png|to_png|content_type=kind")

HERE = "tests/security/test_downloads.py"
PERMISSION_TESTS = {
    "person-acls-evidence": [f"{HERE}::test_acls_evidence_goes_to_the_person_and_the_administrator_only"],
    "logbook-export": [f"{HERE}::test_a_logbook_export_is_the_signed_in_trainees_own"],
    "logbook-export-of": [f"{HERE}::test_a_logbook_export_of_a_trainee_goes_to_those_who_may_read_the_logbook"],
    "logbook-import-template": ["tests/logbook/test_permissions.py::test_get"],  # empty template: anyone signed in
    "logbook-evidence": [
        "tests/logbook/test_pages.py::test_editing_cme_keeps_the_certificate_and_evidence_downloads_only_to_the_entitled"],
    "exams-items-export": [f"{HERE}::test_the_item_bank_export_is_for_the_exam_board_only"],
    "exams-version-media": [
        "tests/exams/test_views.py::test_item_image_is_uploaded_checked_and_served_only_through_permission_checks"],
    "exams-question-media": [
        "tests/exams/test_views.py::test_item_image_is_uploaded_checked_and_served_only_through_permission_checks"],
    "exams-result-letter": [
        "tests/exams/test_views.py::test_result_letter_and_certificate_only_for_the_candidate_and_the_board"],
    "exams-result-certificate": [
        "tests/exams/test_views.py::test_result_letter_and_certificate_only_for_the_candidate_and_the_board"],
    "certification-document": [
        "tests/certification/test_document_download_permissions.py::test_an_application_document_goes_only_to_those_entitled"],
    "certification-snapshot": ["tests/certification/test_permissions.py::test_entitled_people_download_the_submitted_snapshot",
                               "tests/certification/test_permissions.py::test_anyone_else_gets_404"],
    "certification-certificate-pdf": ["tests/certification/test_permissions.py::test_certificate_pdf_for_holder_and_board_only"],
    "certification-extension-letter": [
        "tests/certification/test_views.py::test_an_extension_request_from_the_form_and_its_letter_download"],
    "certification-special-document": [
        "tests/certification/test_special_circumstances.py::test_pages_candidate_drafts_uploads_submits_board_decides_others_404"],
    "live-session-ics": ["tests/live/test_permissions.py::test_live_permission_matrix"],
    "library-frame": ["tests/library/test_access.py::test_frames_of_unseen_cases_and_quarantine_are_404",
                      "tests/library/test_permission_matrix.py::test_permission_matrix"],
    "library-rendered": ["tests/library/test_permission_matrix.py::test_permission_matrix"],
    "library-quarantine-image": ["tests/library/test_permission_matrix.py::test_permission_matrix"],
    "library-series-frames": ["tests/library/test_permission_matrix.py::test_permission_matrix",
                              "tests/library/test_batch_frames.py::test_all_or_nothing_for_images_outside_the_series_or_in_quarantine"],
    "api-library-dicomweb-frames": ["tests/library/test_permission_matrix.py::test_permission_matrix",
                                    "tests/library/test_dicomweb_server.py::test_the_draft_is_read_by_its_contributor_and_curators_only",
                                    "tests/library/test_dicomweb_server.py::test_unknown_uids_and_frames_are_404_and_a_bad_frame_list_400"],
    "api-schema": ["tests/people/test_permission_matrix.py::test_permission_matrix"],
    "audit-export": ["tests/audit/test_audit_filters_and_export.py::test_export_shows_only_what_the_person_may_read",
                     "tests/audit/test_audit_filters_and_export.py::test_people_without_audit_access_cannot_export",
                     f"{HERE}::test_the_audit_log_and_its_export_follow_the_readers_scopes"],
    "logbook-cohort": ["tests/logbook/test_permissions.py::test_get"],
    "programme-plan-pdf": ["tests/programmes/test_permissions.py::test_permission_matrix"],
    "programme-certificate-pdf": ["tests/programmes/test_permissions.py::test_permission_matrix"],
    "programme-materials": ["tests/programmes/test_permissions.py::test_permission_matrix"],
    "programme-verification-package": ["tests/programmes/test_permissions.py::test_permission_matrix"],
    "programme-survey-export": ["tests/programmes/test_permissions.py::test_permission_matrix"],
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _helpers_source(view) -> str:
    """The code of the same module's functions a view calls (a view may hand its file to a helper)."""
    code = getattr(view, "__code__", None)
    module = inspect.getmodule(view)
    if code is None or module is None:
        return ""
    helpers = [getattr(module, name, None) for name in code.co_names]
    return "".join(inspect.getsource(h) for h in helpers
                   if inspect.isfunction(h) and inspect.getmodule(h) is module and h is not view)


def download_routes() -> dict[str, str]:
    """{url name: route} of every view whose code serves a file."""
    found = {}
    for route, pattern in _routes(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None) \
            or inspect.unwrap(pattern.callback)
        try:
            source = inspect.getsource(view) + _helpers_source(view)
        except (OSError, TypeError):
            continue
        if SERVES_A_FILE.search(source):
            found[pattern.name] = route
    return found


def test_every_download_route_has_a_permission_test():
    routes = download_routes()
    assert {"logbook-evidence", "certification-snapshot", "exams-result-letter", "library-frame"} <= set(routes)
    missing = sorted(set(routes) - set(PERMISSION_TESTS))
    assert missing == [], f"download routes without a permission test: {[(n, routes[n]) for n in missing]}"


def test_every_named_permission_test_exists():
    for name, tests in PERMISSION_TESTS.items():
        for test in tests:
            path, function = test.split("::")
            module = importlib.import_module(path[:-3].replace("/", "."))
            assert callable(getattr(module, function, None)), (name, test)


# --- the routes tested here ---------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n% evidence\n%%EOF\n"


@pytest.mark.django_db
def test_acls_evidence_goes_to_the_person_and_the_administrator_only(trainee, mentor, other_trainee, grader, admin,
                                                                     board_member, client, client_for):
    from cmrnet.people.services import update_profile

    update_profile(by=trainee, person=trainee, acls_valid_until=dt.date(2030, 1, 1),
                   acls_evidence=SimpleUploadedFile("acls.pdf", PDF, content_type="application/pdf"))
    url = f"/people/{trainee.pk}/acls-evidence/"
    for person in (trainee, admin):
        response = client_for(person).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert response["Cache-Control"] == "no-store"
    for person in (other_trainee, grader):
        assert client_for(person).get(url).status_code == 404, person
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def logbook_of_tara(trainee, mentor):
    from cmrnet.logbook import services
    from tests.logbook.factories import case_input, supervise

    today = dt.date.today()
    supervise(trainee, mentor, today=today)
    services.add_case(by=trainee, trainee=trainee, data=case_input(mentor, day=today - dt.timedelta(days=3),
                                                                   identifier="MRN-secret-77"))
    return trainee


@pytest.mark.django_db
def test_a_logbook_export_is_the_signed_in_trainees_own(logbook_of_tara, other_trainee, client_for, client):
    mine = client_for(logbook_of_tara).get("/logbook/export/csv/")
    assert mine.status_code == 200 and mine.content.count(b"\n") >= 2
    theirs = client_for(other_trainee).get("/logbook/export/csv/")
    assert theirs.status_code in (200, 403) and b"ischaemic" not in theirs.content
    response = client.get("/logbook/export/csv/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "zip"])
def test_a_logbook_export_of_a_trainee_goes_to_those_who_may_read_the_logbook(
        logbook_of_tara, mentor, board_member, other_trainee, grader, admin, client_for, client, fmt):
    url = f"/logbook/trainee/{logbook_of_tara.pk}/export/{fmt}/"
    for person in (mentor, board_member):
        response = client_for(person).get(url)
        assert response.status_code == 200, (person, fmt)
        assert response["Cache-Control"] == "no-store"
    for person in (other_trainee, grader, admin):
        assert client_for(person).get(url).status_code == 404, (person, fmt)
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_the_item_bank_export_is_for_the_exam_board_only(board_member, make_person, trainee, admin, grader,
                                                          client_for, client):
    from cmrnet.exams.services.forms import ensure_topics
    from tests.exams import factories

    ensure_topics()
    reviewer = make_person("rev@example.org", Role.EXAM_BOARD, full_name="Rita Reviewer")
    factories.approved_item(board_member, reviewer, 1)
    response = client_for(board_member).get("/exams/items/export/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    for person in (trainee, admin, grader):
        assert client_for(person).get("/exams/items/export/").status_code == 403, person
    assert client.get("/exams/items/export/").status_code == 302


@pytest.mark.django_db
def test_the_audit_log_and_its_export_follow_the_readers_scopes(admin, board_member, make_person, trainee, mentor,
                                                               grader, client_for, client):
    """The administrator reads people and centre entries, never the item bank's; the exam board reads the
    item bank's (digests only), never people's; everyone else is refused the page and the export."""
    import csv
    import io

    from cmrnet.exams.services.forms import ensure_topics
    from cmrnet.network.services import create_centre
    from tests.exams import factories

    ensure_topics()
    create_centre(by=admin, name="Audited Centre", city="Graz", country="AT", beds=300, joined_on=dt.date(2020, 1, 1))
    reviewer = make_person("rev@example.org", Role.EXAM_BOARD, full_name="Rita Reviewer")
    item = factories.approved_item(board_member, reviewer, 1)

    def exported(person):
        response = client_for(person).get("/audit/export.csv")
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        return list(csv.DictReader(io.StringIO(response.content.decode())))

    admin_rows = exported(admin)
    assert any(r["action"] == "centre.created" for r in admin_rows)
    assert not any(r["action"].startswith("exam_item.") for r in admin_rows)
    board_rows = exported(board_member)
    assert any(r["action"].startswith("exam_item.") for r in board_rows)
    assert not any(r["action"] in ("centre.created", "person.created") for r in board_rows)
    assert not any(item.current_version.stem in r["data"] + r["changes"] for r in board_rows)
    for person in (trainee, mentor, grader):
        assert client_for(person).get("/audit/").status_code == 403, person
        assert client_for(person).get("/audit/export.csv").status_code == 403, person
    for url in ("/audit/", "/audit/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
