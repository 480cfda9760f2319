"""Assign -> read blinded -> submit (compared) -> anchored comments -> review -> logbook course case."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.interpretation import selectors, services
from cmrnet.interpretation.models import Interpretation, Status
from cmrnet.library.models import Series
from cmrnet.logbook import selectors as logbook_selectors
from cmrnet.logbook.models import Case as LogbookCase

pytestmark = pytest.mark.django_db

REPORT = {"lv_edv_ml": 160, "lv_esv_ml": 70, "lv_ef_pct": 54, "lv_sv_ml": 90, "lge": {"7": "mid_wall"},
          "perfusion_defects": [], "category": "cardiomyopathy", "final_diagnosis": "dilated cardiomyopathy"}


@pytest.fixture
def assigned(supervised, mentor, cine_case):
    return services.assign_case(by=mentor, trainee=supervised, case=cine_case, due_on=dt.date(2030, 1, 1)).interpretation


def _submitted(reading, trainee):
    return services.submit(by=trainee, interpretation=reading, report=REPORT, measurements=[])


def test_only_a_supervising_mentor_assigns_and_only_once(supervised, mentor, cine_case, other_trainee, make_person):
    from cmrnet.people.roles import Role

    with pytest.raises(PermissionDenied):
        services.assign_case(by=mentor, trainee=other_trainee, case=cine_case)
    stranger = make_person("sam@example.org", Role.MENTOR)
    with pytest.raises(PermissionDenied):
        services.assign_case(by=stranger, trainee=supervised, case=cine_case)
    services.assign_case(by=mentor, trainee=supervised, case=cine_case)
    with pytest.raises(ValidationError):
        services.assign_case(by=mentor, trainee=supervised, case=cine_case)
    assert AuditEntry.objects.filter(action="interpretation.assigned").count() == 1


def test_submission_compares_each_field_with_the_reference(assigned, supervised):
    services.save_draft(by=supervised, interpretation=assigned, report={"lv_edv_ml": 10})
    reading = _submitted(assigned, supervised)
    rows = {r["field"]: r for r in reading.comparison}
    assert reading.status == Status.SUBMITTED and reading.submitted_at
    assert rows["lv_ef_pct"]["status"] == "differ"           # 54 vs 60: 6 points
    assert rows["lv_edv_ml"]["status"] == "agree"            # 160 vs 150: 6.7 %
    assert rows["lv_esv_ml"]["status"] == "differ"           # 70 vs 60: 16.7 %
    assert rows["lge"]["status"] == "agree" and rows["lge"]["details"]["missed"] == [8]
    assert rows["final_diagnosis"]["status"] == "agree" and rows["category"]["status"] == "agree"
    entry = AuditEntry.objects.get(action="interpretation.submitted")
    assert entry.data["agree"] >= 4


def test_a_submitted_reading_is_frozen_and_only_the_trainee_writes_it(assigned, supervised, mentor):
    with pytest.raises(PermissionDenied):
        services.save_draft(by=mentor, interpretation=assigned, report={})
    _submitted(assigned, supervised)
    with pytest.raises(ValidationError):
        services.save_draft(by=supervised, interpretation=assigned, report=REPORT)


@pytest.mark.parametrize(("report", "field"), [
    ({"lv_ef_pct": 101}, "lv_ef_pct"), ({"lv_edv_ml": "lots"}, "lv_edv_ml"), ({"lge": {"18": "mid_wall"}}, "lge"),
    ({"wall_motion": {"1": "wobbly"}}, "wall_motion"), ({"perfusion_defects": [0]}, "perfusion_defects"),
    ({"category": "astrology"}, "category"), ({"shoe_size": 9}, "shoe_size"),
])
def test_bad_report_fields_are_refused_by_name(assigned, supervised, report, field):
    with pytest.raises(ValidationError) as error:
        services.save_draft(by=supervised, interpretation=assigned, report=report)
    assert field in error.value.message_dict
    assert Interpretation.objects.get(pk=assigned.pk).report == {}


def test_comments_are_anchored_inside_the_series_and_only_by_the_mentor(assigned, supervised, mentor, cine_case):
    series = Series.objects.get(study__case=cine_case)
    with pytest.raises(ValidationError):   # not submitted yet
        services.add_comment(by=mentor, interpretation=assigned, text="Look here")
    _submitted(assigned, supervised)
    with pytest.raises(PermissionDenied):
        services.add_comment(by=supervised, interpretation=assigned, text="me")
    comment = services.add_comment(by=mentor, interpretation=assigned, text="ES is one phase later", series=series,
                                   slice_index=2, phase_index=3, x=31.5, y=30)
    assert (comment.slice_index, comment.phase_index, comment.x) == (2, 3, 31.5)
    with pytest.raises(ValidationError) as error:
        services.add_comment(by=mentor, interpretation=assigned, text="x", series=series, slice_index=3, phase_index=0)
    assert "slice_index" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.add_comment(by=mentor, interpretation=assigned, text="x", series=series, slice_index=0, phase_index=0, x=65, y=1)
    with pytest.raises(ValidationError):
        services.add_comment(by=mentor, interpretation=assigned, text="x", slice_index=0)


def test_reviewed_reading_enters_the_logbook_as_a_course_case_and_the_course_share_counts_it(
        assigned, supervised, mentor, today):
    _submitted(assigned, supervised)
    with pytest.raises(ValidationError):
        services.add_to_logbook(by=supervised, interpretation=assigned, today=today)   # not reviewed yet

    def course_share():
        evaluation = logbook_selectors.evaluate_for(supervised, ruleset="eacvi-2025", route="level2", today=today)
        return dict(evaluation.rule("course_share").numbers)["have"]

    before = course_share()
    services.complete_review(by=mentor, interpretation=assigned, grade="good", overall_comment="Solid", full_review=True)
    with pytest.raises(PermissionDenied):
        services.add_to_logbook(by=mentor, interpretation=assigned, today=today)
    case = services.add_to_logbook(by=supervised, interpretation=assigned, today=today)
    assert (case.source, case.course_id, case.full_review, case.role) == ("course", "cmrnet-library", True, "reporting")
    assert case.supervisor_id == mentor.pk and case.category == "cardiomyopathy" and case.study_date == today
    assert course_share() == before + 1
    assert logbook_selectors.rules_case(case).full_review is True
    with pytest.raises(ValidationError):
        services.add_to_logbook(by=supervised, interpretation=assigned, today=today)
    assert LogbookCase.objects.filter(trainee=supervised).count() == 1
    with pytest.raises(ValidationError):   # the logbook says "fully reviewed": the mentor cannot take it back
        services.complete_review(by=mentor, interpretation=assigned, grade="good", full_review=False)


def test_self_study_and_what_each_person_sees(supervised, mentor, cine_case, other_trainee, director, board_member):
    reading = services.start_reading(by=supervised, case=cine_case, mentor=mentor)
    assert services.start_reading(by=supervised, case=cine_case) == reading      # idempotent
    assert reading in selectors.interpretations_for_user(supervised)
    assert reading in selectors.interpretations_for_user(mentor)
    assert reading in selectors.interpretations_for_user(director)               # same centre
    assert reading not in selectors.interpretations_for_user(other_trainee)
    assert reading not in selectors.interpretations_for_user(board_member)
    assert not selectors.can_review(supervised, reading)
    with pytest.raises(ValidationError):
        services.start_reading(by=other_trainee, case=cine_case, mentor=mentor)  # not their supervisor


def test_coverage_and_bland_altman_over_submitted_readings(supervised, mentor, centre):
    from tests.interpretation.stack import make_cine_case

    a = make_cine_case(contributor=mentor, centre=centre, slices=1, phases=1, reference={"lv_ef_pct": 50})
    b = make_cine_case(contributor=mentor, centre=centre, slices=1, phases=1, category="valvular",
                       reference={"lv_ef_pct": 55}, uid_root="2.25.78")
    for case, ef in ((a, 52), (b, 61)):
        reading = services.start_reading(by=supervised, case=case)
        services.submit(by=supervised, interpretation=reading, report={"lv_ef_pct": ef})
    coverage = {r["category"]: r for r in selectors.coverage_for(supervised)}
    assert coverage["cardiomyopathy"]["read"] == 1 and coverage["valvular"]["read"] == 1
    assert coverage["congenital"]["missing"] and not coverage["valvular"]["missing"]
    (ef,) = selectors.agreement_for(supervised)
    assert ef["parameter"] == "lv_ef_pct" and ef["result"].n == 2 and ef["result"].bias == pytest.approx(4.0)


def test_site_tolerance_changes_the_verdict(assigned, supervised, admin, mentor):
    with pytest.raises(PermissionDenied):
        services.set_tolerance(by=mentor, parameter="lv_esv_ml", relative_pct=20)
    services.set_tolerance(by=admin, parameter="lv_esv_ml", relative_pct=20)
    rows = {r["field"]: r for r in _submitted(assigned, supervised).comparison}
    assert rows["lv_esv_ml"]["status"] == "agree" and rows["lv_esv_ml"]["tolerance"] == "± 20 %"


def test_the_trainee_and_the_mentor_are_told_with_a_link_to_the_reading(assigned, supervised, mentor):
    from cmrnet.notifications.models import Notification

    link = f"/interpretation/{assigned.pk}/"
    assert Notification.objects.get(recipient=supervised).link == link              # assigned
    _submitted(assigned, supervised)
    told = Notification.objects.get(recipient=mentor)
    assert told.link == link and "to review" in told.subject
    services.complete_review(by=mentor, interpretation=assigned, grade="good", full_review=True)
    assert Notification.objects.filter(recipient=supervised, subject__contains="was reviewed").count() == 1
