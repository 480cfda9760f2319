import datetime as dt

import pytest
from django.utils import timezone

from tests.logbook.factories import supervise


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def supervised(trainee, mentor, today):
    """The trainee, supervised by the mentor who holds current EACVI Level 3."""
    supervise(trainee, mentor, today=today)
    return trainee


@pytest.fixture
def day(today):
    return today - dt.timedelta(days=30)
