"""The e-mail choices of issue 13: at once, daily digest, or off (never off for the kinds that ask the person
to act before a date); one row per person and kind."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("notifications", "0003_one_choice_to_every_kind")]

    operations = [
        migrations.AlterField(
            model_name="preference", name="delivery",
            field=models.CharField(choices=[("immediate", "At once"), ("digest", "In the daily digest"),
                                            ("off", "No e-mail")], default="immediate", max_length=10)),
        migrations.AddConstraint(
            model_name="preference",
            constraint=models.UniqueConstraint(fields=("person", "kind"), name="one_preference_per_person_and_kind")),
        migrations.AddConstraint(
            model_name="preference",
            constraint=models.CheckConstraint(condition=~models.Q(("delivery", "off"),
                                                                  ("kind__in", ["deadline", "information_requested"])),
                                              name="required_kinds_never_off")),
    ]
