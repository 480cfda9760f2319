"""Review finding: a typed patient identifier is never echoed back, even when the form has errors."""

import pytest

from cmrnet.logbook.models import Case

pytestmark = pytest.mark.django_db

SECRET = "MRN-SECRET-4242"


def test_the_add_form_with_errors_does_not_echo_the_identifier(supervised, client):
    client.force_login(supervised)
    response = client.post("/logbook/cases/add/", {"study_date": "not-a-date", "patient_identifier": SECRET,
                                                   "category": "mass", "source": "own_centre",
                                                   "role": "primary_operator"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "study_date" in body and "Enter a valid date" in body
    assert SECRET not in body and SECRET.lower() not in body
    assert not Case.objects.exists()


def test_the_edit_form_with_errors_does_not_echo_the_identifier(supervised, mentor, day, client):
    from cmrnet.logbook import services
    from tests.logbook.factories import case_input

    case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
    client.force_login(supervised)
    response = client.post(f"/logbook/cases/{case.pk}/edit/", {"study_date": "", "patient_identifier": SECRET,
                                                                "category": "mass", "source": "own_centre",
                                                                "role": "primary_operator"})
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET not in body and SECRET.lower() not in body
