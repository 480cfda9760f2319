"""Boundaries mutation testing found untested (issue 9): each asserts the verdict, not only numbers."""

from dataclasses import replace
from datetime import date

import pytest

from cmrnet.rules import Case, evaluate

from .helpers import TODAY, a_case, candidate, compliant, evaluation, rule, status

VIA = "level3-via-level2"


def cases_on(*days, **changes):
    return tuple(a_case(f"c{i:03d}", day, **changes) for i, day in enumerate(days))


def window_rule(*days):
    return rule(replace(compliant(), cases=cases_on(*days)), "window_24_months")


# --- the 24-month window search ----------------------------------------------------------
# (all dates inside the exam window 2023-11-07 .. 2027-11-07, so only the 24-month rule refuses)
def test_outlying_first_case_is_refused_and_the_window_starts_after_it():
    result = window_rule(date(2023, 12, 1), date(2026, 1, 1), date(2026, 6, 1), date(2027, 6, 1))
    assert result.status == "not_met"
    assert result.offending == ("c000",)
    assert (result.numbers["window_start"], result.numbers["window_end"]) == ("2026-01-01", "2027-12-31")


def test_outlying_case_before_an_overlapping_bigger_window_is_refused():
    # c000 + c001 fit one window (2), c001..c003 another (3): the bigger one wins, c000 is out
    result = window_rule(date(2023, 12, 1), date(2025, 6, 1), date(2026, 3, 1), date(2027, 5, 1))
    assert result.offending == ("c000",)
    assert result.numbers["window_start"] == "2025-06-01"
    assert rule(replace(compliant(), cases=cases_on(date(2023, 12, 1), date(2025, 6, 1), date(2026, 3, 1),
                                                    date(2027, 5, 1))), "case_count").numbers["have"] == 3


def test_outlying_last_case_is_refused():
    result = window_rule(date(2024, 1, 1), date(2024, 6, 1), date(2026, 1, 1))
    assert result.offending == ("c002",)
    assert result.message.startswith("1 cases lie outside the best 24-month window 2024-01-01 .. 2025-12-31")


def test_on_a_tie_the_earliest_window_is_kept():
    result = window_rule(date(2023, 12, 1), date(2024, 1, 1), date(2026, 6, 1), date(2026, 7, 1))
    assert result.numbers["window_start"] == "2023-12-01"
    assert result.offending == ("c002", "c003")


def test_cases_on_the_same_day_as_the_window_start_are_all_inside():
    result = window_rule(date(2024, 1, 1), date(2024, 1, 1), date(2025, 12, 31))
    assert (result.status, result.offending) == ("met", ())


def test_one_case_logbook():
    data = replace(compliant(), cases=cases_on(date(2025, 3, 1)))
    ev = evaluation(data)
    assert ev.rule("window_24_months").status == "met"
    assert ev.rule("window_24_months").message == (
        "all counted cases (2025-03-01 .. 2025-03-01) lie within 24 consecutive months "
        "(window 2025-03-01 .. 2027-02-28)")
    assert (ev.rule("case_count").status, ev.rule("case_count").numbers["have"]) == ("not_met", 1)
    assert ev.rule("normal_share").numbers == {"have": 0, "max": 15, "of": 150}
    assert ev.compliant is False


def test_empty_logbook_window_is_met_and_counts_are_zero():
    ev = evaluation(replace(compliant(), cases=()))
    assert (ev.rule("window_24_months").status, ev.rule("window_24_months").message) == ("met", "no cases yet")
    assert ev.rule("case_count").numbers == {"have": 0, "need": 150, "submitted": 0}


# --- SCMR counts exactly at their minimum ---------------------------------------------------
@pytest.mark.parametrize("route, performed, interpreted", [("level1", 0, 50), ("level2", 50, 150),
                                                            ("level3", 100, 300)])
def test_scmr_counts_at_their_minimum_are_met_and_one_less_is_not(route, performed, interpreted):
    days = [date(2025, 1, 1)] * interpreted
    cases = [a_case(f"c{i}", day, role="primary_operator" if i < performed else "reporting")
             for i, day in enumerate(days)]
    data = replace(compliant(), cases=tuple(cases), training=())
    ev = evaluate("scmr-2018", route, data, today=TODAY)
    assert ev.rule("cases_interpreted").status == "met"
    assert ev.rule("cases_interpreted").numbers == {"have": interpreted, "need": interpreted}
    if performed:
        assert ev.rule("cases_performed").status == "met"
        assert ev.rule("cases_performed").numbers == {"have": performed, "need": performed}
    fewer = replace(data, cases=tuple(cases[1:]))                 # one primary-operator case less
    ev = evaluate("scmr-2018", route, fewer, today=TODAY)
    assert ev.rule("cases_interpreted").status == "not_met"
    assert ev.rule("cases_interpreted").missing == ("1 more cases interpreted",)
    if performed:
        assert ev.rule("cases_performed").status == "not_met"
        assert ev.rule("cases_performed").missing == ("1 more cases performed",)


def test_observed_cases_are_neither_performed_nor_interpreted():
    data = replace(compliant(), cases=cases_on(date(2025, 1, 1), date(2025, 1, 2), role="observer"), training=())
    ev = evaluate("scmr-2018", "level2", data, today=TODAY)
    assert ev.rule("cases_performed").numbers["have"] == 0
    assert ev.rule("cases_interpreted").numbers["have"] == 0


# --- missing dates never turn a rule met -----------------------------------------------------
@pytest.mark.parametrize("field, rule_id, message", [
    ("registration_valid_until", "registration", "no registration date given"),
    ("acls_valid_until", "acls", "no advanced life support (ACLS) date given"),
])
def test_missing_validity_date_is_not_met(field, rule_id, message):
    result = rule(candidate(compliant(), **{field: None}), rule_id)
    assert (result.status, result.message) == ("not_met", message)
    assert result.missing == (f"enter the {message.removeprefix('no ').removesuffix(' date given')} expiry date",)


@pytest.mark.parametrize("rule_id", ["submission_deadline", "exam_window"])
def test_missing_exam_date_is_not_met(rule_id):
    result = rule(candidate(compliant(), exam_date=None), rule_id)
    assert (result.status, result.message, result.missing) == ("not_met", "no exam date given",
                                                               ("enter the exam date",))


def test_missing_exam_date_with_an_approved_deadline_is_judged_on_that_deadline():
    data = candidate(compliant(), exam_date=None, logbook_deadline=date(2026, 7, 7))
    result = rule(data, "submission_deadline")
    assert (result.status, result.numbers["deadline"]) == ("met", "2026-07-07")
    late = candidate(data, logbook_deadline=date(2026, 7, 6))
    assert status(late, "submission_deadline") == "not_met"


def test_exam_not_passed_says_so_and_passed_names_the_date():
    assert rule(compliant(), "exam_passed").message == "exam passed on 2025-11-07"
    failed = rule(candidate(compliant(), exam_passed=False), "exam_passed")
    assert (failed.message, failed.missing) == ("the EACVI CMR exam is not passed", ("pass the EACVI CMR exam",))


# --- Level 2 certificate on its award day ---------------------------------------------------
def test_level2_is_current_on_its_award_day_and_not_the_day_before():
    data = compliant(VIA)
    applied = data.candidate.application_date
    level2 = data.candidate.level2
    on_the_day = candidate(data, level2=replace(level2, awarded_on=applied))
    result = rule(on_the_day, "level2_current", VIA)
    assert (result.status, result.message) == (
        "met", f"Level 2 awarded {applied}, valid until {level2.valid_until}: current on {applied}")
    tomorrow = date.fromordinal(applied.toordinal() + 1)
    later = rule(candidate(data, level2=replace(level2, awarded_on=tomorrow)), "level2_current", VIA)
    assert later.status == "not_met"
    assert later.missing == (f"Level 2 certification is not yet awarded on {applied}; it must be current",)


def test_level2_missing_is_not_met_with_the_line_to_act_on():
    result = rule(candidate(compliant(VIA), level2=None), "level2_current", VIA)
    assert (result.status, result.missing) == ("not_met", ("record your Level 2 certification (awarded on, valid until)",))


def test_an_approved_deadline_is_named_in_the_sentence():
    data = candidate(compliant(), logbook_deadline=date(2026, 7, 7))
    assert rule(data, "submission_deadline").message == \
        "application date 2026-07-07 is on or before the deadline 2026-07-07 (approved deadline)"


def test_a_rule_must_say_met_or_not_with_a_boolean():
    from cmrnet.rules.results import result
    with pytest.raises(TypeError, match="case_count: met must be True or False, not None"):
        result("case_count", None, "message")
    assert result("case_count", True, "message", missing=["x"]).missing == ()


def test_deadline_sentences_for_extension_today_and_late():
    data = candidate(compliant(), deadline_extension_days=30)
    assert rule(data, "submission_deadline").message == (
        "application date 2026-07-07 is on or before the deadline 2027-12-07 (exam 2025-11-07 + 2 years + 30 days extension)")
    today = candidate(compliant(), application_date=None)
    result = rule(today, "submission_deadline", today=date(2027, 11, 8))
    assert result.message == "today 2027-11-08 is after the deadline 2027-11-07 (exam 2025-11-07 + 2 years)"
    assert result.numbers == {"deadline": "2027-11-07", "date": "2027-11-08"}
    assert result.missing == ("the logbook deadline 2027-11-07 has passed: an approved extension or a new exam is needed",)


def wide_window_rule(*days):
    """window_24_months alone (the exam window widened to ten years so it refuses nothing)."""
    from .helpers import RULESET, with_params
    ruleset = with_params("level2", RULESET, exam_window_years=10)
    data = replace(compliant(), cases=cases_on(*days))
    return evaluate(ruleset, "level2", data, today=TODAY).rule("window_24_months")


def test_a_later_window_with_more_cases_replaces_an_earlier_best():
    result = wide_window_rule(date(2020, 1, 1), date(2022, 6, 1), date(2022, 7, 1), date(2024, 6, 10),
                              date(2024, 6, 20))
    assert result.numbers["window_start"] == "2022-07-01"
    assert result.offending == ("c000", "c001")


def test_cases_sharing_a_date_do_not_stop_the_search():
    result = wide_window_rule(date(2020, 1, 1), date(2020, 1, 1), date(2023, 1, 1), date(2023, 2, 1),
                              date(2023, 3, 1))
    assert result.numbers["window_start"] == "2023-01-01"
    assert result.offending == ("c000", "c001")


def test_new_cases_sentences_without_a_level2_logbook_and_with_reused_cases():
    result = rule(candidate(compliant(VIA), level2=None), "new_cases", VIA)
    assert (result.message, result.missing) == ("no Level 2 logbook given to compare with",
                                                ("record your Level 2 certification and the cases of your Level 2 logbook",))
    via = compliant(VIA)
    first = via.candidate.level2.cases[0]
    reused = rule(replace(via, cases=(first,) + via.cases[1:]), "new_cases", VIA)
    assert reused.missing == (f"remove 1 cases reused from the Level 2 logbook ({first.case_id})",)
    assert reused.offending == (first.case_id,)


def test_recent_window_lists_the_old_cases_and_what_to_do():
    via = compliant(VIA)
    old = replace(via, cases=(replace(via.cases[0], study_date=date(2020, 1, 1)),) + via.cases[1:])
    result = rule(old, "recent_window", VIA)
    applied = via.candidate.application_date
    start = date(applied.year - 2, applied.month, applied.day)
    assert result.numbers == {"after": start.isoformat(), "to": applied.isoformat(), "outside": 1}
    assert result.offending == (via.cases[0].case_id,)
    assert result.missing == (f"1 cases dated outside the 24 months before {applied} ({via.cases[0].case_id})",)
    assert result.message == (f"1 cases not in the 24 months before the application ({start} excluded .. {applied}): "
                              f"{via.cases[0].case_id}")


def test_window_numbers_name_the_months_and_the_window():
    empty = rule(replace(compliant(), cases=()), "window_24_months")
    assert empty.numbers == {"months": 24}
    result = window_rule(date(2024, 1, 1), date(2024, 6, 1))
    assert result.numbers == {"months": 24, "window_start": "2024-01-01", "window_end": "2025-12-31"}
