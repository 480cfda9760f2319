"""Finding 2 (issue 8): the data migration replaces the secrets that old audit entries hold by digests."""

import json

import pytest
from django.utils import timezone
from tests.migration_steps import back_to_the_latest_schema, migrate  # noqa: F401 (autouse fixture)

BEFORE = [("exams", "0002_blueprint_topics")]
AFTER = [("exams", "0003_redact_audit_secrets")]


@pytest.mark.django_db(transaction=True)
def test_old_entries_lose_their_secrets_and_keep_who_and_what():
    from cmrnet.audit.models import AuditEntry

    old_apps = migrate(BEFORE, state_with=[("audit", "0002_initial")])
    Entry = old_apps.get_model("audit", "AuditEntry")
    now = timezone.now()
    created = Entry.objects.create(
        at=now, actor_label="bea@example.org", action="exam_item.created", object_type="exams.item", object_id="7",
        object_repr="CMR-0007", changes={"stem": [None, "Old secret stem"], "key": [None, "B"],
                                         "option_b": [None, "Old right answer"], "topic": [None, "physics"]},
        data={"version": 1})
    rekey = Entry.objects.create(
        at=now, actor_label="bea@example.org", action="sitting.item_rekey", object_type="exams.sitting",
        object_id="3", object_repr="Autumn", changes={},
        data={"item": "Q4", "new_key": "D", "reason": "D per the new guideline"})
    angoff = Entry.objects.create(
        at=now, actor_label="bea@example.org", action="sitting.angoff_rated", object_type="exams.sitting",
        object_id="3", object_repr="Autumn", changes={"41": [None, 0.35]}, data={"n_ratings": 1})
    centre = Entry.objects.create(
        at=now, actor_label="ada@example.org", action="centre.updated", object_type="network.centre", object_id="1",
        object_repr="Klinikum", changes={"beds": [500, 1200]}, data={})
    migrate(AFTER, state_with=[("audit", "0002_initial")])

    stored = json.dumps([[e.changes, e.data] for e in AuditEntry.objects.all()])
    assert "Old secret stem" not in stored and "Old right answer" not in stored
    assert "D per the new guideline" not in stored and "0.35" not in stored
    item = AuditEntry.objects.get(pk=created.pk)
    assert item.changes["key"][1].startswith("hmac-sha256:") and item.changes["topic"] == [None, "physics"]
    assert item.actor_label == "bea@example.org" and item.action == "exam_item.created" and item.data["version"] == 1
    assert item.data["redacted_by"] == "exams.0003_redact_audit_secrets"
    assert AuditEntry.objects.get(pk=rekey.pk).data["item"] == "Q4"
    assert AuditEntry.objects.get(pk=angoff.pk).changes["41"][1].startswith("hmac-sha256:")
    assert AuditEntry.objects.get(pk=centre.pk).changes == {"beds": [500, 1200]}  # not a secret: untouched
    note = AuditEntry.objects.get(action="audit.secrets_redacted")
    assert note.data == {"migration": "exams.0003_redact_audit_secrets", "entries": 3}


@pytest.mark.django_db(transaction=True)
def test_the_migration_digests_as_the_service_does():
    """An auditor can compare a migrated old key with a key recorded after the fix."""
    from cmrnet.audit.models import AuditEntry
    from cmrnet.audit.secrets import digest

    old_apps = migrate(BEFORE, state_with=[("audit", "0002_initial")])
    old_apps.get_model("audit", "AuditEntry").objects.create(
        at=timezone.now(), actor_label="x", action="exam_item.created", object_type="exams.item", object_id="9",
        object_repr="CMR-0009", changes={"key": [None, "E"]}, data={})
    migrate(AFTER, state_with=[("audit", "0002_initial")])
    entry = AuditEntry.objects.get(object_id="9")
    assert entry.changes["key"][1] == digest("E", object_type="exams.item", object_id="9", field="key")
