"""The certification committee's CME figure (cme.csv accepted_hours / accepted_reason, optional columns)."""

from datetime import date
from fractions import Fraction

from cmrnet import rules
from cmrnet.rules.model import CmeActivity

SETTINGS = rules.load_ruleset("eacvi-2025").cme


def claim(**extra):
    values = dict(activity_id="A1", title="EuroCMR", provider="EACVI", kind="congress", start_date=date(2021, 5, 6),
                  end_date=date(2021, 5, 8), credits=5, certificate="yes", catalog_id="eurocmr-2021",
                  full_attendance=True)
    values.update(extra)
    return CmeActivity(**values)


def test_the_committee_figure_replaces_the_catalogue_grant():
    assert rules.accepted_credits(claim(), SETTINGS, None).accepted == 18
    credit = rules.accepted_credits(claim(accepted_hours=4.5, accepted_reason="CMR track only"), SETTINGS, None)
    assert credit.accepted == Fraction(9, 2) and credit.claimed == 5
    assert credit.reasons == ("certification committee accepted 4.5 h (claimed 5): CMR track only",)


def test_zero_is_a_figure_and_none_is_no_figure():
    assert rules.accepted_credits(claim(accepted_hours=0.0), SETTINGS, None).accepted == 0
    assert rules.accepted_credits(claim(accepted_hours=None), SETTINGS, None).accepted == 18


def test_the_refusals_and_the_daily_cap_still_apply():
    refused = rules.accepted_credits(claim(accepted_hours=3, certificate=""), SETTINGS, None)
    assert refused.accepted == 0 and refused.reasons == ("no attendance certificate",)
    capped = rules.accepted_credits(claim(accepted_hours=30), SETTINGS, None)
    assert capped.accepted == 24   # 8 per congress day, 3 days


def test_the_columns_round_trip_and_are_only_written_when_used(tmp_path):
    data = rules.ApplicationData(candidate=rules.Candidate(), cme=(claim(accepted_hours=0.0, accepted_reason="x, y"),
                                                                   claim(activity_id="A2")))
    rules.write_package(tmp_path / "with", data)
    header = (tmp_path / "with" / "cme.csv").read_text().splitlines()[0]
    assert header.endswith("certificate,full_attendance,accepted_hours,accepted_reason")
    back = rules.read_package(tmp_path / "with").cme
    assert [(a.accepted_hours, a.accepted_reason) for a in back] == [(0.0, "x, y"), (None, "")]
    rules.write_package(tmp_path / "without", rules.ApplicationData(candidate=rules.Candidate(), cme=(claim(),)))
    assert "accepted_hours" not in (tmp_path / "without" / "cme.csv").read_text()


def test_a_figure_without_a_reason_says_only_the_figure_and_keeps_the_claims_id_and_event():
    """Mutation survivors (issue 9): the reason's empty case, the credit's id and event key."""
    credit = rules.accepted_credits(claim(accepted_hours=4.5, accepted_reason="  "), SETTINGS, None)
    assert credit.reasons == ("certification committee accepted 4.5 h (claimed 5)",)
    assert (credit.activity_id, credit.source_key) == ("A1", "eurocmr-2021")


def test_a_second_claim_of_an_event_with_a_committee_figure_is_still_the_same_event():
    first = claim(activity_id="A1", accepted_hours=3)
    again = claim(activity_id="A2", start_date=date(2021, 5, 7), accepted_hours=2)
    credits = rules.assess_claims([first, again], SETTINGS, None)
    assert [(c.activity_id, c.accepted) for c in credits] == [("A1", 3), ("A2", 0)]
    assert credits[1].reasons == ("the same event is already claimed as A1",)
