"""Issue 8, finding 2: audit entries written before secrets were digested held item stems, options, keys,
explanations, re-keys and standard-setting judgements. Replace each such value by its digest (the same
digest `audit.services.record` now writes), mark the entry, and record one entry saying so.

This is the only rewrite of audit rows there is; it removes secrets and keeps who, when and what.
"""

from django.db import migrations
from django.utils import timezone

MIGRATION = "exams.0003_redact_audit_secrets"


def redact_existing(apps, schema_editor):
    from cmrnet.audit.secrets import redact
    from cmrnet.exams.audit_rules import SECRET_RULES

    AuditEntry = apps.get_model("audit", "AuditEntry")
    rewritten = 0
    entries = AuditEntry.objects.filter(object_type__in={rule.object_type for rule in SECRET_RULES})
    for entry in entries.iterator():
        changes, data, count = redact(object_type=entry.object_type, object_id=entry.object_id, action=entry.action,
                                      changes=entry.changes or {}, data=entry.data or {}, rules=SECRET_RULES)
        if count:
            AuditEntry.objects.filter(pk=entry.pk).update(changes=changes, data={**data, "redacted_by": MIGRATION})
            rewritten += 1
    if rewritten:
        AuditEntry.objects.create(at=timezone.now(), actor=None, actor_label="system", action="audit.secrets_redacted",
                                  object_type="audit.auditentry", object_id="", object_repr=f"{rewritten} entries",
                                  changes={}, data={"migration": MIGRATION, "entries": rewritten})


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0002_blueprint_topics"),
        ("audit", "0002_initial"),
    ]

    operations = [migrations.RunPython(redact_existing, migrations.RunPython.noop)]
