"""Finding 11: the centres API applies the centre form's rules (country code, known field strengths)."""

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.network.models import Centre

VALID = {"name": "New Heart Centre", "city": "Lyon", "country": "fr", "beds": 600, "annual_scan_volume": 300,
         "joined_on": "2020-01-01", "field_strengths": ["3T", "1.5T"]}


def post(client, **changes):
    return client.post("/api/v1/centres/", {**VALID, **changes}, content_type="application/json")


def test_a_valid_centre_is_stored_as_the_form_would_store_it(client_for, admin):
    response = post(client_for(admin))
    assert response.status_code == 201, response.content
    centre = Centre.objects.get(name="New Heart Centre")
    assert centre.country == "FR" and centre.field_strengths == ["1.5T", "3T"]
    assert AuditEntry.objects.filter(action="centre.created").count() == 1


@pytest.mark.parametrize("country", ["France", "F", "12", "ÉÉ", ""])
def test_a_country_that_is_not_a_two_letter_code_is_refused(client_for, admin, country):
    response = post(client_for(admin), country=country)
    assert response.status_code == 400
    assert "country" in response.json()
    assert not Centre.objects.filter(name="New Heart Centre").exists()


@pytest.mark.parametrize("strengths", [["7T"], "3T", [3], ["1.5T", {"x": 1}], [None]])
def test_unknown_field_strengths_are_refused(client_for, admin, strengths):
    response = post(client_for(admin), field_strengths=strengths)
    assert response.status_code == 400
    assert "field_strengths" in response.json()
    assert not Centre.objects.filter(name="New Heart Centre").exists()


def test_an_update_through_the_api_is_checked_too(client_for, admin, centre):
    client = client_for(admin)
    response = client.patch(f"/api/v1/centres/{centre.pk}/", {"field_strengths": ["9.4T"], "country": "Germany"},
                            content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"field_strengths", "country"}
    centre.refresh_from_db()
    assert centre.country == "DE" and centre.field_strengths == []


def test_the_service_refuses_what_the_api_and_form_refuse(admin):
    from django.core.exceptions import ValidationError

    from cmrnet.network import services

    with pytest.raises(ValidationError) as error:
        services.create_centre(by=admin, name="X", city="Y", country="Deutschland", beds=10,
                               joined_on="2020-01-01", field_strengths=["7T"])
    assert set(error.value.message_dict) == {"country", "field_strengths"}


def test_the_form_gives_the_same_message(client_for, admin):
    response = client_for(admin).post("/network/centres/new/", {**VALID, "country": "France", "field_strengths": ["3T"]})
    assert "Use the two-letter ISO country code, e.g. DE." in response.content.decode()
