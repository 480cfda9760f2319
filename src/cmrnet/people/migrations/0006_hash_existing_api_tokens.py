"""Move DRF's plain-text tokens into ApiToken as digests, and delete the plain text.

A client holding an old key keeps working: its digest is sha256(key), what authentication computes.
"""

import hashlib

from django.db import migrations


def hash_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("people", "ApiToken")
    for token in Token.objects.all().iterator():
        ApiToken.objects.create(user_id=token.user_id, name="token created before hashing",
                                digest=hashlib.sha256(token.key.encode()).hexdigest(), prefix=token.key[:8],
                                created_at=token.created)
    Token.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0005_api_token"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]
