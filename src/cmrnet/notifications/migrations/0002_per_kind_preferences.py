"""One e-mail choice per person and kind of notification (issue 13), instead of one for everything.

The row each person had (their one choice) becomes the choice for every kind (0003), so nobody's e-mails
change.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KIND_CHOICES = [("case_queried", "Case queried"), ("cases_verified", "Cases verified"),
                ("cases_waiting", "Cases waiting for verification"),
                ("declaration_to_sign", "Declaration waiting for signature"),
                ("grader_assigned", "Application assigned for grading"),
                ("information_requested", "Information requested"), ("results_released", "Results released"),
                ("deadline", "Deadline approaching"), ("other", "Other")]


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="preference", name="kind",
            field=models.CharField(choices=KIND_CHOICES, default="", max_length=32), preserve_default=False),
        migrations.AlterField(
            model_name="preference", name="person",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="notification_preferences", to=settings.AUTH_USER_MODEL)),
    ]
