"""Bland-Altman (pure) against an example computed by hand, and the disc-summation volume."""

import pytest

from cmrnet.interpretation.agreement import bland_altman
from cmrnet.interpretation.discs import disc_volume_ml, ejection_fraction, polygon_area_mm2, polygon_area_px


def test_bland_altman_hand_computed_example():
    # trainee vs reference EF: differences 2, -2, 6, -5 -> mean 0.25;
    # squared deviations 3.0625 + 5.0625 + 33.0625 + 27.5625 = 68.75; SD = sqrt(68.75 / 3) = 4.78714;
    # limits 0.25 -/+ 1.96 x 4.78714 = -9.13279 and 9.63279
    result = bland_altman([(52, 50), (48, 50), (61, 55), (40, 45)])
    assert result.n == 4
    assert result.bias == pytest.approx(0.25)
    assert result.sd == pytest.approx(4.78714, abs=1e-5)
    assert result.lower == pytest.approx(-9.13279, abs=1e-5)
    assert result.upper == pytest.approx(9.63279, abs=1e-5)
    assert result.points[2] == (58.0, 6.0)  # (mean of 61 and 55, difference)


def test_bland_altman_one_pair_has_bias_but_no_limits_and_none_for_nothing():
    one = bland_altman([(150, 140)])
    assert (one.bias, one.sd, one.lower, one.upper) == (10.0, None, None, None)
    assert bland_altman([]) is None


def test_identical_measurements_give_zero_bias_and_zero_width():
    result = bland_altman([(100, 100), (80, 80)])
    assert (result.bias, result.sd, result.lower, result.upper) == (0.0, 0.0, 0.0, 0.0)


def test_shoelace_area_of_squares_and_orientation():
    square = [(0, 0), (10, 0), (10, 10), (0, 10)]
    assert polygon_area_px(square) == 100
    assert polygon_area_px(list(reversed(square))) == 100
    assert polygon_area_px(square[:2]) == 0
    assert polygon_area_mm2(square, (1.5, 2.0)) == 300


def test_disc_summation_of_a_cylinder_and_ejection_fraction():
    # ten slices of a 1000 mm² disc, 8 mm apart: 80 ml
    assert disc_volume_ml([1000.0] * 10, 8) == pytest.approx(80)
    with pytest.raises(ValueError):
        disc_volume_ml([1.0], 0)
    assert ejection_fraction(150, 60) == pytest.approx(60)
    with pytest.raises(ValueError):
        ejection_fraction(60, 150)


def test_bland_altman_svg_says_bias_and_limits_in_words():
    from cmrnet.interpretation.charts import bland_altman_svg

    svg = bland_altman_svg(bland_altman([(52, 50), (48, 50), (61, 55), (40, 45)]), title="LV EF", unit="%")
    assert "<title" in svg and "4 readings; bias +0.2 %; limits of agreement -9.1 to 9.6 %" in svg
    assert svg.count('class="point"') == 4 and svg.count('class="loa"') == 2
    single = bland_altman_svg(bland_altman([(150, 140)]), title="EDV", unit="ml")
    assert "no limits with a single reading" in single and 'class="loa"' not in single
