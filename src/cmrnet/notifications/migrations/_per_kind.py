"""The data step of 0003 (kept here so its functions can be imported by the migration and tested)."""

# The kinds as they are at this migration (the results letter is not chosen: it is always e-mailed).
KINDS = ["case_queried", "cases_verified", "cases_waiting", "declaration_to_sign", "grader_assigned",
         "information_requested", "deadline", "other"]


def one_choice_to_every_kind(apps, schema_editor):
    Preference = apps.get_model("notifications", "Preference")
    for pref in list(Preference.objects.all()):
        pref.kind = KINDS[0]
        pref.save(update_fields=["kind"])
        Preference.objects.bulk_create([Preference(person_id=pref.person_id, kind=kind, delivery=pref.delivery)
                                        for kind in KINDS[1:]])


def every_kind_to_one_choice(apps, schema_editor):
    """Back to one row per person: the digest if they chose it for any kind, else at once."""
    Preference = apps.get_model("notifications", "Preference")
    people = set(Preference.objects.values_list("person_id", flat=True))
    digest = set(Preference.objects.filter(delivery="digest").values_list("person_id", flat=True))
    Preference.objects.all().delete()
    Preference.objects.bulk_create([Preference(person_id=p, kind="", delivery="digest" if p in digest else "immediate")
                                    for p in sorted(people)])
