"""Logbooks at network scale: the case list searched, sorted and paged by the database; bulk verification
(audited, one digest to the trainee); the cohort page; query counts that do not grow with the data."""

import csv
import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmrnet.audit.models import AuditEntry
from cmrnet.logbook import services
from cmrnet.logbook.models import Case
from tests.logbook.factories import case_input, generated_cases, ready_but_cases

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr id="case-(\d+)"')


def _import(trainee, mentor, today, count, prefix="G"):
    services.import_cases(by=trainee, trainee=trainee, rows=generated_cases(mentor, count, today=today, prefix=prefix))


def _row_ids(html: str) -> list[int]:
    return [int(pk) for pk in ROW.findall(html)]


def test_the_case_list_shows_one_page_of_fifty_with_the_count(supervised, mentor, today, client):
    _import(supervised, mentor, today, 120)
    client.force_login(supervised)
    html = client.get("/logbook/").content.decode()
    assert len(_row_ids(html)) == 50
    assert "1–50 of 120 cases" in html and "Page 1 of 3" in html
    last = client.get("/logbook/?page=3").content.decode()
    assert len(_row_ids(last)) == 20 and "101–120 of 120 cases" in last
    # the three pages together are every case exactly once
    pages = [_row_ids(client.get(f"/logbook/?page={n}").content.decode()) for n in (1, 2, 3)]
    assert sorted(pk for page in pages for pk in page) == sorted(Case.objects.values_list("pk", flat=True))


def test_sorting_by_date_both_ways_and_links_keep_the_filter(supervised, mentor, today, client):
    _import(supervised, mentor, today, 60)
    client.force_login(supervised)
    oldest = Case.objects.order_by("study_date", "sequence").first()
    newest = Case.objects.order_by("-study_date", "-sequence").first()
    assert _row_ids(client.get("/logbook/").content.decode())[0] == newest.pk          # default: newest first
    assert _row_ids(client.get("/logbook/?sort=date").content.decode())[0] == oldest.pk
    html = client.get("/logbook/?sort=-date&category=ischaemic").content.decode()
    assert 'aria-sort="descending"' in html
    assert "?sort=date&amp;category=ischaemic" in html or "?category=ischaemic&amp;sort=date" in html
    ids = _row_ids(html)
    assert ids and set(Case.objects.filter(pk__in=ids).values_list("category", flat=True)) == {"ischaemic"}


def test_an_unknown_sort_key_falls_back_to_the_default(supervised, mentor, today, client):
    _import(supervised, mentor, today, 5)
    client.force_login(supervised)
    response = client.get("/logbook/?sort=patient_key")
    assert response.status_code == 200
    newest = Case.objects.order_by("-study_date", "-sequence").first()
    assert _row_ids(response.content.decode())[0] == newest.pk


def test_text_search_finds_a_case_by_its_id_and_by_the_supervisor(supervised, mentor, day, client):
    for n in range(3):
        services.add_case(by=supervised, trainee=supervised,
                          data=case_input(mentor, day=day, identifier=f"P{n}", case_id=f"HEART-{n}"))
    client.force_login(supervised)
    html = client.get("/logbook/?q=heart-1").content.decode()
    assert [Case.objects.get(pk=pk).case_id for pk in _row_ids(html)] == ["HEART-1"]
    assert "matching “heart-1”" in html
    assert len(_row_ids(client.get(f"/logbook/?q={mentor.full_name.split()[0]}").content.decode())) == 3
    assert _row_ids(client.get("/logbook/?q=nothing-like-this").content.decode()) == []


def test_the_htmx_table_request_returns_only_the_table(supervised, mentor, today, client):
    _import(supervised, mentor, today, 70)
    client.force_login(supervised)
    response = client.get("/logbook/?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-table")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-table">') and "<h1>" not in html
    assert len(_row_ids(html)) == 20


def test_a_supervisor_verifies_the_ticked_cases_audited_with_one_digest(supervised, mentor, today, client,
                                                                        django_capture_on_commit_callbacks):
    _import(supervised, mentor, today, 6)
    cases = list(Case.objects.order_by("sequence"))
    client.force_login(mentor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/logbook/trainee/{supervised.pk}/verify/",
                               {"scope": "selected", "case": [cases[0].pk, cases[2].pk]})
    assert response.status_code == 302
    assert set(Case.objects.filter(status="verified").values_list("pk", flat=True)) == {cases[0].pk, cases[2].pk}
    assert Case.objects.filter(status="pending").count() == 4
    assert Case.objects.get(pk=cases[0].pk).verified_by == mentor
    entries = AuditEntry.objects.filter(action="logbook.case_verified", actor=mentor)
    assert sorted(int(e.object_id) for e in entries) == sorted([cases[0].pk, cases[2].pk])
    assert entries.first().changes["status"] == ["pending", "verified"]
    batch = AuditEntry.objects.get(action="logbook.cases_verified_in_bulk")
    assert batch.data["count"] == 2 and sorted(batch.data["case_ids"]) == sorted([cases[0].case_id, cases[2].case_id])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [supervised.email]
    assert message.subject == f"cmrnet: 2 cases verified in your CMR logbook by {mentor.full_name}"
    assert f"case {cases[0].case_id} (" in message.body and f"case {cases[2].case_id} (" in message.body
    assert f"case {cases[1].case_id} (" not in message.body
    assert "http://" in message.body and "/logbook/" in message.body


def test_verify_all_pending_in_the_filter_leaves_other_cases_and_queried_ones(supervised, mentor, today, client,
                                                                              django_capture_on_commit_callbacks):
    _import(supervised, mentor, today, 40)
    queried = Case.objects.filter(category="ischaemic").first()
    services.verify_case(by=mentor, case=queried, status="queried", comment="Which sequence?")
    client.force_login(mentor)
    page = client.get(f"/logbook/trainee/{supervised.pk}/?category=ischaemic").content.decode()
    pending = Case.objects.filter(category="ischaemic", status="pending").count()
    assert f"Verify all {pending} pending in this filter" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/logbook/trainee/{supervised.pk}/verify/", {"scope": "filter", "category": "ischaemic"})
    assert response.status_code == 302 and response["Location"].endswith("?category=ischaemic")
    assert not Case.objects.filter(category="ischaemic", status="pending").exists()
    assert Case.objects.filter(category="ischaemic", status="verified").count() == pending
    assert Case.objects.get(pk=queried.pk).status == "queried"
    assert Case.objects.exclude(category="ischaemic").filter(status="verified").count() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith(f"cmrnet: {pending} cases verified")
    from cmrnet.notifications.models import Notification

    note = Notification.objects.get(recipient=supervised, kind="cases_verified")
    assert len(note.items) == pending and note.link == "/logbook/?status=verified"


def test_bulk_verification_is_refused_to_a_reader_who_does_not_supervise(supervised, mentor, director, today, client):
    _import(supervised, mentor, today, 3)
    client.force_login(director)
    response = client.post(f"/logbook/trainee/{supervised.pk}/verify/", {"scope": "filter"})
    assert response.status_code == 403
    assert not Case.objects.filter(status="verified").exists()


def test_bulk_verify_never_touches_another_trainees_cases(supervised, mentor, other_trainee, today, client):
    from tests.logbook.factories import supervise

    supervise(other_trainee, mentor, today=today)
    _import(supervised, mentor, today, 2)
    _import(other_trainee, mentor, today, 2, prefix="O")
    foreign = Case.objects.filter(trainee=other_trainee).first()
    client.force_login(mentor)
    client.post(f"/logbook/trainee/{supervised.pk}/verify/", {"scope": "selected", "case": [foreign.pk]})
    assert Case.objects.get(pk=foreign.pk).status == "pending"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["trainee", "mentor"])
def test_the_case_list_query_count_does_not_grow_with_the_cases(who, supervised, mentor, today, client,
                                                                django_assert_max_num_queries):
    _import(supervised, mentor, today, 5)
    client.force_login(supervised if who == "trainee" else mentor)
    url = "/logbook/" if who == "trainee" else f"/logbook/trainee/{supervised.pk}/"
    small = _queries(client, url)
    _import(supervised, mentor, today, 300, prefix="More")
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def test_the_progress_page_reads_the_cases_once_and_its_queries_do_not_grow(trainee, mentor, today, client,
                                                                              django_assert_max_num_queries):
    ready_but_cases(trainee, mentor, today=today, cases=10)
    client.force_login(trainee)
    small = _queries(client, "/logbook/progress/")
    _import(trainee, mentor, today, 300, prefix="More")
    with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(small):
        assert client.get("/logbook/progress/").status_code == 200
    case_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "logbook_case"' in q["sql"]]
    assert len(case_reads) == 1, case_reads


# --- the cohort page -----------------------------------------------------------------------------------------

def test_the_cohort_lists_every_supervised_trainee_on_every_route(supervised, mentor, other_trainee, today, client):
    ready_but_cases(other_trainee, mentor, today=today, cases=160)
    _import(supervised, mentor, today, 3)
    client.force_login(mentor)
    html = client.get("/logbook/cohort/").content.decode()
    assert supervised.full_name in html and other_trainee.full_name in html
    assert "Level 2" in html and "SCMR" in html
    # sorted by cases, most first: the trainee with 160 cases comes first
    html = client.get("/logbook/cohort/?sort=-cases").content.decode()
    assert html.index(other_trainee.full_name) < html.index(supervised.full_name)
    html = client.get("/logbook/cohort/?sort=cases").content.decode()
    assert html.index(supervised.full_name) < html.index(other_trainee.full_name)


def test_the_cohort_csv_has_one_row_per_trainee_with_each_route(supervised, mentor, other_trainee, today, client):
    ready_but_cases(other_trainee, mentor, today=today, cases=160)
    client.force_login(mentor)
    response = client.get("/logbook/cohort/?sort=-cases&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, first = rows[0], rows[1]
    assert header[:7] == ["Trainee", "E-mail", "Centre", "Cases", "Verified", "Pending", "Queried"]
    assert any("Level 2" in h for h in header[7:]) and len(rows) == 3
    assert first[0] == other_trainee.full_name and first[3] == "160"
    level2 = header.index(next(h for h in header if h.startswith("EACVI") and h.endswith("Level 2")))
    assert re.fullmatch(r"(met|not met) \(\d+/\d+\)", first[level2])


def test_a_programme_director_sees_only_their_centres_trainees(trainee, other_trainee, director, client):
    client.force_login(director)
    html = client.get("/logbook/cohort/").content.decode()
    assert trainee.full_name in html and other_trainee.full_name not in html


def test_the_cohort_query_count_does_not_grow_with_trainees(mentor, make_person, today, client,
                                                             django_assert_max_num_queries):
    from tests.logbook.factories import supervise

    first = make_person("c0@example.org", "trainee")
    supervise(first, mentor, today=today)
    _import(first, mentor, today, 5, prefix="C0")
    client.force_login(mentor)
    small = _queries(client, "/logbook/cohort/")
    for n in range(1, 6):
        person = make_person(f"c{n}@example.org", "trainee")
        supervise(person, mentor, today=today)
        _import(person, mentor, today, 20, prefix=f"C{n}")
    with django_assert_max_num_queries(small):
        html = client.get("/logbook/cohort/").content.decode()
    assert html.count('href="/logbook/trainee/') >= 6


def test_the_bundle_reads_each_case_as_rules_case_does(supervised, mentor, today):
    """The bundle builds rules.Case from tuples; it must equal rules_case() on the model object, field by field."""
    from cmrnet.logbook import selectors

    _import(supervised, mentor, today, 30)
    case = Case.objects.first()
    case.clinical_change, case.course_id = True, "C-1"
    case.save()
    bundle = selectors.bundle_for(supervised)
    by_pk = {row.pk: row.rule for row in bundle.cases}
    for case in Case.objects.select_related("supervisor"):
        assert by_pk[case.pk] == selectors.rules_case(case)


def test_a_trainee_on_the_daily_digest_gets_no_immediate_mail_but_one_notification(
        supervised, mentor, today, client, django_capture_on_commit_callbacks):
    from cmrnet.notifications.models import Notification
    from cmrnet.notifications.services import set_delivery

    set_delivery(by=supervised, person=supervised, delivery="digest")
    _import(supervised, mentor, today, 5)
    client.force_login(mentor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/logbook/trainee/{supervised.pk}/verify/", {"scope": "filter"})
    assert mail.outbox == []
    note = Notification.objects.get(recipient=supervised)
    assert note.kind == "cases_verified" and len(note.items) == 5 and note.emailed_at is None
