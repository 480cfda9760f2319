"""Issue 13, accessibility beyond axe and printing: a keyboard-only walk through an exam (answer, flag,
review, submit) with a visible focus indicator at every stop; 200% zoom (683 CSS px at device scale
factor 2) with no horizontal scroll and nothing cut on the delivery, logbook and progress pages; the
progress summary at 390 px; axe's colour-contrast rule; and the print layout of the progress, results
and application pages (no navigation or buttons, no table wider than the paper)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.exams import services
from cmrnet.exams.models import Attempt
from cmrnet.people.roles import Role
from tests.e2e.axe import describe, violations
from tests.e2e.shots import shoot
from tests.exams import factories
from tests.logbook.factories import generated_cases, supervise

pytestmark = pytest.mark.django_db(transaction=True)

# Elements wider than the viewport, or reaching past its right edge, outside a container that scrolls by
# design (a table that scrolls inside itself is allowed on a phone, not at 200% zoom on a laptop).
OVERFLOW = """(allowScroll) => {
  const width = document.documentElement.clientWidth, found = [];
  const scrolls = (el) => { for (let e = el.parentElement; e; e = e.parentElement) {
      const s = getComputedStyle(e); if (allowScroll && /(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth) return true; }
    return false; };
  const clipped = (el) => { for (let e = el; e; e = e.parentElement) {   // visually hidden (screen readers only)
      const s = getComputedStyle(e); if ((s.clip && s.clip !== 'auto') || (s.clipPath && s.clipPath !== 'none')) return true; }
    return false; };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (!r.width || s.visibility === 'hidden' || s.position === 'absolute' && r.width <= 1 || clipped(el)) continue;
    if (r.right > width + 1 && !scrolls(el)) found.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className) + ' right=' + Math.round(r.right));
  }
  return {scroll: document.documentElement.scrollWidth - width, found: found.slice(0, 8)};
}"""

FOCUS_VISIBLE = """() => { const el = document.activeElement, s = getComputedStyle(el);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none'); }"""


def fits(page, *, allow_scroll: bool = False) -> dict:
    return page.evaluate(OVERFLOW, allow_scroll)


@pytest.fixture
def with_cases(trainee, mentor):
    from cmrnet.logbook import services as logbook

    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    for data in generated_cases(mentor, 12, today=today):
        logbook.add_case(by=trainee, trainee=trainee, data=data)
    return trainee


def tab_to(page, locator, *, limit: int = 60) -> None:
    """Press Tab (only) until `locator` has the focus; every stop on the way shows a focus indicator."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            assert page.evaluate(FOCUS_VISIBLE), f"no visible focus indicator on {locator}"
            return
        assert page.evaluate(FOCUS_VISIBLE), "a focus stop without a visible indicator: " + page.evaluate(
            "() => document.activeElement.outerHTML.slice(0, 120)")
    pytest.fail(f"{locator} not reached with Tab")


def test_an_exam_by_keyboard_only(page, login, trainee, started):
    login(trainee)
    page.goto(f"/exams/attempts/{started.pk}/q/1/")
    tab_to(page, page.get_by_label("Alpha 1"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Alpha 1")).to_be_checked()
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.keyboard.press("ArrowDown")                                    # radios: the arrow moves the choice
    expect(page.get_by_label("Bravo 1")).to_be_checked()
    expect(page.locator("#save-status")).to_have_text("Saved")
    tab_to(page, page.get_by_label("Flag for review"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Flag for review")).to_be_checked()
    expect(page.locator("#save-status")).to_have_text("Saved")
    tab_to(page, page.get_by_role("link", name="Review and submit"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    expect(page.locator("#flagged").get_by_role("link")).to_have_text(["Question 1"])
    expect(page.locator("#unanswered").get_by_role("heading")).to_have_text("Unanswered questions (4)")
    tab_to(page, page.get_by_role("button", name="Submit the exam"))
    page.once("dialog", lambda dialog: dialog.accept())                 # the browser's own box: Enter accepts
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/done/$"))
    attempt = Attempt.objects.get(pk=started.pk)
    assert attempt.submit_reason == "candidate"
    assert [a.choice for a in attempt.answers.exclude(choice="")] == ["B"]


def test_contrast_and_focus_on_the_delivery_logbook_and_progress_pages(page, login, trainee, started):
    login(trainee)
    for url in (f"/exams/attempts/{started.pk}/q/1/", "/logbook/", "/logbook/progress/"):
        page.goto(url)
        contrast = [v for v in violations(page, impacts=("minor", "moderate", "serious", "critical"))
                    if v["id"] == "color-contrast"]
        assert contrast == [], f"{url}: {describe(contrast)}"
        page.keyboard.press("Tab")                                      # the skip link, then the page
        assert page.evaluate(FOCUS_VISIBLE), url


@pytest.fixture
def zoomed(browser, live_server):
    """A laptop at 200% zoom: 683 CSS pixels wide at device scale factor 2."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 683, "height": 768},
                                  device_scale_factor=2)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _login(page, person):
    from tests.conftest import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def _shot(page, name):
    folder = os.environ.get("CMRNET_SCREENS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_200_percent_zoom_needs_no_horizontal_scroll(zoomed, trainee, started, with_cases):
    _login(zoomed, trainee)
    for name, url in (("delivery", f"/exams/attempts/{started.pk}/q/1/"), ("logbook", "/logbook/"),
                      ("progress", "/logbook/progress/")):
        zoomed.goto(url)
        result = fits(zoomed)
        assert result == {"scroll": 0, "found": []}, f"{url}: {result}"
        _shot(zoomed, f"zoom200-{name}")


def test_the_progress_summary_and_the_case_list_fit_a_phone(page, login, with_cases):
    login(with_cases)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/logbook/")
    summary = page.locator("#progress-summary")
    assert summary.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert summary.locator("table").evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    expect(page.locator("#progress-summary td[data-label=Status]").first).to_be_visible()
    assert fits(page) == {"scroll": 0, "found": []}, fits(page)        # the case list is stacked too
    expect(page.locator("#case-rows td[data-label=Category]").first).to_be_visible()
    shoot(page, "logbook-with-cases")


PRINT_WIDTH = 680   # A4 portrait less the 1.5 cm margins, in CSS pixels
LANDSCAPE_WIDTH = 1032   # A4 landscape less 1.2 cm margins: the logbook's case table prints on it


def _printed(page, url, name, width=PRINT_WIDTH):
    page.goto(url)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": width, "height": 1000})
    expect(page.locator(".site-header nav")).to_be_hidden()
    for button in page.get_by_role("button").all():
        expect(button).to_be_hidden()
    result = fits(page)
    assert result == {"scroll": 0, "found": []}, f"{url} in print: {result}"
    folder = os.environ.get("CMRNET_SCREENS")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"print-{name}.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")


def test_progress_results_and_application_pages_print_cleanly(page, login, trainee, with_cases, started):
    login(trainee)
    _printed(page, "/logbook/progress/", "progress")
    _printed(page, "/logbook/", "logbook", width=LANDSCAPE_WIDTH)
    page.goto("/logbook/")
    page.emulate_media(media="print")
    assert page.locator("#case-table").evaluate("el => getComputedStyle(el).page") == "cases-wide"
    expect(page.locator("table.cases th.case-actions")).to_be_hidden()
    page.emulate_media(media="screen")
    _printed(page, "/exams/mine/", "my-exams")


def test_the_boards_results_page_prints_cleanly(page, login, board_member, started):
    login(board_member)
    _printed(page, f"/exams/sittings/{started.registration.sitting_id}/results/", "results-board")


@pytest.fixture
def application(trainee, mentor, board_member):
    from cmrnet.certification import services as certification
    from cmrnet.people.models import ExamPass
    from tests.certification.helpers import import_compliant_logbook, pdf_upload, prepare_candidate

    today = timezone.localdate()
    prepare_candidate(trainee=trainee, supervisor=mentor, today=today, board=board_member)
    exam = ExamPass.objects.get(person=trainee)
    import_compliant_logbook(trainee=trainee, supervisor=mentor, exam_date=exam.exam_date)
    app = certification.open_application(by=trainee, body="EACVI", route="level2", supervisors=[mentor], today=today)
    for kind in ("registration", "acls"):
        certification.upload_document(by=trainee, application=app, kind=kind, file=pdf_upload(f"{kind}.pdf"))
    return app


def test_the_application_page_prints_cleanly(page, login, trainee, application):
    login(trainee)
    _printed(page, f"/certification/applications/{application.pk}/", "application")


def test_sitting_times_on_the_board_home_page_and_the_dashboard_panel(page, login, board_member, trainee, make_person):
    """Issue 8's follow-up, as people see it: a New York sitting on its own clock (EST), not the site's."""
    from cmrnet.exams.services.forms import ensure_topics

    ensure_topics()
    board2 = make_person("bob@example.org", Role.EXAM_BOARD, full_name="Bob Board")
    form, _ = factories.locked_form(board_member, board2)
    opens = dt.datetime(2030, 1, 15, 14, 0, tzinfo=dt.timezone.utc)
    sitting = factories.sitting_for(board_member, form, opens=opens, hours=2, time_zone="America/New_York")
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    login(board_member)
    page.goto("/exams/board/")
    expect(page.get_by_role("cell", name="2030-01-15 09:00–11:00 EST")).to_be_visible()
    shoot(page, "exam-board-home")
    page.goto(f"/exams/sittings/{sitting.pk}/manage/")
    expect(page.get_by_label("Start time (America/New_York, EST)")).to_have_value("2030-01-15T09:00")
    shoot(page, "sitting-manage")
    login(trainee)
    expect(page.get_by_text("starts 2030-01-15 09:00 EST")).to_be_visible()
    shoot(page, "dashboard-exam-panel")
