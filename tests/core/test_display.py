"""One rule each for how statistics, durations, pass marks and internal names are shown (no database)."""

import datetime as dt

import pytest
from django.template import Context, Template

from cmrnet.core.display import day, duration, flag_label, operational_pass_mark, pass_mark, stat


@pytest.mark.parametrize(("value", "shown"), [
    (-0.004, "−0.004"), (0.004, "0.004"), (-0.0004, "−0.0004"), (-0.00004, "−0.0000"), (0.0, "0.00"),
    (-0.25, "−0.25"), (0.305, "0.30"), (None, "–"), (float("nan"), "–"), (-0.005, "−0.01"),
])
def test_a_statistic_keeps_its_sign_when_it_rounds_to_zero(value, shown):
    assert stat(value) == shown


@pytest.mark.parametrize(("seconds", "shown"), [
    (3589, "59:49"), (59, "0:59"), (60, "1:00"), (3600, "1:00:00"), (3723, "1:02:03"), (0, "0:00"), (-5, "0:00"),
    (None, "–"), (89.6, "1:30"),
])
def test_durations_are_minutes_and_seconds(seconds, shown):
    assert duration(seconds) == shown


@pytest.mark.parametrize(("cut", "mark"), [
    (10.925, 11), (10.93, 11), (10.92, 11), (11.0, 11), (10.0000000001, 10), (10.01, 11), (0.0, 0)])
def test_the_operational_pass_mark_is_the_cut_rounded_up_like_the_scoring(cut, mark):
    assert operational_pass_mark(cut) == mark


def test_the_pass_mark_is_written_one_way_with_the_exact_cut_beside_it():
    assert pass_mark(10.925, 20) == "11 of 20 items (exact cut 10.93)"
    assert pass_mark(10.925) == "11 items (exact cut 10.93)"
    assert pass_mark(12.0, 20.0) == "12 of 20 items"
    assert pass_mark(None) == "not set"


def test_the_pass_mark_agrees_with_the_scoring_verdict():
    """A candidate with exactly the operational pass mark passes; one item fewer fails."""
    import numpy as np

    cut = 10.925
    mark = operational_pass_mark(cut)
    totals = np.array([mark, mark - 1], dtype=float)
    assert list(totals >= cut - 1e-9) == [True, False]


def test_flag_names_become_plain_words():
    assert flag_label("negative_discrimination").startswith("negative discrimination")
    assert "_" not in flag_label("possible_miskey")
    assert flag_label("something_new") == "something new"


def test_days_are_shown_in_one_format():
    assert day(dt.date(2026, 3, 3)) == "2026-03-03"
    assert day(None) == "–"


def test_the_template_filters_use_the_same_rules():
    out = Template("{% load cmrnet %}{{ r|stat }} {{ s|duration }} {{ c|pass_mark:20 }} {{ f|flag_label }} {{ n|plain }}").render(
        Context({"r": -0.004, "s": 3589, "c": 10.925, "f": "too_easy", "n": "not_met"}))
    assert out == "−0.004 59:49 11 of 20 items (exact cut 10.93) too easy (almost everyone answers correctly) not met"


def test_a_day_from_a_moment_is_its_calendar_day_and_bad_values_are_a_dash():
    assert day(dt.datetime(2026, 12, 31, 23, 59)) == "2026-12-31"
    assert day("") == "–"
    assert day(dt.date(2024, 2, 29)) == "2024-02-29"                       # leap day


def test_a_moment_is_stated_on_its_clock_with_the_abbreviation():
    import zoneinfo

    from cmrnet.core.display import moment

    at = dt.datetime(2026, 11, 7, 10, 0, tzinfo=dt.timezone.utc)
    assert moment(at, zoneinfo.ZoneInfo("Europe/Paris")) == "2026-11-07 11:00 CET"
    assert moment(at, zoneinfo.ZoneInfo("America/New_York")) == "2026-11-07 05:00 EST"
    summer = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.timezone.utc)
    assert moment(summer, zoneinfo.ZoneInfo("Europe/Paris")) == "2026-07-01 12:00 CEST"
    # the night the clocks go back: the same wall-clock hour twice, told apart by the abbreviation
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.timezone.utc)
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.timezone.utc)
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert (moment(first, paris), moment(second, paris)) == ("2026-10-25 02:30 CEST", "2026-10-25 02:30 CET")
    assert moment(at, paris, with_zone=False) == "2026-11-07 11:00"
    assert moment(None) == "–"


def test_every_date_format_of_the_pages_is_the_iso_one(settings):
    """The template filter and Django's own date formatting (bare {{ date }}) agree with day()."""
    from django.template import Context, Template

    page = Template('{% load cmrnet %}{{ d|day }}|{{ d }}|{{ d|date }}|{{ m|date:"SHORT_DATETIME_FORMAT" }}')
    text = page.render(Context({"d": dt.date(2026, 3, 4), "m": dt.datetime(2026, 3, 4, 9, 5)}))
    assert text == "2026-03-04|2026-03-04|2026-03-04|2026-03-04 09:05"


def test_the_date_input_takes_and_shows_the_same_format():
    from cmrnet.core.widgets import DayInput
    from cmrnet.people.forms import DATE

    html = DayInput().render("d", dt.date(2026, 3, 4))
    assert 'value="2026-03-04"' in html and 'placeholder="YYYY-MM-DD"' in html and 'type="text"' in html
    assert isinstance(DATE, DayInput)


# --- fixed: floatformat's text at a fraction of its cost (the item analysis page) ---------------------------

def test_fixed_writes_what_floatformat_writes():
    import random

    from django.template.defaultfilters import floatformat

    from cmrnet.core.display import fixed

    rng = random.Random(14)
    values = [None, "", "abc", True, 0, 2, -2.5, 0.0, -0.0, 0.005, -0.005, 1.005, 0.125, -0.0049, 12345.678, 1e20,
              float("nan"), float("inf"), -float("inf"), "1.25"]
    values += [rng.uniform(-2, 2) for _ in range(2000)] + [round(rng.uniform(-1, 1), rng.randint(1, 5)) for _ in range(2000)]
    for places in (0, 1, 2, 3):
        assert [fixed(v, places) for v in values] == [floatformat(v, places) for v in values]


def test_fixed_edges():
    from cmrnet.core.display import fixed

    assert fixed(0.125, 2) == "0.13"          # half up from the shortest repr, as floatformat
    assert fixed(-0.001, 2) == "0.00"         # no sign on a zero
    assert fixed(None, 2) == "" and fixed("x", 2) == ""
