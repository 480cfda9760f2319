"""The audit page's filters offer each value once; the entries of a filter export to formula-safe CSV."""

import csv
import datetime as dt
import io

from cmrnet.audit.models import AuditEntry
from cmrnet.audit.selectors import audit_facets
from cmrnet.audit.services import record
from cmrnet.network.services import create_centre, update_centre


def _centres(admin, n):
    for i in range(n):
        centre = create_centre(by=admin, name=f"Klinikum {i}", city="A", country="DE", beds=500,
                               annual_scan_volume=200, joined_on=dt.date(2010, 1, 1))
        update_centre(by=admin, centre=centre, beds=600)


def test_filter_options_are_distinct(admin):
    _centres(admin, 4)
    facets = audit_facets(admin)
    assert facets["actions"].count("centre.created") == 1 and facets["actions"].count("centre.updated") == 1
    assert facets["object_types"].count("network.centre") == 1
    assert facets["actions"] == sorted(facets["actions"])


def test_the_filter_select_on_the_page_lists_each_action_once(client_for, admin):
    _centres(admin, 3)
    page = client_for(admin).get("/audit/").content.decode()
    assert page.count('<option value="centre.updated"') == 1


def _rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_export_holds_the_filtered_entries_only(client_for, admin):
    _centres(admin, 2)
    response = client_for(admin).get("/audit/export.csv", {"action": "centre.updated"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == ["at", "actor", "action", "object_type", "object_id", "object", "changes", "data"]
    assert [r[2] for r in rows[1:]] == ["centre.updated", "centre.updated"]
    assert rows[1][6] == '{"beds": [500, 600]}'
    assert AuditEntry.objects.filter(action="audit.exported").get().data == {"filters": {"action": "centre.updated"}}


def test_export_neutralises_formulas(client_for, admin):
    record(actor=admin, action="centre.created", object_type="network.centre", object_id="9",
           object_repr='=HYPERLINK("http://evil.example","x")')
    rows = _rows(client_for(admin).get("/audit/export.csv", {"action": "centre.created"}))
    assert rows[1][5].startswith("'=HYPERLINK")


def test_export_shows_only_what_the_person_may_read(client_for, board_member, admin):
    _centres(admin, 1)  # network entries are the administrators'
    response = client_for(board_member).get("/audit/export.csv")
    assert all(r[3] != "network.centre" for r in _rows(response)[1:])


def test_people_without_audit_access_cannot_export(client_for, trainee):
    assert client_for(trainee).get("/audit/export.csv").status_code == 403
