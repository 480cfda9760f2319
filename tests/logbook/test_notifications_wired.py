"""A queried case notifies its trainee with a link to the case."""

from cmrnet.logbook.services import add_case, verify_case
from cmrnet.notifications.models import Kind, Notification
from tests.logbook.factories import case_input


def test_a_queried_case_notifies_the_trainee_with_a_link_to_it(supervised, mentor, day):
    case = add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
    verify_case(by=mentor, case=case, status="queried", comment="Which sequence showed the scar?")
    n = Notification.objects.get(recipient=supervised, kind=Kind.CASE_QUERIED)
    assert n.link == f"/logbook/cases/{case.pk}/edit/" and case.case_id in n.subject and "Max Mentor" in n.subject
    assert "scar" not in n.subject + n.body  # the question stays on the page


def test_a_verified_case_notifies_nobody(supervised, mentor, day):
    case = add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
    verify_case(by=mentor, case=case, status="verified")
    assert not Notification.objects.filter(recipient=supervised).exists()
