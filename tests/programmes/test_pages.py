"""Pages and API of programmes: what each person sees, the PDFs, the ranged video, the public verification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cmrnet.programmes import services
from cmrnet.programmes.models import SessionKind
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def test_the_director_sees_the_checklist_with_what_is_missing(draft, director, client_for):
    page = client_for(director).get(f"/programmes/{draft.pk}/").content.decode()
    assert "Enrolment cannot open yet" in page
    assert "schedule a live scan-observation session" in page
    assert 'id="item-lead"' in page


def test_open_enrolment_by_post_is_refused_with_the_missing_items(draft, director, client_for):
    response = client_for(director).post(f"/programmes/{draft.pk}/enrolment/", follow=True)
    assert "Enrolment cannot open; missing:" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.enrolment_open


def test_a_trainee_sees_an_open_programme_but_not_a_draft_and_never_the_checklist(open_programme, director, other_trainee, client_for):
    draft = services.create_programme(by=director, title="Draft", host_centre=open_programme.host_centre, director=director,
                                      lead=open_programme.lead, starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 12, 1), capacity=4)
    c = client_for(other_trainee)
    assert c.get(f"/programmes/{draft.pk}/").status_code == 404
    page = c.get(f"/programmes/{open_programme.pk}/").content.decode()
    assert "Apply" in page and 'id="checklist"' not in page
    assert c.get(f"/programmes/{open_programme.pk}/scmr-plan.pdf").status_code == 403
    assert c.get(f"/api/v1/programmes/{open_programme.pk}/checklist/").status_code == 403
    lecture = open_programme.sessions.get(kind=SessionKind.RECORDED_LECTURE)
    assert c.get(f"/programmes/sessions/{lecture.pk}/").status_code == 404   # not enrolled
    assert c.get(f"/programmes/sessions/{lecture.pk}/video").status_code == 404


def test_a_trainee_sees_only_their_own_enrolment(open_programme, trainee, other_trainee, enrol, client_for):
    mine = enrol(open_programme, trainee)
    theirs = enrol(open_programme, other_trainee)
    c = client_for(trainee)
    assert c.get(f"/programmes/enrolments/{mine.pk}/").status_code == 200
    assert c.get(f"/programmes/enrolments/{theirs.pk}/").status_code == 404
    data = c.get(f"/api/v1/programmes/{open_programme.pk}/enrolments/").json()
    assert [e["trainee"] for e in data] == [trainee.pk]


def test_the_plan_pdf_carries_the_programme_name_and_every_stipulation(complete_programme, director, client_for):
    response = client_for(director).get(f"/programmes/{complete_programme.pk}/scmr-plan.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Virtual CMR Level II 2026" in text
    for title in ("Lead: Level 3 or equivalent CMR expert", "Console visualisation during scans",
                  "Video equipment meets local standards"):
        assert title in text


def test_the_recorded_lecture_is_served_with_range_requests(open_programme, trainee, enrol, client_for):
    from tests.programmes.conftest import VIDEO

    enrol(open_programme, trainee)
    lecture = open_programme.sessions.get(kind=SessionKind.RECORDED_LECTURE)
    c = client_for(trainee)
    whole = c.get(f"/programmes/sessions/{lecture.pk}/video")
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == VIDEO
    part = c.get(f"/programmes/sessions/{lecture.pk}/video", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(VIDEO)}"
    assert b"".join(part.streaming_content) == VIDEO[100:200]
    tail = c.get(f"/programmes/sessions/{lecture.pk}/video", HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == VIDEO[-10:]
    beyond = c.get(f"/programmes/sessions/{lecture.pk}/video", HTTP_RANGE=f"bytes={len(VIDEO)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(VIDEO)}"


def test_the_player_reports_watched_stretches(open_programme, trainee, enrol, client_for):
    enrol(open_programme, trainee)
    lecture = open_programme.sessions.get(kind=SessionKind.RECORDED_LECTURE)
    c = client_for(trainee)
    url = f"/programmes/sessions/{lecture.pk}/watched/"
    assert c.post(url, {"start": 0, "end": 89}, content_type="application/json").json() == \
        {"seconds_watched": 89, "length": 100, "attended": False}
    assert c.post(url, {"start": 80, "end": 90}, content_type="application/json").json()["attended"] is True
    assert c.post(url, "nonsense", content_type="application/json").status_code == 400


def test_the_completion_certificate_verifies_in_the_certification_register_and_on_the_programme_page(
        open_programme, director, mentor, trainee, enrol, client_for, client, settings):
    settings.SITE_URL = "https://cmr.example.org"
    enrolment = enrol(open_programme, trainee)
    services.record_assessment(by=mentor, enrolment=enrolment, assessed_on=dt.date(2026, 6, 30))
    services.record_determination(by=director, enrolment=enrolment, competent=True, decided_on=dt.date(2026, 6, 30))
    certificate = services.issue_certificate(by=director, enrolment=enrolment, now=timezone.now())
    # the PDF's link and QR lead to the certification register's verification, on the site's address (as certificates)
    pdf = client_for(trainee).get(f"/programmes/enrolments/{enrolment.pk}/certificate.pdf")
    url = f"https://cmr.example.org/certification/verify/{certificate.code}/"
    assert url.encode() in pdf.content and b"testserver" not in pdf.content
    text = pdf_text(pdf.content)
    assert url in text and "Tara Trainee" in text
    record = client_for(trainee).get(f"/programmes/enrolments/{enrolment.pk}/").content.decode()
    assert f'href="/certification/verify/{certificate.code}/" id="verify-link"' in record
    # the register's public page (no login) shows it as a programme completion, valid
    public = client.get(f"/certification/verify/{certificate.code}/")
    page = public.content.decode()
    assert public.status_code == 200 and '<p class="verdict active" id="verdict" role="status">Valid</p>' in page
    assert "Programme completion certificate" in page and "Tara Trainee" in page and "Virtual CMR Level II 2026" in page
    assert "competent, on 2026-06-30, by the programme director" in page and "not a board certification" in page
    # the register's API too
    api = client.get(f"/api/v1/certification/verify/{certificate.code}/").json()
    assert (api["kind"], api["name"], api["status"]) == ("programme_completion", "Tara Trainee", "active")
    assert api["facts"]["Programme"] == "Virtual CMR Level II 2026" and api["facts"]["Dates"] == "2026-03-02 to 2026-06-30"
    # and the programme's own page still
    own = client.get(f"/programmes/verify/{certificate.code}/").content.decode()
    assert "Valid" in own and "Tara Trainee" in own and "Virtual CMR Level II 2026" in own
    # unknown codes: nothing, on every page
    assert client.get("/programmes/verify/not-a-code/").status_code == 404
    unknown = client.get("/certification/verify/not-a-code/")
    assert unknown.status_code == 404 and "No certificate matches this code" in unknown.content.decode()
    assert client.get("/api/v1/certification/verify/not-a-code/").status_code == 404
    assert client.get("/certification/verify/a%00b/").status_code == 404


def test_a_fifth_trainee_is_refused_on_the_page(open_programme, make_trainees, enrol, client_for):
    group = open_programme.sessions.get(kind=SessionKind.INTERPRETATION)
    trainees = make_trainees(5)
    for t in trainees:
        enrol(open_programme, t)
        client_for(t).post(f"/programmes/sessions/{group.pk}/seat/")
    assert group.seats.count() == 4
    page = client_for(trainees[4]).post(f"/programmes/sessions/{group.pk}/join/", follow=True).content.decode()
    assert "This small group is full (4 trainees per mentor)." in page


def test_the_dashboard_shows_a_trainee_their_programmes_and_a_director_what_is_missing(open_programme, director, trainee, enrol,
                                                                                       client_for):
    enrol(open_programme, trainee)
    page = client_for(trainee).get("/").content.decode()
    assert "Your programmes" in page and "Virtual CMR Level II 2026</a>: enrolled, 0 of 3 sessions attended" in page
    other = services.create_programme(by=director, title="Next year", host_centre=open_programme.host_centre, director=director,
                                      lead=open_programme.lead, starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 6, 1),
                                      capacity=4)
    page = client_for(director).get("/").content.decode()
    assert f"{open_programme.title}</a>:\nenrolment open" in page
    assert f"{other.title}</a>:\n" in page and "to complete" in page


def test_the_scmr_verification_is_recorded_with_its_letter_and_meets_the_optional_item(complete_programme, director, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cmrnet.audit.models import AuditEntry

    c = client_for(director)
    c.post(f"/programmes/{complete_programme.pk}/verification/", {
        "verified_on": "2026-01-05", "reference": "SCMR-VT-2026-17",
        "document": SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", content_type="application/pdf")})
    verification = complete_programme.verifications.get()
    assert verification.reference == "SCMR-VT-2026-17" and verification.document.name.endswith(".pdf")
    assert AuditEntry.objects.filter(action="programme.scmr_verified").exists()
    data = c.get(f"/api/v1/programmes/{complete_programme.pk}/checklist/").json()
    assert data["may_open_enrolment"] is True and data["missing"] == []
    review = next(i for i in data["items"] if i["id"] == "scmr_review")
    assert review["status"] == "met" and "SCMR-VT-2026-17" in review["evidence"]
    assert len(data["items"]) == 12


def test_a_verification_letter_must_be_a_pdf_or_image(complete_programme, director, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(director).post(f"/programmes/{complete_programme.pk}/verification/", {
        "verified_on": "2026-01-05", "reference": "X", "document": SimpleUploadedFile("letter.exe", b"MZ")}, follow=True)
    assert "Not recorded" in response.content.decode()
    assert not complete_programme.verifications.exists()
