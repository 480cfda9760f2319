import datetime as dt

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.network.services import create_centre, update_centre
from cmrnet.people.services import add_certification, grant_role, revoke_role, update_profile


def _centre(admin, **extra):
    values = dict(name="Klinikum A", city="A", country="DE", beds=500, annual_scan_volume=200, joined_on=dt.date(2010, 1, 1))
    return create_centre(by=admin, **{**values, **extra})


def test_centre_update_records_who_and_old_to_new(admin):
    centre = _centre(admin)
    update_centre(by=admin, centre=centre, beds=1200)
    entry = AuditEntry.objects.filter(action="centre.updated").get()
    assert entry.actor == admin and entry.actor_label == admin.email
    assert entry.changes == {"beds": [500, 1200]}
    assert entry.object_id == str(centre.pk)


def test_an_update_that_changes_nothing_writes_no_entry(admin):
    centre = _centre(admin)
    update_centre(by=admin, centre=centre, beds=500)
    assert not AuditEntry.objects.filter(action="centre.updated").exists()


def test_roles_profiles_and_certifications_are_audited(admin, trainee):
    grant_role(by=admin, person=trainee, role="grader")
    revoke_role(by=admin, person=trainee, role="grader")
    update_profile(by=trainee, person=trainee, registration_number="DE-42")
    add_certification(by=admin, holder=trainee, body="EACVI", level=2, awarded_on=dt.date(2024, 1, 1), valid_until=dt.date(2029, 1, 1))
    actions = list(AuditEntry.objects.filter(object_id=str(trainee.pk), object_type="people.user").values_list("action", flat=True))
    assert {"role.granted", "role.revoked", "person.updated"} <= set(actions)
    assert AuditEntry.objects.get(action="person.updated").changes == {"registration_number": ["", "DE-42"]}
    cert = AuditEntry.objects.get(action="certification.added")
    assert cert.changes["level"] == [None, 2] and cert.data["holder_id"] == trainee.pk


def test_entries_can_be_neither_edited_nor_deleted(admin):
    _centre(admin)
    entry = AuditEntry.objects.first()
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(action="x")
    assert AuditEntry.objects.get(pk=entry.pk).action == "centre.created"


def test_audit_page_filters_by_action(client_for, admin):
    _centre(admin)
    _centre(admin, name="Klinikum B")
    update_centre(by=admin, centre=_centre(admin, name="Klinikum C"), beds=2000)
    page = client_for(admin).get("/audit/", {"action": "centre.updated"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Klinikum C" in body and "Klinikum B" not in body
