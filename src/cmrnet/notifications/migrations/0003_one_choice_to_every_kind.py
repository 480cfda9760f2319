"""Data only, in its own transaction (PostgreSQL refuses to ALTER a table with pending FK checks)."""

from django.db import migrations

from cmrnet.notifications.migrations._per_kind import every_kind_to_one_choice, one_choice_to_every_kind


class Migration(migrations.Migration):

    dependencies = [("notifications", "0002_per_kind_preferences")]

    operations = [migrations.RunPython(one_choice_to_every_kind, every_kind_to_one_choice)]
