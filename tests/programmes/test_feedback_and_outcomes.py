"""Surveys (anonymous, minimum group size, export), outcomes, the comparison page with the demo's
cohorts, and the Level II verification package."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cmrnet.programmes import services
from cmrnet.programmes.models import Answer, Submission

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 20)


@pytest.fixture
def survey(open_programme, director):
    return services.create_survey(by=director, programme=open_programme, title="End survey", phase="end", audience="trainees",
                                  opens_on=dt.date(2026, 6, 15), closes_on=dt.date(2026, 7, 15), min_group_size=5,
                                  questions=[("The mentors' feedback helped me", "likert"), ("What should change?", "text")])


def test_answers_are_kept_apart_from_who_answered_and_only_once(survey, trainee, enrol):
    enrol(survey.programme, trainee)
    like, text = survey.questions.all()
    services.submit_survey(by=trainee, survey=survey, answers={like.pk: 4, text.pk: "More live scans"}, today=DAY)
    assert Submission.objects.filter(survey=survey, respondent=trainee).count() == 1
    assert {f.name for f in Answer._meta.get_fields()} == {"id", "question", "likert", "text"}
    with pytest.raises(ValidationError, match="You have answered"):
        services.submit_survey(by=trainee, survey=survey, answers={like.pk: 5}, today=DAY)


def test_only_the_audience_answers_within_the_window(survey, trainee, other_trainee, mentor, enrol):
    enrol(survey.programme, trainee)
    like = survey.questions.first()
    with pytest.raises(ValidationError, match="for the programme's trainees"):
        services.submit_survey(by=other_trainee, survey=survey, answers={like.pk: 3}, today=DAY)
    with pytest.raises(ValidationError, match="for the programme's trainees"):
        services.submit_survey(by=mentor, survey=survey, answers={like.pk: 3}, today=DAY)
    with pytest.raises(ValidationError, match="open from 2026-06-15"):
        services.submit_survey(by=trainee, survey=survey, answers={like.pk: 3}, today=dt.date(2026, 6, 14))


def test_results_show_from_the_minimum_group_size_on_and_export_for_scmr(survey, make_trainees, enrol, director, client_for):
    like, text = survey.questions.all()
    trainees = make_trainees(5)
    for i, t in enumerate(trainees[:4]):
        enrol(survey.programme, t)
        services.submit_survey(by=t, survey=survey, answers={like.pk: 5 - (i % 2), text.pk: f"comment {i}"}, today=DAY)
    c = client_for(director)
    page = c.get(f"/programmes/surveys/{survey.pk}/").content.decode()
    assert "hidden: fewer than 5 answers" in page and "comment 0" not in page
    enrol(survey.programme, trainees[4])
    services.submit_survey(by=trainees[4], survey=survey, answers={like.pk: 3, text.pk: "comment 4"}, today=DAY)
    page = c.get(f"/programmes/surveys/{survey.pk}/").content.decode()
    assert "mean 4.20 of 5" in page and "comment 4" in page
    csv = c.get(f"/programmes/surveys/{survey.pk}/export.csv").content.decode()
    assert "The mentors' feedback helped me" in csv and "4.20" in csv and "0 0 1 2 2" in csv
    assert client_for(trainees[0]).get(f"/programmes/surveys/{survey.pk}/export.csv").status_code == 403


def test_programme_outcomes_come_from_the_trainees_records(open_programme, director, trainee, enrol, mentor, client_for):
    from cmrnet.logbook.models import Case, TrainingPeriod

    enrol(open_programme, trainee)
    start = open_programme.starts_on
    TrainingPeriod.objects.create(trainee=trainee, start_date=start, end_date=start + dt.timedelta(days=34), hours_per_week=40,
                                  centre="Berlin-Buch Heart Centre", mode="in_person")
    TrainingPeriod.objects.create(trainee=trainee, start_date=start + dt.timedelta(days=40), end_date=start + dt.timedelta(days=60),
                                  hours_per_week=40, centre=trainee.centre.name, mode="in_person")   # at home: not off site
    Case.objects.create(trainee=trainee, sequence=1, case_id="C1", study_date=start + dt.timedelta(days=3), patient_key="a" * 64,
                        category="ischaemic", role="primary_operator", supervisor=mentor)                 # supervised on site
    Case.objects.create(trainee=trainee, sequence=2, case_id="C2", study_date=start + dt.timedelta(days=7), patient_key="b" * 64,
                        category="ischaemic", role="primary_operator", supervisor=mentor, mode="virtual")  # remote supervisor
    cohort = services.refresh_outcomes(by=director, programme=open_programme, now=timezone.now())
    record = cohort.records.get()
    assert (record.off_site_days, record.days_to_first_own_scan, record.completed) == (35, 7, False)
    page = client_for(director).get(f"/programmes/{open_programme.pk}/outcomes/").content.decode()
    assert "5.0 weeks" in page and "7.0 days" in page


def test_the_comparison_page_shows_the_seed_figures_from_the_demo_cohorts(client_for, trainee):
    from cmrnet.programmes.demo import load_cohorts

    load_cohorts()
    load_cohorts()   # idempotent
    page = client_for(trainee).get("/programmes/outcomes/").content.decode()
    assert '<span id="surveyed">97 participants surveyed.</span>' in page
    assert '<td id="offsite-network">5 weeks</td>' in page
    assert '<td id="firstscan-network">1 week (7 days)</td>' in page
    assert '<td id="overmonth-traditional">32% (16 of 50)</td>' in page
    assert page.count("<svg") == 4


def test_the_level2_verification_package_holds_logbook_training_attendance_and_determination(
        open_programme, director, mentor, trainee, enrol, client_for):
    from cmrnet.logbook.models import Case, TrainingPeriod

    enrolment = enrol(open_programme, trainee)
    for i in range(4):
        Case.objects.create(trainee=trainee, sequence=i + 1, case_id=f"C{i}", study_date=dt.date(2026, 3, 10 + i),
                            patient_key=f"{i}" * 64, category="ischaemic", role="primary_operator", supervisor=mentor,
                            mode="virtual" if i < 3 else "in_person")
    TrainingPeriod.objects.create(trainee=trainee, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 8), hours_per_week=35,
                                  centre="Berlin-Buch Heart Centre", mode="in_person")
    TrainingPeriod.objects.create(trainee=trainee, start_date=dt.date(2026, 3, 9), end_date=dt.date(2026, 3, 22), hours_per_week=10,
                                  centre="remote", mode="virtual")
    services.record_assessment(by=mentor, enrolment=enrolment, assessed_on=dt.date(2026, 6, 30))
    services.record_determination(by=director, enrolment=enrolment, competent=True, decided_on=dt.date(2026, 6, 30))
    response = client_for(trainee).get(f"/programmes/enrolments/{enrolment.pk}/verification-package.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["attendance.csv", "cases.csv", "summary.json", "training.csv"]
    summary = json.loads(archive.read("summary.json"))
    assert summary["cases"] == {"total": 4, "virtual": 3}
    assert summary["training_hours_by_mode"] == {"in_person": "35.0", "virtual": "20.0"}
    assert summary["final_determination"]["competent"] is True
    assert summary["final_determination"]["in_person_assessment_on"] == "2026-06-30"
    virtual = next(r for r in summary["scmr_level2"]["rules"] if r["rule"] == "virtual_share")
    assert virtual["status"] == "not_met" and "3 of 4 counted cases virtual; at most 2 (50%)" in virtual["message"]
    assert "mode" in archive.read("cases.csv").decode().splitlines()[0]


def test_a_cohort_is_imported_from_csv_with_clear_row_messages(director, trainee, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cmrnet.programmes.models import Cohort

    c = client_for(director)
    bad = "off_site_days,days_to_first_own_scan,surveyed\n182,40,yes\n91,soon,yes\n"
    response = c.post("/programmes/outcomes/import/", {"name": "Fellows 2013", "kind": "traditional", "source": "survey",
                                                       "table": SimpleUploadedFile("t.csv", bad.encode())})
    assert "Row 3, column days_to_first_own_scan: &#x27;soon&#x27; is not a whole number from 0 to 3650." in response.content.decode()
    assert not Cohort.objects.filter(name="Fellows 2013").exists()
    good = "off_site_days,days_to_first_own_scan,surveyed\n182,40,yes\n91,20,yes\n,,no\n"
    c.post("/programmes/outcomes/import/", {"name": "Fellows 2013", "kind": "traditional", "source": "survey",
                                            "table": SimpleUploadedFile("t.csv", good.encode())})
    cohort = Cohort.objects.get(name="Fellows 2013")
    assert list(cohort.records.values_list("off_site_days", "days_to_first_own_scan", "surveyed")) == \
        [(182, 40, True), (91, 20, True), (None, None, False)]
    page = client_for(trainee).get("/programmes/outcomes/").content.decode()
    assert '<td id="overmonth-traditional">50% (1 of 2)</td>' in page
    assert client_for(trainee).get("/programmes/outcomes/import/").status_code == 403
