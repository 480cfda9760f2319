"""supervisor_level3 and training_months."""

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from cmrnet.rules import SupervisorCert, TrainingPeriod
from cmrnet.rules.dates import add_months, calendar_months

from .helpers import compliant, evaluation, modify, rule, status

CASE_DAY = date(2025, 3, 10)


def _one_supervisor(data, *certs, day=CASE_DAY):
    """All cases on ``day`` except case 0 moved to the new supervisor 'sup-new'."""
    data = modify(data, [0], supervisor_id="sup-new", study_date=day)
    return replace(data, supervisors=data.supervisors + tuple(certs))


def _cert(awarded, until=date(2030, 1, 1), revoked=None, body="EACVI", level=3):
    return SupervisorCert("sup-new", body, level, awarded, until, revoked)


# --- supervisor_level3 ---------------------------------------------------------
def test_supervisor_awarded_level3_on_the_day_of_the_case_is_accepted():
    assert status(_one_supervisor(compliant(), _cert(CASE_DAY)), "supervisor_level3") == "met"


def test_supervisor_awarded_level3_the_day_after_the_case_is_refused_with_actionable_line():
    data = _one_supervisor(compliant(), _cert(date(2025, 3, 11)))
    result = rule(data, "supervisor_level3")
    assert result.status == "not_met"
    assert result.offending == (data.cases[0].case_id,)
    assert result.missing[0].startswith("supervisor sup-new's Level 3 starts 2025-03-11; 1 cases")
    assert data.cases[0].case_id in evaluation(data).case_rejections


def test_cert_revoked_on_the_case_date_is_not_current():
    data = _one_supervisor(compliant(), _cert(date(2020, 1, 1), revoked=CASE_DAY))
    assert status(data, "supervisor_level3") == "not_met"


def test_cert_revoked_the_day_after_the_case_still_covers_it():
    data = _one_supervisor(compliant(), _cert(date(2020, 1, 1), revoked=date(2025, 3, 11)))
    assert status(data, "supervisor_level3") == "met"


def test_cert_expired_the_day_before_the_case_is_not_current():
    data = _one_supervisor(compliant(), _cert(date(2020, 1, 1), until=date(2025, 3, 9)))
    result = rule(data, "supervisor_level3")
    assert result.status == "not_met"
    assert "not current" in result.message


def test_cert_valid_until_the_case_date_covers_it():
    assert status(_one_supervisor(compliant(), _cert(date(2020, 1, 1), until=CASE_DAY)), "supervisor_level3") == "met"


def test_expired_eacvi_cert_and_current_scmr_cert_together_cover_the_case():
    data = _one_supervisor(compliant(), _cert(date(2015, 1, 1), until=date(2020, 1, 1)),
                           _cert(date(2024, 1, 1), body="SCMR"))
    assert status(data, "supervisor_level3") == "met"


@pytest.mark.parametrize("body, level", [("EACVI", 2), ("ESC-EACVI-ECHO", 3)])
def test_only_eacvi_or_scmr_level3_counts(body, level):
    data = _one_supervisor(compliant(), _cert(date(2020, 1, 1), body=body, level=level))
    result = rule(data, "supervisor_level3")
    assert result.status == "not_met"
    assert "holds no EACVI or SCMR Level 3" in result.message


def test_supervisor_missing_from_supervisors_file_is_named():
    data = modify(compliant(), [0], supervisor_id="dr-unknown")
    result = rule(data, "supervisor_level3")
    assert "supervisor dr-unknown is not in supervisors.csv: 1 cases" in result.message


def test_training_period_before_supervisor_award_is_listed():
    data = compliant()
    early = replace(data.training[0], supervisor_id="sup-new")
    data = replace(data, training=(early,) + data.training[1:],
                   supervisors=data.supervisors + (_cert(date(2025, 12, 1)),))
    result = rule(data, "supervisor_level3")
    assert result.status == "not_met"
    assert result.offending == (early.period_id,)


# --- training_months -----------------------------------------------------------
def _training(*periods):
    return replace(compliant(), training=tuple(periods))


def _period(pid, start, end, hours, supervisor="sup-eacvi-01"):
    return TrainingPeriod(pid, start, end, hours, supervisor, "Home")


def test_calendar_months_counts_whole_months_exactly():
    assert calendar_months(date(2024, 1, 1), date(2024, 5, 31)) == 5
    assert calendar_months(date(2025, 1, 1), date(2025, 5, 31)) == 5
    assert calendar_months(date(2024, 1, 1), date(2024, 1, 31)) == 1
    assert calendar_months(date(2024, 1, 1), date(2024, 1, 1)) == Fraction(1200, 36525)


def test_three_days_a_week_for_five_months_is_three_months():
    data = _training(_period("t", date(2025, 1, 1), date(2025, 5, 31), 21))
    result = rule(data, "training_months")
    assert result.status == "met"
    assert (result.numbers["have"], result.numbers["need"]) == (3.0, 3.0)


def test_three_days_a_week_for_five_months_less_a_day_is_short():
    data = _training(_period("t", date(2025, 1, 1), date(2025, 5, 30), 21))
    assert status(data, "training_months") == "not_met"


def test_more_than_35_hours_counts_as_full_time_only():
    data = _training(_period("t", date(2025, 1, 1), date(2025, 2, 28), 60))
    assert rule(data, "training_months").numbers["have"] == 2.0


def test_part_time_periods_add_up_pro_rata():
    data = _training(_period("a", date(2025, 1, 1), date(2025, 2, 28), 35),
                     _period("b", date(2025, 6, 1), date(2025, 7, 31), 17.5))
    result = rule(data, "training_months")
    assert result.numbers["have"] == 3.0
    assert result.status == "met"


def test_period_outside_the_24_month_window_does_not_count():
    data = _training(_period("a", date(2023, 1, 1), date(2023, 1, 31), 35),
                     _period("b", date(2025, 3, 1), date(2025, 4, 30), 35))
    result = rule(data, "training_months")
    assert result.status == "not_met"
    assert result.numbers["have"] == 2.0
    assert result.offending == ("a",)
    assert any("outside one 24-month window" in line for line in result.missing)


def test_periods_within_24_months_are_added():
    data = _training(_period("a", date(2023, 5, 1), date(2023, 6, 30), 35),
                     _period("b", date(2025, 3, 1), date(2025, 4, 30), 35))
    assert rule(data, "training_months").numbers["have"] == 4.0


def test_only_days_under_a_current_level3_supervisor_count():
    data = _training(_period("a", date(2025, 1, 1), date(2025, 6, 30), 35, supervisor="sup-new"))
    data = replace(data, supervisors=data.supervisors + (_cert(date(2025, 4, 1)),))
    ev = evaluation(data)
    assert ev.rule("training_months").numbers["have"] == 3.0
    assert ev.rule("supervisor_level3").offending == ("a",)


def test_level3_direct_needs_twelve_months():
    data = replace(compliant("level3-direct"),
                   training=(_period("a", date(2025, 1, 1), date(2025, 12, 31), 35),))
    assert status(data, "training_months", "level3-direct") == "met"
    short = replace(data, training=(_period("a", date(2025, 1, 1), date(2025, 12, 30), 35),))
    assert status(short, "training_months", "level3-direct") == "not_met"


def test_via_level2_needs_nine_further_months():
    data = compliant("level3-via-level2")
    start = data.training[0].start_date
    end = date.fromordinal(add_months(start, 9).toordinal() - 1)
    nine = replace(data, training=(_period("a", start, end, 35),))
    result = rule(nine, "training_months", "level3-via-level2")
    assert (result.numbers["have"], result.numbers["need"]) == (9.0, 9.0)
    assert result.status == "met"
    short = replace(data, training=(_period("a", start, date.fromordinal(end.toordinal() - 1), 35),))
    assert status(short, "training_months", "level3-via-level2") == "not_met"
