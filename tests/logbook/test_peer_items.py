"""Peer recognition as separate records (issue 9): each course, talk, paper, oral or poster is its own entry with
its event, scope and (orals) first-author and in-person answers; the rules count distinct events and judge each
oral, on the page, through the API and in the exported package alike."""

import datetime as dt
import io
import json
import zipfile
from contextlib import redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet import rules
from cmrnet.audit.models import AuditEntry
from cmrnet.logbook import package, selectors, services
from cmrnet.logbook.models import PeerRecognition
from cmrnet.rules.cli import check_application_main

pytestmark = pytest.mark.django_db


def add(trainee, kind, title, event, *, day=None, scope="international", first_author=None, presented=None):
    return services.add_peer_recognition(by=trainee, trainee=trainee, kind=kind, title=title, event=event,
                                         scope=scope, date=day or dt.date(2026, 3, 1), first_author=first_author,
                                         presented_in_person=presented)


def peer_rule(trainee, today):
    return selectors.evaluate_for(trainee, ruleset="eacvi-2025", route="level3-direct", today=today).rule(
        "peer_recognition")


class TestDistinctEvents:
    def test_two_talks_at_one_meeting_count_once_and_a_second_meeting_meets_the_rule(self, trainee, today):
        first = add(trainee, "invited_talk", "Chair, T1 mapping session", "EuroCMR 2025")
        same = add(trainee, "invited_talk", "Talk, strain", "  eurocmr 2025 ", day=dt.date(2026, 3, 2))
        overview = selectors.peer_overview(trainee)
        assert overview["counts"]["invited_talks"] == 1
        assert overview["reasons"] == {first.pk: "", same.pk: "same meeting or course as an earlier item"}
        result = peer_rule(trainee, today)
        assert result.status == "not_met" and result.offending == (f"P{same.pk}",)
        assert result.numbers["invited_talks"] == {"have": 1, "need": 2}

        add(trainee, "invited_talk", "Talk, perfusion", "SCMR 2026", day=dt.date(2026, 3, 3))
        result = peer_rule(trainee, today)
        assert result.status == "met" and result.numbers["invited_talks"] == {"have": 2, "need": 2}
        assert result.message.startswith("met by invited talks/chairs")

    def test_three_papers_at_the_boundary_and_the_same_paper_twice(self, trainee, today):
        for n in (1, 2):
            add(trainee, "publication", f"Paper {n}", f"doi:10.1/jcmr.{n}")
        add(trainee, "publication", "Paper 2 (again)", "DOI:10.1/JCMR.2")
        assert peer_rule(trainee, today).numbers["publications"] == {"have": 2, "need": 3}
        assert peer_rule(trainee, today).status == "not_met"
        add(trainee, "publication", "Paper 3", "doi:10.1/jcmr.3")
        assert peer_rule(trainee, today).status == "met"

    def test_an_entry_made_before_events_existed_reads_its_reference_then_its_title(self, trainee, today):
        old = PeerRecognition.objects.create(trainee=trainee, kind="cme_faculty", title="Course A",
                                             date=dt.date(2025, 1, 1), reference="Level 3 course Berlin 2025")
        bare = PeerRecognition.objects.create(trainee=trainee, kind="cme_faculty", title="Course B",
                                              date=dt.date(2025, 2, 1))
        items = {i.item_id: i.event for i in selectors.application_data_for(trainee, today=today)
                 .candidate.peer_recognition.items}
        assert items == {f"P{old.pk}": "Level 3 course Berlin 2025", f"P{bare.pk}": ""}
        assert peer_rule(trainee, today).status == "met"        # two distinct courses (reference, title)


class TestOrals:
    @pytest.mark.parametrize(("scope", "first_author", "presented", "reason"), [
        ("national", True, True, ""),
        ("international", True, True, ""),
        ("local", True, True, "an oral presentation counts only at a national or international meeting (this one: local)"),
        ("national", False, True, "an oral presentation counts only when the candidate is the first author"),
        ("national", True, False, "an oral presentation counts only when the candidate presented it"),
    ])
    def test_each_condition_of_an_oral(self, trainee, scope, first_author, presented, reason):
        entry = add(trainee, "oral", "Original data", "DGK 2026", scope=scope, first_author=first_author,
                    presented=presented)
        overview = selectors.peer_overview(trainee)
        assert overview["reasons"] == {entry.pk: reason}
        assert overview["counts"]["first_author_orals"] == (0 if reason else 1)

    def test_two_qualifying_orals_meet_the_rule_and_a_poster_never_counts(self, trainee, today):
        add(trainee, "oral", "Study A", "DGK 2026", scope="national", first_author=True, presented=True)
        add(trainee, "poster", "Study B", "EuroCMR 2026")
        assert peer_rule(trainee, today).status == "not_met"
        assert "(posters do not count)" in peer_rule(trainee, today).message
        add(trainee, "oral", "Study C", "SCMR 2026", first_author=True, presented=True)
        assert peer_rule(trainee, today).status == "met"

    def test_an_oral_without_its_answers_is_refused_and_nothing_is_written(self, trainee):
        with pytest.raises(ValidationError) as error:
            add(trainee, "oral", "Study", "DGK 2026", first_author=True, presented=None)
        assert error.value.message_dict == {"presented_in_person": ["Say yes or no for an oral presentation."]}
        assert not PeerRecognition.objects.exists()
        assert not AuditEntry.objects.filter(action="logbook.peer_added").exists()


def test_writes_are_audited_with_the_new_fields(trainee):
    entry = add(trainee, "oral", "Study", "DGK 2026", scope="national", first_author=True, presented=False)
    created = AuditEntry.objects.get(action="logbook.peer_added")
    assert created.changes["event"] == [None, "DGK 2026"] and created.changes["presented_in_person"] == [None, False]
    services.update_peer_recognition(by=trainee, entry=entry, presented_in_person=True, scope="international")
    updated = AuditEntry.objects.get(action="logbook.peer_updated")
    assert updated.changes == {"presented_in_person": [False, True], "scope": ["national", "international"]}
    assert updated.data == {"trainee_id": trainee.pk}


def test_only_the_trainee_writes_her_entries(trainee, mentor):
    from django.core.exceptions import PermissionDenied

    entry = add(trainee, "publication", "Paper", "JCMR")
    with pytest.raises(PermissionDenied):
        services.update_peer_recognition(by=mentor, entry=entry, title="Changed")
    with pytest.raises(PermissionDenied):
        services.add_peer_recognition(by=mentor, trainee=trainee, kind="publication", title="P", event="E",
                                      date=dt.date(2026, 1, 1))
    entry.refresh_from_db()
    assert entry.title == "Paper" and PeerRecognition.objects.count() == 1


def test_the_version_changes_with_each_new_field(trainee):
    entry = add(trainee, "oral", "Study", "DGK 2026", scope="national", first_author=True, presented=False)
    versions = [selectors.logbook_version(trainee)]
    for change in ({"event": "DGK 2026 Mannheim"}, {"scope": "international"}, {"presented_in_person": True},
                   {"first_author": False}):
        services.update_peer_recognition(by=trainee, entry=entry, **change)
        versions.append(selectors.logbook_version(trainee))
    assert len(set(versions)) == 5


class TestPage:
    def test_the_page_shows_counts_reasons_and_unstated_orals(self, client, trainee, mentor, supervised):
        add(trainee, "invited_talk", "Talk 1", "EuroCMR 2025")
        add(trainee, "invited_talk", "Talk 2", "EuroCMR 2025", day=dt.date(2026, 3, 5))
        PeerRecognition.objects.create(trainee=trainee, kind="oral", title="Legacy oral", date=dt.date(2024, 5, 1),
                                       first_author=True, presented_in_person=None)
        client.force_login(trainee)
        page = client.get("/logbook/peer-recognition/").content.decode()
        assert "<dt>Meetings as invited speaker/chair</dt><dd>1 of 2</dd>" in page
        assert "No: same meeting or course as an earlier item" in page
        assert 'id="peer-unstated"' in page and "Legacy oral" in page
        assert "presented in person: not stated" in page
        client.force_login(mentor)
        page = client.get(f"/logbook/trainee/{trainee.pk}/peer-recognition/").content.decode()
        assert "so they do not count yet" in page and "/edit/" not in page

    def test_adding_through_the_page_needs_the_event_and_warns_when_the_entry_does_not_count(self, client, trainee):
        client.force_login(trainee)
        form = {"kind": "oral", "title": "Study", "scope": "local", "date": "2026-02-01", "first_author": "true",
                "presented_in_person": "true", "reference": ""}
        response = client.post("/logbook/peer-recognition/", {**form, "event": ""})
        assert response.status_code == 200 and not PeerRecognition.objects.exists()
        assert "This field is required." in response.content.decode()
        response = client.post("/logbook/peer-recognition/", {**form, "event": "Regional CMR day"}, follow=True)
        entry = PeerRecognition.objects.get()
        assert (entry.event, entry.scope, entry.first_author, entry.presented_in_person) == (
            "Regional CMR day", "local", True, True)
        assert ("Saved, but this entry does not count: an oral presentation counts only at a national or "
                "international meeting (this one: local).") in response.content.decode()

    def test_an_oral_posted_without_answers_names_the_field(self, client, trainee):
        client.force_login(trainee)
        response = client.post("/logbook/peer-recognition/", {
            "kind": "oral", "title": "Study", "event": "DGK 2026", "scope": "national", "date": "2026-02-01",
            "first_author": "true", "presented_in_person": "unknown"})
        assert response.status_code == 200 and not PeerRecognition.objects.exists()
        assert "Say yes or no for an oral presentation." in response.content.decode()


class TestApi:
    def test_the_trainee_creates_reads_updates_and_deletes(self, client, trainee):
        client.force_login(trainee)
        response = client.post("/api/v1/logbook/peer/", {
            "kind": "oral", "title": "Study", "event": "DGK 2026", "scope": "local", "date": "2026-02-01",
            "first_author": True, "presented_in_person": True}, content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        pk = body["id"]
        assert body["item_id"] == f"P{pk}" and body["counted"] is False
        assert body["reason"] == "an oral presentation counts only at a national or international meeting (this one: local)"
        response = client.patch(f"/api/v1/logbook/peer/{pk}/", {"scope": "national"}, content_type="application/json")
        assert response.status_code == 200 and response.json()["counted"] is True
        listed = client.get("/api/v1/logbook/peer/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert [(r["item_id"], r["scope"], r["counted"]) for r in rows] == [(f"P{pk}", "national", True)]
        assert client.delete(f"/api/v1/logbook/peer/{pk}/").status_code == 204
        assert not PeerRecognition.objects.exists()
        assert list(AuditEntry.objects.filter(action__startswith="logbook.peer").order_by("pk").values_list(
            "action", flat=True)) == ["logbook.peer_added", "logbook.peer_updated", "logbook.peer_deleted"]

    def test_bad_input_names_the_field_and_writes_nothing(self, client, trainee):
        client.force_login(trainee)
        response = client.post("/api/v1/logbook/peer/", {
            "kind": "oral", "title": "Study", "event": "DGK", "date": "2026-02-01", "first_author": True},
            content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"presented_in_person": ["Say yes or no for an oral presentation."]}
        response = client.post("/api/v1/logbook/peer/", {"kind": "talk", "title": "T", "date": "2026-02-01"},
                               content_type="application/json")
        assert response.status_code == 400 and set(response.json()) == {"kind", "event"}
        assert not PeerRecognition.objects.exists()

    def test_a_reader_reads_and_may_not_write(self, client, trainee, mentor, supervised):
        entry = add(trainee, "publication", "Paper", "JCMR")
        client.force_login(mentor)
        assert client.get(f"/api/v1/logbook/peer/{entry.pk}/").json()["title"] == "Paper"
        assert client.patch(f"/api/v1/logbook/peer/{entry.pk}/", {"title": "X"},
                            content_type="application/json").status_code == 403
        assert client.delete(f"/api/v1/logbook/peer/{entry.pk}/").status_code == 403
        assert client.post("/api/v1/logbook/peer/", {"kind": "publication", "title": "P", "event": "E",
                                                     "date": "2026-01-01"},
                           content_type="application/json").status_code == 403
        entry.refresh_from_db()
        assert entry.title == "Paper" and PeerRecognition.objects.count() == 1


PEER_CSV = """item_id,kind,title,event,date,scope,first_author,presented_in_person
p1,oral,Study A,DGK 2026,2026-04-10,national,yes,yes
p2,oral,Study B,SCMR 2026,2026-02-01,international,yes,no
p3,oral,Study C,EuroCMR 2025,2025-05-01,,yes,yes
p4,poster,Study D,EuroCMR 2025,2025-05-01,,no,no
"""


def _zip(folder: Path) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return SimpleUploadedFile("package.zip", buffer.getvalue())


def _package_with_peer(tmp_path, text: str) -> Path:
    data = rules.testing.make_compliant_application("level3-direct", exam_date=dt.date(2026, 1, 10))
    data = rules.ApplicationData(candidate=data.candidate, cases=(), supervisors=(), training=(), cme=())
    folder = rules.write_package(tmp_path / "pkg", data)
    (folder / "peer.csv").write_text(text)
    return folder


class TestPackage:
    def test_peer_csv_becomes_entries_and_the_export_gives_the_same_verdict(self, trainee, tmp_path, today):
        folder = _package_with_peer(tmp_path, PEER_CSV)
        summary = package.import_zip(by=trainee, trainee=trainee, upload=_zip(folder))
        assert summary["peer"] == 4
        stored = list(PeerRecognition.objects.order_by("pk").values_list(
            "kind", "event", "scope", "first_author", "presented_in_person"))
        assert stored == [("oral", "DGK 2026", "national", True, True), ("oral", "SCMR 2026", "international", True, False),
                          ("oral", "EuroCMR 2025", "international", True, True),
                          ("poster", "EuroCMR 2025", "international", None, None)]
        web = peer_rule(trainee, today)
        assert web.status == "met" and web.numbers["first_author_orals"] == {"have": 2, "need": 2}

        data = selectors.application_data_for(trainee, today=today)
        exported = rules.write_package(tmp_path / "export", data)
        assert (exported / "peer.csv").exists()
        out = io.StringIO()
        with redirect_stdout(out):
            check_application_main([str(exported), "--ruleset", "eacvi-2025", "--route", "level3-direct",
                                    "--today", today.isoformat(), "--format", "json"])
        cli = {r["id"]: r for r in json.loads(out.getvalue())["rules"]}["peer_recognition"]
        assert cli == json.loads(json.dumps(web.to_dict()))

    def test_a_bad_peer_row_names_the_row_and_nothing_is_imported(self, trainee, tmp_path):
        text = PEER_CSV.splitlines()[0] + "\n" + f"p1,publication,{'T' * 301},JCMR,2026-01-01,,,\n"
        folder = _package_with_peer(tmp_path, text)
        with pytest.raises(rules.PackageError) as error:
            package.import_zip(by=trainee, trainee=trainee, upload=_zip(folder))
        assert str(error.value).startswith("peer.csv row 1, column title: ")
        assert not PeerRecognition.objects.exists()

    def test_declared_counts_become_entries_and_a_declared_oral_asks_for_its_answer(self, trainee, tmp_path, today):
        data = rules.testing.make_compliant_application("level3-direct", exam_date=dt.date(2026, 1, 10))
        candidate = replace(data.candidate, peer_recognition=rules.PeerRecognition(first_author_orals=2, posters=1))
        data = rules.ApplicationData(candidate=candidate, cases=(), supervisors=(), training=(), cme=())
        folder = rules.write_package(tmp_path / "pkg", data)
        package.import_zip(by=trainee, trainee=trainee, upload=_zip(folder))
        stored = sorted(PeerRecognition.objects.values_list("kind", "first_author", "presented_in_person"))
        assert stored == [("oral", True, None), ("oral", True, None), ("poster", None, None)]
        assert peer_rule(trainee, today).status == "not_met"
