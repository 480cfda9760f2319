"""The SCMR stipulation checklist as pure functions: each item at its boundary (no database)."""

from dataclasses import replace
from fractions import Fraction
from datetime import date

from cmrnet.programmes import checklist as cl
from cmrnet.programmes import progress
from cmrnet.rules.model import SupervisorCert

START, END, TODAY = date(2026, 3, 2), date(2026, 6, 30), date(2026, 1, 15)
ALL = tuple(cl.REQUIRED_CATEGORIES)


def cert(valid_until=date(2028, 1, 1), body="SCMR", level=3, revoked_on=None):
    return SupervisorCert("lead", body, level, date(2018, 1, 1), valid_until, revoked_on)


def complete(**changes) -> cl.ProgrammeFacts:
    facts = cl.ProgrammeFacts(
        title="Virtual CMR", starts_on=START, ends_on=END, delivery_mode="virtual", modules=2, objectives=5,
        modules_cover_safety=True, lead_name="Prof Lead", lead_certs=(cert(),), host_centre="Heart Centre",
        host_trainees_recorded=3, sessions=(
            cl.SessionFact("didactic_live"), cl.SessionFact("scan_observation"), cl.SessionFact("planning"),
            cl.SessionFact("interpretation", reading_set=7, case_categories=ALL, has_mentor=True)),
        stress_in_person=True, devices_in_person=True, in_person_below_level=2,
        video_equipment_statement="Diagnostic monitors, DICOM GSDF", privacy_statement="De-identified; DPA signed",
        scmr_feedback_arrangement="End survey exported to SCMR")
    return replace(facts, **changes)


def item(facts, item_id, today=TODAY):
    return cl.evaluate_checklist(facts, today=today).item(item_id)


def test_a_complete_programme_may_open_and_the_optional_scmr_review_does_not_block():
    result = cl.evaluate_checklist(complete(), today=TODAY)
    assert result.may_open
    assert result.missing == []
    assert result.item("scmr_review").status == cl.UNMET and not result.item("scmr_review").mandatory


def test_lead_level3_expiring_the_day_before_the_start_is_not_enough_and_on_the_start_day_is():
    day_before = item(complete(lead_certs=(cert(valid_until=date(2026, 3, 1)),)), "lead")
    assert day_before.status == cl.UNMET
    assert "not current on 2026-03-02 (last valid day 2026-03-01)" in day_before.evidence
    on_start = item(complete(lead_certs=(cert(valid_until=START),)), "lead")
    assert on_start.status == cl.MET
    assert "before the programme ends" in on_start.evidence


def test_lead_level3_revoked_on_the_start_day_fails_and_eacvi_level3_counts_but_level2_does_not():
    assert item(complete(lead_certs=(cert(revoked_on=START),)), "lead").status == cl.UNMET
    assert item(complete(lead_certs=(cert(body="EACVI"),)), "lead").status == cl.MET
    assert item(complete(lead_certs=(cert(level=2),)), "lead").status == cl.UNMET


def test_a_running_programme_also_needs_the_lead_current_today():
    facts = complete(lead_certs=(cert(valid_until=date(2026, 4, 1)),))
    assert item(facts, "lead", today=date(2026, 4, 1)).status == cl.MET
    assert item(facts, "lead", today=date(2026, 4, 2)).status == cl.UNMET


def test_an_equivalent_expert_needs_evidence():
    no_cert = complete(lead_certs=())
    assert item(replace(no_cert, lead_equivalent_expert=True), "lead").status == cl.UNMET
    assert item(replace(no_cert, lead_equivalent_expert=True, lead_equivalent_evidence=True), "lead").status == cl.MET


def test_track_record_recorded_or_declared_with_a_document():
    none = complete(host_trainees_recorded=0)
    assert item(none, "track_record").status == cl.UNMET
    assert item(replace(none, host_trainees_declared=12), "track_record").status == cl.UNMET
    assert item(replace(none, host_trainees_declared=12, training_record_document=True), "track_record").status == cl.MET
    assert item(complete(host_trainees_recorded=1), "track_record").status == cl.MET


def test_didactic_needs_a_live_lecture_or_a_recorded_one_with_its_video_and_cancelled_ones_do_not_count():
    others = (cl.SessionFact("scan_observation"),)
    assert item(complete(sessions=others), "didactic").status == cl.UNMET
    assert item(complete(sessions=others + (cl.SessionFact("recorded_lecture"),)), "didactic").status == cl.UNMET
    assert item(complete(sessions=others + (cl.SessionFact("recorded_lecture", has_video=True),)), "didactic").status == cl.MET
    assert item(complete(sessions=(cl.SessionFact("didactic_live", cancelled=True),)), "didactic").status == cl.UNMET


def test_console_and_planning():
    assert item(complete(sessions=(cl.SessionFact("planning"),)), "console").status == cl.UNMET
    assert item(complete(sessions=(cl.SessionFact("planning"),)), "planning").status == cl.MET
    assert item(complete(sessions=(cl.SessionFact("scan_observation"),)), "planning").status == cl.MET
    assert item(complete(sessions=(cl.SessionFact("didactic_live"),)), "planning").status == cl.UNMET


def test_interpretation_is_counted_from_reading_sets_with_a_mentor_covering_every_category():
    six = ALL[:-1]
    missing_mass = item(complete(sessions=(cl.SessionFact("interpretation", reading_set=6, case_categories=six,
                                                          has_mentor=True),)), "interpretation")
    assert missing_mass.status == cl.UNMET
    assert missing_mass.missing == ("cover in the reading sets: mass",)
    split = (cl.SessionFact("interpretation", reading_set=6, case_categories=six, has_mentor=True, reviewed=3),
             cl.SessionFact("interpretation", reading_set=1, case_categories=("mass",), has_mentor=True))
    both = item(complete(sessions=split), "interpretation")
    assert both.status == cl.MET
    assert both.evidence == ("2 interpretation sessions with a mentor and a reading set of 7 library cases covering 7 of 7 "
                             "categories; 3 readings reviewed by the mentors so far")
    no_mentor = (cl.SessionFact("interpretation", reading_set=7, case_categories=ALL, has_mentor=False),)
    assert item(complete(sessions=no_mentor), "interpretation").status == cl.UNMET
    no_cases = item(complete(sessions=(cl.SessionFact("interpretation", has_mentor=True),)), "interpretation")
    assert no_cases.status == cl.UNMET and no_cases.missing[0].startswith("link a reading set from the case library")
    cancelled = (cl.SessionFact("interpretation", reading_set=7, case_categories=ALL, has_mentor=True, cancelled=True),)
    assert item(complete(sessions=cancelled), "interpretation").status == cl.UNMET


def test_safety_needs_content_and_both_in_person_components():
    assert item(complete(stress_in_person=False), "safety").status == cl.UNMET
    assert item(complete(devices_in_person=False), "safety").status == cl.UNMET
    assert item(complete(modules_cover_safety=False), "safety").status == cl.UNMET
    with_session = complete(modules_cover_safety=False, sessions=complete().sessions + (cl.SessionFact("didactic_live", covers_safety=True),))
    assert item(with_session, "safety").status == cl.MET


def test_statements_are_required_for_virtual_and_blended_but_not_for_in_person_programmes():
    blank = complete(video_equipment_statement="  ", privacy_statement="", delivery_mode="blended")
    result = cl.evaluate_checklist(blank, today=TODAY)
    assert not result.may_open
    assert result.missing == ["write the video equipment statement", "write the patient-privacy statement"]
    in_person = cl.evaluate_checklist(replace(blank, delivery_mode="in_person"), today=TODAY)
    assert in_person.item("video").status == cl.NOT_APPLICABLE and in_person.may_open


def test_scmr_review_counts_from_its_date():
    facts = complete(scmr_verified_on=date(2026, 1, 16), scmr_reference="SCMR-VT-7")
    assert item(facts, "scmr_review").status == cl.UNMET
    assert item(facts, "scmr_review", today=date(2026, 1, 16)).status == cl.MET


def test_watched_89_percent_is_not_attended_and_90_is():
    assert not progress.watched_enough(89, 100)
    assert progress.watched_enough(90, 100)
    assert not progress.watched_enough(1619, 1800)    # 89.94 %
    assert progress.watched_enough(1620, 1800)        # 90 %
    assert not progress.watched_enough(100, None)


def test_watched_seconds_are_distinct_and_clipped_to_the_recording():
    merged = progress.merge([[0, 30], [20, 50], [40, 45], [90, 200]], length=100)
    assert merged == [(0, 50), (90, 100)]
    assert progress.seconds_covered(merged) == 60
    assert progress.merge([[10, 10], [-5, 3]], length=100) == [(0, 3)]


def test_a_small_group_of_four_refuses_the_fifth():
    assert progress.seat_refusal(seated=3, cap=4, already_seated=False) is None
    assert progress.seat_refusal(seated=4, cap=4, already_seated=False) == "This small group is full (4 trainees per mentor)."
    assert progress.seat_refusal(seated=4, cap=4, already_seated=True) is None
    assert progress.seat_refusal(seated=40, cap=None, already_seated=False) is None


def test_live_presence_counts_from_three_quarters_of_the_session():
    assert progress.present_enough(45, 60)
    assert not progress.present_enough(44, 60)
    assert not progress.present_enough(0, 0)


# --------------------------------------------------------------------------- outcomes and surveys (pure)
from cmrnet.programmes import outcomes as oc  # noqa: E402


def test_outcome_summary_medians_and_the_share_over_one_month():
    people = [oc.Participant(off_site_days=35, days_to_first_own_scan=d, surveyed=True) for d in (5, 7, 7, 9)]
    s = oc.summarise(people)
    assert (s.off_site_weeks_median, s.first_scan_days_median, s.first_scan_weeks_median) == (5.0, 7.0, 1.0)
    traditional = [oc.Participant(days_to_first_own_scan=d) for d in [31] * 16 + [30] * 34]
    t = oc.summarise(traditional)
    assert (t.first_scan_over_month, t.first_scan_known, t.first_scan_over_month_percent) == (16, 50, 32)
    assert oc.first_scan_distribution(traditional) == [("<= 1 week", 0), ("1-2 weeks", 0), ("2-4 weeks", 34), ("> 1 month", 16)]


def test_survey_results_hide_below_the_minimum_group_size():
    four = oc.aggregate("Useful?", "likert", likert=[5, 4, 4, 3], texts=[], min_group=5)
    assert not four.shown and four.mean is None and four.responses == 4
    five = oc.aggregate("Useful?", "likert", likert=[5, 4, 4, 3, 1], texts=[], min_group=5)
    assert five.shown and five.mean == Fraction(17, 5) and five.distribution == (1, 0, 1, 2, 1)
    texts = oc.aggregate("Comments", "text", likert=[], texts=["b", "a", " ", "c", "e", "d"], min_group=5)
    assert texts.shown and texts.texts == ("a", "b", "c", "d", "e")
