"""Seed the syllabus topics with the published blueprint shares (idempotent: update_or_create)."""

from django.db import migrations

BLUEPRINT = [
    ("physics", "Physics, safety, methods and anatomy", 15, 25),
    ("ischaemic", "Ischaemic heart disease", 15, 25),
    ("non-ischaemic", "Non-ischaemic cardiomyopathies", 15, 25),
    ("masses", "Cardiac masses", 5, 10),
    ("pericardium", "Pericardium", 5, 10),
    ("valves", "Valvular heart disease", 5, 10),
    ("congenital", "Congenital heart disease", 10, 15),
    ("vascular", "Vascular disease", 2, 5),
    ("extracardiac", "Extracardiac findings", 2, 5),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("exams", "Topic")
    for order, (code, name, lo, hi) in enumerate(BLUEPRINT, start=1):
        Topic.objects.update_or_create(code=code, defaults={"name": name, "min_percent": lo, "max_percent": hi,
                                                            "order": order})


class Migration(migrations.Migration):
    dependencies = [("exams", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
