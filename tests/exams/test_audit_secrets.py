"""Finding 2 (issue 8): exam secrets never enter the audit log, and the exam's entries are read only by
those who may see the item bank."""

import datetime as dt
import json

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.exams import services
from cmrnet.exams.models import FormItem, Topic
from tests.exams import factories

SECRETS = ["Scenario 1", "Alpha 1", "Bravo 1", "Charlie 1", "Delta 1", "Echo 1", "SECRET-EXPLANATION-1", "Reference 1"]


def _stored(entries) -> str:
    return json.dumps([[e.changes, e.data] for e in entries])


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


@pytest.fixture
def item(board_member, board_member2):
    return factories.approved_item(board_member, board_member2, 1, key="C")


def test_item_creation_records_digests_not_content(item):
    entry = AuditEntry.objects.get(action="exam_item.created")
    stored = _stored([entry])
    assert not [s for s in SECRETS if s in stored]
    assert entry.changes["key"][0] is None and entry.changes["key"][1].startswith("hmac-sha256:")
    assert entry.changes["topic"] == [None, "physics"]  # the blueprint area is not a secret
    assert entry.actor.email == "bea@example.org" and entry.object_repr == item.code


def test_a_one_letter_key_cannot_be_recovered_by_hashing_the_five_letters(item):
    import hashlib

    digest = AuditEntry.objects.get(action="exam_item.created").changes["key"][1]
    guesses = {hashlib.sha256(letter.encode()).hexdigest()[:32] for letter in "ABCDE"}
    assert digest.removeprefix("hmac-sha256:") not in guesses


def test_revision_records_which_fields_changed_and_digests(item, board_member):
    values = factories.item_values(1, key="D") | {"stem": "A new secret stem"}
    services.revise_item(by=board_member, item=item, topic=Topic.objects.get(code="physics"),
                         note="key was wrong, now D", **values)
    entry = AuditEntry.objects.get(action="exam_item.revised")
    assert set(entry.changes) == {"stem", "key", "status"}
    old, new = entry.changes["key"]
    assert old != new and old.startswith("hmac-sha256:") and new.startswith("hmac-sha256:")
    stored = _stored([entry])
    assert "A new secret stem" not in stored and "now D" not in stored and '"D"' not in stored


def test_the_same_value_gives_the_same_digest_for_one_field_of_one_item(item, board_member):
    topic = Topic.objects.get(code="physics")
    services.revise_item(by=board_member, item=item, topic=topic, **factories.item_values(1, key="D"))
    services.revise_item(by=board_member, item=item, topic=topic, **factories.item_values(1, key="C"))
    created, first, second = AuditEntry.objects.filter(object_type="exams.item").exclude(
        action__in=["exam_item.submitted", "exam_item.approved"]).order_by("at", "id")
    assert created.changes["key"][1] == first.changes["key"][0] == second.changes["key"][1]


def test_review_comments_and_retirement_reasons_are_digests(board_member, board_member2):
    item = services.create_item(by=board_member, topic=Topic.objects.get(code="physics"), **factories.item_values(2))
    services.submit_for_review(by=board_member, item=item)
    services.review_item(by=board_member2, item=item, approve=False, comment="Option B is also right")
    services.retire_item(by=board_member, item=item, reason="the key A is disputed")
    stored = _stored(AuditEntry.objects.filter(object_type="exams.item"))
    assert "Option B is also right" not in stored and "key A is disputed" not in stored


def test_rekey_and_standard_setting_inputs_are_digests(board_member, board_member2, sitting, candidates):
    for cand in candidates[:3]:
        factories.sit(cand, sitting, "ABCDE", board=board_member)
    fi = FormItem.objects.get(form=sitting.form, position=2)
    services.decide_item(by=board_member, sitting=sitting, form_item=fi, action="rekey", new_key="E",
                         reason="E is the better answer per the 2024 guideline")
    services.save_angoff_ratings(by=board_member, sitting=sitting, ratings={fi.pk: 0.35})
    services.save_hofstee(by=board_member, sitting=sitting, cut_min=41, cut_max=77, fail_min=5, fail_max=30)
    entries = AuditEntry.objects.filter(action__in=["sitting.item_rekey", "sitting.angoff_rated",
                                                     "sitting.hofstee_judged"])
    assert entries.count() == 3
    leaves = [v for e in entries for v in _leaves([e.changes, e.data])]
    assert not [v for v in leaves if v in ("E", 0.35, 77, 41, 5, 30)]
    assert "2024 guideline" not in _stored(entries)
    rekey = entries.get(action="sitting.item_rekey")
    assert rekey.data["item"] == "Q2" and rekey.data["new_key"].startswith("hmac-sha256:")


def test_no_exam_entry_holds_any_item_text(board_member, board_member2, sitting, candidates):
    """Whatever the service, the whole log never holds a stem, an option or an explanation."""
    factories.sit(candidates[0], sitting, "ABCDE", board=board_member)
    everything = _stored(AuditEntry.objects.all())
    texts = [f"{word} {n}" for n in range(1, 6) for word in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]]
    assert not [t for t in texts + [f"SECRET-EXPLANATION-{n}" for n in range(1, 6)] if t in everything]


# --- who reads the exam's entries ----------------------------------------------------------------------

def test_the_network_admin_no_longer_reads_item_bank_entries(client_for, admin, item):
    page = client_for(admin).get("/audit/", {"text": item.code})
    assert page.status_code == 200
    body = page.content.decode()
    assert item.code not in body.split("<table", 1)[1] and "exam_item" not in body


def test_the_admin_filters_offer_no_exam_actions(client_for, admin, item):
    body = client_for(admin).get("/audit/").content.decode()
    assert "exam_item.created" not in body and "exams.item" not in body


def test_the_admin_still_reads_people_and_centre_entries(client_for, admin, trainee):
    body = client_for(admin).get("/audit/").content.decode()
    assert "person.created" in body and "tara@example.org" in body


def test_the_board_reads_the_exam_entries_with_digests_only(client_for, board_member, item):
    body = client_for(board_member).get("/audit/", {"object_type": "exams.item"}).content.decode()
    assert "exam_item.created" in body and "hmac-sha256:" in body
    assert "Alpha 1" not in body and "SECRET-EXPLANATION-1" not in body


def test_the_board_does_not_read_people_entries(client_for, board_member, trainee):
    body = client_for(board_member).get("/audit/").content.decode()
    assert "person.created" not in body


@pytest.mark.parametrize("role", ["trainee", "mentor", "grader", "director"])
def test_other_roles_read_no_audit_log(client_for, request, role):
    assert client_for(request.getfixturevalue(role)).get("/audit/").status_code == 403


def test_the_item_history_on_the_item_page_shows_digests(client_for, board_member, item):
    body = client_for(board_member).get(f"/exams/items/{item.pk}/").content.decode()
    history = body.split("<h2>History</h2>", 1)[1]
    assert "exam_item.created" in history and "hmac-sha256:" in history and "SECRET-EXPLANATION-1" not in history
