"""Issue 11's reading journey in real Chromium: a trainee opens an assigned library case in the viewer,
plays the cine, scrolls slices, changes window/level, measures a distance and submits a report; the
mentor comments on a frame and reviews; the trainee opens the comment at that frame and adds the case
to the logbook, and the course-share figure on the progress page changes.

With CMRNET_SCREENS_DIR set, screenshots at 1366 and 390 px are saved there."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.interpretation import discs, services
from tests.interpretation.stack import COL_MM, ROW_MM, make_cine_case
from tests.logbook.factories import supervise

pytestmark = pytest.mark.django_db(transaction=True)
SCREENS = os.environ.get("CMRNET_SCREENS_DIR")


def shoot(page, name: str) -> None:
    if not SCREENS:
        return
    Path(SCREENS).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)   # the viewer redraws on resize
        page.screenshot(path=f"{SCREENS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def viewport(page):
    return page.locator(".viewport.active")


def course_share_text(page) -> str:
    page.goto("/logbook/")
    row = page.locator("#progress-summary tr[data-rule=course_share]")
    expect(row).to_be_visible()
    return row.inner_text()


def test_read_review_and_log_a_library_case(page, login, trainee, mentor, centre):
    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    case = make_cine_case(contributor=mentor, centre=centre, slices=6, phases=10, rows=96, cols=96)
    reading = services.assign_case(by=mentor, trainee=trainee, case=case).interpretation

    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(trainee)
    before = course_share_text(page)
    assert re.search(r"\b0 cases from courses", before)

    # --- the trainee opens the assigned case: the viewer shows the short-axis cine
    page.goto("/interpretation/")
    page.get_by_role("link", name=case.pseudonym).click()
    viewer = page.locator("[data-cmr-viewer]")
    expect(viewer).to_have_attribute("data-state", "ready")
    vp = viewport(page)
    expect(vp).to_have_attribute("data-state", "shown")
    expect(vp).to_have_attribute("data-slice", "3")       # the middle slice first
    expect(vp).to_have_attribute("data-phase", "0")
    expect(page.locator(".series-item")).to_have_count(1)
    assert not errors, errors
    expect(page.locator(".series-item canvas[data-drawn='1']")).to_have_count(1)   # thumbnail
    first_frame = float(viewer.get_attribute("data-first-frame-ms"))
    assert first_frame > 0

    # --- play the cine at the acquired rate (40 ms per phase), then pause
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.wait_for_function("() => +document.querySelector('.viewport.active').dataset.phase >= 3")
    expect(vp.locator("[data-info=tr]")).to_contain_text("fps", timeout=5000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    paused_at = vp.get_attribute("data-phase")
    page.wait_for_timeout(300)
    assert vp.get_attribute("data-phase") == paused_at

    # --- scroll slices (wheel and keys) and phases (keys)
    canvas = vp.locator("canvas")
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, 120)
    expect(vp).to_have_attribute("data-slice", "4")
    vp.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(vp).to_have_attribute("data-slice", "2")
    page.keyboard.press("ArrowRight")
    expect(vp).to_have_attribute("data-phase", str((int(paused_at) + 1) % 10))

    # --- the pixel value under the cursor is the stored value (corner pixel 4095, blood pool 400)
    page.mouse.move(cx, cy)
    expect(vp.locator("[data-info=br]")).to_contain_text("= 400")

    # --- window/level: a preset, then a drag with the W/L tool
    info = vp.locator("[data-info=tr]")
    expect(info).to_contain_text("W 500 L 250")
    page.get_by_label("Window preset").select_option("full")   # the frame's range: 100 to 4095
    expect(info).to_contain_text("W 3995 L 2098")
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 60, cy - 40, steps=5)
    page.mouse.up()
    expect(info).not_to_contain_text("W 3995 L 2098")

    # --- measure a distance across the blood pool
    page.get_by_role("button", name="Distance").click()
    page.mouse.move(cx - 60, cy)
    page.mouse.down()
    page.mouse.move(cx + 60, cy, steps=6)
    page.mouse.up()
    item = page.locator("[data-measurements] li[data-measurement=distance]")
    expect(item).to_have_count(1)
    points = page.evaluate("() => window.cmrViewer.measurements[0].points")
    (x1, y1), (x2, y2) = points
    expected_mm = math.hypot((x2 - x1) * COL_MM, (y2 - y1) * ROW_MM)
    expect(item).to_contain_text(f"Distance {expected_mm:.1f} mm")
    assert 20 < expected_mm < 96 * COL_MM       # inside the 144 mm field of view

    # --- the viewer's area code and the Python disc summation agree on the same contour
    contour = [[30, 30], [60, 28], [66, 55], [40, 70], [25, 50]]
    js_area = page.evaluate("(p) => window.cmrMeasure.polygonAreaMm2(p, [1.5, 1.5])", contour)
    assert js_area == pytest.approx(discs.polygon_area_mm2(contour, (1.5, 1.5)))
    assert page.evaluate("() => window.cmrMeasure.discVolumeMl([1000, 2000], 8)") == pytest.approx(
        discs.disc_volume_ml([1000, 2000], 8))
    shoot(page, "reading-viewer")

    # --- fill and submit the structured report (blinded: the title is not on the page)
    assert case.title not in page.locator("h1").inner_text()
    page.get_by_label("LV end-diastolic volume (ml)").fill("158")
    page.get_by_label("LV end-systolic volume (ml)").fill("75")
    page.get_by_label("LV ejection fraction (%)").fill("53")
    page.get_by_label("7 mid anterior: LGE").select_option("mid_wall")
    page.get_by_label("Disease category").select_option("cardiomyopathy")
    page.get_by_label("Final diagnosis").fill("Dilated cardiomyopathy")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Report submitted")).to_be_visible()
    expect(page.locator("tr[data-field=lv_ef_pct] td.status")).to_have_text("differs")    # 53 vs 60
    expect(page.locator("tr[data-field=lv_edv_ml] td.status")).to_have_text("agrees")     # 158 vs 150
    expect(page.locator("h1")).to_contain_text(case.title)
    reading.refresh_from_db()
    assert reading.measurements[0]["type"] == "distance"
    shoot(page, "reading-compared")

    # --- the mentor comments on a frame (slice 5, phase 7) and reviews
    login(mentor)
    page.goto(f"/interpretation/{reading.pk}/")
    vp = viewport(page)
    expect(vp).to_have_attribute("data-state", "shown")
    vp.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    expect(vp).to_have_attribute("data-slice", "5")
    expect(vp).to_have_attribute("data-phase", "7")
    page.get_by_role("button", name="Point for a comment").click()
    box = vp.locator("canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2)
    expect(page.locator("[data-anchor-text]")).to_contain_text("slice 6, phase 8")
    page.locator("textarea[name=text]").fill("End-systole is here: trace the ESV on this phase.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    page.get_by_label("Overall grade").select_option("good")
    page.get_by_label("Full review done").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    shoot(page, "reading-mentor")

    # --- the trainee opens the comment at its frame
    login(trainee)
    page.goto(f"/interpretation/{reading.pk}/")
    page.locator("[data-open-comment]").click()
    vp = viewport(page)
    expect(vp).to_have_attribute("data-state", "shown")
    expect(vp).to_have_attribute("data-slice", "5")
    expect(vp).to_have_attribute("data-phase", "7")
    marker = page.evaluate("() => window.cmrViewer.active.marker")
    assert marker["slice"] == 5 and marker["phase"] == 7 and marker["x"] > 48

    # --- into the logbook as a course case: the course-share figure changes
    page.get_by_role("button", name="Add to my logbook").click()
    expect(page.get_by_text("Added to your logbook as course case")).to_be_visible()
    after = course_share_text(page)
    assert re.search(r"\b1 cases from courses", after), after
    assert after != before
    page.goto("/interpretation/progress/")
    expect(page.locator("[data-category=cardiomyopathy]")).to_contain_text("1")
    expect(page.locator("figure[data-parameter=lv_ef_pct]")).to_contain_text("bias -7.0")
    shoot(page, "reading-progress")
