"""Rule fidelity on entry: course cases' full review, overlapping training periods, full attendance at a
catalogued meeting and the committee's CME figure, through the form, the API, the CSV import and the package."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cmrnet import rules
from cmrnet.logbook import package, selectors, services
from cmrnet.logbook.importing import check_rows
from cmrnet.logbook.models import Case, CmeActivity
from cmrnet.rules.dates import add_months
from tests.logbook.factories import case_input, pdf, ready_but_cases, supervise

pytestmark = pytest.mark.django_db


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def rule(trainee, today, rule_id, route="level2"):
    return selectors.evaluate_for(trainee, ruleset="eacvi-2025", route=route, today=today).rule(rule_id)


# ------------------------------------------------------------------ full review of course cases
def test_the_case_form_records_the_full_review_of_a_course_case(supervised, mentor, day, client_for):
    client = client_for(supervised)
    base = {"study_date": day.isoformat(), "category": "valvular", "role": "reporting", "supervisor": mentor.pk}
    client.post("/logbook/cases/add/", {**base, "patient_identifier": "P-1", "source": "course",
                                        "course_id": "EuroCMR-2025", "full_review": "no"})
    client.post("/logbook/cases/add/", {**base, "patient_identifier": "P-2", "source": "own_centre",
                                        "full_review": "yes"})
    client.post("/logbook/cases/add/", {**base, "patient_identifier": "P-3", "source": "course",
                                        "course_id": "EuroCMR-2025"})
    reviews = list(Case.objects.filter(trainee=supervised).order_by("sequence").values_list("full_review", flat=True))
    assert reviews == [False, None, None]   # an own-centre case has no course review; unset = not recorded
    page = client.get("/logbook/").content.decode()
    assert "full review: no" in page and "full review: not recorded" in page


def test_a_course_case_without_full_review_does_not_count_and_the_verdict_says_so(supervised, mentor, day, today):
    services.add_case(by=supervised, trainee=supervised, data=case_input(
        mentor, day=day, identifier="A", source="course", course_id="c-1", full_review=False))
    services.add_case(by=supervised, trainee=supervised, data=case_input(
        mentor, day=day, identifier="B", source="course", course_id="c-2", full_review=True))
    services.add_case(by=supervised, trainee=supervised, data=case_input(
        mentor, day=day, identifier="C", source="course", course_id="c-3"))
    evaluation = selectors.evaluate_for(supervised, ruleset="eacvi-2025", route="level2", today=today)
    result = evaluation.rule("course_review")
    assert not result.met and result.numbers == {"not_reviewed": 1, "unrecorded": 1}
    assert list(result.offending) == [Case.objects.get(trainee=supervised, full_review=False).case_id]
    assert any("do not say whether the course reviewed" in w for w in evaluation.warnings)
    assert evaluation.rule("case_count").numbers["have"] == 2


def test_the_api_takes_and_returns_full_review(supervised, mentor, day):
    client = api(supervised)
    response = client.post("/api/v1/logbook/cases/", {
        "study_date": day.isoformat(), "patient_identifier": "MRN-9", "category": "mass", "normal": False,
        "source": "course", "course_id": "teaching-file-7", "role": "reporting", "supervisor": mentor.pk,
        "full_review": False}, format="json")
    assert response.status_code == 201 and response.json()["full_review"] is False
    pk = response.json()["id"]
    assert client.patch(f"/api/v1/logbook/cases/{pk}/", {"full_review": True}, format="json").json()["full_review"] is True
    assert client.patch(f"/api/v1/logbook/cases/{pk}/", {"category": "valvular"}, format="json").json()["full_review"] is True
    assert Case.objects.get(pk=pk).full_review is True


def test_the_csv_import_reads_an_optional_full_review_column(supervised, mentor, day):
    table = [["study_date", "patient_id", "category", "normal", "source", "course_id", "role", "supervisor",
              "full_review"],
             [day.isoformat(), "X1", "mass", "no", "course", "c-9", "reporting", mentor.email, "no"],
             [day.isoformat(), "X2", "mass", "no", "course", "c-10", "reporting", mentor.email, ""],
             [day.isoformat(), "X3", "mass", "no", "course", "c-11", "reporting", mentor.email, "maybe"]]
    preview = check_rows(table, trainee=supervised, categories=rules.model.DEFAULT_CATEGORIES)
    assert [r.data.full_review if r.data else "error" for r in preview.rows] == [False, None, "error"]
    assert "Row 3 (line 4), column full_review: 'maybe' is not yes or no" in preview.rows[2].errors


def test_the_package_writes_the_column_and_the_cli_reads_the_same(supervised, mentor, day, today, tmp_path):
    services.add_case(by=supervised, trainee=supervised, data=case_input(
        mentor, day=day, identifier="A", source="course", course_id="c-1", full_review=False))
    archive = zipfile.ZipFile(io.BytesIO(package.export_zip(supervised, today=today)))
    assert archive.read("cases.csv").decode().splitlines()[0].endswith(",full_review")
    archive.extractall(tmp_path)
    assert rules.read_package(tmp_path).cases[0].full_review is False


def test_a_package_without_the_column_still_imports_as_not_recorded(trainee, mentor, other_trainee, today):
    ready_but_cases(trainee, mentor, today=today, cases=3)
    supervise(other_trainee, mentor, today=today)
    blob = package.export_zip(trainee, today=today)
    assert b"full_review" not in zipfile.ZipFile(io.BytesIO(blob)).read("cases.csv")
    package.import_zip(by=other_trainee, trainee=other_trainee, upload=SimpleUploadedFile("p.zip", blob))
    assert set(Case.objects.filter(trainee=other_trainee).values_list("full_review", flat=True)) == {None}


# ------------------------------------------------------------------ overlapping training periods
def test_overlapping_periods_count_each_day_once(supervised, mentor, today):
    start = add_months(today, -8)
    for _ in range(2):   # the same three months entered twice
        services.add_training(by=supervised, trainee=supervised, start_date=start,
                              end_date=add_months(start, 3) - dt.timedelta(days=1), hours_per_week=Decimal("35"),
                              supervisor=mentor)
    result = rule(supervised, today, "training_months")
    assert result.numbers["have"] == 3 and result.numbers["overlaps"] == 1
    assert result.met  # Level 2 needs 3: met with 3, not with the 6 of adding them up
    assert rule(supervised, today, "training_months", route="level3-direct").numbers["have"] == 3


def test_half_time_on_the_same_days_under_two_supervisors_adds_up_to_full_time_only(supervised, mentor, today):
    start = add_months(today, -8)
    end = add_months(start, 3) - dt.timedelta(days=1)
    for hours in ("20", "20"):
        services.add_training(by=supervised, trainee=supervised, start_date=start, end_date=end,
                              hours_per_week=Decimal(hours), supervisor=mentor)
    assert rule(supervised, today, "training_months").numbers["have"] == 3   # 40/35 capped at full time


def test_the_training_page_warns_on_entry_and_lists_overlaps(supervised, mentor, today, client_for):
    client = client_for(supervised)
    form = {"start_date": "2025-01-01", "end_date": "2025-03-31", "hours_per_week": "35", "supervisor": mentor.pk,
            "centre": "A", "mode": "in_person"}
    first = client.post("/logbook/training/", form, follow=True).content.decode()
    assert "overlap" not in first
    second = client.post("/logbook/training/", {**form, "start_date": "2025-03-01", "end_date": "2025-05-31"},
                         follow=True).content.decode()
    assert 'class="warning"' in second
    assert "overlap on 31 days (2025-03-01 to 2025-03-31): each day counts once" in second
    assert 'id="training-overlaps"' in second
    assert supervised.training_periods.count() == 2   # a warning, not a refusal


def test_the_training_api_reports_overlaps_on_entry(supervised, mentor, other_trainee, today):
    client = api(supervised)
    body = {"start_date": "2025-01-01", "end_date": "2025-03-31", "hours_per_week": "35", "supervisor": mentor.pk}
    first = client.post("/api/v1/logbook/training/", body, format="json")
    assert first.status_code == 201 and first.json()["overlaps"] == []
    second = client.post("/api/v1/logbook/training/", {**body, "start_date": "2025-03-31"}, format="json")
    assert second.status_code == 201
    assert len(second.json()["overlaps"]) == 1 and "overlap on 1 day (2025-03-31 to 2025-03-31)" in second.json()["overlaps"][0]
    moved = client.patch(f"/api/v1/logbook/training/{second.json()['id']}/", {"start_date": "2025-04-01", "end_date": "2025-06-30"},
                         format="json")
    assert moved.status_code == 200 and moved.json()["overlaps"] == []
    assert api(mentor).get(f"/api/v1/logbook/training/?trainee={supervised.pk}").status_code == 200
    assert api(mentor).patch(f"/api/v1/logbook/training/{second.json()['id']}/", {"centre": "x"},
                             format="json").status_code == 403
    assert api(other_trainee).get(f"/api/v1/logbook/training/{second.json()['id']}/").status_code == 404


# ------------------------------------------------------------------ CME: full attendance and the committee
def test_full_attendance_at_a_catalogued_meeting_is_granted_its_figure(supervised, today):
    exam = today - dt.timedelta(days=100)
    from cmrnet.people.services import record_exam_pass
    record_exam_pass(by=None, person=supervised, body="EACVI", exam_date=exam, source="board", reference="t")
    activity = services.add_cme(by=supervised, trainee=supervised, title="EuroCMR 2021", provider="EACVI",
                                kind="congress", start_date=today - dt.timedelta(days=40),
                                end_date=today - dt.timedelta(days=38), credits=Decimal("5"), modalities=1,
                                catalog_id="eurocmr-2021", full_attendance=True, certificate=pdf())
    CmeActivity.objects.filter(pk=activity.pk).update(start_date=dt.date(2021, 5, 6), end_date=dt.date(2021, 5, 8))
    credit = selectors.rules_cme(CmeActivity.objects.get(pk=activity.pk))
    assert credit.full_attendance is True
    accepted = rules.cme_credits([credit], rules.load_ruleset("eacvi-2025").cme, None)[0]
    assert accepted.accepted == 18
    CmeActivity.objects.filter(pk=activity.pk).update(full_attendance=False)
    accepted = rules.cme_credits([selectors.rules_cme(CmeActivity.objects.get(pk=activity.pk))],
                                 rules.load_ruleset("eacvi-2025").cme, None)[0]
    assert accepted.accepted == 5


def test_the_package_carries_the_committee_figure_so_the_cli_agrees(trainee, mentor, board_member, today, tmp_path):
    ready_but_cases(trainee, mentor, today=today, cases=3)
    activity = trainee.cme_activities.order_by("pk").first()
    services.set_accepted_cme_hours(by=board_member, activity=activity, hours=Decimal("0"),
                                    reason="Not CMR content.", today=today)
    archive = zipfile.ZipFile(io.BytesIO(package.export_zip(trainee, today=today)))
    header = archive.read("cme.csv").decode().splitlines()[0]
    assert header.endswith(",accepted_hours,accepted_reason")
    archive.extractall(tmp_path)
    data = rules.read_package(tmp_path)
    assert data.cme[0].accepted_hours == 0 and data.cme[0].accepted_reason == "Not CMR content."
    assert data.cme[0].credits == 16          # the claim stays as claimed
    web = selectors.evaluate_for(trainee, ruleset="eacvi-2025", route="level2", today=today).rule("cme_hours")
    cli = rules.evaluate("eacvi-2025", "level2", data, today=today).rule("cme_hours")
    assert web.numbers == cli.numbers and web.message == cli.message and web.numbers["have"] == 12


def test_the_cme_form_and_api_record_full_attendance(supervised, client_for):
    client = client_for(supervised)
    client.post("/logbook/cme/", {"title": "EuroCMR 2021", "provider": "EACVI", "kind": "congress",
                                  "start_date": "2021-05-06", "end_date": "2021-05-08", "credits": "5",
                                  "modalities": "1", "catalog_id": "eurocmr-2021", "full_attendance": "on",
                                  "certificate": pdf()})
    activity = CmeActivity.objects.get(trainee=supervised)
    assert activity.full_attendance is True
    page = client.get("/logbook/cme/").content.decode()
    assert "18 CMR credits granted for full attendance (certificate: 5)" in page
    response = api(supervised).post("/api/v1/logbook/cme/", {
        "title": "SCMR 2024", "provider": "SCMR", "kind": "congress", "start_date": "2024-01-31",
        "end_date": "2024-02-02", "credits": "20", "modalities": 1, "catalog_id": "scmr-annual",
        "full_attendance": True}, format="json")
    assert response.status_code == 201 and response.json()["full_attendance"] is True
    assert CmeActivity.objects.get(pk=response.json()["id"]).full_attendance is True
