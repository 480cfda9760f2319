"""The import template carries the importer's own columns and allowed values; a filled-in template imports."""

import csv
import io

from openpyxl import load_workbook

from cmrnet.logbook import importing, package
from cmrnet.logbook.import_template import columns, template_xlsx


def test_the_csv_template_is_the_header_the_importer_expects(client_for, supervised):
    response = client_for(supervised).get("/logbook/import/template.csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [list(importing.REQUIRED + importing.OPTIONAL)]


def test_the_xlsx_template_lists_allowed_values_and_validates_the_coded_columns(client_for, supervised):
    response = client_for(supervised).get("/logbook/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["cases", "allowed values", "columns"]
    header = [c.value for c in book["cases"][1]]
    assert header == list(importing.REQUIRED + importing.OPTIONAL)
    categories = package.all_categories()
    allowed = {book["allowed values"].cell(row=1, column=i).value: [
        book["allowed values"].cell(row=r, column=i).value for r in range(2, 2 + len(categories))]
        for i in range(1, len(header) + 1) if book["allowed values"].cell(row=1, column=i).value}
    assert allowed["category"] == list(categories)
    assert set(allowed) == {"category", "normal", "source", "role", "control_room", "clinical_change", "full_review"}
    assert len(book["cases"].data_validations.dataValidation) == 7
    guide = {r[0]: r[1] for r in book["columns"].iter_rows(min_row=2, values_only=True)}
    assert guide["patient_id"] == "required" and guide["supervisor"] == "optional"


def test_a_filled_in_template_passes_the_import_check(supervised, mentor, day):
    book = load_workbook(io.BytesIO(template_xlsx(package.all_categories())))
    sheet = book["cases"]
    values = {"study_date": day.isoformat(), "patient_id": "MRN-77", "category": package.all_categories()[0],
              "normal": "no", "source": "own_centre", "role": "reporting", "supervisor": mentor.email}
    sheet.append([values.get(c.value, "") for c in sheet[1]])
    out = io.BytesIO()
    book.save(out)

    class Upload(io.BytesIO):
        name, size = "filled.xlsx", len(out.getvalue())

    preview = importing.preview_file(Upload(out.getvalue()), trainee=supervised, categories=package.all_categories())
    assert preview.ok, [r.errors for r in preview.rows]


def test_the_import_page_shows_each_column_with_what_it_accepts(client_for, supervised):
    page = client_for(supervised).get("/logbook/import/").content.decode()
    assert "/logbook/import/template.xlsx" in page and "/logbook/import/template.csv" in page
    for column in columns(package.all_categories()):
        assert f"<code>{column.name}</code>" in page


def test_an_unknown_template_format_is_404(client_for, supervised):
    assert client_for(supervised).get("/logbook/import/template.pdf").status_code == 404
