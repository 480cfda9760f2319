"""Issue 11's reading journey in real Chromium: a mentor uploads a zip of a known-truth phantom (the
library's upload page and ingest), publishes the case and assigns it; the trainee opens it in the
viewer, plays the cine, scrolls slices, changes window/level, measures a distance, traces the LV at ED
and ES for the disc summation and submits the report; the mentor comments on a frame and reviews; the
trainee opens the comment at that frame and adds the case to the logbook, and the course-share figure
on the progress page changes.

With CMRNET_SCREENS_DIR set, screenshots at 1366 and 390 px are saved there."""

from __future__ import annotations

import math
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.interpretation import discs
from cmrnet.library import phantom
from cmrnet.library.ingest import new_case
from cmrnet.library.services import save_reference_report
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


def phantom_zip(tmp_path):
    """A 6-slice x 10-phase short-axis cine of a known-truth phantom (EDV 150, ESV 60, mass 120), zipped."""
    truth, cine, heights = phantom.generate(150, 60, 120, phases=10, slices=6, matrix=96)
    files = phantom.write_dicom(tmp_path / "dicom", truth, cine, heights)
    path = tmp_path / "study.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in files:
            zf.write(f, f"study/{f.name}")
    return truth, cine, path


def image_point_on_screen(page, x, y):
    cx, cy = page.evaluate("([x, y]) => window.cmrViewer.active.toCanvas(x, y)", [x, y])
    box = viewport(page).locator("canvas").bounding_box()
    return box["x"] + cx, box["y"] + cy


def show(page, slice_index, phase):
    page.evaluate("([s, p]) => { const v = window.cmrViewer.active; v.setSlice(s); v.setPhase(p); }", [slice_index, phase])
    vp = viewport(page)
    expect(vp).to_have_attribute("data-slice", str(slice_index))
    expect(vp).to_have_attribute("data-phase", str(phase))
    expect(vp).to_have_attribute("data-state", "shown")


def trace(page, polygon):
    """Click the contour's points with the Area tool; a double click on the last point closes it."""
    page.evaluate("() => document.querySelector('.viewport.active').scrollIntoView({block: 'center'})")
    *points, last = [image_point_on_screen(page, x, y) for x, y in polygon]
    for x, y in points:
        page.mouse.click(x, y)
    page.mouse.dblclick(*last)


def test_read_review_and_log_a_library_case(page, login, trainee, mentor, centre, tmp_path):
    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    truth, cine, archive = phantom_zip(tmp_path)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # --- the mentor uploads the zip; the case appears de-identified; publishes it, writes the reference
    case = new_case(by=mentor, title="Dilated LV, known truth", category="cardiomyopathy", centre=centre, phantom=True)
    login(mentor)
    page.goto(f"/library/cases/{case.pk}/upload/")
    page.locator("#files").set_input_files(str(archive))
    page.get_by_role("button", name="Upload and de-identify").click()
    expect(page.locator("#upload-status")).to_contain_text("Done: 60 de-identified", timeout=60_000)
    page.goto(f"/library/cases/{case.pk}/")
    expect(page.locator("h1")).to_contain_text(case.pseudonym)
    expect(page.locator("main")).not_to_contain_text("PHANTOM^")
    page.get_by_role("button", name="Publish to the network").click()
    case.refresh_from_db()
    assert case.status == "published"
    save_reference_report(by=mentor, case=case, lv_edv_ml=truth.edv_ml, lv_esv_ml=truth.esv_ml, lv_mass_g=truth.mass_g,
                          lge={}, perfusion_defects=[], final_diagnosis="Dilated cardiomyopathy")
    page.goto("/interpretation/")
    page.locator("select[name=trainee]").select_option(str(trainee.pk))
    page.locator("select[name=case]").select_option(str(case.pk))
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(f"{case.pseudonym} assigned to")).to_be_visible()
    shoot(page, "reading-home-mentor")
    from cmrnet.interpretation.models import Interpretation
    reading = Interpretation.objects.get(trainee=trainee, case=case)

    login(trainee)
    before = course_share_text(page)
    assert re.search(r"\b0 cases from courses", before)

    # --- the trainee opens the assigned case: the viewer shows the short-axis cine
    page.goto("/interpretation/")
    shoot(page, "reading-home-trainee")
    page.get_by_role("link", name=case.pseudonym).click()
    viewer = page.locator("[data-cmr-viewer]")
    expect(viewer).to_have_attribute("data-state", "ready")
    vp = viewport(page)
    expect(vp).to_have_attribute("data-state", "shown")
    expect(vp).to_have_attribute("data-slice", "3")       # the middle slice first
    expect(vp).to_have_attribute("data-phase", "0")
    expect(page.locator(".series-item")).to_have_count(1)
    expect(page.locator(".series-item")).to_contain_text("6 slices × 10 phases")
    expect(page.locator(".series-item canvas[data-drawn='1']")).to_have_count(1)   # thumbnail
    assert not errors, errors
    first_frame = float(viewer.get_attribute("data-first-frame-ms"))
    assert first_frame > 0
    # the whole 60-image stack arrives through the series' batch endpoint in a few requests, not 60
    page.wait_for_function("() => { const s = window.cmrViewer.series[0]; return s.loaded === s.total; }")
    assert page.evaluate("() => window.cmrViewer.series[0].total") == 60
    assert page.evaluate("() => window.cmrViewer.series[0].requests") <= 8
    assert not errors, errors

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

    # --- the pixel value under the cursor is the stored value of the uploaded image (no re-encoding)
    page.mouse.move(cx + 7, cy + 3)
    expect(vp.locator("[data-info=br]")).to_contain_text(") = ")
    # the viewer orders slices along the slice normal (ascending position): the phantom's last slice comes first
    s_idx, p_idx = truth.slices - 1 - int(vp.get_attribute("data-slice")), int(vp.get_attribute("data-phase"))
    ix, iy = (math.floor(v) for v in page.evaluate("() => window.cmrViewer.active.cursor"))
    expect(vp.locator("[data-info=br]")).to_have_text(f"({ix}, {iy}) = {int(cine[s_idx, p_idx, iy, ix])}")

    # --- window/level: a preset, then a drag with the W/L tool
    info = vp.locator("[data-info=tr]")
    expect(info).to_contain_text("W 1000 L 500")                 # as acquired
    page.get_by_label("Window preset").select_option("full")     # the frame's own range
    lo, hi = int(cine[s_idx, p_idx].min()), int(cine[s_idx, p_idx].max())
    full = f"W {hi - lo} L {math.floor((hi + lo) / 2 + 0.5)}"
    expect(info).to_contain_text(full)
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 60, cy - 40, steps=5)
    page.mouse.up()
    expect(info).not_to_contain_text(full)

    # --- zoom with a key and back; two views side by side, then one again
    vp.focus()
    page.keyboard.press("+")
    expect(info).to_contain_text("1.3×")
    page.keyboard.press("r")
    expect(info).to_contain_text("1.0×")
    page.get_by_role("button", name="2 views").click()
    expect(page.locator(".viewport")).to_have_count(2)
    page.locator(".viewport").nth(1).locator("canvas").click()
    expect(page.locator(".viewport").nth(1)).to_have_class(re.compile("active"))
    page.locator(".series-item").click()          # the series into the second view
    expect(page.locator(".viewport").nth(1)).to_have_attribute("data-state", "shown")
    page.get_by_role("button", name="1 view").click()
    expect(page.locator(".viewport")).to_have_count(1)
    vp = viewport(page)
    expect(vp).to_have_attribute("data-state", "shown")
    info = vp.locator("[data-info=tr]")
    canvas = vp.locator("canvas")
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

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
    spacing = truth.pixel_spacing_mm
    expected_mm = math.hypot((x2 - x1) * spacing, (y2 - y1) * spacing)
    expect(item).to_contain_text(f"Distance {expected_mm:.1f} mm")
    assert 20 < expected_mm < 96 * spacing       # inside the field of view

    # --- LV volume by disc summation: trace the endocardium on every slice at ED and at ES
    page.get_by_role("button", name="Area / contour").click()
    centre = phantom.lv_centre(truth)
    expected, traced = {}, 0
    for label, phase in (("ed", 0), ("es", truth.es_phase - 1)):
        show(page, 0, phase)
        page.get_by_role("button", name=f"{label.upper()} = this phase").click()
        areas = []
        for s_idx in range(truth.slices):
            show(page, truth.slices - 1 - s_idx, phase)
            endo, _ = phantom.contours(cine[s_idx, phase], centre, rays=24)
            if endo:
                trace(page, endo)
                traced += 1
                areas.append(discs.polygon_area_mm2(endo, (spacing, spacing)))
        expected[label] = discs.disc_volume_ml(areas, truth.slice_spacing_mm)
    drawn = page.evaluate("() => window.cmrViewer.measurements.filter(m => m.type === 'area').length")
    assert drawn == traced >= truth.slices
    result = page.evaluate("() => window.cmrViewer.volumes()")
    # the viewer's own arithmetic on the clicked contours = the Python disc summation of the same contours
    assert result["edv"] == pytest.approx(expected["ed"], rel=0.02)
    assert result["esv"] == pytest.approx(expected["es"], rel=0.03)
    # and the known truth, within the phantom's stated tolerance plus the 24-point polygon's shortfall
    assert result["edv"] == pytest.approx(truth.edv_ml, rel=0.06)
    assert result["esv"] == pytest.approx(truth.esv_ml, rel=0.08)
    expect(page.locator("[data-volumes]")).to_contain_text(f"EDV (phase 1, ")
    page.get_by_role("button", name="Use in my report").click()
    edv_field = page.get_by_label("LV end-diastolic volume (ml)")
    assert float(edv_field.input_value()) == pytest.approx(result["edv"], abs=0.06)
    shoot(page, "reading-viewer")

    # --- fill and submit the structured report (blinded: the title is not on the page)
    assert case.title not in page.locator("h1").inner_text()
    page.get_by_label("LV ejection fraction (%)").fill("53")
    page.get_by_label("No LGE in any segment").check()
    page.get_by_label("Disease category").select_option("cardiomyopathy")
    page.get_by_label("Final diagnosis").fill("Dilated cardiomyopathy")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Report submitted")).to_be_visible()
    expect(page.locator("tr[data-field=lv_ef_pct] td.status")).to_have_text("differs")    # 53 vs 60
    expect(page.locator("tr[data-field=lv_edv_ml] td.status")).to_have_text("agrees")     # traced vs 150
    expect(page.locator("tr[data-field=lge] td.status")).to_have_text("agrees")
    expect(page.locator("h1")).to_contain_text(case.title)
    reading.refresh_from_db()
    assert reading.measurements[0]["type"] == "distance" and len(reading.measurements) == 1 + drawn
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
    assert marker["slice"] == 5 and marker["phase"] == 7 and marker["x"] > truth.matrix / 2

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
