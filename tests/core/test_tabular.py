"""cmrnet.tabular: formula-safe cells (security finding 4) and strict CSV reading (finding 5). No database."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmrnet import tabular

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40)


@pytest.mark.parametrize("value", ["=1+1", "+49 30 123", "-x", "@SUM(A1)", "\tcmd", "\rcmd",
                                   "=cmd|' /C calc'!A0", "'=1+1", "'plain"])
def test_text_a_spreadsheet_would_run_or_unquote_gets_an_apostrophe(value):
    assert tabular.escape_text(value) == "'" + value
    assert tabular.unescape_text(tabular.escape_text(value)) == value


@pytest.mark.parametrize("value", ["plain", "c0001", "2025-01-01", "a=b", "x-1", "", "max@example.org"])
def test_other_text_is_unchanged(value):
    assert tabular.escape_text(value) == value


@pytest.mark.parametrize("value, text", [(-5, "-5"), (Decimal("-1.50"), "-1.50"), (-2.5, "-2.5"), (18.0, "18"),
                                         (True, "yes"), (False, "no"), (None, ""),
                                         (dt.date(2025, 1, 2), "2025-01-02")])
def test_numbers_dates_and_flags_are_not_text_and_go_out_as_they_are(value, text):
    assert tabular.cell(value) == text


@SETTINGS
@given(st.lists(st.lists(TEXT, min_size=3, max_size=3), max_size=5))
def test_any_text_written_reads_back_identical(rows):
    text = tabular.csv_bytes(["a", "b", "c"], rows).decode()
    table = tabular.read_csv(text)
    assert table[0] == ["a", "b", "c"]
    assert table[1:] == rows


@SETTINGS
@given(TEXT)
def test_no_written_cell_starts_a_formula(value):
    assert not tabular.cell(value).startswith(tabular.FORMULA_TRIGGERS)


def test_rfc4180_quotes_never_shift_columns():
    text = 'a,b,c\n"x ""y"", 4711",second,third\n'
    assert tabular.read_csv(text)[1] == ['x "y", 4711', "second", "third"]


@pytest.mark.parametrize("text, where", [('a,b\n"x"y,z\n', "line 2"), ('a,b\nc,d\n"open,e\n', "line 3")])
def test_bad_csv_names_the_line(text, where):
    with pytest.raises(tabular.TableError, match=where):
        tabular.read_csv(text)


def test_duplicated_names():
    assert tabular.duplicated(["a", "b", "a", "c", "b", "a"]) == ["a", "b"]


def test_xlsx_rows_keep_text_as_text():
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    tabular.append_xlsx_row(book.active, ["=1+1", -3, True, "@x"])
    out = io.BytesIO()
    book.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert [c.value for c in sheet[1]] == ["=1+1", -3, "yes", "@x"]
    assert [c.data_type for c in sheet[1]] == ["s", "n", "s", "s"]
