"""Permissions on every page: the board manages, a candidate sees only their own, strangers get 404."""

import datetime as dt

import pytest
from django.utils import timezone

from cmrnet.exams import services
from cmrnet.exams.models import FormItem, Item, Result
from tests.exams import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(board_member, form5, trainee):
    """A sitting open now with the trainee registered and started."""
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form5, opens=now - dt.timedelta(minutes=30))
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=now)
    return sitting, attempt


@pytest.fixture
def released(board_member, board_member2, sitting, trainee, other_trainee):
    factories.sit(trainee, sitting, "ABCDE", board=board_member)
    factories.sit(other_trainee, sitting, "EDCBA", board=board_member)
    fis = FormItem.objects.filter(form=sitting.form)
    services.save_angoff_ratings(by=board_member, sitting=sitting, ratings={fi.pk: 0.6 for fi in fis})
    services.record_cut(by=board_member, sitting=sitting, method="angoff", rationale="panel")
    after = sitting.start_closes + dt.timedelta(hours=1)
    services.verify_results(by=board_member, sitting=sitting, now=after)
    services.verify_results(by=board_member2, sitting=sitting, now=after)
    services.release_results(by=board_member, sitting=sitting, today=dt.date(2026, 12, 1), now=after)
    return sitting


def board_urls(sitting, item, form):
    s = sitting.pk
    return ["/exams/board/", "/exams/items/", "/exams/items/new/", f"/exams/items/{item.pk}/",
            f"/exams/items/{item.pk}/edit/", "/exams/items/export/", f"/exams/forms/{form.pk}/",
            f"/exams/forms/{form.pk}/schedule/", f"/exams/sittings/{s}/manage/", f"/exams/sittings/{s}/proctor/",
            f"/exams/sittings/{s}/analysis/", f"/exams/sittings/{s}/standard-setting/", f"/exams/sittings/{s}/results/",
            "/exams/appeals/"]


def test_board_pages_open_to_the_board_and_forbidden_to_other_roles(
        client_for, board_member, trainee, mentor, admin, live, form5):
    sitting, _ = live
    urls = board_urls(sitting, Item.objects.first(), form5)
    board = client_for(board_member)
    for url in urls:
        assert board.get(url).status_code == 200, url
    for person in (trainee, mentor, admin):
        c = client_for(person)
        for url in urls:
            assert c.get(url).status_code == 403, (person, url)


def test_board_writes_are_forbidden_to_candidates(client_for, trainee, live, form5):
    sitting, _ = live
    c = client_for(trainee)
    fi = FormItem.objects.filter(form=form5).first()
    for url in [f"/exams/sittings/{sitting.pk}/results/verify/", f"/exams/sittings/{sitting.pk}/results/release/",
                f"/exams/sittings/{sitting.pk}/analysis/{fi.pk}/decide/", f"/exams/forms/{form5.pk}/lock/",
                "/exams/forms/propose/", f"/exams/items/{fi.item_id}/review/"]:
        assert c.post(url, {"action": "remove", "reason": "x"}).status_code == 403, url
    assert not sitting.item_decisions.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, live):
    sitting, attempt = live
    for url in ["/exams/", f"/exams/sittings/{sitting.pk}/", f"/exams/attempts/{attempt.pk}/q/1/", "/exams/items/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_sitting_page_only_for_registered_candidates(client_for, trainee, other_trainee, board_member, live):
    sitting, _ = live
    assert client_for(trainee).get(f"/exams/sittings/{sitting.pk}/").status_code == 200
    assert client_for(other_trainee).get(f"/exams/sittings/{sitting.pk}/").status_code == 404
    assert client_for(other_trainee).post(f"/exams/sittings/{sitting.pk}/start/").status_code == 404
    board_view = client_for(board_member).get(f"/exams/sittings/{sitting.pk}/")
    assert board_view.status_code == 302 and board_view["Location"].endswith("/manage/")


def test_attempt_pages_only_for_the_candidate(client_for, trainee, other_trainee, board_member, live):
    _, attempt = live
    fid = attempt.item_order[0]
    urls = [f"/exams/attempts/{attempt.pk}/", f"/exams/attempts/{attempt.pk}/q/1/",
            f"/exams/attempts/{attempt.pk}/done/"]
    for person in (other_trainee, board_member):
        c = client_for(person)
        for url in urls:
            assert c.get(url).status_code == 404, (person, url)
        assert c.post(f"/exams/attempts/{attempt.pk}/save/", {"item": fid, "choice": "A"}).status_code == 404
        assert c.post(f"/exams/attempts/{attempt.pk}/submit/").status_code == 404
    assert not attempt.answers.exists()
    own = client_for(trainee)
    assert own.get(urls[1]).status_code == 200
    saved = own.post(f"/exams/attempts/{attempt.pk}/save/", {"item": fid, "choice": "A"}, HTTP_ACCEPT="application/json")
    assert saved.status_code == 200 and saved.json()["saved"] is True


def test_result_letter_and_certificate_only_for_the_candidate_and_the_board(
        client_for, trainee, other_trainee, board_member, mentor, released):
    mine = Result.objects.get(registration__candidate=trainee)
    theirs = Result.objects.get(registration__candidate=other_trainee)
    assert mine.passed and not theirs.passed
    c = client_for(trainee)
    assert c.get(f"/exams/results/{mine.pk}/").status_code == 200
    letter = c.get(f"/exams/results/{mine.pk}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF") and b"Tara Trainee" in letter.content
    cert = c.get(f"/exams/results/{mine.pk}/certificate.pdf")
    assert cert.status_code == 200 and b"Certificate of completion" in cert.content
    for url in [f"/exams/results/{theirs.pk}/", f"/exams/results/{theirs.pk}/letter.pdf"]:
        assert c.get(url).status_code == 404
        assert client_for(mentor).get(url).status_code == 404
        assert client_for(board_member).get(url).status_code == 200
    assert client_for(other_trainee).get(f"/exams/results/{theirs.pk}/certificate.pdf").status_code == 404


def test_appeal_filed_by_candidate_and_decided_by_board(client_for, trainee, other_trainee, board_member, released):
    result = Result.objects.get(registration__candidate=other_trainee)
    c = client_for(other_trainee)
    assert client_for(trainee).post(f"/exams/results/{result.pk}/", {"reasons": "x"}).status_code == 404
    response = c.post(f"/exams/results/{result.pk}/", {"reasons": "Item 3 was ambiguous"})
    assert response.status_code == 302
    appeal = result.appeal
    assert client_for(trainee).get(f"/exams/appeals/{appeal.pk}/").status_code == 404
    assert c.get(f"/exams/appeals/{appeal.pk}/").status_code == 200
    assert c.post(f"/exams/appeals/{appeal.pk}/", {"status": "upheld", "decision": "me"}).status_code == 403
    board = client_for(board_member)
    assert board.post(f"/exams/appeals/{appeal.pk}/", {"status": "upheld", "decision": "Item 3 removed on review"}
                      ).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "upheld"
    page = c.get(f"/exams/results/{result.pk}/").content.decode()
    assert "Upheld" in page and "Item 3 removed on review" in page


def test_api_items_and_sittings_for_the_board_only_attempts_and_results_own_only(
        client_for, trainee, other_trainee, board_member, released):
    board, c = client_for(board_member), client_for(trainee)
    assert board.get("/api/v1/exam-items/").json()["count"] == 5
    assert board.get("/api/v1/exam-sittings/").status_code == 200
    assert c.get("/api/v1/exam-items/").status_code == 403
    assert c.get("/api/v1/exam-sittings/").status_code == 403
    mine = c.get("/api/v1/exam-results/").json()
    assert mine["count"] == 1 and mine["results"][0]["passed"] is True
    attempts = c.get("/api/v1/exam-attempts/").json()["results"]
    assert len(attempts) == 1 and "key" not in attempts[0]
    other = Result.objects.get(registration__candidate=other_trainee)
    assert c.get(f"/api/v1/exam-results/{other.pk}/").status_code == 404


def test_dashboard_panels_show_exams_to_trainees_and_the_board(client_for, trainee, board_member, live):
    sitting, _ = live
    page = client_for(trainee).get("/").content.decode()
    assert "Your exams" in page and sitting.title in page and "in progress" in page
    board_page = client_for(board_member).get("/").content.decode()
    assert "Exam administration" in board_page and "results due" in board_page


def test_board_sitting_page_shows_the_results_due_date(client_for, board_member, sitting):
    page = client_for(board_member).get(f"/exams/sittings/{sitting.pk}/manage/").content.decode()
    assert "2027-01-02" in page  # 7 Nov 2026 + 8 weeks


def test_board_builds_a_form_through_the_pages(client_for, board_member, board_member2):
    for n in range(1, 4):
        factories.approved_item(board_member, board_member2, 100 + n)
    c = client_for(board_member)
    response = c.post("/exams/forms/propose/", {"title": "Spring form", "n_items": 3})
    assert response.status_code == 302
    page = c.get(response["Location"]).content.decode()
    assert "Some blueprint bounds are not met" in page and "needs at least 1 item(s)" in page
    form_pk = int(response["Location"].rstrip("/").split("/")[-1])
    assert c.post(f"/exams/forms/{form_pk}/lock/").status_code == 302
    assert FormItem.objects.filter(form_id=form_pk, version__isnull=False).count() == 3


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def test_item_image_is_uploaded_checked_and_served_only_through_permission_checks(
        client_for, board_member, board_member2, trainee, other_trainee):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cmrnet.exams.models import Topic

    c = client_for(board_member)
    data = {**factories.item_values(9), "topic": Topic.objects.get(code="physics").pk}
    bad = c.post("/exams/items/new/", {**data, "media": SimpleUploadedFile("scan.png", b"not an image")})
    assert bad.status_code == 200 and "does not match its type" in bad.content.decode()
    ok = c.post("/exams/items/new/", {**data, "media": SimpleUploadedFile("scan.png", PNG)})
    assert ok.status_code == 302
    item = Item.objects.get(current_version__stem__startswith="Scenario 9")
    services.submit_for_review(by=board_member, item=item)
    services.review_item(by=board_member2, item=item, approve=True)
    form = services.lock_form(by=board_member, form=services.propose_form(by=board_member, title="Img", n_items=1))
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form, opens=now - dt.timedelta(minutes=1))
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=now)
    page = client_for(trainee).get(f"/exams/attempts/{attempt.pk}/q/1/").content.decode()
    assert f'src="/exams/attempts/{attempt.pk}/q/1/media/"' in page and "scan" not in page
    media = client_for(trainee).get(f"/exams/attempts/{attempt.pk}/q/1/media/")
    assert media.status_code == 200 and b"".join(media.streaming_content) == PNG
    assert client_for(other_trainee).get(f"/exams/attempts/{attempt.pk}/q/1/media/").status_code == 404
    assert c.get(f"/exams/versions/{item.current_version.pk}/media/").status_code == 200
    assert client_for(trainee).get(f"/exams/versions/{item.current_version.pk}/media/").status_code == 403


def test_standard_setting_page_saves_ratings_hofstee_and_the_cut(client_for, board_member, sitting, candidates):
    for cand, sheet in zip(candidates, ["ABCDE", "ABCDA", "ABCCB", "ABDDE", "ACCDE", "BBCD-"]):
        factories.sit(cand, sitting, sheet, board=board_member)
    c = client_for(board_member)
    url = f"/exams/sittings/{sitting.pk}/standard-setting/"
    fis = list(FormItem.objects.filter(form=sitting.form).order_by("position"))
    bad = c.post(url, {"part": "angoff", f"rating_{fis[0].pk}": "1.5"}, follow=True)
    assert "between 0 and 1" in bad.content.decode() and not sitting.angoff_ratings.exists()
    c.post(url, {"part": "angoff", **{f"rating_{fi.pk}": "0.7" for fi in fis}})
    assert sitting.angoff_ratings.count() == 5
    page = c.get(url).content.decode()
    assert "3.50" in page  # 5 x 0.7
    c.post(url, {"part": "hofstee", "cut_min": 50, "cut_max": 80, "fail_min": 5, "fail_max": 40})
    response = c.post(url, {"part": "cut", "method": "hofstee", "rationale": "Compromise of the panel"})
    assert response.status_code == 302
    sitting.refresh_from_db()
    assert sitting.cut_method == "hofstee" and sitting.cut_score is not None
    c.post(url, {"part": "cut", "method": "angoff", "rationale": "Angoff panel"})
    sitting.refresh_from_db()
    assert sitting.cut_score == pytest.approx(3.5)
    assert "Modified Angoff: <strong>pass mark 4 of 5 items (exact cut 3.50)</strong>" in c.get(url).content.decode()


def test_proctor_view_shows_progress_time_left_and_records_incidents(client_for, board_member, live, trainee):
    sitting, attempt = live
    services.save_answer(attempt=attempt, now=timezone.now(), form_item_id=attempt.item_order[0], choice="A")
    c = client_for(board_member)
    page = c.get(f"/exams/sittings/{sitting.pk}/proctor/").content.decode()
    assert "in the exam" in page and "1 / 5" in page
    import re
    left = re.search(r"<td>(\d+:\d\d(?::\d\d)?)</td></tr>", page)
    assert left and " s<" not in page  # time left as h:mm:ss / m:ss, never "3589 s"
    c.post(f"/exams/sittings/{sitting.pk}/proctor/", {"candidate": trainee.pk, "note": "Webcam dropped for 2 minutes"})
    incident = sitting.incidents.get()
    assert incident.candidate == trainee and incident.recorded_by == board_member
    from cmrnet.audit.models import AuditEntry
    assert AuditEntry.objects.filter(action="sitting.incident_recorded", object_id=str(sitting.pk)).exists()


def test_board_registers_candidates_with_accommodations_until_they_start(client_for, board_member, sitting, trainee):
    c = client_for(board_member)
    url = f"/exams/sittings/{sitting.pk}/manage/"
    assert c.post(url, {"candidate": trainee.pk, "extra_minutes": 30, "accommodation_note": "dyslexia"}).status_code == 302
    reg = sitting.registrations.get(candidate=trainee)
    assert reg.extra_minutes == 30
    c.post(f"/exams/sittings/{sitting.pk}/registrations/{reg.pk}/", {"extra_minutes": 45, "accommodation_note": "x"})
    reg.refresh_from_db()
    assert reg.extra_minutes == 45
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=sitting.start_opens)
    assert attempt.deadline == sitting.start_opens + dt.timedelta(minutes=180 + 45)
    page = c.post(f"/exams/sittings/{sitting.pk}/registrations/{reg.pk}/", {"extra_minutes": 90}, follow=True)
    assert "deadline is already fixed" in page.content.decode()
    reg.refresh_from_db()
    assert reg.extra_minutes == 45


def test_unregistering_asks_first_and_says_it_is_done(client_for, board_member, sitting, trainee):
    c = client_for(board_member)
    c.post(f"/exams/sittings/{sitting.pk}/manage/", {"candidate": trainee.pk, "extra_minutes": 0})
    reg = sitting.registrations.get(candidate=trainee)
    manage = c.get(f"/exams/sittings/{sitting.pk}/manage/").content.decode()
    assert "data-confirm" not in manage
    asked = c.post(f"/exams/sittings/{sitting.pk}/registrations/{reg.pk}/", {"remove": "1"}).content.decode()
    assert f"Unregister {trainee.full_name} from {sitting.title}?" in asked
    assert '<input type="hidden" name="remove" value="1">' in asked and 'name="confirmed" value="yes"' in asked
    assert sitting.registrations.filter(candidate=trainee).exists()          # asking removed nothing
    page = c.post(f"/exams/sittings/{sitting.pk}/registrations/{reg.pk}/", {"remove": "1", "confirmed": "yes"},
                  follow=True).content.decode()
    assert f"{trainee.full_name} is no longer registered for {sitting.title}." in page
    assert not sitting.registrations.filter(candidate=trainee).exists()


def test_import_through_the_page_reports_the_bad_item_and_writes_nothing(client_for, board_member):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    row = {"code": "IMP-1", "topic": "valves", "stem": "Stem", "key": "B",
           "options": {c: f"Option {c}" for c in "ABCDE"}}
    bad = {"format": "cmrnet-exam-items/1", "items": [row, {**row, "code": "IMP-2", "options": {"A": "x"}}]}
    c = client_for(board_member)
    page = c.post("/exams/items/import/", {"file": SimpleUploadedFile("i.json", json.dumps(bad).encode())},
                  follow=True).content.decode()
    assert "item 2, field &#x27;options&#x27;" in page and "Nothing was imported" in page
    assert not Item.objects.filter(code__startswith="IMP-").exists()
    good = {"format": "cmrnet-exam-items/1", "items": [row]}
    page = c.post("/exams/items/import/", {"file": SimpleUploadedFile("i.json", json.dumps(good).encode())},
                  follow=True).content.decode()
    assert "1 item(s) imported as drafts" in page
    assert Item.objects.get(code="IMP-1").current_version.key == "B"
    exported = c.get("/exams/items/export/").json()
    assert exported["items"][0]["code"] == "IMP-1" and exported["items"][0]["options"]["B"] == "Option B"
