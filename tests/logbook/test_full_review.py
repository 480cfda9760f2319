"""A course case records whether the course reviewed the trainee's report in full; the rule engine reads it."""

import pytest

from cmrnet.logbook import selectors, services
from tests.logbook.factories import case_input

pytestmark = pytest.mark.django_db


def test_full_review_reaches_the_rule_engine_and_a_form_edit_keeps_it(supervised, mentor, day):
    case = services.add_case(by=supervised, trainee=supervised, data=case_input(
        mentor, day=day, source="course", course_id="LIB-7", full_review=True))
    assert selectors.rules_case(case).full_review is True
    # an edit that does not speak of the review (the logbook form) keeps it
    services.update_case(by=supervised, case=case, data=case_input(mentor, day=day, source="course", course_id="LIB-7"))
    case.refresh_from_db()
    assert case.full_review is True


def test_a_case_that_stops_being_a_course_case_loses_the_review(supervised, mentor, day):
    case = services.add_case(by=supervised, trainee=supervised, data=case_input(
        mentor, day=day, source="course", course_id="LIB-7", full_review=False))
    assert selectors.rules_case(case).full_review is False
    services.update_case(by=supervised, case=case, data=case_input(mentor, day=day))
    case.refresh_from_db()
    assert (case.full_review, case.course_id) == (None, "")


def test_recording_the_review_changes_the_logbook_version(supervised, mentor, day):
    case = services.add_case(by=supervised, trainee=supervised, data=case_input(
        mentor, day=day, source="course", course_id="LIB-7"))
    before = selectors.logbook_version(supervised)
    services.update_case(by=supervised, case=case, data=case_input(
        mentor, day=day, source="course", course_id="LIB-7", full_review=True))
    assert selectors.logbook_version(supervised) != before
