"""CME: catalogue grants, series + year events, one event claimed once, refused claims are no source."""

import re
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from cmrnet.rules import CmeActivity, assess_claims, cme_credits
from cmrnet.rules.cme import series_and_year, source_key

from .helpers import EXAM, RULESET, compliant, evaluation, rule

SETTINGS = RULESET.cme


def act(aid, catalog_id="", start=date(2025, 3, 1), end=None, credits=10.0, kind="congress", full=False,
        title=None, provider="EACVI", modalities=1, certificate="cert.pdf"):
    return CmeActivity(aid, title or f"Meeting {aid}", provider, kind, start, end or start, credits, modalities,
                       catalog_id, certificate, full_attendance=full)


def one(activity, exam=EXAM):
    [credit] = assess_claims([activity], SETTINGS, exam)
    return credit


# --- 5. a catalogue entry can grant a figure for full attendance --------------------------
def test_eurocmr_2021_full_attendance_is_granted_18_though_the_certificate_says_5():
    credit = one(act("e", "eurocmr-2021", date(2021, 5, 12), date(2021, 5, 14), 5, full=True), exam=date(2022, 11, 1))
    assert credit.accepted == 18
    assert credit.reasons == ("EuroCMR 2021: 18 CMR credits granted for full attendance (certificate: 5)",)


def test_eurocmr_2021_without_full_attendance_counts_the_certificate():
    credit = one(act("e", "eurocmr-2021", date(2021, 5, 12), date(2021, 5, 14), 5), exam=date(2022, 11, 1))
    assert (credit.accepted, credit.reasons) == (5, ())


def test_a_grant_still_obeys_eight_credits_a_day():
    credit = one(act("e", "eurocmr-2021", date(2021, 5, 12), date(2021, 5, 13), 5, full=True), exam=date(2022, 11, 1))
    assert credit.accepted == 16


def test_a_capped_entry_never_grants_its_figure():
    # SCMR Annual Scientific Sessions: at most 24; a 10-credit certificate stays 10, even with full attendance
    credit = one(act("s", "scmr-annual", date(2025, 1, 29), date(2025, 2, 1), 10, full=True))
    assert (credit.accepted, credit.reasons) == (10, ())
    capped = one(act("s", "scmr-annual", date(2025, 1, 29), date(2025, 2, 1), 30))
    assert capped.accepted == 24
    assert capped.reasons == ("SCMR Annual Scientific Sessions: catalogue allows at most 24 CMR credits",)


# --- series + year: the same annual meeting in two years is two events ---------------------
def test_catalogue_ids_are_a_series_or_a_series_and_a_year():
    for entry_id, entry in SETTINGS.catalogue.items():
        assert entry_id == entry_id.lower() and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry_id)
        series, year = series_and_year(entry_id)
        if year is not None:
            assert str(year) in entry.title, entry_id          # an edition's title names its year
            assert entry.yearly
    assert series_and_year("EuroCMR-2021") == ("eurocmr", 2021)
    assert series_and_year("scmr-annual") == ("scmr-annual", None)


def test_the_same_series_in_two_years_is_two_events_and_both_count():
    claims = [act("y1", "scmr-annual", date(2024, 2, 1), date(2024, 2, 3), 20),
              act("y2", "scmr-annual", date(2025, 1, 29), date(2025, 1, 31), 20)]
    credits = assess_claims(claims, SETTINGS, EXAM)
    assert [c.accepted for c in credits] == [20, 20]
    assert [c.source_key for c in credits] == ["scmr-annual-2024", "scmr-annual-2025"]


def test_claiming_the_same_event_twice_is_detected_and_the_second_refused():
    claims = [act("day2", "scmr-annual", date(2025, 1, 30)), act("day1", "scmr-annual-2025", date(2025, 1, 29))]
    credits = cme_credits(claims, SETTINGS, EXAM)
    assert [c.activity_id for c in credits] == ["day2", "day1"]                  # shown in the given order
    assert (credits[0].accepted, credits[0].reasons) == (0, ("the same event is already claimed as day1",))
    assert credits[1].accepted == 8


def test_a_refused_first_claim_does_not_block_a_later_valid_claim_of_the_event():
    claims = [act("a", "bscmr-annual", date(2025, 3, 1), certificate=""),
              act("b", "bscmr-annual", date(2025, 3, 1), credits=6)]
    assert [c.accepted for c in assess_claims(claims, SETTINGS, EXAM)] == [0, 6]


def test_a_course_or_online_content_is_one_source_whatever_the_year():
    claims = [act("m1", "medmastery-cmr-essentials", date(2024, 1, 10), credits=14, kind="online"),
              act("m2", "medmastery-cmr-essentials", date(2025, 1, 10), credits=14, kind="online")]
    credits = assess_claims(claims, SETTINGS, EXAM)
    assert [c.accepted for c in credits] == [14, 0]
    assert credits[0].source_key == "medmastery-cmr-essentials"


def test_an_edition_id_with_another_year_is_not_applied():
    credit = one(act("e", "eurocmr-2021", date(2025, 5, 12), date(2025, 5, 14), 5, full=True))
    assert credit.accepted == 5
    assert credit.reasons == (
        "catalogue id 'eurocmr-2021' names 2021 but the activity took place in 2025",
        "catalogue id 'eurocmr-2021' is not in the catalogue; counted as claimed")
    assert credit.source_key == "eurocmr-2025"


def test_an_edition_of_a_catalogued_series_uses_the_series_entry():
    credit = one(act("s", "scmr-annual-2025", date(2025, 1, 29), date(2025, 2, 1), 30))
    assert credit.accepted == 24
    assert credit.source_key == "scmr-annual-2025"


def test_uncatalogued_congresses_are_events_per_year_other_kinds_per_title():
    assert source_key(act("a", start=date(2024, 6, 1), title="Heart MR Days")) == "eacvi|heart mr days|2024"
    assert source_key(act("a", kind="online", title="Heart MR Webinar")) == "eacvi|heart mr webinar"


# --- cme_hours: refused claims are no source ------------------------------------------------
def test_refused_claims_do_not_count_as_a_source():
    data = replace(compliant(), cme=(act("ok", credits=25, kind="course", title="Course A"),
                                     act("bad", credits=10, kind="self_directed", title="Reading")))
    result = rule(data, "cme_hours")
    assert (result.status, result.numbers["sources"], result.numbers["have"]) == ("not_met", 1, 25.0)
    assert result.offending == ("bad",)
    assert result.missing == ("CME must come from at least 2 different sources (now 1)",)


def test_two_sources_at_exactly_25_hours_is_met_with_status():
    data = replace(compliant(), cme=(act("a", credits=12.5, kind="course", title="Course A"),
                                     act("b", credits=12.5, kind="course", title="Course B")))
    result = rule(data, "cme_hours")
    assert (result.status, result.numbers["have"], result.numbers["sources"]) == ("met", 25.0, 2)
    assert result.message == "25 CME hours accepted of 25 required, from 2 sources"


def test_the_two_years_before_the_exam_refusal_applies_inside_the_rule():
    old = act("old", credits=20, kind="course", title="Old course", start=date(2023, 11, 6))
    recent = act("new", credits=20, kind="course", title="New course", start=date(2025, 1, 6))
    result = rule(replace(compliant(), cme=(old, recent)), "cme_hours")
    assert (result.status, result.numbers["have"], result.offending) == ("not_met", 20.0, ("old",))
    assert "1 claims refused (old)" in result.message
    on_the_day = replace(old, start_date=date(2023, 11, 7), end_date=date(2023, 11, 7))
    assert rule(replace(compliant(), cme=(on_the_day, recent)), "cme_hours").status == "met"


def test_reduced_claims_are_said_in_the_message():
    data = replace(compliant(), cme=(act("a", credits=20, end=date(2025, 3, 2), title="A"),
                                     act("b", credits=20, kind="course", title="B")))
    result = rule(data, "cme_hours")
    assert result.message == "36 CME hours accepted of 25 required, from 2 sources; 1 claims reduced"
    assert result.numbers["claimed"] == 40.0


def test_cme_credits_judges_the_two_years_before_the_exam():
    old = act("old", start=date(2023, 11, 6), kind="course")
    [credit] = cme_credits([old], SETTINGS, EXAM)
    assert (credit.accepted, credit.reasons) == (0, ("attended more than 2 years before the exam "
                                                     "(ended 2023-11-06, earliest accepted 2023-11-07)",))
    assert cme_credits([old], SETTINGS, None)[0].accepted == 10


@pytest.mark.parametrize("catalog_id, expected", [
    ("eurocmr-2021", ("eurocmr", 2021)), (" EACVI-2023 ", ("eacvi", 2023)), ("scmr-annual", ("scmr-annual", None)),
    ("meeting-1999", ("meeting", 1999)), ("meeting-2100", ("meeting-2100", None)), ("meeting-21", ("meeting-21", None)),
    ("2024", ("2024", None)), ("course-20245", ("course-20245", None)),
])
def test_series_and_year(catalog_id, expected):
    assert series_and_year(catalog_id) == expected


def test_source_key_without_settings_treats_every_catalogued_series_as_yearly():
    claim = act("m", "medmastery-cmr-essentials", date(2024, 1, 10), kind="online")
    assert source_key(claim) == "medmastery-cmr-essentials-2024"
    assert source_key(claim, SETTINGS) == "medmastery-cmr-essentials"


def test_catalogue_entry_of_an_uncatalogued_claim_is_none_without_a_note():
    from cmrnet.rules.cme import catalogue_entry
    assert catalogue_entry(act("a", "  "), SETTINGS) == (None, "")
    entry, note = catalogue_entry(act("a", "ESC-Congress", date(2025, 8, 30)), SETTINGS)
    assert (entry.id, note) == ("esc-congress", "")


def course(aid, credits, **changes):
    return act(aid, credits=credits, title=f"Course {aid}", **{"kind": "course", **changes})


def test_a_source_with_a_single_accepted_credit_is_a_source():
    result = rule(replace(compliant(), cme=(course("a", 24), course("b", 1))), "cme_hours")
    assert (result.status, result.numbers["sources"]) == ("met", 2)


def test_refused_and_reduced_claims_are_counted_apart_in_the_sentence():
    claims = (course("a", 20), course("b", 3, modalities=3), course("c", 5, certificate=""),
              course("d", 5, certificate=""), course("e", 5, kind="self_directed"), course("f", 5, certificate="no"))
    result = rule(replace(compliant(), cme=claims), "cme_hours")
    assert result.message == ("21 CME hours accepted of 25 required, from 2 sources; "
                              "4 claims refused (c, d, e); 1 claims reduced")
    assert result.offending == ("c", "d", "e", "f")
    only_refused = rule(replace(compliant(), cme=(course("a", 20), course("b", 5), course("c", 5, certificate=""))),
                        "cme_hours")
    assert only_refused.message == "25 CME hours accepted of 25 required, from 2 sources; 1 claims refused (c)"


def test_cme_numbers_are_rounded_to_two_decimals_and_the_claims_are_kept():
    ev = evaluation(replace(compliant(), cme=(course("a", 20.125), course("b", 10.375))))
    assert ev.rule("cme_hours").numbers == {"have": 30.5, "need": 25.0, "sources": 2, "claimed": 30.5}
    ev = evaluation(replace(compliant(), cme=(course("a", 20.125), course("b", 10))))
    assert ev.rule("cme_hours").numbers == {"have": 30.12, "need": 25.0, "sources": 2, "claimed": 30.12}
    assert [(c.activity_id, c.accepted) for c in ev.cme] == [("a", Fraction(161, 8)), ("b", 10)]


def test_a_general_meeting_without_catalogued_credits_gives_nothing():
    from cmrnet.rules.ruleset import CatalogueEntry
    entry = CatalogueEntry("radiology-congress", "Radiology Congress", None, False, True, "")
    settings = replace(SETTINGS, catalogue={**SETTINGS.catalogue, "radiology-congress": entry})
    [credit] = assess_claims([act("r", "radiology-congress", credits=12)], settings, EXAM)
    assert (credit.accepted, credit.reasons) == (0, ("Radiology Congress is a general meeting without catalogued "
                                                     "CMR credits",))


def test_exactly_eight_credits_a_day_gives_no_reason():
    assert one(act("c", credits=8)).reasons == ()
    assert one(act("c", credits=8.5)).reasons == ("at most 8 credits per congress day (1 days)",)


def test_an_edition_of_a_series_entry_has_no_note():
    from cmrnet.rules.cme import catalogue_entry
    entry, note = catalogue_entry(act("s", "scmr-annual-2025", date(2025, 1, 29)), SETTINGS)
    assert (entry.id, note) == ("scmr-annual", "")


def test_a_refused_second_claim_of_a_claimed_event_says_it_is_the_same_event():
    """The refused claim keeps its event (source key), so it is named as the second claim of the event
    (mutation survivor, issue 9)."""
    first = act("a", "scmr-annual", date(2025, 1, 29), date(2025, 2, 1), 10)
    refused = act("b", "scmr-annual", date(2025, 1, 30), date(2025, 1, 30), 4, certificate="")
    assert one(refused).source_key == "scmr-annual-2025"
    credits = assess_claims([first, refused], SETTINGS, EXAM)
    assert [c.accepted for c in credits] == [10, 0]
    assert credits[1].reasons == ("the same event is already claimed as a",)


@pytest.mark.parametrize("credits", [1.0, 0.5])
def test_a_first_claim_of_one_credit_or_less_still_claims_its_event(credits):
    first = act("a", "scmr-annual", date(2025, 1, 29), date(2025, 1, 29), credits)
    again = act("b", "scmr-annual", date(2025, 1, 30), date(2025, 1, 30), 6)
    result = assess_claims([first, again], SETTINGS, EXAM)
    assert [(c.activity_id, c.accepted) for c in result] == [("a", Fraction(str(credits))), ("b", 0)]
    assert result[1].reasons == ("the same event is already claimed as a",)
