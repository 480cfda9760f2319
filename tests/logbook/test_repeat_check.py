"""Issue 13: the repeat-patient warning while the quick-add form is filled in (before adding)."""

import pytest

from cmrnet.logbook import services
from tests.logbook.factories import case_input

pytestmark = pytest.mark.django_db

URL = "/logbook/cases/repeat-check/"


def test_a_known_patient_is_named_before_adding(supervised, mentor, day, client):
    earlier = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="MRN-R1"))
    client.force_login(supervised)
    html = client.post(URL, {"patient_identifier": " mrn-r1 "}, HTTP_HX_REQUEST="true").content.decode()
    assert f"Same patient as case {earlier.case_id} in your logbook" in html
    assert 'id="repeat-warning"' in html
    assert "mrn-r1" not in html.lower()                             # the identifier is never echoed
    assert supervised.logbook_cases.count() == 1                     # a check, nothing written


@pytest.mark.parametrize("data", [{"patient_identifier": "MRN-OTHER"}, {"patient_identifier": ""},
                                  {"patient_identifier": "MRN-R1", "clinical_change": "on"}])
def test_no_warning_for_a_new_patient_an_empty_field_or_a_clinical_change(supervised, mentor, day, client, data):
    services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="MRN-R1"))
    client.force_login(supervised)
    response = client.post(URL, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Same patient" not in response.content.decode()


def test_only_the_trainee_checks_against_their_own_logbook(supervised, mentor, day, client, other_trainee):
    services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="MRN-R1"))
    client.force_login(other_trainee)                                # another trainee: their own (empty) logbook
    assert "Same patient" not in client.post(URL, {"patient_identifier": "MRN-R1"}).content.decode()
    client.force_login(mentor)                                       # keeps no logbook
    assert client.post(URL, {"patient_identifier": "MRN-R1"}).status_code == 403
    client.logout()
    assert client.post(URL, {"patient_identifier": "MRN-R1"}).status_code == 302
    client.force_login(supervised)
    assert client.get(URL).status_code == 405                        # never a GET (no identifier in a URL)


def test_the_quick_add_field_checks_on_leaving_and_is_described_by_the_warning(supervised, client):
    client.force_login(supervised)
    html = client.get("/logbook/").content.decode()
    assert f'hx-post="{URL}"' in html and 'hx-trigger="blur changed"' in html
    assert 'aria-describedby="id_patient_identifier_help repeat-warning"' in html
