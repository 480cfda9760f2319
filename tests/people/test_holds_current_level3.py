import datetime as dt

import pytest

from cmrnet.people.selectors import holds_current_level3
from cmrnet.people.services import add_certification, revoke_certification

AWARDED, UNTIL = dt.date(2024, 3, 1), dt.date(2029, 2, 28)


@pytest.fixture
def level3(mentor):
    return add_certification(by=None, holder=mentor, body="EACVI", level=3, awarded_on=AWARDED, valid_until=UNTIL)


@pytest.mark.parametrize(("day", "expected"), [
    (AWARDED - dt.timedelta(days=1), False),  # not before the award date
    (AWARDED, True),
    (UNTIL, True),
    (UNTIL + dt.timedelta(days=1), False),  # expired
])
def test_level3_is_current_from_award_to_expiry_inclusive(mentor, level3, day, expected):
    assert holds_current_level3(mentor, day) is expected


def test_revocation_ends_level3_from_its_date_on(mentor, level3, admin):
    revoke_certification(by=admin, certification=level3, on=dt.date(2026, 1, 10), reason="Falsified logbook")
    assert holds_current_level3(mentor, dt.date(2026, 1, 9)) is True
    assert holds_current_level3(mentor, dt.date(2026, 1, 10)) is False


def test_level2_or_other_person_does_not_count(mentor, trainee):
    add_certification(by=None, holder=trainee, body="SCMR", level=2, awarded_on=AWARDED, valid_until=UNTIL)
    assert holds_current_level3(trainee, dt.date(2025, 1, 1)) is False
    assert holds_current_level3(mentor, dt.date(2025, 1, 1)) is False


def test_scmr_level3_counts_as_well(trainee):
    add_certification(by=None, holder=trainee, body="SCMR", level=3, awarded_on=AWARDED, valid_until=UNTIL)
    assert holds_current_level3(trainee.pk, dt.date(2025, 1, 1)) is True
