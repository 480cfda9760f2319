"""Issue 12, the programme journey in real Chromium against the real site (`cmrnet serve`, HTTP and
WebSockets): a director builds a programme, the checklist blocks enrolment until it is complete, the SCMR
plan PDF's first page (rendered to PNG by pdftoppm, read back by tesseract OCR) carries the programme's
name; a trainee enrols, watches a recorded lecture (progress recorded), attends a small-group session in
its live room; a sixth trainee is refused by the cap of five; the director records the final
determination; the completion certificate verifies on the public page."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import time
import wave

import pytest
from django.utils import timezone

from cmrnet.people.roles import Role
from cmrnet.people.services import add_certification
from tests.e2e.asgi_server import CHROMIUM_WEBRTC_FLAGS, asgi_data_dir, asgi_server, login  # noqa: F401 (fixtures)
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS
from tests.programmes.conftest import published_cases

TITLE = "Virtual CMR Programme Lipsia 2027"   # no I/l pair: OCR reads II as Il
pytestmark = pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("tesseract")),
                                reason="pdftoppm (poppler-utils) and tesseract (tesseract-ocr) are needed; .ci/run installs them")


def require_tools():
    if os.environ.get("CI", "").lower() == "true" and not (shutil.which("pdftoppm") and shutil.which("tesseract")):
        pytest.fail("CI=true: pdftoppm and tesseract must be installed")


require_tools()


def wav(seconds: int) -> bytes:
    """A narrated-lecture stand-in: `seconds` of a quiet tone, 8 kHz mono (Chromium plays WAV in <video>)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes(128 + (20 if (i // 20) % 2 else -20) for i in range(8000 * seconds)))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS + CHROMIUM_WEBRTC_FLAGS)
        yield b
        b.close()


@pytest.fixture
def cast(make_person, centre):
    centre.trainees_trained, centre.training_since = 25, 2008
    centre.save()
    lead = make_person("lena@example.org", Role.MENTOR, full_name="Lena Lead")
    add_certification(by=None, holder=lead, body="SCMR", level=3, awarded_on=dt.date(2018, 1, 1), valid_until=dt.date(2035, 1, 1))
    return {"director": make_person("paula@example.org", Role.PROGRAMME_DIRECTOR, full_name="Paula Director"), "lead": lead,
            "mentor": make_person("max@example.org", Role.MENTOR, full_name="Max Mentor"),
            "trainees": [make_person(f"t{i}@example.org", Role.TRAINEE, full_name=f"Trainee {chr(65 + i)}") for i in range(6)],
            "centre": centre, "cases": published_cases(lead)}


def submit(page, label: str):
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def add_session(page, server, programme_pk, *, kind, title, mentor=None, day=None, start="09:00", end="10:00", extra=None):
    page.goto(f"{server.url}/programmes/{programme_pk}/sessions/new/")
    page.select_option("#id_kind", kind)
    page.fill("#id_title", title)
    if mentor:
        page.select_option("#id_mentor", str(mentor.pk))
    if day:
        page.fill("#id_day", day.isoformat())
        page.fill("#id_start", start)
        page.fill("#id_end", end)
    (extra or (lambda: None))()
    submit(page, "Add session")
    assert f"Session {title} added." in page.content(), page.content()[:3000]


def test_programme_journey(chromium, asgi_server, cast, tmp_path):
    from cmrnet.programmes import services
    from cmrnet.programmes.models import Enrolment, Programme, ProgrammeSession, WatchProgress

    server = asgi_server()
    director, lead, mentor, trainees = cast["director"], cast["lead"], cast["mentor"], cast["trainees"]
    day = timezone.localdate() + dt.timedelta(days=40)

    # --- the director builds the programme
    dctx = chromium.new_context(accept_downloads=True)
    page = login(dctx, server.url, director)
    page.goto(f"{server.url}/programmes/new/")
    page.fill("#id_title", TITLE)
    page.select_option("#id_host_centre", str(cast["centre"].pk))
    page.select_option("#id_director", str(director.pk))
    page.select_option("#id_lead", str(lead.pk))
    page.check(f"input[name=faculty][value='{mentor.pk}']")
    page.fill("#id_starts_on", (day - dt.timedelta(days=5)).isoformat())
    page.fill("#id_ends_on", (day + dt.timedelta(days=120)).isoformat())
    page.select_option("#id_time_zone", "Europe/Berlin")
    page.fill("#id_capacity", "8")
    page.select_option("#id_delivery_mode", "blended")
    page.fill("#id_mentor_cap", "5")
    submit(page, "Save")
    programme = Programme.objects.get(title=TITLE)
    assert "Enrolment cannot open yet" in page.content()
    submit(page, "Open enrolment")
    assert "Enrolment cannot open; missing:" in page.locator(".messages, [role=alert], body").first.inner_text()
    assert not Programme.objects.get(pk=programme.pk).enrolment_open

    # --- completes the checklist: a module, statements, in-person components, the record's document, sessions
    page.get_by_text("Add a module").click()
    page.fill("#id_title", "Foundations and reading")
    page.fill("#id_objectives", "Apply MR safety\nReport complete studies")
    page.check("#id_covers_safety")
    submit(page, "Add module")
    page.goto(f"{server.url}/programmes/{programme.pk}/edit/")
    page.check("#id_stress_in_person")
    page.check("#id_devices_in_person")
    page.fill("#id_video_equipment_statement", "Diagnostic-grade monitors at every site")
    page.fill("#id_privacy_statement", "De-identified studies only; rooms are not recorded")
    page.fill("#id_scmr_feedback_arrangement", "End survey exported to SCMR")
    page.set_input_files("#id_training_record_document", {"name": "record.pdf", "mimeType": "application/pdf",
                                                          "buffer": b"%PDF-1.4 training record"})
    submit(page, "Save")
    add_session(page, server, programme.pk, kind="didactic_live", title="CMR physics", mentor=lead, day=day)
    add_session(page, server, programme.pk, kind="recorded_lecture", title="Safety lecture", extra=lambda: (
        page.set_input_files("#id_video", {"name": "safety.wav", "mimeType": "audio/wav", "buffer": wav(8)}),
        page.fill("#id_video_seconds", "8")))
    add_session(page, server, programme.pk, kind="scan_observation", title="Live scan", mentor=mentor, day=day, start="11:00", end="12:00")
    add_session(page, server, programme.pk, kind="planning", title="Planning", mentor=mentor, day=day, start="13:00", end="14:00")

    def reading_set():   # one published library case of each disease category
        page.select_option("#id_cases", [str(c.pk) for c in cast["cases"]])
    add_session(page, server, programme.pk, kind="interpretation", title="Reading group", mentor=mentor, day=day,
                start="15:00", end="16:00", extra=reading_set)
    page.goto(f"{server.url}/programmes/{programme.pk}/")
    assert "Every mandatory stipulation is met" in page.content()
    submit(page, "Open enrolment")
    assert "Enrolment is open." in page.content()

    # --- the SCMR plan PDF: first page to PNG, read back
    with page.expect_download() as info:
        page.click("#plan-pdf")
    pdf_path = tmp_path / "plan.pdf"
    info.value.save_as(pdf_path)
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "150", "-png", str(pdf_path), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ocr = subprocess.run(["tesseract", str(png), "stdout"], capture_output=True, text=True, check=True).stdout
    assert TITLE in " ".join(ocr.split()), ocr[:500]

    # --- a trainee applies, the director accepts
    tctx = chromium.new_context()
    tpage = login(tctx, server.url, trainees[0])
    tpage.goto(f"{server.url}/programmes/{programme.pk}/")
    submit(tpage, "Apply")
    assert "Application sent" in tpage.content()
    page.goto(f"{server.url}/programmes/{programme.pk}/")
    page.get_by_role("button", name="Accept Trainee A").click()
    page.wait_for_load_state()
    assert Enrolment.objects.get(programme=programme, trainee=trainees[0]).status == "enrolled"

    # --- watches the recorded lecture (8 s, played at 4x): progress recorded, attended at >= 90 %
    lecture = ProgrammeSession.objects.get(programme=programme, kind="recorded_lecture")
    tpage.goto(f"{server.url}/programmes/sessions/{lecture.pk}/")
    tpage.wait_for_function("() => document.getElementById('lecture').readyState >= 1")
    tpage.evaluate("() => { const v = document.getElementById('lecture'); v.muted = true; v.playbackRate = 4; return v.play(); }")
    tpage.wait_for_function("() => document.getElementById('watch-progress').textContent.includes('Counts as attended')",
                           timeout=30_000)
    assert WatchProgress.objects.get(session=lecture, trainee=trainees[0]).seconds_watched >= 8 * 0.9

    # --- takes a place in the small group, attends its live room
    group = ProgrammeSession.objects.get(programme=programme, kind="interpretation")
    for other in trainees[1:5]:   # four more: the group of five is full
        enrolment = services.apply(by=other, programme=programme, now=timezone.now())
        services.accept(by=director, enrolment=enrolment, now=timezone.now())
        if other != trainees[4]:
            services.take_seat(by=other, session=group, now=timezone.now())
    tpage.goto(f"{server.url}/programmes/sessions/{group.pk}/")
    submit(tpage, "Take a place")
    assert "Your place in this small group is booked" in tpage.content()
    services.take_seat(by=trainees[4], session=group, now=timezone.now())
    now = timezone.now()
    live = group.live_session
    live.starts_at, live.ends_at = now - dt.timedelta(seconds=2), now + dt.timedelta(seconds=38)
    live.save(update_fields=["starts_at", "ends_at"])
    tpage.click("#join")
    tpage.wait_for_url("**/live/rooms/**")
    tpage.click("#join")
    tpage.wait_for_function("() => document.getElementById('room').dataset.state === 'in-room'", timeout=20_000)
    time.sleep(max(0, (live.ends_at - timezone.now()).total_seconds()) + 1)
    tpage.goto(f"{server.url}/programmes/{programme.pk}/")
    enrolment = Enrolment.objects.get(programme=programme, trainee=trainees[0])
    tpage.goto(f"{server.url}/programmes/enrolments/{enrolment.pk}/")
    row = tpage.locator("#attendance tr", has_text="Reading group")
    assert "yes" in row.inner_text(), row.inner_text()

    # --- a sixth trainee is refused by the cap of five
    sixth = trainees[5]
    enrolment6 = services.apply(by=sixth, programme=programme, now=timezone.now())
    services.accept(by=director, enrolment=enrolment6, now=timezone.now())
    sctx = chromium.new_context()
    spage = login(sctx, server.url, sixth)
    spage.goto(f"{server.url}/programmes/sessions/{group.pk}/")
    submit(spage, "Take a place")
    assert "This small group is full (5 trainees per mentor)." in spage.content()
    assert group.seats.count() == 5

    # --- the director records the in-person assessment and the final determination, issues the certificate
    page.goto(f"{server.url}/programmes/enrolments/{enrolment.pk}/")
    page.get_by_text("Record an assessment").click()
    page.fill("#id_assessed_on", timezone.localdate().isoformat())
    submit(page, "Record assessment")
    page.check("input[name=competent][value=yes]")
    page.fill("#id_decided_on", timezone.localdate().isoformat())
    submit(page, "Record final determination")
    assert "competent to perform and interpret CMR independently" in page.inner_text("#determination")
    submit(page, "Issue completion certificate")
    verify_url = page.get_attribute("#verify-link", "href")

    # --- the certificate verifies on the public page (no login)
    public = chromium.new_context().new_page()
    public.goto(server.url + verify_url)
    assert public.inner_text("#verdict") == "Valid"
    assert "Trainee A" in public.content() and TITLE in public.content()
    for ctx in (dctx, tctx, sctx):
        ctx.close()
