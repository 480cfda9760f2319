"""Pages: quick add with HTMX, supervisor verification, the dashboard, panels, demo data."""

import datetime as dt
import re

import pytest

from cmrnet.logbook import demo, services
from cmrnet.logbook.models import Case
from tests.logbook.factories import case_input, ready_but_cases

pytestmark = pytest.mark.django_db


def test_quick_add_defaults_from_the_last_entry(supervised, mentor, day, client):
    services.add_case(by=supervised, trainee=supervised,
                      data=case_input(mentor, day=day, category="congenital", role="reporting"))
    client.force_login(supervised)
    html = client.get("/logbook/").content.decode()
    assert f'value="{day.isoformat()}"' in html
    assert '<option value="congenital" selected>' in html and '<option value="reporting" selected>' in html
    assert "autofocus" in html


def test_htmx_quick_add_returns_the_row_and_triggers_a_progress_refresh(supervised, mentor, day, client):
    client.force_login(supervised)
    response = client.post("/logbook/cases/add/", {
        "study_date": day.isoformat(), "patient_identifier": "MRN-7", "category": "mass", "source": "own_centre",
        "role": "primary_operator", "supervisor": mentor.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "logbook-changed"
    html = response.content.decode()
    assert f'id="case-{Case.objects.get().pk}"' in html and 'hx-swap-oob="true"' in html


def test_htmx_quick_add_with_errors_re_renders_the_form(supervised, client, day):
    client.force_login(supervised)
    response = client.post("/logbook/cases/add/", {"study_date": day.isoformat(), "category": "mass",
                                                   "source": "course", "role": "primary_operator"},
                           HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == "#quick-add"
    assert "A course case needs the course id" in response.content.decode()
    assert not Case.objects.exists()


def test_supervisor_verifies_from_the_trainee_logbook(supervised, mentor, day, client):
    case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
    client.force_login(mentor)
    page = client.get(f"/logbook/trainee/{supervised.pk}/").content.decode()
    assert f"/logbook/cases/{case.pk}/verify/" in page
    response = client.post(f"/logbook/cases/{case.pk}/verify/", {"status": "queried", "comment": ""},
                           HTTP_HX_REQUEST="true")
    assert "Say what is wrong" in response.content.decode()
    response = client.post(f"/logbook/cases/{case.pk}/verify/", {"status": "verified"}, HTTP_HX_REQUEST="true")
    assert "Verified" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "verified"


def test_dashboard_shows_every_route_side_by_side(trainee, mentor, today, client):
    ready_but_cases(trainee, mentor, today=today, cases=149)
    client.force_login(trainee)
    html = client.get("/logbook/progress/").content.decode()
    for key in ("eacvi-2025-level2", "eacvi-2025-level3-via-level2", "eacvi-2025-level3-direct",
                "scmr-2018-level1", "scmr-2018-level2", "scmr-2018-level3"):
        assert f'id="route-{key}"' in html
    assert "149 eligible cases of 150 required" in html
    assert '<progress value="149" max="150"' in html
    assert "Eligible cases per category" in html and "Logbook timeline" in html
    assert "24-month window" in html


def test_dashboard_panels_and_their_empty_states(supervised, mentor, client, day):
    client.force_login(supervised)
    html = client.get("/").content.decode()
    assert "Logbook progress" in html and "Your logbook is empty" in html
    client.force_login(mentor)
    html = client.get("/").content.decode()
    assert "Cases to verify" in html and "Nothing to verify" in html
    services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
    html = client.get("/").content.decode()
    assert f"{supervised.full_name}</a>: 1 case" in html


def test_nav_shows_logbook_for_trainees_and_mentors(supervised, mentor, grader, client):
    for person, shown in ((supervised, True), (mentor, True), (grader, False)):
        client.force_login(person)
        nav = client.get("/").content.decode().split('<nav aria-label="Main">')[1].split("</nav>")[0]
        assert ('<a href="/logbook/" >Logbook</a>' in nav) is shown


def test_cme_page_shows_accepted_credits_and_why_reduced(supervised, client, day):
    from decimal import Decimal

    services.add_cme(by=supervised, trainee=supervised, title="ESC Congress", provider="ESC", kind="congress",
                     start_date=day, end_date=day + dt.timedelta(days=3), credits=Decimal("20"), catalog_id="esc-congress",
                     certificate="")
    client.force_login(supervised)
    html = client.get("/logbook/cme/").content.decode()
    assert "no attendance certificate" in html


def test_demo_logbook_is_idempotent_and_mostly_met(db, monkeypatch):
    from cmrnet.core import demo as core_demo
    from cmrnet.core.demo import load_demo

    monkeypatch.setattr(core_demo, "DEMO_STEPS", [demo.demo_logbook])   # this app's step only
    from cmrnet.logbook.selectors import evaluate_for
    from cmrnet.people.models import User

    load_demo()
    load_demo()
    trainee = User.objects.get(email=demo.TRAINEE)
    assert trainee.logbook_cases.count() == demo.DEMO_CASES
    from django.utils import timezone

    evaluation = evaluate_for(trainee, ruleset="eacvi-2025", route="level2", today=timezone.localdate())
    met = [r.id for r in evaluation.rules if r.met]
    assert len(met) >= 14 and "case_count" not in met and "cme_hours" in met and "training_months" in met


def test_filters_narrow_the_case_table(supervised, mentor, day, client):
    services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="a"))
    services.add_case(by=supervised, trainee=supervised, data=case_input(
        mentor, day=day - dt.timedelta(days=40), identifier="b", category="valvular", source="other_centre"))
    client.force_login(supervised)

    def shown(query):
        html = client.get(f"/logbook/?{query}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-table").content.decode()
        assert html.startswith('<div id="case-table">')               # only the table is re-rendered
        return sorted(set(re.findall(r"<td data-label=\"Case\">(C\d{4})</td>", html)))

    assert shown("") == ["C0001", "C0002"]
    assert shown("category=valvular") == ["C0002"]
    assert shown("source=own_centre") == ["C0001"]
    assert shown(f"date_from={(day - dt.timedelta(days=1)).isoformat()}") == ["C0001"]
    assert shown(f"date_to={(day - dt.timedelta(days=1)).isoformat()}") == ["C0002"]
    assert shown("status=verified") == []


def test_settings_refuse_a_route_of_another_rule_set(supervised, client):
    client.force_login(supervised)
    response = client.post("/logbook/settings/", {"ruleset": "scmr-2018", "route": "level3-direct"})
    assert "has no route &#x27;level3-direct&#x27;" in response.content.decode()
    response = client.post("/logbook/settings/", {"ruleset": "scmr-2018", "route": "level2"})
    assert response.status_code == 302
    from cmrnet.audit.models import AuditEntry

    assert AuditEntry.objects.get(action="logbook.settings_updated").changes["ruleset"] == ["eacvi-2025", "scmr-2018"]
    html = client.get("/logbook/").content.decode()
    assert "SCMR Level 2:" in html


@pytest.mark.parametrize("cases", [3, 160])
def test_pdf_export_states_the_verdict_per_route(trainee, mentor, today, client, cases):
    """The PDF says, per route, exactly what the engine says: a PDF that always said "met" (or never did)
    fails one of the two logbooks."""
    from cmrnet.logbook import exports, progress, selectors
    from tests.pdf_text import pdf_text

    ready_but_cases(trainee, mentor, today=today, cases=cases)
    panels = [progress.route_panel(rs, e) for rs, e in selectors.evaluations_for(trainee, today=today)]
    pdf = exports.logbook_pdf(trainee, list(Case.objects.all()), panels, today=today)
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF") and f"{cases} cases" in text
    level2 = next(p for p in panels if p["key"] == "eacvi-2025-level2")
    assert level2["met"] is (cases == 160)
    for panel in panels:
        verdict = "met" if panel["met"] else "not met"
        assert f"{panel['label']}: {verdict} ({panel['met_count']} of {panel['rule_count']} rules" in text
        for rule in panel["rules"]:
            assert rule["status_label"] in text


def test_editing_cme_keeps_the_certificate_and_evidence_downloads_only_to_the_entitled(
        supervised, client, day, grader):
    from decimal import Decimal

    from tests.logbook.factories import PDF, pdf

    activity = services.add_cme(by=supervised, trainee=supervised, title="Course", provider="X", kind="course",
                                start_date=day, end_date=day, credits=Decimal("5"), certificate=pdf("mine.pdf"))
    client.force_login(supervised)
    response = client.post(f"/logbook/cme/{activity.pk}/edit/", {
        "title": "Course renamed", "provider": "X", "kind": "course", "start_date": day.isoformat(),
        "end_date": day.isoformat(), "credits": "6", "modalities": "1", "catalog_id": ""})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Course renamed" and activity.certificate.name.endswith(".pdf")
    download = client.get(f"/logbook/cme/{activity.pk}/file/")
    assert b"".join(download.streaming_content) == PDF
    client.force_login(grader)
    assert client.get(f"/logbook/cme/{activity.pk}/file/").status_code == 404


def test_a_certificate_that_is_not_a_pdf_or_image_is_refused(supervised, client, day):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(supervised)
    response = client.post("/logbook/cme/", {
        "title": "Course", "provider": "X", "kind": "course", "start_date": day.isoformat(),
        "end_date": day.isoformat(), "credits": "6", "modalities": "1", "catalog_id": "",
        "certificate": SimpleUploadedFile("cert.pdf", b"MZ not a pdf")})
    assert "The file&#x27;s content is not a PDF, PNG or JPEG." in response.content.decode()
    assert not supervised.cme_activities.exists()


def _quick_add(client, mentor, day, identifier, **extra):
    return client.post("/logbook/cases/add/", {
        "study_date": day.isoformat(), "patient_identifier": identifier, "category": "mass", "source": "own_centre",
        "role": "primary_operator", "supervisor": mentor.pk, **extra}, HTTP_HX_REQUEST="true")


def test_htmx_quick_add_warns_on_a_repeat_patient_and_still_adds(supervised, mentor, day, client):
    earlier = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="MRN-5"))
    client.force_login(supervised)
    html = _quick_add(client, mentor, day, " mrn-5 ").content.decode()
    assert f"Same patient as case {earlier.case_id} in your logbook" in html
    assert Case.objects.count() == 2
    # The row goes into the table out of band (wrapped in a template); the form is the main swap, outside it.
    assert '<template><tbody hx-swap-oob="afterbegin:#case-rows">' in html
    assert 'id="no-cases"' not in html and html.lstrip().startswith('<form id="quick-add"')


def test_quick_add_repeat_warning_is_silent_for_a_new_patient_or_a_clinical_change(supervised, mentor, day, client):
    services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="MRN-5"))
    client.force_login(supervised)
    assert "Same patient" not in _quick_add(client, mentor, day, "MRN-6").content.decode()
    assert "Same patient" not in _quick_add(client, mentor, day, "MRN-5", clinical_change="on").content.decode()
    assert Case.objects.count() == 3


def test_plain_post_quick_add_warns_on_a_repeat_patient_too(supervised, mentor, day, client):
    services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="MRN-5"))
    client.force_login(supervised)
    response = client.post("/logbook/cases/add/", {
        "study_date": day.isoformat(), "patient_identifier": "MRN-5", "category": "mass", "source": "own_centre",
        "role": "primary_operator", "supervisor": mentor.pk}, follow=True)
    assert "Same patient as case" in response.content.decode()
