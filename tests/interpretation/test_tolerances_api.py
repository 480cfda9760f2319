"""The comparison tolerances over the API (as /interpretation/tolerances/): everyone signed in reads them,
a network administrator sets one (audited), and the next submission is compared with it."""

from decimal import Decimal

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.interpretation.models import TOLERANCE_PARAMETERS, ToleranceSetting
from cmrnet.interpretation.selectors import tolerances

URL = "/api/v1/interpretation-tolerances/"
pytestmark = pytest.mark.django_db


def test_everyone_signed_in_reads_the_defaults(client_for, trainee, client):
    assert client.get(URL).status_code == 401
    rows = {r["parameter"]: r for r in client_for(trainee).get(URL).json()}
    assert set(rows) == {p for p, _ in TOLERANCE_PARAMETERS}
    assert rows["lv_ef_pct"] == {"parameter": "lv_ef_pct", "label": rows["lv_ef_pct"]["label"], "absolute": "5.00",
                                 "relative_pct": None, "max_mismatch": None, "site_setting": False}
    assert rows["lv_edv_ml"]["relative_pct"] == "10.00" and rows["lge"]["max_mismatch"] == 1


@pytest.mark.parametrize("role", ["trainee", "mentor", "director", "board_member"])
def test_only_an_administrator_sets_one(client_for, request, role):
    response = client_for(request.getfixturevalue(role)).put(f"{URL}lv_ef_pct/", {"absolute": "3"}, content_type="application/json")
    assert response.status_code == 403 and not ToleranceSetting.objects.exists()


def test_an_administrator_sets_a_tolerance_audited(client_for, admin, trainee):
    client = client_for(admin)
    response = client.put(f"{URL}lv_ef_pct/", {"absolute": "3.5"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["absolute"] == "3.50" and response.json()["site_setting"]
    assert client_for(trainee).get(f"{URL}lv_ef_pct/").json()["absolute"] == "3.50"
    entry = AuditEntry.objects.get(action="interpretation.tolerance_set", actor=admin)
    assert entry.changes["absolute"][0] is None and Decimal(str(entry.changes["absolute"][1])) == Decimal("3.50")
    assert tolerances()["lv_ef_pct"].absolute == Decimal("3.50")


def test_bad_values_name_the_field(client_for, admin):
    client = client_for(admin)
    assert "max_mismatch" in client.put(f"{URL}lge/", {"max_mismatch": -1}, content_type="application/json").json()
    assert "parameter" in client.put(f"{URL}lge/", {}, content_type="application/json").json()
    assert client.put(f"{URL}no_such/", {"absolute": "1"}, content_type="application/json").status_code == 404
    assert "absolute" in client.put(f"{URL}lv_ef_pct/", {"absolute": "-1"}, content_type="application/json").json()
