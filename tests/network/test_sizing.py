import datetime as dt

import pytest

from cmrnet.network.sizing import busy_share, centres_per_year, size_class


@pytest.mark.parametrize(("beds", "expected"), [
    (1, "small"), (399, "small"), (400, "medium"), (1000, "medium"), (1001, "large"),
])
def test_size_class_boundaries(beds, expected):
    assert size_class(beds) == expected


def test_centres_per_year_is_cumulative_and_fills_quiet_years():
    joined = [dt.date(2009, 12, 1), dt.date(2009, 12, 31), dt.date(2011, 1, 1)]
    assert centres_per_year(joined) == [(2009, 2), (2010, 2), (2011, 3)]
    assert centres_per_year(joined, until_year=2013) == [(2009, 2), (2010, 2), (2011, 3), (2012, 3), (2013, 3)]
    assert centres_per_year([]) == []


def test_busy_share_counts_strictly_more_than_100_scans():
    assert busy_share([100, 101]) == 0.5
    assert busy_share([100]) == 0.0
    assert busy_share([]) is None
