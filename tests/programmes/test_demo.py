import pytest
from django.utils import timezone

from cmrnet.core.demo import load_demo
from cmrnet.programmes import selectors
from cmrnet.programmes.demo import TITLE
from cmrnet.programmes.models import Cohort, Programme

pytestmark = pytest.mark.django_db


def test_the_demo_programme_meets_the_stipulations_and_enrols_the_demo_trainee_and_loads_twice():
    load_demo()
    load_demo()
    programme = Programme.objects.get(title=TITLE)
    assert programme.enrolment_open
    assert selectors.checklist(programme, today=timezone.localdate()).may_open
    assert list(programme.enrolments.values_list("trainee__email", "status")) == [("trainee@demo.cmrnet.org", "enrolled")]
    assert {c.kind: c.records.count() for c in Cohort.objects.all()} == {"network": 47, "traditional": 50}
