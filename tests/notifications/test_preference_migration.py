"""Issue 13: the migration to per-kind choices keeps each person's one old choice for every kind."""

import pytest
from tests.migration_steps import back_to_the_latest_schema, migrate  # noqa: F401 (autouse fixture)

BEFORE = [("notifications", "0001_initial")]
AFTER = [("notifications", "0004_preference_choices")]


@pytest.mark.django_db(transaction=True)
def test_the_old_choice_becomes_the_choice_for_every_kind(trainee, mentor, director):
    from cmrnet.notifications.models import CHOOSABLE_KINDS, Preference
    from cmrnet.notifications.services import deliveries_for

    old = migrate(BEFORE).get_model("notifications", "Preference")
    old.objects.create(person_id=trainee.pk, delivery="digest")
    old.objects.create(person_id=mentor.pk, delivery="immediate")            # director never chose
    migrate(AFTER)

    assert deliveries_for(trainee) == {kind: "digest" for kind in CHOOSABLE_KINDS}
    assert deliveries_for(mentor) == {kind: "immediate" for kind in CHOOSABLE_KINDS}
    assert deliveries_for(director) == {kind: "immediate" for kind in CHOOSABLE_KINDS}
    assert Preference.objects.filter(person=trainee).count() == len(CHOOSABLE_KINDS)
    assert not Preference.objects.filter(person=director).exists()


@pytest.mark.django_db(transaction=True)
def test_going_back_keeps_the_digest_for_anyone_who_chose_it_somewhere(trainee, mentor):
    from cmrnet.notifications.services import set_deliveries

    set_deliveries(by=trainee, person=trainee, choices={"cases_waiting": "digest"})
    set_deliveries(by=mentor, person=mentor, choices={"case_queried": "off"})
    old = migrate(BEFORE).get_model("notifications", "Preference")
    assert dict(old.objects.values_list("person_id", "delivery")) == {trainee.pk: "digest", mentor.pk: "immediate"}
