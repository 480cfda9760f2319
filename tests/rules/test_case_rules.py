"""Rules on the logbook's cases, at and around each boundary."""

from dataclasses import replace
from datetime import date

import pytest

from cmrnet.rules.dates import add_months
from cmrnet.rules.testing import make_compliant_application

from .helpers import a_case, candidate, compliant, evaluation, exactly, modify, rule, status, with_cases


# --- case_count ---------------------------------------------------------------
def test_150_eligible_cases_meet_level2_case_count():
    result = rule(exactly(150), "case_count")
    assert result.status == "met"
    assert result.numbers == {"have": 150, "need": 150, "submitted": 150}


def test_149_cases_miss_one_case():
    result = rule(exactly(149), "case_count")
    assert result.status == "not_met"
    assert result.missing == ("1 more eligible cases",)


def test_observed_case_is_not_counted_and_named():
    data = modify(exactly(150), [10], role="observer")
    ev = evaluation(data)
    assert ev.rule("case_count").status == "not_met"
    assert ev.rule("case_count").numbers["have"] == 149
    assert "1 case not counted" in ev.rule("case_count").message
    assert ev.rule("role_primary").status == "not_met"
    assert ev.rule("role_primary").offending == (data.cases[10].case_id,)


def test_direct_level3_needs_300_cases():
    assert status(exactly(300, "level3-direct"), "case_count", "level3-direct") == "met"
    assert status(exactly(299, "level3-direct"), "case_count", "level3-direct") == "not_met"


# --- normal_share ---------------------------------------------------------------
def test_exactly_ten_percent_normal_is_met():
    result = rule(modify(exactly(150), range(15), normal=True), "normal_share")
    assert result.status == "met"
    assert result.numbers == {"have": 15, "max": 15, "of": 150}


def test_one_normal_case_over_ten_percent_is_not_met():
    data = modify(exactly(150), range(16), normal=True)
    result = rule(data, "normal_share")
    assert result.status == "not_met"
    assert len(result.offending) == 16
    assert result.missing[0].startswith("1 normal cases too many")


def test_normal_share_allows_ten_percent_of_a_larger_logbook():
    assert status(modify(exactly(160), range(16), normal=True), "normal_share") == "met"
    assert status(modify(exactly(160), range(17), normal=True), "normal_share") == "not_met"


# --- course_share / course_duplicates --------------------------------------------
def _course(data, indices):
    return with_cases(data, [replace(c, source="course", course_id=f"course-{i % 3}") if i in set(indices) else c
                             for i, c in enumerate(data.cases)])


def test_twenty_percent_course_cases_is_met():
    result = rule(_course(exactly(150), range(30)), "course_share")
    assert (result.status, result.numbers) == ("met", {"have": 30, "max": 30})


def test_course_share_is_measured_against_required_cases_not_logbook_size():
    assert status(_course(exactly(150), range(31)), "course_share") == "not_met"
    assert status(_course(exactly(200), range(31)), "course_share") == "not_met"


def test_same_course_case_counted_twice_is_rejected_even_with_clinical_change():
    data = exactly(150)
    first = replace(data.cases[0], source="course", course_id="eacvi-course")
    second = replace(data.cases[1], source="course", course_id="eacvi-course",
                     patient_key=first.patient_key, clinical_change=True)
    ev = evaluation(with_cases(data, (first, second) + data.cases[2:]))
    assert ev.rule("course_duplicates").status == "not_met"
    assert ev.rule("course_duplicates").offending == (second.case_id,)
    assert ev.rule("patient_unique").status == "met"


def test_same_patient_key_from_two_different_courses_is_not_a_course_duplicate():
    data = exactly(150)
    first = replace(data.cases[0], source="course", course_id="course-a")
    second = replace(data.cases[1], source="course", course_id="course-b",
                     patient_key=first.patient_key, clinical_change=True)
    assert status(with_cases(data, (first, second) + data.cases[2:]), "course_duplicates") == "met"


def test_course_case_without_course_id_is_rejected():
    data = modify(exactly(150), [3], source="course", course_id="")
    result = rule(data, "course_duplicates")
    assert result.status == "not_met"
    assert result.offending == (data.cases[3].case_id,)


# --- other_centre_count -----------------------------------------------------------
@pytest.mark.parametrize("route, allowed", [("level2", 75), ("level3-via-level2", 75), ("level3-direct", 150)])
def test_other_centre_maximum_per_route(route, allowed):
    size = 300 if route == "level3-direct" else 150
    at_limit = modify(exactly(size, route), range(allowed), source="other_centre")
    over = modify(exactly(size, route), range(allowed + 1), source="other_centre")
    assert rule(at_limit, "other_centre_count", route).numbers == {"have": allowed, "max": allowed}
    assert status(at_limit, "other_centre_count", route) == "met"
    assert status(over, "other_centre_count", route) == "not_met"


def test_75_other_centre_cases_met_and_76_not_for_level2():
    assert status(modify(exactly(150), range(75), source="other_centre"), "other_centre_count") == "met"
    assert status(modify(exactly(150), range(76), source="other_centre"), "other_centre_count") == "not_met"


# --- category_minimums --------------------------------------------------------------
def test_missing_congenital_cases_are_listed_as_actionable_line():
    data = exactly(150)
    data = with_cases(data, [replace(c, category="other") if c.category == "congenital" else c for c in data.cases])
    result = rule(data, "category_minimums")
    assert result.status == "not_met"
    assert result.numbers["congenital"] == {"have": 0, "need": 5}
    assert "5 more congenital cases" in evaluation(data).missing


def test_categories_at_their_minimum_are_met():
    data = exactly(150)
    congenital = [i for i, c in enumerate(data.cases) if c.category == "congenital"]
    trimmed = modify(data, congenital[5:], category="other")
    assert rule(trimmed, "category_minimums").numbers["congenital"] == {"have": 5, "need": 5}
    assert status(trimmed, "category_minimums") == "met"


# --- window_24_months ---------------------------------------------------------------
def _window_case(last_day):
    exam = date(2024, 1, 15)
    data = make_compliant_application("level2", exam_date=exam)
    cases = list(data.cases)
    cases[0] = replace(cases[0], study_date=date(2023, 1, 1))
    cases[-1] = replace(cases[-1], study_date=last_day)
    return with_cases(data, cases)


def test_last_case_on_day_730_is_inside_24_months():
    assert (date(2024, 12, 31) - date(2023, 1, 1)).days == 730
    result = rule(_window_case(date(2024, 12, 31)), "window_24_months")
    assert result.status == "met"
    assert result.numbers["window_end"] == "2024-12-31"


def test_last_case_on_day_731_is_outside_24_months():
    data = _window_case(date(2025, 1, 1))
    result = rule(data, "window_24_months")
    assert result.status == "not_met"
    assert result.offending == (data.cases[-1].case_id,)
    assert rule(data, "case_count").numbers["have"] == len(data.cases) - 1


def test_window_is_calendar_months_so_end_of_month_starts_work():
    # 31 Mar 2023 + 24 months = 31 Mar 2025: the 30 March 2025 case is in, 31 March out.
    assert add_months(date(2023, 3, 31), 24) == date(2025, 3, 31)
    assert add_months(date(2023, 3, 31), -1) == date(2023, 2, 28)


# --- exam_window ----------------------------------------------------------------------
@pytest.mark.parametrize("day, expected", [
    (date(2023, 11, 7), "met"), (date(2023, 11, 6), "not_met"),
    (date(2027, 11, 7), "met"), (date(2027, 11, 8), "not_met"),
])
def test_exam_window_is_two_years_either_side_inclusive(day, expected):
    data = modify(compliant(), [0], study_date=day)
    assert status(data, "exam_window") == expected


def test_exam_window_without_exam_date_is_not_met():
    result = rule(candidate(compliant(), exam_date=None), "exam_window")
    assert (result.status, result.message) == ("not_met", "no exam date given")


# --- submission_deadline ----------------------------------------------------------------
@pytest.mark.parametrize("applied, expected", [(date(2027, 11, 7), "met"), (date(2027, 11, 8), "not_met")])
def test_submission_deadline_is_two_years_after_exam(applied, expected):
    data = candidate(compliant(), application_date=applied)
    assert status(data, "submission_deadline") == expected


def test_approved_extension_days_move_the_deadline():
    data = candidate(compliant(), application_date=date(2027, 12, 7), deadline_extension_days=30)
    assert status(data, "submission_deadline") == "met"
    late = candidate(compliant(), application_date=date(2027, 12, 8), deadline_extension_days=30)
    assert status(late, "submission_deadline") == "not_met"


def test_explicit_logbook_deadline_overrides_the_computed_one():
    data = candidate(compliant(), application_date=date(2028, 3, 1), logbook_deadline=date(2028, 3, 1))
    result = rule(data, "submission_deadline")
    assert result.status == "met"
    assert result.numbers["deadline"] == "2028-03-01"


def test_without_application_date_today_is_judged():
    data = candidate(compliant(), application_date=None)
    assert status(data, "submission_deadline", today=date(2027, 11, 7)) == "met"
    assert status(data, "submission_deadline", today=date(2027, 11, 8)) == "not_met"


# --- recent_window / new_cases (via Level 2) -----------------------------------------------
VIA = "level3-via-level2"


def test_recent_window_excludes_the_day_24_months_before_application():
    data = compliant(VIA)
    applied = data.candidate.application_date
    assert status(modify(data, [0], study_date=add_months(applied, -24)), "recent_window", VIA) == "not_met"
    inside = add_months(applied, -24).toordinal() + 1
    assert status(modify(data, [0], study_date=date.fromordinal(inside)), "recent_window", VIA) == "met"


def test_case_after_the_application_date_is_outside_recent_window():
    data = compliant(VIA)
    applied = data.candidate.application_date
    assert status(modify(data, [0], study_date=applied), "recent_window", VIA) == "met"
    later = date.fromordinal(applied.toordinal() + 1)
    assert status(modify(data, [0], study_date=later), "recent_window", VIA) == "not_met"


def test_case_reused_from_level2_logbook_is_not_new():
    data = compliant(VIA)
    reused = data.candidate.level2.cases[0]
    moved = replace(reused, case_id="renamed", study_date=reused.study_date)
    ev = evaluation(with_cases(data, data.cases + (moved,)), VIA)
    assert ev.rule("new_cases").status == "not_met"
    assert ev.rule("new_cases").offending == ("renamed",)


def test_level2_case_id_reused_is_not_new():
    data = compliant(VIA)
    clash = replace(data.cases[0], case_id=data.candidate.level2.cases[5].case_id)
    assert status(with_cases(data, (clash,) + data.cases[1:]), "new_cases", VIA) == "not_met"


def test_new_cases_and_level2_current_fail_without_level2():
    data = candidate(compliant(VIA), level2=None)
    ev = evaluation(data, VIA)
    assert ev.rule("new_cases").status == "not_met"
    assert ev.rule("level2_current").status == "not_met"


def test_via_level2_does_not_apply_exam_window_or_submission_deadline():
    ids = [r.id for r in evaluation(compliant(VIA), VIA).rules]
    assert "exam_window" not in ids and "submission_deadline" not in ids
    assert {"recent_window", "new_cases", "level2_current", "peer_recognition"} <= set(ids)


def test_level2_route_has_no_level3_rules():
    ids = [r.id for r in evaluation(compliant()).rules]
    assert "peer_recognition" not in ids and "level2_current" not in ids and "new_cases" not in ids


# --- patient_unique -------------------------------------------------------------------------
def test_second_study_of_a_patient_without_clinical_change_is_rejected():
    data = exactly(150)
    repeat = replace(data.cases[5], patient_key=data.cases[4].patient_key)
    data = with_cases(data, data.cases[:5] + (repeat,) + data.cases[6:])
    result = rule(data, "patient_unique")
    assert result.status == "not_met"
    assert result.offending == (repeat.case_id,)
    assert rule(data, "case_count").numbers["have"] == 149


def test_second_study_with_significant_clinical_change_is_accepted():
    data = exactly(150)
    repeat = replace(data.cases[5], patient_key=data.cases[4].patient_key, clinical_change=True)
    data = with_cases(data, data.cases[:5] + (repeat,) + data.cases[6:])
    assert status(data, "patient_unique") == "met"
    assert rule(data, "case_count").numbers["have"] == 150


def test_the_later_study_is_the_duplicate_whatever_the_row_order():
    early = a_case("zz-early", date(2025, 1, 1), patient_key="p-same")
    late = a_case("aa-late", date(2025, 2, 1), patient_key="p-same")
    data = with_cases(compliant(), (late, early) + compliant().cases)
    assert rule(data, "patient_unique").offending == ("aa-late",)


# --- control_room -------------------------------------------------------------------------------
def test_control_room_50_met_49_not_for_level2():
    data = modify(exactly(150), range(150), control_room=False)
    assert status(modify(data, range(50), control_room=True), "control_room") == "met"
    assert status(modify(data, range(49), control_room=True), "control_room") == "not_met"


def test_control_room_for_level3_via_level2_counts_the_level2_logbook():
    data = compliant(VIA)
    data = modify(data, range(len(data.cases)), control_room=False)
    result = rule(data, "control_room", VIA)
    level2_count = sum(c.control_room for c in data.candidate.level2.cases)
    assert result.numbers["have"] == level2_count
    assert "from the Level 2 logbook" in result.message


def test_control_room_for_direct_level3_needs_100():
    data = modify(exactly(300, "level3-direct"), range(300), control_room=False)
    assert status(modify(data, range(100), control_room=True), "control_room", "level3-direct") == "met"
    assert status(modify(data, range(99), control_room=True), "control_room", "level3-direct") == "not_met"


# --- whole applications ---------------------------------------------------------------------------
@pytest.mark.parametrize("route", ["level2", "level3-via-level2", "level3-direct"])
def test_generated_applications_are_compliant(route):
    ev = evaluation(compliant(route), route)
    assert ev.compliant is True
    assert ev.missing == []
    assert all(r.status == "met" for r in ev.rules)


def test_missing_lines_are_empty_for_met_rules_and_present_for_each_unmet_rule():
    data = candidate(modify(exactly(149), [0], role="observer"), supervisor_declaration=False)
    ev = evaluation(data)
    assert ev.compliant is False
    assert "2 more eligible cases" in ev.missing
    assert "the supervisor's declaration must be signed" in ev.missing
    assert all(r.missing == () for r in ev.rules if r.status == "met")
