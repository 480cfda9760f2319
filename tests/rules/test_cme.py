"""CME credits per activity and the cme_hours rule."""

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from cmrnet.rules import CmeActivity, accepted_credits

from .helpers import EXAM, RULESET, compliant, rule

SETTINGS = RULESET.cme
DAY = date(2025, 3, 1)


def act(aid="a", kind="course", credits=10.0, start=DAY, end=None, modalities=1, catalog_id="",
        certificate="cert.pdf", provider="Provider", title=None):
    return CmeActivity(aid, title or f"Course {aid}", provider, kind, start, end or start, credits,
                       modalities, catalog_id, certificate)


def accepted(activity, exam=EXAM):
    return accepted_credits(activity, SETTINGS, exam)


def test_one_credit_is_one_hour_and_a_plain_course_counts_in_full():
    credit = accepted(act(credits=6.5))
    assert (credit.accepted, credit.reasons) == (Fraction(13, 2), ())


def test_congress_is_capped_at_eight_credits_per_day():
    credit = accepted(act(kind="congress", credits=20, end=date(2025, 3, 2)))
    assert credit.accepted == 16
    assert credit.reasons == ("at most 8 credits per congress day (2 days)",)


def test_congress_at_eight_per_day_is_not_reduced():
    assert accepted(act(kind="congress", credits=8)).accepted == 8
    assert accepted(act(kind="congress", credits=9)).accepted == 8


def test_daily_cap_does_not_apply_to_courses():
    assert accepted(act(kind="course", credits=12)).accepted == 12


def test_multimodality_credits_are_divided_by_modalities():
    credit = accepted(act(credits=12, modalities=3))
    assert credit.accepted == 4
    assert credit.reasons == ("multimodality: 12 divided by 3 modalities",)
    assert accepted(act(credits=12, modalities=2)).accepted == 6


def test_catalogue_can_say_a_multimodality_meeting_is_not_divided():
    credit = accepted(act(kind="congress", credits=18, modalities=3, catalog_id="eacvi-2023",
                          start=date(2023, 12, 7), end=date(2023, 12, 9)))
    assert (credit.accepted, credit.reasons) == (18, ())


def test_esc_congress_gives_only_three_cmr_credits():
    credit = accepted(act(kind="congress", credits=20, catalog_id="esc-congress", end=date(2025, 3, 4)))
    assert credit.accepted == 3
    assert "ESC Congress: general meeting: only 3 CMR credits" in credit.reasons


def test_self_directed_learning_is_refused():
    credit = accepted(act(kind="self_directed", credits=5))
    assert (credit.accepted, credit.reasons) == (0, ("self-directed learning is not accepted",))


@pytest.mark.parametrize("certificate", ["", "no", "  "])
def test_claim_without_certificate_is_refused(certificate):
    credit = accepted(act(certificate=certificate))
    assert (credit.accepted, credit.reasons) == (0, ("no attendance certificate",))


def test_attended_exactly_two_years_before_exam_counts():
    assert accepted(act(start=date(2023, 11, 7))).accepted == 10


def test_attended_more_than_two_years_before_exam_is_refused():
    credit = accepted(act(start=date(2023, 11, 6)))
    assert credit.accepted == 0
    assert credit.reasons[0].startswith("attended more than 2 years before the exam")


def test_uncatalogued_id_is_counted_as_claimed_with_a_note():
    credit = accepted(act(catalog_id="not-there"))
    assert credit.accepted == 10
    assert "not in the catalogue" in credit.reasons[0]


def test_catalogue_ships_table1_meetings():
    catalogue = SETTINGS.catalogue
    assert catalogue["esc-congress"].cmr_credits == 3 and catalogue["esc-congress"].general_meeting
    assert catalogue["scmr-annual"].cmr_credits == 24
    assert catalogue["eacvi-cmr-teaching-courses"].cmr_credits is None
    assert len(catalogue) == 16


# --- cme_hours --------------------------------------------------------------------
def _cme(*activities):
    return replace(compliant(), cme=tuple(activities))


def test_exactly_25_hours_from_two_sources_is_met():
    result = rule(_cme(act("a", credits=15), act("b", credits=10)), "cme_hours")
    assert result.status == "met"
    assert result.numbers["have"] == 25.0 and result.numbers["sources"] == 2


def test_24_and_a_half_hours_is_not_met():
    result = rule(_cme(act("a", credits=15), act("b", credits=9.5)), "cme_hours")
    assert result.status == "not_met"
    assert result.missing == ("0.5 more CME hours in CMR",)


def test_all_credits_from_a_single_source_is_not_met():
    result = rule(_cme(act("a", credits=30)), "cme_hours")
    assert result.status == "not_met"
    assert result.missing == ("CME must come from at least 2 different sources (now 1)",)


def test_two_claims_of_the_same_catalogued_event_are_one_source():
    data = _cme(act("a", kind="online", credits=14, catalog_id="medmastery-cmr-essentials"),
                act("b", kind="online", credits=14, catalog_id="medmastery-cmr-essentials",
                    start=date(2025, 5, 1)))
    assert rule(data, "cme_hours").numbers["sources"] == 1


def test_refused_claims_are_listed_and_do_not_count():
    data = _cme(act("a", credits=20), act("b", credits=10), act("c", kind="self_directed", credits=50))
    result = rule(data, "cme_hours")
    assert result.numbers["have"] == 30.0
    assert result.offending == ("c",)


def test_direct_level3_needs_50_hours():
    data = replace(compliant("level3-direct"), cme=(act("a", credits=25), act("b", credits=25)))
    assert rule(data, "cme_hours", "level3-direct").status == "met"
    data = replace(data, cme=(act("a", credits=25), act("b", credits=24)))
    assert rule(data, "cme_hours", "level3-direct").status == "not_met"
