"""Item bank: immutable versions, review workflow (reviewer is not the author), import/export."""

import json

import pytest
from django.core.exceptions import ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.audit.secrets import digest
from cmrnet.exams import services
from cmrnet.exams.models import Item, ItemStatus, ItemVersion, Topic
from tests.exams.factories import item_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def physics(db):
    return Topic.objects.get(code="physics")


def test_blueprint_topics_are_seeded_with_the_published_shares():
    shares = {t.code: (t.min_percent, t.max_percent) for t in Topic.objects.all()}
    assert shares == {"physics": (15, 25), "ischaemic": (15, 25), "non-ischaemic": (15, 25), "masses": (5, 10),
                      "pericardium": (5, 10), "valves": (5, 10), "congenital": (10, 15), "vascular": (2, 5),
                      "extracardiac": (2, 5)}


def test_revising_creates_a_new_version_and_old_versions_never_change(board_member, physics):
    item = services.create_item(by=board_member, topic=physics, **item_values(1))
    v1 = item.current_version
    v2 = services.revise_item(by=board_member, item=item, topic=physics, note="clearer stem",
                              **{**item_values(1), "stem": "A clearer scenario."})
    assert (v1.number, v2.number) == (1, 2)
    assert ItemVersion.objects.get(pk=v1.pk).stem.startswith("Scenario 1")
    v1.stem = "tampered"
    with pytest.raises(PermissionError):
        v1.save()
    entry = AuditEntry.objects.get(action="exam_item.revised", object_id=str(item.pk))
    # the entry says the stem changed, with a digest of the new stem, never the stem (issue 8, finding 2)
    assert entry.changes["stem"][1] == digest("A clearer scenario.", object_type="exams.item",
                                              object_id=str(item.pk), field="stem")


def test_review_workflow_author_then_a_different_reviewer(board_member, board_member2, physics):
    item = services.create_item(by=board_member, topic=physics, **item_values(2))
    with pytest.raises(ValidationError):
        services.review_item(by=board_member2, item=item, approve=True)  # not yet in review
    services.submit_for_review(by=board_member, item=item)
    with pytest.raises(ValidationError, match="must not be the item's author"):
        services.review_item(by=board_member, item=item, approve=True)
    with pytest.raises(ValidationError):
        services.review_item(by=board_member2, item=item, approve=False, comment="")
    services.review_item(by=board_member2, item=item, approve=False, comment="Option C is ambiguous")
    assert Item.objects.get(pk=item.pk).status == ItemStatus.DRAFT
    services.submit_for_review(by=board_member, item=item)
    services.review_item(by=board_member2, item=item, approve=True)
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED and item.reviewer == board_member2
    services.revise_item(by=board_member, item=item, topic=physics, **item_values(2, key="B"))
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT  # a changed item is reviewed again
    services.retire_item(by=board_member2, item=item, reason="Outdated guideline")
    actions = list(AuditEntry.objects.filter(object_id=str(item.pk), object_type="exams.item")
                   .order_by("at", "id").values_list("action", flat=True))
    assert actions == ["exam_item.created", "exam_item.submitted", "exam_item.returned", "exam_item.submitted",
                       "exam_item.approved", "exam_item.revised", "exam_item.retired"]


def test_items_need_five_distinct_options_and_a_key(board_member, physics):
    with pytest.raises(ValidationError) as exc:
        services.create_item(by=board_member, topic=physics, **{**item_values(3), "key": "F", "option_e": "Alpha 3"})
    assert set(exc.value.message_dict) == {"key", "option_e"}


def test_export_then_import_round_trips_and_bad_rows_name_item_and_field(board_member, physics):
    item = services.create_item(by=board_member, topic=physics, code="X-1", **item_values(4))
    payload = services.export_items(Item.objects.all())
    assert payload["format"] == "cmrnet-exam-items/1" and payload["items"][0]["options"]["A"] == "Alpha 4"
    payload["items"][0]["stem"] = "Imported new stem"
    payload["items"].append({**payload["items"][0], "code": "X-2"})
    done = services.import_items(by=board_member, payload=json.loads(json.dumps(payload)))
    assert [i.code for i in done] == ["X-1", "X-2"]
    assert Item.objects.get(code="X-1").current_version.number == 2
    bad = {"format": "cmrnet-exam-items/1", "items": [
        {**payload["items"][0], "code": "X-3"},
        {**payload["items"][0], "code": "X-4", "topic": "astrology"}]}
    with pytest.raises(ValidationError, match=r"item 2, field 'topic'"):
        services.import_items(by=board_member, payload=bad)
    assert not Item.objects.filter(code="X-3").exists()  # all or nothing
    bad["items"][1]["topic"] = "physics"
    bad["items"][1]["key"] = "Z"
    with pytest.raises(ValidationError, match=r"item 2 \(X-4\): key"):
        services.import_items(by=board_member, payload=bad)
    assert item.versions.count() == 2


def test_demo_step_builds_a_bank_covering_the_blueprint_and_is_idempotent(db):
    from cmrnet.core.demo import load_demo
    from cmrnet.exams.models import ExamForm, Sitting
    from cmrnet.exams.views.board import blueprint_check

    load_demo()
    load_demo()
    assert Item.objects.filter(status=ItemStatus.APPROVED, code__startswith="DEMO-").count() == 30
    form = ExamForm.objects.get()
    assert form.is_locked and form.form_items.count() == 20
    assert all(c.met for c in blueprint_check(form))
    from django.utils import timezone

    from cmrnet.exams import demo, timing

    sitting = Sitting.objects.get(title=demo.SITTING_TITLE)
    assert sitting.registrations.filter(candidate__email="trainee@demo.cmrnet.org").exists()
    upcoming = Sitting.objects.get(title=demo.UPCOMING_TITLE)  # once, however often the demo runs
    assert upcoming.self_registration and upcoming.slots.count() == 3
    assert timing.in_registration_window(timezone.localdate(), *upcoming.registration_window)
