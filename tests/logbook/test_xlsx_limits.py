"""Security issue, finding 9: an .xlsx import is refused cheaply when it is too big: the archive's
uncompressed size is checked before any XML is parsed, the sheet is streamed (openpyxl read-only)
and reading stops at the row cap."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.worksheet import _read_only

from cmrnet import tabular
from cmrnet.logbook import importing, package
from tests.logbook.xlsx_crafted import case_rows, entity_bomb, row_xml, workbook, zip_bomb

pytestmark = pytest.mark.django_db


def _preview(trainee, content: bytes):
    return importing.preview_file(SimpleUploadedFile("cases.xlsx", content), trainee=trainee,
                                  categories=package.all_categories())


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows openpyxl handed out."""
    count = {"rows": 0}
    original = _read_only.ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            count["rows"] += 1
            yield row

    monkeypatch.setattr(_read_only.ReadOnlyWorksheet, "_cells_by_row", counting)
    return count


def test_a_zip_bomb_is_refused_before_any_xml_is_parsed(supervised, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a workbook that unpacks past the limit")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    content = zip_bomb(30)
    assert len(content) < 100_000
    with pytest.raises(importing.ImportFileError, match="unpacks to 30 MB in 6 parts; at most 25 MB"):
        _preview(supervised, content)


def test_reading_stops_at_the_row_cap(supervised, rows_read):
    with pytest.raises(importing.ImportFileError, match="At most 5000 rows per import"):
        _preview(supervised, workbook(case_rows(20_000)))
    assert rows_read["rows"] <= importing.MAX_ROWS + 2


def test_exactly_the_cap_is_accepted(supervised, day):
    preview = _preview(supervised, workbook(case_rows(importing.MAX_ROWS, day=day.isoformat())))
    assert len(preview.rows) == importing.MAX_ROWS and preview.ok


def test_an_xml_entity_bomb_is_refused(supervised):
    with pytest.raises(importing.ImportFileError, match="not a readable .xlsx workbook"):
        _preview(supervised, entity_bomb())


def test_columns_past_the_cap_are_not_read():
    rows = tabular.read_xlsx(workbook(iter([row_xml(1, [f"c{i}" for i in range(20)])])), max_rows=5, max_columns=6)
    assert rows == [[f"c{i}" for i in range(6)]]


def test_empty_formatted_rows_do_not_count_but_are_bounded():
    rows = [row_xml(1, ["a"])] + [f'<row r="{n}"/>'.encode() for n in range(2, 30)]
    with pytest.raises(tabular.TooManyRows):
        tabular.read_xlsx(workbook(iter(rows)), max_rows=5, max_columns=3)
    assert len(tabular.read_xlsx(workbook(iter(rows[:15])), max_rows=5, max_columns=3)) == 15
