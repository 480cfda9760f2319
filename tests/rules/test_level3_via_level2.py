"""Level 3 via Level 2: only training and CME not used for the Level 2 certification count."""

from dataclasses import replace
from datetime import date

import pytest

from cmrnet.rules import CmeActivity, PackageError, TrainingPeriod, read_package, write_package

from .helpers import RULESET, candidate, compliant, evaluation, with_params

VIA = "level3-via-level2"


def via(**level2_changes):
    data = compliant(VIA)
    return candidate(data, level2=replace(data.candidate.level2, **level2_changes))


def period(pid, start, end, hours=35.0):
    return TrainingPeriod(pid, start, end, hours, "sup-eacvi-01", "Home")


def claim(aid, start, end, credits, catalog_id="", title=None):
    return CmeActivity(aid, title or f"Course {aid}", "Provider", "course", start, end, credits, 1, catalog_id,
                       "certificate.pdf")


def test_three_months_for_level2_and_six_after_do_not_pass_as_nine():
    data = via(awarded_on=date(2026, 12, 31))
    data = replace(data, training=(period("l2", date(2026, 1, 1), date(2026, 3, 31)),
                                   period("l3", date(2027, 1, 1), date(2027, 6, 30))))
    ev = evaluation(data, VIA)
    result = ev.rule("training_months")
    assert (result.status, result.numbers["have"], result.numbers["need"]) == ("not_met", 6.0, 9.0)
    assert result.numbers["counted"] == ["l3"]
    assert [(a.item_id, a.used_for) for a in ev.allocations if a.kind == "training"] == [
        ("l2", "level2"), ("l3", "level3")]


def test_period_running_past_the_award_counts_from_the_day_after_the_award():
    data = via(awarded_on=date(2026, 12, 31))
    data = replace(data, training=(period("t", date(2026, 10, 1), date(2027, 9, 30)),))
    ev = evaluation(data, VIA)
    assert ev.rule("training_months").numbers["have"] == 9.0
    assert ev.rule("training_months").numbers["from"] == "2027-01-01"
    [allocation] = [a for a in ev.allocations if a.kind == "training"]
    assert (allocation.used_for, allocation.level3_from) == ("split", date(2027, 1, 1))
    assert allocation.to_dict() == {"kind": "training", "id": "t", "used_for": "split",
                                    "reason": "runs past the Level 2 award (2026-12-31): counted from 2027-01-01",
                                    "level3_from": "2027-01-01"}


def test_a_period_ending_on_the_award_day_served_level2_and_one_starting_the_day_after_counts():
    data = via(awarded_on=date(2026, 12, 31))
    on_the_day = period("a", date(2026, 4, 1), date(2026, 12, 31))
    after = period("b", date(2027, 1, 1), date(2027, 9, 30))
    ev = evaluation(replace(data, training=(on_the_day, after)), VIA)
    assert {a.item_id: a.used_for for a in ev.allocations if a.kind == "training"} == {"a": "level2", "b": "level3"}
    assert ev.rule("training_months").numbers["have"] == 9.0


def test_declared_level2_periods_are_set_aside_and_the_others_count_whatever_their_date():
    data = via(awarded_on=date(2026, 12, 31), training_ids=("used",))
    used = period("used", date(2025, 1, 1), date(2025, 3, 31))
    spare = period("spare", date(2025, 4, 1), date(2025, 12, 31))      # before the award, not used for it
    ev = evaluation(replace(data, training=(used, spare)), VIA)
    assert ev.rule("training_months").numbers["have"] == 9.0
    assert ev.rule("training_months").status == "met"
    assert {a.item_id: a.used_for for a in ev.allocations if a.kind == "training"} == {"used": "level2",
                                                                                       "spare": "level3"}


def test_without_the_presumption_undeclared_periods_all_count():
    ruleset = with_params(VIA, RULESET, level2_presume_used_until_award=False)
    data = via(awarded_on=date(2026, 12, 31))
    data = replace(data, training=(period("a", date(2026, 1, 1), date(2026, 9, 30)),))
    from cmrnet.rules import evaluate
    result = evaluate(ruleset, VIA, data, today=date(2026, 1, 1)).rule("training_months")
    assert result.numbers["have"] == 9.0


def test_cme_before_the_award_is_not_counted_again():
    data = via(awarded_on=date(2026, 12, 31))
    l2 = [claim("l2-a", date(2026, 3, 1), date(2026, 3, 1), 13), claim("l2-b", date(2026, 6, 1), date(2026, 12, 31), 12)]
    l3 = [claim("l3-a", date(2027, 1, 1), date(2027, 1, 1), 13, title="Course x"),
          claim("l3-b", date(2027, 6, 1), date(2027, 6, 1), 11, title="Course y")]
    ev = evaluation(replace(data, cme=tuple(l2 + l3)), VIA)
    result = ev.rule("cme_hours")
    assert (result.status, result.numbers["have"], result.numbers["need"]) == ("not_met", 24.0, 25.0)
    assert {a.item_id: a.used_for for a in ev.allocations if a.kind == "cme"} == {
        "l2-a": "level2", "l2-b": "level2", "l3-a": "level3", "l3-b": "level3"}
    ev = evaluation(replace(data, cme=tuple(l2 + l3 + [claim("l3-c", date(2027, 7, 1), date(2027, 7, 1), 1)])), VIA)
    assert ev.rule("cme_hours").status == "met"


def test_declared_level2_cme_claims_are_set_aside():
    data = via(awarded_on=date(2026, 12, 31), cme_ids=("old",))
    claims = (claim("old", date(2027, 1, 1), date(2027, 1, 1), 30),
              claim("new", date(2026, 11, 1), date(2026, 11, 1), 20))
    ev = evaluation(replace(data, cme=claims), VIA)
    assert ev.rule("cme_hours").numbers["have"] == 20.0
    assert [a for a in ev.to_dict()["allocations"] if a["kind"] == "cme"][0] == {"kind": "cme", "id": "new", "used_for": "level3",
                                              "reason": "not used for the Level 2 application", "level3_from": None}


@pytest.mark.parametrize("route", ["level2", "level3-direct"])
def test_other_routes_count_every_period_and_claim(route):
    ev = evaluation(compliant(route), route)
    assert ev.allocations == []


def test_package_carries_the_level2_training_and_cme_lists(tmp_path):
    data = via(training_ids=("t1",), cme_ids=())
    folder = write_package(tmp_path / "pkg", data)
    text = (folder / "candidate.toml").read_text()
    assert 'training = ["t1"]' in text and "cme = []" in text
    assert read_package(folder) == data
    (folder / "candidate.toml").write_text(text.replace('training = ["t1"]', "training = 3"))
    with pytest.raises(PackageError, match="candidate.toml key level2.training: 3 is not a list of ids"):
        read_package(folder)


def test_a_period_starting_on_the_award_day_counts_from_the_day_after():
    data = via(awarded_on=date(2026, 12, 31))
    ev = evaluation(replace(data, training=(period("t", date(2026, 12, 31), date(2027, 9, 30)),)), VIA)
    [allocation] = [a for a in ev.allocations if a.kind == "training"]
    assert (allocation.used_for, allocation.level3_from) == ("split", date(2027, 1, 1))
    assert ev.rule("training_months").numbers["have"] == 9.0


def test_without_the_presumption_the_reason_says_nothing_was_declared():
    ruleset = with_params(VIA, RULESET, level2_presume_used_until_award=False)
    data = via(awarded_on=date(2026, 12, 31))
    data = replace(data, training=(period("a", date(2026, 1, 1), date(2026, 9, 30)),),
                   cme=(claim("c", date(2026, 1, 1), date(2026, 1, 1), 5),))
    from cmrnet.rules import evaluate
    ev = evaluate(ruleset, VIA, data, today=date(2026, 1, 1))
    assert [(a.kind, a.item_id, a.used_for, a.reason) for a in ev.allocations] == [
        ("training", "a", "level3", "Level 2 use not declared"), ("cme", "c", "level3", "Level 2 use not declared")]
    assert ev.rule("cme_hours").numbers["have"] == 5.0


def test_without_a_level2_certificate_everything_counts_and_nothing_is_allocated():
    data = candidate(compliant(VIA), level2=None)
    ev = evaluation(data, VIA)
    assert ev.allocations == []
    assert ev.rule("training_months").numbers["have"] == evaluation(compliant(VIA), VIA).rule(
        "training_months").numbers["have"]


def test_reasons_of_the_presumed_allocation():
    data = via(awarded_on=date(2026, 12, 31))
    data = replace(data, training=(period("old", date(2026, 1, 1), date(2026, 3, 31)),
                                   period("new", date(2027, 1, 1), date(2027, 9, 30))),
                   cme=(claim("c1", date(2026, 5, 1), date(2026, 5, 1), 5), claim("c2", date(2027, 5, 1), date(2027, 5, 1), 5)))
    ev = evaluation(data, VIA)
    assert [(a.item_id, a.used_for, a.reason) for a in ev.allocations] == [
        ("old", "level2", "on or before the Level 2 award (2026-12-31): taken as used for Level 2"),
        ("new", "level3", "after the Level 2 award (2026-12-31)"),
        ("c1", "level2", "ended on or before the Level 2 award (2026-12-31): taken as used for Level 2"),
        ("c2", "level3", "after the Level 2 award (2026-12-31)")]
    declared = evaluation(replace(data, candidate=replace(data.candidate, level2=replace(
        data.candidate.level2, training_ids=("old",), cme_ids=("c1",)))), VIA)
    assert [(a.item_id, a.used_for, a.reason) for a in declared.allocations] == [
        ("old", "level2", "used for the Level 2 application"), ("new", "level3", "not used for the Level 2 application"),
        ("c1", "level2", "used for the Level 2 application"), ("c2", "level3", "not used for the Level 2 application")]
