"""The exact sentences a trainee reads: each names what is wrong and what to do (issue 9 mutants)."""

from dataclasses import replace
from datetime import date

from cmrnet.rules import CmeActivity, SupervisorCert, TrainingPeriod, evaluate

from .helpers import TODAY, a_case, candidate, compliant, evaluation, rule

VIA = "level3-via-level2"
DAY = date(2025, 3, 10)


def cert(sid, awarded, until=date(2030, 1, 1), revoked=None):
    return SupervisorCert(sid, "EACVI", 3, awarded, until, revoked)


def with_supervision(cases, periods, *certs):
    data = compliant()
    return replace(data, cases=tuple(cases) + data.cases[len(cases):], training=tuple(periods),
                   supervisors=data.supervisors + tuple(certs))


def period(pid, sid, start=date(2025, 1, 1), end=date(2025, 1, 31)):
    return TrainingPeriod(pid, start, end, 35, sid, "Home")


def test_cases_and_periods_of_one_supervisor_are_listed_together_three_at_most():
    cases = [a_case(f"x{i}", DAY, supervisor_id="sup-old") for i in range(4)]
    periods = [period(f"t{i}", "sup-old", date(2025, 1 + i, 1), date(2025, 1 + i, 20)) for i in range(4)]
    data = with_supervision(cases, periods, cert("sup-old", date(2015, 1, 1), date(2024, 12, 31)))
    result = rule(data, "supervisor_level3")
    assert result.message == (
        "supervisor sup-old's Level 3 is not current on the dates of 4 cases (x0, x1, x2 and 1 more), "
        "4 training periods (t0, t1, t2) (valid 2015-01-01 .. 2024-12-31, with gaps for expiry or revocation)")
    assert result.numbers == {"cases": 4, "periods": 4}
    assert result.offending == ("x0", "x1", "x2", "x3", "t0", "t1", "t2", "t3")


def test_each_supervisor_gets_only_their_own_cases_and_periods():
    data = with_supervision([a_case("x0", DAY, supervisor_id="sup-a")], [period("t0", "sup-b")],
                            cert("sup-a", date(2026, 1, 1)), cert("sup-b", date(2026, 1, 1)))
    assert rule(data, "supervisor_level3").message == (
        "supervisor sup-a's Level 3 starts 2026-01-01; 1 cases (x0) before it; "
        "supervisor sup-b's Level 3 starts 2026-01-01; 1 training periods (t0) before it")


def test_a_certificate_revoked_on_its_award_day_never_covered_that_day():
    data = with_supervision([a_case("x0", DAY, supervisor_id="sup-r")], [],
                            cert("sup-r", DAY, revoked=DAY))
    result = rule(data, "supervisor_level3")
    assert result.message == f"supervisor sup-r's Level 3 (awarded {DAY}) was revoked before it took effect: 1 cases (x0)"


def test_unnamed_and_unknown_supervisors_are_said_so():
    data = with_supervision([a_case("x0", DAY, supervisor_id=""), a_case("x1", DAY, supervisor_id="dr-who")], [])
    assert rule(data, "supervisor_level3").message == (
        "no supervisor named for 1 cases (x0); supervisor dr-who is not in supervisors.csv: 1 cases (x1)")


def test_met_supervision_sentence():
    assert rule(compliant(), "supervisor_level3").message == \
        "every case and training period was supervised by a current Level 3 holder"


def test_level2_current_sentences_and_numbers():
    data = compliant(VIA)
    missing = rule(candidate(data, level2=None), "level2_current", VIA)
    assert (missing.message, missing.numbers) == ("no Level 2 certification given", {})
    level2 = data.candidate.level2
    applied = data.candidate.application_date
    current = rule(data, "level2_current", VIA)
    assert current.numbers == {"awarded_on": level2.awarded_on.isoformat(),
                               "valid_until": level2.valid_until.isoformat()}
    expired = rule(candidate(data, level2=replace(level2, valid_until=date(2027, 1, 1))), "level2_current", VIA)
    assert expired.message == (f"Level 2 awarded {level2.awarded_on}, valid until 2027-01-01: expired on {applied}")
    assert expired.missing == (f"Level 2 certification is expired on {applied}; it must be current",)


def test_scmr_count_sentences_and_the_plural_of_cases_not_counted():
    cases = [a_case("a", DAY), a_case("b", DAY, role="reporting"), a_case("c", DAY, role="observer"),
             a_case("d", DAY, role="observer")]
    data = replace(compliant(), cases=tuple(cases), training=())
    ev = evaluate("scmr-2018", "level2", data, today=TODAY)
    assert ev.rule("cases_performed").message == "1 cases performed; 50 required"
    assert ev.rule("cases_interpreted").message == "2 cases interpreted; 150 required"
    level2 = evaluation(data)
    assert level2.rule("case_count").message.endswith("; 2 cases not counted (see the other rules)")
    one = evaluation(replace(data, cases=tuple(cases[:3])))
    assert one.rule("case_count").message.endswith("; 1 case not counted (see the other rules)")


def test_two_completed_level1_courses_are_both_named():
    claims = tuple(CmeActivity(aid, "Level 1", "EACVI", "online", date(2025, 1, 1), date(2025, 1, 1), 9, 1, cid,
                               "certificate.pdf", full_attendance=True)
                   for aid, cid in (("a", "eacvi-level1-course"), ("b", "jca-cmr-level1")))
    data = replace(compliant("level1"), cme=claims)
    assert rule(data, "level1_knowledge", "level1").message == "completed Level 1 course (a, b)"


def test_exam_and_declaration_sentences():
    assert rule(candidate(compliant(), exam_date=None), "exam_passed").message == "exam passed"
    assert rule(compliant(), "supervisor_declaration").message == "supervisor's declaration signed"
    unsigned = rule(candidate(compliant(), supervisor_declaration=False), "supervisor_declaration")
    assert unsigned.message == "supervisor's declaration not signed"
