"""Routes a rule set defines, Level 1, readings, and no barrier by specialty."""

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from cmrnet.rules import (CmeActivity, RuleSetError, evaluate, load_ruleset, read_package, route_choices,
                          write_package)
from cmrnet.rules.cli import check_application_main
from cmrnet.rules.testing import make_compliant_application

from .helpers import TODAY, candidate, with_params

RULESETS = ("eacvi-2025", "scmr-2018")


def test_route_choices_list_the_routes_a_rule_set_defines():
    assert route_choices("scmr-2018") == [("level1", "SCMR Level 1"), ("level2", "SCMR Level 2"),
                                          ("level3", "SCMR Level 3")]
    assert [r for r, _ in route_choices(load_ruleset("eacvi-2025"))] == [
        "level1", "level2", "level3-via-level2", "level3-direct"]


def test_evaluating_a_route_the_rule_set_does_not_define_is_refused_naming_its_routes():
    with pytest.raises(RuleSetError, match=r"scmr-2018: unknown route 'level3-via-level2': this rule set "
                                           r"defines only level1, level2, level3"):
        evaluate("scmr-2018", "level3-via-level2", make_compliant_application("level2"), today=TODAY)


def test_cli_answers_exit_2_for_an_undefined_route(tmp_path, capsys):
    folder = write_package(tmp_path / "pkg", make_compliant_application("level2"))
    code = check_application_main([str(folder), "--ruleset", "scmr-2018", "--route", "level3-direct"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown route 'level3-direct': this rule set defines only level1, level2, level3" in err


# --- Level 1 -------------------------------------------------------------------------------
def course(catalog_id="eacvi-level1-course", full=True, credits=9.0, aid="l1"):
    return CmeActivity(aid, "Level 1 course", "EACVI", "online", date(2025, 9, 1), date(2025, 10, 1), credits, 1,
                       catalog_id, "certificate.pdf", full_attendance=full)


def level1(*claims, **changes):
    data = replace(make_compliant_application("level1"), cme=tuple(claims))
    return evaluate("eacvi-2025", "level1", candidate(data, **changes) if changes else data, today=TODAY)


def test_level1_needs_no_logbook_and_no_exam():
    ev = level1(course())
    assert ev.compliant is True
    assert [r.id for r in ev.rules] == ["registration", "level1_knowledge"]
    assert ev.rule("level1_knowledge").message == "completed Level 1 course (l1)"
    route = load_ruleset("eacvi-2025").route("level1")
    assert route.level == 1 and route.evidence


@pytest.mark.parametrize("catalog_id", ["eacvi-level1-course", "jca-cmr-level1"])
def test_a_completed_level1_course_of_the_catalogue_meets_level1(catalog_id):
    assert level1(course(catalog_id, credits=5)).rule("level1_knowledge").status == "met"


def test_a_level1_course_not_completed_needs_the_hours_instead():
    partial = level1(course(full=False, credits=8))
    assert partial.rule("level1_knowledge").status == "not_met"
    assert partial.rule("level1_knowledge").missing == (
        "a completed Level 1 course (all modules, with its certificate) or 1 more accepted CME hours in CMR",)
    assert level1(course(full=False, credits=9)).rule("level1_knowledge").status == "met"


def test_level1_course_without_certificate_does_not_count():
    claim = replace(course(), certificate="")
    result = level1(claim).rule("level1_knowledge")
    assert (result.status, result.numbers["hours"]) == ("not_met", 0.0)


def test_level1_needs_a_current_registration():
    ev = level1(course(), registration_valid_until=date(2025, 1, 1))
    assert ev.compliant is False and ev.rule("registration").status == "not_met"


# --- readings --------------------------------------------------------------------------------
def test_every_reading_has_a_value_an_alternative_and_its_source():
    ruleset = load_ruleset("eacvi-2025")
    assert set(ruleset.readings) == {"logbook_before_exam", "divided_meetings", "cme_before_exam", "one_event_once"}
    for reading in ruleset.readings.values():
        assert reading.alternative.strip() and reading.source.strip()
    assert ruleset.reading("logbook_before_exam") == "record"


def test_deadline_anchored_on_the_results_date_when_chosen():
    data = make_compliant_application("level2")
    late = candidate(data, application_date=date(2027, 11, 20), results_date=date(2025, 12, 20))
    assert evaluate("eacvi-2025", "level2", late, today=TODAY).rule("submission_deadline").status == "not_met"
    results = with_params("level2", load_ruleset("eacvi-2025"), deadline_anchor="results_date")
    result = evaluate(results, "level2", late, today=TODAY).rule("submission_deadline")
    assert (result.status, result.numbers["deadline"]) == ("met", "2027-12-20")
    missing = evaluate(results, "level2", candidate(late, results_date=None), today=TODAY).rule("submission_deadline")
    assert (missing.status, missing.message) == ("not_met", "no results date given")


def test_repeat_patient_with_clinical_change_is_refused_when_the_stricter_reading_is_chosen():
    data = make_compliant_application("level2")
    first = data.cases[0]
    repeat = replace(data.cases[1], patient_key=first.patient_key, clinical_change=True)
    data = replace(data, cases=(first, repeat) + data.cases[2:])
    assert evaluate("eacvi-2025", "level2", data, today=TODAY).rule("patient_unique").status == "met"
    strict = with_params("level2", load_ruleset("eacvi-2025"), patient_repeat_on_clinical_change=False)
    result = evaluate(strict, "level2", data, today=TODAY).rule("patient_unique")
    assert result.status == "not_met"
    assert result.message == f"1 repeat studies of a patient (each patient only once): {repeat.case_id}"


# --- no barrier by specialty -------------------------------------------------------------------
@pytest.mark.parametrize("ruleset", RULESETS)
def test_no_rule_depends_on_the_specialty(ruleset):
    for route in load_ruleset(ruleset).routes:
        base = make_compliant_application(route if route in ("level1", "level2", "level3-via-level2",
                                                             "level3-direct") else
                                          {"level3": "level3-direct"}.get(route, "level2"))
        verdicts = {specialty: evaluate(ruleset, route, candidate(base, specialty=specialty), today=TODAY)
                    for specialty in ("cardiology", "radiology", "nuclear medicine", "")}
        first = verdicts["cardiology"].to_dict()
        assert all(v.to_dict() == first for v in verdicts.values()), (ruleset, route)


def test_specialty_travels_in_the_package(tmp_path):
    data = candidate(make_compliant_application("level2"), specialty="radiology")
    folder = write_package(tmp_path / "pkg", data)
    assert 'specialty = "radiology"' in (folder / "candidate.toml").read_text()
    assert read_package(folder) == data


def test_level1_numbers_and_the_credits_it_judged():
    ev = level1(course(credits=8.375))
    assert ev.rule("level1_knowledge").numbers == {"courses": ["l1"], "hours": 8.38, "need": 9.0}
    assert [(c.activity_id, c.accepted) for c in ev.cme] == [("l1", Fraction(67, 8))]
    hours = level1(course(full=False, credits=8.375)).rule("level1_knowledge")
    assert hours.message == "8.38 accepted CME hours in CMR of 9 (no completed Level 1 course)"


def test_a_completed_level1_course_counts_whatever_its_credits():
    assert level1(course(credits=1)).rule("level1_knowledge").status == "met"
    assert level1(course(catalog_id="scmr-intro-online", credits=8)).rule("level1_knowledge").status == "not_met"


def test_deadline_message_names_its_anchor():
    data = candidate(make_compliant_application("level2"), results_date=date(2025, 12, 20))
    results = with_params("level2", load_ruleset("eacvi-2025"), deadline_anchor="results_date")
    result = evaluate(results, "level2", data, today=TODAY).rule("submission_deadline")
    assert result.message == ("application date 2026-07-07 is on or before the deadline 2027-12-20 "
                              "(results 2025-12-20 + 2 years)")
    exam = evaluate("eacvi-2025", "level2", data, today=TODAY).rule("submission_deadline")
    assert exam.message == "application date 2026-07-07 is on or before the deadline 2027-11-07 (exam 2025-11-07 + 2 years)"
