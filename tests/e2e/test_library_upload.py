"""The library's contributor and curator journey in real Chromium: a mentor creates a case, uploads a zip
(the upload page's script sends it with a progress bar), sees what was de-identified and what went to
quarantine, publishes; a curator reviews the screenshot in quarantine and rejects it with a reason.

With CMRNET_SCREENS_DIR set, screenshots at 1366 and 390 px are saved there."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cmrnet.audit.models import AuditEntry
from cmrnet.library import torture
from cmrnet.library.models import Case, Instance, QuarantineStatus

pytestmark = pytest.mark.django_db(transaction=True)
SCREENS = os.environ.get("CMRNET_SCREENS_DIR")


def shoot(page, name: str) -> None:
    if not SCREENS:
        return
    Path(SCREENS).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        page.screenshot(path=f"{SCREENS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def study_zip(tmp_path) -> Path:
    folder = tmp_path / "in"
    files = torture.build(folder)
    target = tmp_path / "study.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for f in files:
            if f.study == "A1":
                zf.write(folder / f.name, f"CMR/{f.name}")
    return target


def test_contribute_upload_publish_and_review_quarantine(page, login, mentor, admin, trainee, study_zip):
    login(mentor)
    page.goto("/library/")
    page.get_by_role("link", name="Contribute a case").click()
    page.get_by_label("Title").fill("Anterior infarct, LAD")
    page.get_by_label("Category").select_option("ischaemic")
    page.get_by_label("Teaching points").fill("Transmural LGE in the LAD territory.")
    shoot(page, "library-case-new")
    page.get_by_role("button", name="Create and upload images").click()
    expect(page.get_by_role("heading", name="Upload images")).to_be_visible()
    page.locator("#files").set_input_files(str(study_zip))
    page.get_by_role("button", name="Upload and de-identify").click()
    status = page.locator("#upload-status")
    expect(status).to_contain_text("Done: 7 de-identified and stored, 1 in quarantine", timeout=30_000)
    expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    expect(page.locator("#upload-log")).to_contain_text("secondary capture")
    shoot(page, "library-upload")
    case = Case.objects.get()
    assert Instance.objects.filter(series__study__case=case).count() == 8

    page.goto(f"/library/cases/{case.pk}/")
    page.get_by_role("button", name="Publish to the network").click()
    expect(page.get_by_text("is published to the network")).to_be_visible()
    expect(page.get_by_text("sax cine")).to_be_visible()
    page.get_by_role("link", name="Reference report").click()
    page.get_by_label("LV EDV (ml)").fill("182")
    page.get_by_label("LV ESV (ml)").fill("101")
    page.get_by_label("Wall motion, segment 7").select_option("akinetic")
    page.get_by_label("LGE, segment 7").select_option("transmural")
    page.get_by_label("Perfusion defect, segment 7").check()
    page.get_by_label("Final diagnosis").fill("Anterior infarct")
    shoot(page, "library-reference")
    page.get_by_role("button", name="Save the reference report").click()
    expect(page.get_by_text("Reference report saved.")).to_be_visible()
    page.get_by_text("Reference report (not shown to trainees)").click()
    expect(page.get_by_text("EF 44.5 %")).to_be_visible()
    shoot(page, "library-case")

    login(trainee)
    page.goto("/library/")
    expect(page.get_by_role("link", name="Anterior infarct, LAD")).to_be_visible()
    expect(page.get_by_role("link", name="Quarantine review")).to_have_count(0)
    shoot(page, "library-home")

    login(admin)
    page.goto("/library/quarantine/")
    expect(page.get_by_role("cell", name="secondary capture (a screenshot")).to_be_visible()
    shoot(page, "library-quarantine")
    page.get_by_role("link", name="Review", exact=True).click()
    image = page.get_by_alt_text("The image in quarantine, frame 1")
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 48
    shoot(page, "library-quarantine-review")
    page.get_by_label("Reason").fill("Screenshot of a report: may carry names.")
    page.get_by_role("button", name="Reject and delete").click()
    expect(page.get_by_text("Rejected: the stored image is deleted.")).to_be_visible()
    held = Instance.objects.get(quarantine_reason__contains="secondary capture")
    assert held.quarantine_status == QuarantineStatus.REJECTED and held.storage_key == ""
    assert AuditEntry.objects.filter(action="library.quarantine.reject", actor=admin).exists()


def test_many_files_go_in_batches_each_stored_whole(page, login, mentor, tmp_path):
    from cmrnet.library.models import Ingest
    from cmrnet.library.services import create_case

    folder = tmp_path / "files"
    files = [folder / f.name for f in torture.build(folder) if f.study == "A1"]
    case = create_case(by=mentor, title="Batches", category="other")
    login(mentor)
    page.goto(f"/library/cases/{case.pk}/upload/")
    page.evaluate("document.getElementById('upload-form').dataset.batchFiles = '3'")
    page.locator("#files").set_input_files([str(p) for p in files])
    page.get_by_role("button", name="Upload and de-identify").click()
    expect(page.locator("#upload-status")).to_contain_text("Done: 7 de-identified and stored, 1 in quarantine", timeout=30_000)
    assert list(Ingest.objects.filter(case=case).order_by("pk").values_list("files", flat=True)) == [3, 3, 2]


def test_a_large_zip_goes_in_chunks_and_resumes_after_a_broken_connection(page, login, mentor, study_zip):
    """The upload page sends a file above data-resumable-mb through the resumable upload; the second chunk's
    connection breaks, the page asks the server for its offset and continues; one ingest of the whole zip."""
    from cmrnet.library import resumable
    from cmrnet.library.models import Ingest
    from cmrnet.library.services import create_case

    case = create_case(by=mentor, title="Chunks", category="other")
    login(mentor)
    page.goto(f"/library/cases/{case.pk}/upload/")
    # this zip is ~150 KB: make it "large" and the chunks small, so it goes in several pieces
    page.evaluate("() => { const f = document.getElementById('upload-form'); f.dataset.resumableMb = '0.05';"
                  " f.dataset.chunkMb = '0.03'; }")
    seen = {"patch": 0, "broken": 0, "head": 0}

    def flaky(route):
        method = route.request.method
        if method == "PATCH":
            seen["patch"] += 1
            if seen["patch"] == 2:
                seen["broken"] += 1
                route.abort("connectionreset")
                return
        if method == "HEAD":
            seen["head"] += 1
        route.continue_()

    page.route("**/library/uploads/*", flaky)
    page.locator("#files").set_input_files(str(study_zip))
    page.get_by_role("button", name="Upload and de-identify").click()
    expect(page.locator("#upload-status")).to_contain_text("Done: 7 de-identified and stored, 1 in quarantine", timeout=60_000)
    size = study_zip.stat().st_size
    chunks = -(-size // int(0.03 * 1024 * 1024))
    assert seen["broken"] == 1 and seen["head"] >= 1 and seen["patch"] == chunks + 1
    assert Ingest.objects.filter(case=case).count() == 1
    assert Instance.objects.filter(series__study__case=case).count() == 8
    assert not any(resumable.folder().glob("*.part"))
