"""SCMR virtual training: the share of counted cases done over live video (rule virtual_share)."""

from dataclasses import replace
from datetime import date
from fractions import Fraction

from cmrnet.rules import evaluate, load_ruleset
from cmrnet.rules.testing import make_compliant_application
from .helpers import modify

TODAY = date(2026, 1, 1)


def scmr_level2(virtual: int, *, share=None, cases: int = 150):
    data = make_compliant_application("level2", cases=cases)
    data = modify(data, range(cases), role="primary_operator")
    data = modify(data, range(virtual), mode="virtual")
    if share is not None:
        data = replace(data, candidate=replace(data.candidate, virtual_share_max=share))
    return evaluate(load_ruleset("scmr-2018"), "level2", data, today=TODAY).rule("virtual_share")


def test_scmr_level2_default_share_is_half_of_the_counted_cases_at_the_cap_and_one_over():
    at_cap = scmr_level2(75)
    assert at_cap.status == "met"
    assert at_cap.numbers == {"have": 75, "max": 75, "counted": 150}
    over = scmr_level2(76)
    assert over.status == "not_met"
    assert list(over.missing) == ["1 virtual cases too many (at most 75, 50% of 150): add in-person cases"]
    assert len(over.offending) == 76


def test_a_programmes_share_replaces_the_rule_sets_at_the_cap_and_one_over():
    assert scmr_level2(45, share=Fraction(3, 10)).status == "met"          # 30% of 150 = 45
    assert scmr_level2(46, share=Fraction(3, 10)).status == "not_met"
    assert scmr_level2(0, share=Fraction(0)).status == "met"
    assert scmr_level2(1, share=Fraction(0)).status == "not_met"


def test_the_cap_rounds_down_and_observed_cases_are_not_counted():
    # 30% of 151 = 45.3 -> 45
    assert scmr_level2(45, share=Fraction(3, 10), cases=151).numbers["max"] == 45
    data = make_compliant_application("level2", cases=150)
    data = modify(data, range(150), role="primary_operator")
    data = modify(data, range(10), role="observer", mode="virtual")
    result = evaluate("scmr-2018", "level2", data, today=TODAY).rule("virtual_share")
    assert result.numbers == {"have": 0, "max": 70, "counted": 140}


def test_eacvi_has_no_virtual_share_rule_and_ignores_the_mode():
    eacvi = load_ruleset("eacvi-2025")
    assert all("virtual_share" not in route.rules for route in eacvi.routes.values())
    data = make_compliant_application("level2")
    assert evaluate(eacvi, "level2", data, today=TODAY).compliant
    all_virtual = modify(data, range(len(data.cases)), mode="virtual")
    assert evaluate(eacvi, "level2", all_virtual, today=TODAY).compliant


def test_the_case_mode_travels_in_the_package_and_is_left_out_when_every_case_is_in_person(tmp_path):
    from cmrnet.rules import read_package, write_package

    data = make_compliant_application("level2", cases=60)
    write_package(tmp_path / "plain", data)
    assert "mode" not in (tmp_path / "plain" / "cases.csv").read_text().splitlines()[0]
    virtual = modify(data, range(3), mode="virtual")
    write_package(tmp_path / "mixed", virtual)
    assert (tmp_path / "mixed" / "cases.csv").read_text().splitlines()[0].endswith(",mode")
    back = read_package(tmp_path / "mixed")
    assert sum(1 for c in back.cases if c.mode == "virtual") == 3


def test_reporting_cases_count_and_the_message_and_offending_at_the_cap():
    """Cases reported (not performed) are counted cases too; at the cap nothing is offending, one over every
    virtual case is (mutation survivors, issue 9)."""
    data = make_compliant_application("level2", cases=150)
    data = modify(data, range(150), role="reporting")
    data = modify(data, range(75), mode="virtual")
    at_cap = evaluate(load_ruleset("scmr-2018"), "level2", data, today=TODAY).rule("virtual_share")
    assert (at_cap.status, at_cap.numbers) == ("met", {"have": 75, "max": 75, "counted": 150})
    assert at_cap.message == "75 of 150 counted cases virtual; at most 75 (50%)"
    assert at_cap.offending == ()
    under = scmr_level2(3)
    assert (under.status, under.offending) == ("met", ())
    over = modify(data, [75], mode="virtual")
    result = evaluate(load_ruleset("scmr-2018"), "level2", over, today=TODAY).rule("virtual_share")
    assert result.message == "76 of 150 counted cases virtual; at most 75 (50%)"
    assert result.offending == tuple(c.case_id for c in over.cases[:76])
