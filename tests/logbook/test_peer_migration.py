"""logbook 0009 (issue 9): old peer-recognition entries become items the rules can judge.

A "first_author_oral" becomes kind "oral", first author = yes, presented in person = not stated (so it no longer
counts until the trainee says yes); every other entry keeps its kind, gets scope international and no event. Back: the old kinds."""

import datetime as dt

import pytest
from tests.migration_steps import back_to_the_latest_schema, migrate  # noqa: F401 (autouse fixture)

BEFORE = [("logbook", "0008_level2_usage")]
AFTER = [("logbook", "0009_peer_items")]


@pytest.mark.django_db(transaction=True)
def test_old_entries_are_migrated_and_the_way_back_restores_the_old_kinds(trainee):
    from cmrnet.logbook import selectors
    from cmrnet.logbook.models import PeerRecognition

    old = migrate(BEFORE).get_model("logbook", "PeerRecognition")
    day = dt.date(2025, 6, 1)
    made = {kind: old.objects.create(trainee_id=trainee.pk, kind=kind, title=f"Old {kind}", date=day,
                                     reference="ref " + kind).pk
            for kind in ("cme_faculty", "invited_talk", "publication", "first_author_oral", "poster")}
    migrate(AFTER)
    rows = {r[0]: r[1:] for r in PeerRecognition.objects.values_list(
        "pk", "kind", "event", "scope", "first_author", "presented_in_person", "title", "reference")}
    assert rows[made["first_author_oral"]] == ("oral", "", "international", True, None, "Old first_author_oral",
                                               "ref first_author_oral")
    for kind in ("cme_faculty", "invited_talk", "publication", "poster"):
        assert rows[made[kind]] == (kind, "", "international", None, None, f"Old {kind}", f"ref {kind}")
    reasons = selectors.peer_overview(trainee)["reasons"]
    assert reasons[made["first_author_oral"]] == "an oral presentation counts only when the candidate presented it"

    other = PeerRecognition.objects.create(trainee_id=trainee.pk, kind="oral", title="Co-author oral", date=day,
                                           event="DGK", first_author=False, presented_in_person=True)

    back = migrate(BEFORE).get_model("logbook", "PeerRecognition")
    assert back.objects.get(pk=made["first_author_oral"]).kind == "first_author_oral"
    # an oral the trainee did not first-author had no old kind: it becomes a poster (never counted, as before)
    assert back.objects.get(pk=other.pk).kind == "poster"
    assert sorted(back.objects.exclude(pk=other.pk).values_list("kind", flat=True)) == sorted(made)
