"""Countries are chosen by name from a list, stored as the ISO code ("Germany" is never cut to "Ge")."""

import datetime as dt

from cmrnet.network.forms import CentreForm, CentreFilterForm
from cmrnet.people.forms import ProfileForm


def _centre_data(**extra):
    return {"name": "Klinikum B", "city": "B", "beds": 500, "annual_scan_volume": 100,
            "joined_on": dt.date(2020, 1, 1).isoformat(), "trainees_trained": 0, **extra}


def test_the_centre_form_offers_countries_by_name_and_stores_the_code(db):
    html = str(CentreForm()["country"])
    assert "<select" in html and '<option value="DE">Germany</option>' in html
    form = CentreForm(data=_centre_data(country="DE"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["country"] == "DE"


def test_a_country_that_does_not_exist_is_refused(db):
    form = CentreForm(data=_centre_data(country="XX"))
    assert not form.is_valid() and "country" in form.errors


def test_the_filter_and_profile_use_the_same_list(db, trainee):
    assert '<option value="" selected>any country</option>' in str(CentreFilterForm()["country"])
    profile = ProfileForm(instance=trainee)
    assert '<option value="FR">France</option>' in str(profile["registration_country"])
