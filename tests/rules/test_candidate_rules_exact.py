"""Exact results of candidate_rules where the mutation run (issue 9) found no test looking: the registration and
ACLS results at their last valid day and the day after (message, numbers, missing), the training rule's
sentences with several periods outside the window and with overlaps, its rounding, and the defaults a rule set
gets when it leaves `training_window_pro_rata` / `training_requires_level3` out."""

from dataclasses import replace
from datetime import date
from types import MappingProxyType

import pytest

from cmrnet.rules import TrainingPeriod, evaluate, load_ruleset

from .helpers import candidate, compliant, rule

TODAY = date(2026, 1, 1)


def without_param(ruleset, route: str, name: str):
    """The rule set as one that leaves the optional parameter out (its documented default applies)."""
    old = ruleset.route(route)
    assert name in old.params
    params = MappingProxyType({k: v for k, v in old.params.items() if k != name})
    return replace(ruleset, routes=MappingProxyType({**ruleset.routes, route: replace(old, params=params)}))


@pytest.mark.parametrize(("rule_id", "field", "what"), [
    ("registration", "registration_valid_until", "registration"),
    ("acls", "acls_valid_until", "advanced life support (ACLS)")])
class TestValidOn:
    def test_the_last_valid_day_is_current(self, rule_id, field, what):
        result = rule(candidate(compliant(), application_date=TODAY, **{field: TODAY}), rule_id)
        assert result.status == "met"
        assert result.message == f"{what} valid until 2026-01-01; current on 2026-01-01"
        assert result.numbers == {"valid_until": "2026-01-01", "date": "2026-01-01"}
        assert result.missing == ()

    def test_the_day_after_is_expired(self, rule_id, field, what):
        result = rule(candidate(compliant(), application_date=TODAY, **{field: date(2025, 12, 31)}), rule_id)
        assert result.status == "not_met"
        assert result.message == f"{what} valid until 2025-12-31; expired on 2026-01-01"
        assert result.numbers == {"valid_until": "2025-12-31", "date": "2026-01-01"}
        assert result.missing == (f"renew the {what} (expired 2025-12-31)",)


def period(pid, start, end, hours=35.0, supervisor="sup-eacvi-01"):
    return TrainingPeriod(pid, start, end, hours, supervisor, "Home")


def training(*periods, route="level2", ruleset=None):
    data = replace(compliant(route), training=tuple(periods))
    return evaluate(ruleset or load_ruleset("eacvi-2025"), route, data, today=TODAY).rule("training_months")


# Four one-week periods in 2020, then three months in 2025: the later stretch is the best window and the
# four early ones lie outside it; the two later periods overlap by one month.
EARLY = [period(f"e{i}", date(2020, 2 * i + 1, 1), date(2020, 2 * i + 1, 7)) for i in range(4)]
LATE = [period("l1", date(2025, 1, 1), date(2025, 2, 28)), period("l2", date(2025, 2, 1), date(2025, 3, 31))]


def test_several_periods_outside_the_window_and_overlaps_in_one_message():
    result = training(*EARLY, *LATE)
    assert result.status == "met"
    assert result.offending == ("e0", "e1", "e2", "e3")
    assert result.message == ("3 months full-time equivalent of 3 required; 4 periods outside the 24-month window "
                              "(extended pro rata) from 2025-01-01 not counted (e0, e1, e2); 1 overlaps between "
                              "periods: each day counted once, at most full time")
    assert result.numbers["overlaps"] == 1 and result.numbers["counted"] == ["l1", "l2"]


def test_the_missing_lines_name_at_most_three_periods_outside():
    result = training(*EARLY, period("l1", date(2025, 1, 1), date(2025, 1, 31)))
    assert result.status == "not_met"
    assert result.missing == ("2 more months of full-time-equivalent training (35 h/week = full time)",
                              "training periods outside one 24-month window do not count (e0, e1, e2)")


def test_months_are_rounded_to_two_decimals():
    from cmrnet.rules.training import count_training, fte_segments

    one = period("p", date(2025, 1, 1), date(2025, 1, 10))
    exact = count_training(fte_segments([(one.start_date, one.end_date, 1, "p")]), 24, True).months
    assert round(float(exact), 3) != round(float(exact), 2)        # the third decimal shows
    assert training(one).numbers["have"] == round(float(exact), 2)


def test_a_rule_set_without_the_pro_rata_reading_uses_the_fixed_window():
    # half-time stretches 40 months apart: inside a window extended pro rata (40 x 0.5 = 20), outside a fixed one
    periods = (period("a", date(2021, 1, 1), date(2021, 12, 31), 17.5),
               period("b", date(2023, 6, 1), date(2024, 4, 30), 17.5))
    assert training(*periods).offending == ()
    fixed = without_param(load_ruleset("eacvi-2025"), "level2", "training_window_pro_rata")
    strict = training(*periods, ruleset=fixed)
    assert (strict.numbers["have"], strict.offending) == (6.0, ("b",))
    assert "(window)" in strict.message


def test_a_rule_set_without_the_level3_reading_requires_a_level3_supervisor():
    # SCMR counts training under any supervisor; left out, the parameter means a Level 3 supervisor is needed
    scmr = load_ruleset("scmr-2018")
    route = "level2"
    unknown = period("p", date(2025, 1, 1), date(2025, 3, 31), supervisor="nobody-with-level-3")
    data = replace(compliant("level2"), training=(unknown,))
    assert evaluate(scmr, route, data, today=TODAY).rule("training_months").numbers["have"] == 3.0
    strict = without_param(scmr, route, "training_requires_level3")
    assert evaluate(strict, route, data, today=TODAY).rule("training_months").numbers["have"] == 0.0
