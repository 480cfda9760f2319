"""The exact sentences of the case rules (what a trainee reads), at their boundaries."""

from dataclasses import replace
from datetime import date

import pytest

from cmrnet.rules import Level2Certificate

from .helpers import RULESET, a_case, candidate, compliant, evaluation, exactly, modify, rule, with_params

VIA = "level3-via-level2"
DAY = date(2025, 3, 1)


def ids(data, indices):
    return [data.cases[i].case_id for i in indices]


def test_normal_share_sentences():
    met = rule(modify(exactly(150), range(15), normal=True), "normal_share")
    assert met.message == "15 normal cases; at most 15 (10% of 150) allowed"
    assert met.offending == ()
    data = modify(exactly(150), range(16), normal=True)
    over = rule(data, "normal_share")
    assert over.missing == ("1 normal cases too many (at most 15); replace them with abnormal cases",)
    assert set(over.offending) == set(ids(data, range(16)))


def test_course_share_sentences():
    data = modify(exactly(150), range(31), source="course", course_id="course-1", full_review=True)
    result = rule(data, "course_share")
    assert result.message == "31 cases from courses or teaching files; at most 30 (20% of the 150 required cases)"
    assert result.numbers == {"have": 31, "max": 30}
    assert result.missing == ("1 course cases too many (at most 30)",)
    assert len(result.offending) == 31
    assert rule(modify(exactly(150), range(30), source="course", course_id="course-1", full_review=True),
                "course_share").offending == ()


def test_other_centre_sentences():
    data = modify(exactly(150), range(76), source="other_centre")
    result = rule(data, "other_centre_count")
    assert result.message == "76 cases from another centre; at most 75"
    assert result.numbers == {"have": 76, "max": 75}
    assert result.missing == ("1 other-centre cases too many (at most 75)",)
    assert len(result.offending) == 76
    assert rule(modify(exactly(150), range(75), source="other_centre"), "other_centre_count").offending == ()


def test_category_sentences():
    data = with_categories({"ischaemic": 9, "cardiomyopathy": 10, "valvular": 4})
    result = rule(data, "category_minimums")
    # the rule set's own words for each category, never its internal key (issue 13: "aortic_vascular 0/3")
    assert result.message.startswith("below the minimum: Ischaemic heart disease 9/10; Valvular heart disease 4/5; "
                                     "Congenital heart disease 0/5; Aortic and vascular disease 0/3")
    assert "_" not in result.message
    assert result.missing[:3] == ("1 more ischaemic cases", "1 more valvular cases", "5 more congenital cases")
    assert "3 more aortic/vascular cases" in result.missing
    assert result.numbers["cardiomyopathy"] == {"have": 10, "need": 10}
    assert rule(compliant(), "category_minimums").message == "every category has its minimum"


def with_categories(counts):
    cases = []
    for category, count in counts.items():
        cases += [a_case(f"{category}-{i}", DAY, category=category) for i in range(count)]
    return replace(compliant(), cases=tuple(cases))


def test_control_room_sentences():
    data = modify(exactly(150), range(150), control_room=False)
    data = modify(data, range(49), control_room=True)
    result = rule(data, "control_room")
    assert result.message == "present in the control room for 49 eligible cases; 50 required"
    assert result.missing == ("1 more cases with presence in the control room",)
    assert (result.status, result.numbers) == ("not_met", {"have": 49, "need": 50})
    via = compliant(VIA)
    level2 = via.candidate.level2
    earlier = sum(1 for c in level2.cases if c.control_room and c.role != "observer")
    now = sum(1 for c in via.cases if c.control_room)
    assert rule(via, "control_room", VIA).message == (
        f"present in the control room for {now + earlier} eligible cases (including {earlier} from the Level 2 "
        f"logbook); 100 required")


def test_control_room_counts_observed_level2_cases_not():
    via = compliant(VIA)
    level2 = via.candidate.level2
    observed = replace(level2, cases=tuple(replace(c, role="observer") for c in level2.cases))
    result = rule(candidate(via, level2=observed), "control_room", VIA)
    assert "(including 0 from the Level 2 logbook)" in result.message


def test_role_and_course_duplicate_sentences_list_five_and_say_how_many_more():
    data = modify(exactly(150), range(7), role="observer")
    result = rule(data, "role_primary")
    names = ids(data, range(7))
    assert result.message == f"7 observed cases are not accepted: {', '.join(names[:5])} and 2 more"
    assert result.missing == (f"remove 7 observed cases ({', '.join(names[:5])} and 2 more)",)
    assert result.numbers == {"observed": 7}
    assert rule(exactly(150), "role_primary").message == "all cases as primary operator or reporting physician"


def test_course_duplicate_sentences():
    data = modify(exactly(150), [0, 1, 2], source="course", course_id="", full_review=True)
    result = rule(data, "course_duplicates")
    assert result.message == f"0 course cases counted more than once, 3 without a course_id: {', '.join(ids(data, range(3)))}"
    assert result.numbers == {"duplicates": 3}
    assert result.missing == (f"remove or correct 3 course cases ({', '.join(ids(data, range(3)))})",)
    assert rule(exactly(150), "course_duplicates").message == "no course case is counted twice"


def test_exam_and_recent_window_sentences():
    data = modify(exactly(150), [0], study_date=date(2023, 11, 6))
    result = rule(data, "exam_window")
    assert result.message == (f"1 cases outside 2023-11-07 .. 2027-11-07 (2 years either side of the exam): "
                              f"{data.cases[0].case_id}")
    assert result.numbers == {"from": "2023-11-07", "to": "2027-11-07", "outside": 1}
    assert rule(exactly(150), "exam_window").message == "all cases between 2023-11-07 and 2027-11-07"
    via = compliant(VIA)
    applied = via.candidate.application_date
    assert rule(via, "recent_window", VIA).message == f"all cases in the 24 months before {applied}"
    old = modify(via, [0], study_date=date(2020, 1, 1))
    result = rule(old, "recent_window", VIA)
    assert result.message.startswith("1 cases not in the 24 months before the application (")
    assert result.numbers["outside"] == 1 and result.numbers["to"] == applied.isoformat()


def test_new_cases_sentences():
    via = compliant(VIA)
    assert rule(via, "new_cases", VIA).message == "no case was in the Level 2 logbook"
    reused = replace(via, cases=(via.candidate.level2.cases[0],) + via.cases[1:])
    result = rule(reused, "new_cases", VIA)
    assert result.message == f"1 cases were already in the Level 2 logbook: {via.candidate.level2.cases[0].case_id}"
    assert result.numbers == {"reused": 1}
    same_study = replace(via.cases[0], patient_key=via.candidate.level2.cases[1].patient_key,
                         study_date=via.candidate.level2.cases[1].study_date)
    assert rule(replace(via, cases=(same_study,) + via.cases[1:]), "new_cases", VIA).numbers == {"reused": 1}
    same_patient_later = replace(same_study, study_date=date(2028, 1, 1))
    assert rule(replace(via, cases=(same_patient_later,) + via.cases[1:]), "new_cases", VIA).numbers == {"reused": 0}


def test_window_sentence_of_a_compliant_logbook():
    data = replace(compliant(), cases=(a_case("a", date(2024, 1, 1)), a_case("b", date(2025, 6, 1))))
    assert rule(data, "window_24_months").message == (
        "all counted cases (2024-01-01 .. 2025-06-01) lie within 24 consecutive months (window 2024-01-01 .. 2025-12-31)")
    assert rule(data, "window_24_months").missing == ()


def without(route, name):
    from types import MappingProxyType

    from .helpers import RULESET
    old = RULESET.route(route)
    params = {k: v for k, v in old.params.items() if k != name}
    return replace(RULESET, routes=MappingProxyType({**RULESET.routes, route: replace(old, params=params)}))


def test_a_site_rule_set_without_the_clinical_change_reading_keeps_the_default_true():
    from cmrnet.rules import evaluate
    data = compliant()
    repeat = replace(data.cases[1], patient_key=data.cases[0].patient_key, clinical_change=True)
    data = replace(data, cases=(data.cases[0], repeat) + data.cases[2:])
    ruleset = without("level2", "patient_repeat_on_clinical_change")
    assert evaluate(ruleset, "level2", data, today=date(2026, 1, 1)).rule("patient_unique").status == "met"


def test_normal_share_without_a_case_minimum_is_measured_on_the_eligible_cases():
    from types import MappingProxyType

    from cmrnet.rules import evaluate

    from .helpers import RULESET
    old = RULESET.route("level2")
    route = replace(old, rules=("normal_share",), params=MappingProxyType({"normal_share_max": old.params["normal_share_max"]}))
    ruleset = replace(RULESET, routes=MappingProxyType({**RULESET.routes, "level2": route}))
    data = replace(compliant(), cases=tuple(a_case(f"n{i}", DAY, normal=i < 2) for i in range(20)))
    result = evaluate(ruleset, "level2", data, today=date(2026, 1, 1)).rule("normal_share")
    assert (result.status, result.numbers) == ("met", {"have": 2, "max": 2, "of": 20})
    empty = evaluate(ruleset, "level2", replace(compliant(), cases=()), today=date(2026, 1, 1)).rule("normal_share")
    assert (empty.status, empty.numbers) == ("met", {"have": 0, "max": 0, "of": 0})
    assert empty.message == "0 normal cases; at most 0 (10% of 0) allowed"


def test_exam_window_and_window_missing_lines():
    data = modify(exactly(150), [0], study_date=date(2023, 11, 6))
    result = rule(data, "exam_window")
    assert result.offending == (data.cases[0].case_id,)
    assert result.missing == (f"1 cases dated outside 2023-11-07 .. 2027-11-07 ({data.cases[0].case_id})",)
    wide = replace(compliant(), cases=(a_case("a", date(2024, 1, 1)), a_case("b", date(2024, 6, 1)),
                                       a_case("c", date(2026, 1, 1))))
    assert rule(wide, "window_24_months").missing == ("1 cases fall outside 2024-01-01 .. 2025-12-31 (c)",)


def test_listing_names_five_and_says_more_only_beyond_five():
    data = modify(exactly(150), range(5), role="observer")
    assert rule(data, "role_primary").message == f"5 observed cases are not accepted: {', '.join(ids(data, range(5)))}"


def test_case_count_sentence_without_refused_cases():
    assert rule(exactly(150), "case_count").message == "150 eligible cases of 150 required"


def _repeat(clinical_change: bool):
    data = compliant()
    repeat = replace(data.cases[1], patient_key=data.cases[0].patient_key, clinical_change=clinical_change)
    return replace(data, cases=(data.cases[0], repeat) + data.cases[2:]), repeat


@pytest.mark.parametrize("ruleset", ["shipped", "without the reading"])
def test_patient_unique_sentences_under_the_default_reading(ruleset):
    """Both the shipped reading and a rule set that leaves it out (default: a repeat with a recorded clinical
    change is allowed) say so, met and not met (mutation survivors, issue 9)."""
    from cmrnet.rules import evaluate

    chosen = RULESET if ruleset == "shipped" else without("level2", "patient_repeat_on_clinical_change")
    data, _ = _repeat(clinical_change=True)
    met = evaluate(chosen, "level2", data, today=date(2026, 1, 1)).rule("patient_unique")
    assert (met.status, met.message, met.numbers) == (
        "met", "each patient appears once (or with a recorded clinical change)", {"duplicates": 0})
    data, repeat = _repeat(clinical_change=False)
    bad = evaluate(chosen, "level2", data, today=date(2026, 1, 1)).rule("patient_unique")
    assert (bad.status, bad.numbers, bad.offending) == ("not_met", {"duplicates": 1}, (repeat.case_id,))
    assert bad.message == f"1 repeat studies of a patient without a significant clinical change: {repeat.case_id}"
    assert bad.missing == (f"remove 1 repeat studies of the same patient ({repeat.case_id})",)


def test_patient_unique_sentence_under_the_strict_reading_when_met():
    from cmrnet.rules import evaluate

    strict = with_params("level2", RULESET, patient_repeat_on_clinical_change=False)
    result = evaluate(strict, "level2", compliant(), today=date(2026, 1, 1)).rule("patient_unique")
    assert (result.status, result.message) == ("met", "each patient appears once")
