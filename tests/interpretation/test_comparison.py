"""The report comparison (pure): every boundary of every tolerance kind, no database."""

from decimal import Decimal

import pytest

from cmrnet.interpretation.comparison import (
    AGREE, DIFFER, MISSING, NO_REFERENCE, Tolerance, compare_choice, compare_number, compare_reports,
    compare_lge, compare_segments, compare_wall_motion, summary,
)

EF = Tolerance(absolute=Decimal("5"))
VOL = Tolerance(relative=Decimal("0.10"))


@pytest.mark.parametrize(("trainee", "status"), [
    (55, AGREE), (45, AGREE), ("55.0", AGREE),          # exactly 5 points either side
    (55.1, DIFFER), (44.9, DIFFER), (50, AGREE),
])
def test_ef_within_five_points_inclusive(trainee, status):
    assert compare_number("lv_ef_pct", "LV EF", "%", trainee, 50, EF).status == status


@pytest.mark.parametrize(("trainee", "reference", "status"), [
    (165, 150, AGREE), (135, 150, AGREE),                # exactly 10 % of 150
    (165.1, 150, DIFFER), (134.9, 150, DIFFER),
    (33, 30, AGREE), (27, 30, AGREE),                    # 0.1 * 30 is 3.0000000000000004 in floats; exact here
    (33.01, 30, DIFFER),
])
def test_volume_within_ten_percent_of_the_reference_inclusive(trainee, reference, status):
    assert compare_number("lv_edv_ml", "LV EDV", "ml", trainee, reference, VOL).status == status


def test_relative_tolerance_is_of_the_reference_not_of_the_trainee():
    # 100 vs reference 110: 9.1 % of the reference -> agree; 110 vs reference 100: 10 % -> agree;
    # 111 vs 100 -> differ, while 100 vs 111 is 9.9 % of 111 -> agree
    assert compare_number("x", "x", "ml", 111, 100, VOL).status == DIFFER
    assert compare_number("x", "x", "ml", 100, 111, VOL).status == AGREE


def test_difference_is_signed_and_shows_percent_for_volumes():
    result = compare_number("lv_edv_ml", "LV EDV", "ml", 160, 150, VOL)
    assert result.difference == "+10 ml (+6.7 %)"
    assert result.tolerance == "± 10 %"
    assert compare_number("lv_ef_pct", "LV EF", "%", 47, 50, EF).difference == "-3 points"


def test_missing_trainee_value_and_missing_reference():
    assert compare_number("x", "x", "ml", None, 100, VOL).status == MISSING
    assert compare_number("x", "x", "ml", "", 100, VOL).status == MISSING
    assert compare_number("x", "x", "ml", 100, None, VOL).status == NO_REFERENCE
    assert compare_number("x", "x", "ml", "abc", 100, VOL).status == MISSING


def test_zero_reference_with_relative_tolerance_needs_equality():
    assert compare_number("x", "x", "ml", 0, 0, VOL).status == AGREE
    assert compare_number("x", "x", "ml", 1, 0, VOL).status == DIFFER


def test_either_absolute_or_relative_suffices_when_both_are_set():
    both = Tolerance(absolute=Decimal("3"), relative=Decimal("0.05"))
    assert compare_number("x", "x", "g", 103, 100, both).status == AGREE      # absolute holds
    assert compare_number("x", "x", "g", 210, 200, both).status == AGREE      # relative holds (5 % of 200)
    assert compare_number("x", "x", "g", 106, 100, both).status == DIFFER     # neither (6 > 3, 6 % > 5 %)


def test_no_tolerance_means_exact():
    assert compare_number("x", "x", "ml", 100, 100, Tolerance()).status == AGREE
    assert compare_number("x", "x", "ml", 100.5, 100, Tolerance()).status == DIFFER


@pytest.mark.parametrize(("trainee", "status", "missed", "extra"), [
    ([1, 2, 7], AGREE, [], []),
    ([1, 2], AGREE, [7], []),            # one missed: exactly at the limit of 1
    ([1, 2, 7, 8], AGREE, [], [8]),      # one extra
    ([1], DIFFER, [2, 7], []),           # two missed
    ([1, 2, 8], DIFFER, [7], [8]),       # one missed + one extra = 2
])
def test_segment_agreement_counts_missed_and_extra_segments(trainee, status, missed, extra):
    result = compare_segments("perfusion_defects", "Perfusion", trainee, [1, 2, 7], Tolerance(max_mismatch=1))
    assert (result.status, result.details["missed"], result.details["extra"]) == (status, missed, extra)


def test_no_segment_is_an_answer_and_none_is_not():
    assert compare_segments("lge_segments", "LGE", [], [], Tolerance(max_mismatch=0)).status == AGREE
    assert compare_segments("lge_segments", "LGE", None, [], Tolerance(max_mismatch=0)).status == MISSING
    assert compare_segments("lge_segments", "LGE", [3], [], Tolerance(max_mismatch=0)).status == DIFFER


def test_segment_outside_the_aha_model_is_refused():
    with pytest.raises(ValueError, match="18"):
        compare_segments("lge_segments", "LGE", [18], [1], Tolerance(max_mismatch=1))


def test_wall_motion_counts_segments_graded_differently_or_left_out():
    ref = {1: "normal", 2: "hypokinetic", 3: "akinetic"}
    assert compare_wall_motion({1: "normal", 2: "hypokinetic", 3: "akinetic"}, ref, Tolerance(max_mismatch=0)).status == AGREE
    result = compare_wall_motion({"1": "normal", "2": "normal"}, ref, Tolerance(max_mismatch=1))
    assert result.status == DIFFER and result.details["differing"] == [2, 3]
    assert compare_wall_motion({"1": "normal", "2": "normal"}, ref, Tolerance(max_mismatch=2)).status == AGREE


def test_diagnosis_match_ignores_case_and_spacing_only():
    assert compare_choice("diagnosis", "Dx", " Dilated  cardiomyopathy", "dilated cardiomyopathy").status == AGREE
    assert compare_choice("diagnosis", "Dx", "Myocarditis", "Dilated cardiomyopathy").status == DIFFER
    assert compare_choice("diagnosis", "Dx", "", "Dilated cardiomyopathy").status == MISSING


def test_lge_segments_then_pattern_in_the_shared_segments():
    ref = {"7": "transmural", "8": "transmural", "13": "subendocardial"}
    segments, pattern = compare_lge({"7": "transmural", "8": "mid_wall"}, ref, Tolerance(max_mismatch=1),
                                    Tolerance(max_mismatch=0))
    assert (segments.status, segments.details["missed"]) == (AGREE, [13])
    assert (pattern.status, pattern.details["differing"]) == (DIFFER, [8])
    segments, pattern = compare_lge({}, {}, Tolerance(max_mismatch=0), Tolerance(max_mismatch=0))
    assert segments.status == AGREE and pattern.status == NO_REFERENCE   # no LGE: no pattern to compare
    assert compare_lge(None, ref, Tolerance(), Tolerance())[0].status == MISSING


def test_compare_reports_uses_defaults_and_site_overrides():
    reference = {"lv_ef_pct": 50, "lv_edv_ml": 150, "lge": {}, "final_diagnosis": "Normal"}
    trainee = {"lv_ef_pct": 57, "lv_edv_ml": 150, "lge": {}, "final_diagnosis": "normal"}
    results = {r.field: r for r in compare_reports(trainee, reference)}
    assert results["lv_ef_pct"].status == DIFFER and results["lv_edv_ml"].status == AGREE
    assert results["rv_edv_ml"].status == NO_REFERENCE
    loose = compare_reports(trainee, reference, {"lv_ef_pct": Tolerance(absolute=Decimal("8"))})
    assert {r.field: r.status for r in loose}["lv_ef_pct"] == AGREE
    assert summary(list(results.values())) == {
        "agree": 3, "differ": 1, "missing": 0, "assessed": 4}
