"""Collections over the API: members read; contributors and curators create; the collection's curator and
network administrators update, add/remove cases and delete; only published cases go in; every write audited."""

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.library.models import CaseStatus, Collection
from cmrnet.library.services import create_collection

URL = "/api/v1/library/collections/"


@pytest.fixture
def cases(make_case, mentor):
    return {"a": make_case(title="A"), "b": make_case(title="B"), "draft": make_case(title="D", status=CaseStatus.DRAFT)}


@pytest.fixture
def basics(mentor, cases):
    return create_collection(by=mentor, title="Congenital basics", description="First steps.", cases=[cases["a"]])


def test_members_read_and_contributors_create(client_for, trainee, mentor, director, cases, client):
    assert client.get(URL).status_code == 401
    refused = client_for(trainee).post(URL, {"title": "Mine"}, content_type="application/json")
    assert refused.status_code == 403 and not Collection.objects.exists()
    made = client_for(mentor).post(URL, {"title": "Cardiomyopathies", "description": "DCM, HCM",
                                         "cases": [cases["a"].pk, cases["b"].pk]}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["cases"] == sorted([cases["a"].pk, cases["b"].pk]) and body["curator"] == mentor.pk and body["can_edit"]
    assert client_for(director).post(URL, {"title": "Director's"}, content_type="application/json").status_code == 201
    listed = client_for(trainee).get(URL).json()["results"]
    assert [c["title"] for c in listed] == ["Cardiomyopathies", "Director's"] and not listed[0]["can_edit"]
    entry = AuditEntry.objects.get(action="library.collection.create", actor=mentor)
    assert entry.data["cases"] == [cases["a"].pseudonym, cases["b"].pseudonym]


def test_only_published_visible_cases_go_in(client_for, mentor, cases, basics):
    client = client_for(mentor)
    draft = client.post(f"{URL}{basics.pk}/add-cases/", {"cases": [cases["draft"].pk]}, content_type="application/json")
    assert draft.status_code == 400 and cases["draft"].pseudonym in str(draft.json()["cases"])
    missing = client.post(f"{URL}{basics.pk}/add-cases/", {"cases": [999999]}, content_type="application/json")
    assert missing.status_code == 400 and "999999" in str(missing.json()["cases"])
    assert list(basics.cases.values_list("pk", flat=True)) == [cases["a"].pk]


@pytest.mark.parametrize(("role", "allowed"), [("mentor", True), ("admin", True), ("director", False), ("trainee", False)])
def test_who_changes_a_collection(client_for, request, cases, basics, role, allowed):
    client = client_for(request.getfixturevalue(role))
    expected = 200 if allowed else 403
    patched = client.patch(f"{URL}{basics.pk}/", {"description": "Renamed"}, content_type="application/json")
    assert patched.status_code == expected
    added = client.post(f"{URL}{basics.pk}/add-cases/", {"cases": [cases["b"].pk]}, content_type="application/json")
    assert added.status_code == expected
    removed = client.post(f"{URL}{basics.pk}/remove-cases/", {"cases": [cases["a"].pk]}, content_type="application/json")
    assert removed.status_code == expected
    basics.refresh_from_db()
    if allowed:
        assert basics.description == "Renamed" and list(basics.cases.values_list("pk", flat=True)) == [cases["b"].pk]
        assert removed.json()["cases"] == [cases["b"].pk]
    else:
        assert basics.description == "First steps." and list(basics.cases.values_list("pk", flat=True)) == [cases["a"].pk]
    deleted = client.delete(f"{URL}{basics.pk}/")
    assert deleted.status_code == (204 if allowed else 403)
    assert Collection.objects.filter(pk=basics.pk).exists() is not allowed


def test_put_replaces_the_set_and_every_write_is_audited(client_for, mentor, cases, basics):
    client = client_for(mentor)
    put = client.put(f"{URL}{basics.pk}/", {"title": "Basics", "description": "", "cases": [cases["b"].pk]},
                     content_type="application/json")
    assert put.status_code == 200 and put.json()["cases"] == [cases["b"].pk] and put.json()["title"] == "Basics"
    update = AuditEntry.objects.get(action="library.collection.update")
    assert update.changes["title"] == ["Congenital basics", "Basics"]
    assert update.changes["cases"] == [[cases["a"].pseudonym], [cases["b"].pseudonym]]
    client.post(f"{URL}{basics.pk}/add-cases/", {"cases": [cases["a"].pk]}, content_type="application/json")
    client.post(f"{URL}{basics.pk}/remove-cases/", {"cases": [cases["b"].pk]}, content_type="application/json")
    client.delete(f"{URL}{basics.pk}/")
    actions = list(AuditEntry.objects.filter(action__startswith="library.collection.").order_by("pk").values_list("action", flat=True))
    assert actions == ["library.collection.create", "library.collection.update", "library.collection.add",
                       "library.collection.remove", "library.collection.delete"]
    assert AuditEntry.objects.get(action="library.collection.delete").data == {"title": "Basics", "cases": [cases["a"].pseudonym]}


def test_bad_input_names_the_field(client_for, mentor, basics):
    client = client_for(mentor)
    dup = client.post(URL, {"title": "Congenital basics"}, content_type="application/json")
    assert dup.status_code == 400 and "title" in dup.json()
    assert "title" in client.post(URL, {"description": "no title"}, content_type="application/json").json()
    assert "cases" in client.post(f"{URL}{basics.pk}/add-cases/", {"cases": []}, content_type="application/json").json()
