"""Security issue 8 in a real browser: a CSV whose quoted identifier holds a comma and a quote is read
in its columns (a row with a surplus cell is named), the import is confirmed once, and replaying the
same confirmation imports nothing and says so; a package naming a server file is refused.
With CMRNET_SCREENS_DIR set, screenshots at 1366 and 390 px are saved there."""

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.logbook.models import Case
from tests.logbook.factories import supervise

pytestmark = pytest.mark.django_db(transaction=True)
HEADER = "study_date,category,normal,source,role,patient_id\n"
SCREENS = os.environ.get("CMRNET_SCREENS_DIR")


def shoot(page, name: str) -> None:
    if not SCREENS:
        return
    Path(SCREENS).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_quoted_values_stay_in_their_columns_and_a_confirmation_counts_once(page, login, trainee, mentor, tmp_path):
    today = timezone.localdate()
    supervise(trainee, mentor, today=today)
    day = (today - dt.timedelta(days=10)).isoformat()
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + f'{day},mass,no,own_centre,observer,"local ""B"", 4711"\n'
                             f'{day},valvular,no,own_centre,observer,local-2,surplus\n', encoding="utf-8")

    login(trainee)
    page.goto("/logbook/import/")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-errors")).to_have_text(
        'Row 2 (line 3): 7 values for 6 columns (a value with a comma must be in double quotes: "a, b")')
    shoot(page, "csv-preview-surplus-cell")

    path.write_text(HEADER + f'{day},mass,no,own_centre,observer,"local ""B"", 4711"\n'
                             f'{day},valvular,no,own_centre,observer,local-2\n', encoding="utf-8")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("All 2 rows are correct.")).to_be_visible()
    token = page.locator("input[name=token]").input_value()
    page.get_by_role("button", name="Import 2 cases").click()
    expect(page.get_by_text("2 cases imported.")).to_be_visible()

    page.goto("/logbook/import/")                   # the same confirmation again, as a replayed request would
    page.evaluate("""(token) => {
        const form = document.createElement("form");
        form.method = "post"; form.action = "/logbook/import/confirm/";
        for (const [name, value] of [["token", token],
             ["csrfmiddlewaretoken", document.querySelector("input[name=csrfmiddlewaretoken]").value]]) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value; form.appendChild(input);
        }
        document.body.appendChild(form); form.submit();
    }""", token)
    expect(page.locator("ul.messages")).to_contain_text("This preview was already imported")
    shoot(page, "csv-confirm-replayed")
    assert sorted(Case.objects.filter(trainee=trainee).values_list("case_id", flat=True)) == ["C0001", "C0002"]


def test_a_package_naming_a_server_file_is_refused(page, login, trainee, mentor, tmp_path, settings):
    supervise(trainee, mentor, today=timezone.localdate())
    secret = tmp_path / "secret_key"
    secret.write_text("SECRET-MARKER-not-for-the-browser")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("candidate.toml", "exam_passed = true\n")
        archive.writestr("cases.csv", "case_id,study_date,patient_key,category,normal,source,course_id,role,"
                                      "control_room,supervisor_id,clinical_change\n")
        archive.writestr("cme.csv", "activity_id,title,provider,kind,start_date,end_date,credits,modalities,"
                                    f"catalog_id,certificate\ncme-1,EuroCMR,EACVI,congress,2025-01-11,2025-01-13,18,1,,"
                                    f"{secret}\n")
    path = tmp_path / "package.zip"
    path.write_bytes(buffer.getvalue())
    login(trainee)
    page.goto("/logbook/package/import/")
    page.get_by_label("Application package (.zip)").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was imported: cme.csv row 1, column certificate:")
    expect(alert).to_contain_text("is not a path inside the package")
    assert "SECRET-MARKER" not in page.content()
    shoot(page, "package-import-refused")


def test_an_unwritable_upload_folder_is_explained(page, login, trainee, tmp_path, unwritable_media):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% certificate\n%%EOF\n")
    login(trainee)
    page.goto("/logbook/cme/")
    page.get_by_label("Title").fill("EuroCMR")
    page.get_by_label("Kind").select_option("congress")
    page.get_by_label("Start date").fill("2025-01-11")
    page.get_by_label("End date").fill("2025-01-13")
    page.get_by_label("Credits").fill("18")
    page.get_by_label("Attendance certificate").set_input_files(str(pdf))
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The file could not be saved")
    expect(page.get_by_role("alert")).to_contain_text("could not be saved: the upload folder does not exist")
    shoot(page, "file-store-error")
    assert not trainee.cme_activities.exists()
