import pytest

from tests.interpretation.stack import make_cine_case
from tests.logbook.factories import supervise


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def supervised(trainee, mentor, today):
    supervise(trainee, mentor, today=today)
    return trainee


@pytest.fixture
def cine_case(db, mentor, centre):
    return make_cine_case(contributor=mentor, centre=centre)
