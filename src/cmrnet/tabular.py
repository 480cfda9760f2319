"""Tables in and out of the site: strict CSV reading and spreadsheet-safe cells.  Pure Python.

Every CSV or XLSX the site writes goes through ``cell`` / ``write_csv`` / ``append_xlsx_row``, and
every CSV it reads through ``read_csv``, so one place decides both directions.

Writing (OWASP "CSV injection"): a text cell that a spreadsheet would run as a formula, one that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, goes out with an apostrophe in
front, which spreadsheets show as text.  A text that genuinely begins with an apostrophe gets one
more, so ``read_csv`` removes exactly one leading apostrophe and a value read back is identical to
the value written.  Only text is escaped: numbers (a negative number too), dates and yes/no flags
are not text and go out as they are.  In XLSX, text cells are written with the string type, never
as formulas, so the value is kept exactly and nothing is escaped.

Reading: RFC 4180 (comma, double quote, ``""`` inside quotes), strict; no dialect is guessed.
XLSX: the archive is checked before any XML is parsed (uncompressed size and number of parts, so a
zip bomb is refused cheaply), then openpyxl streams the first sheet in read-only mode and stops at
the row cap; columns past the cap are not read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from decimal import Decimal
from typing import Any, Iterable, TextIO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
MAX_XLSX_UNPACKED = 25 * 1024 * 1024      # every part of a workbook, uncompressed
MAX_XLSX_SHEET = 10 * 1024 * 1024         # one worksheet's XML, uncompressed (5000 rows take about 4 MB)
MAX_XLSX_PARTS = 200


class TableError(ValueError):
    """The table as a whole cannot be read; the message says why."""


class TooManyRows(TableError):
    """The table has more rows than the caller accepts; reading stopped there."""


# ----------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------
def escape_text(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula (reversed by ``unescape_text``)."""
    if text.startswith(FORMULA_TRIGGERS) or text.startswith(ESCAPE):
        return ESCAPE + text
    return text


def unescape_text(text: str) -> str:
    return text[1:] if text.startswith(ESCAPE) else text


def cell(value: Any) -> str:
    """One CSV cell: yes/no for flags, ISO dates, numbers as numbers, empty for None, text escaped."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    return escape_text(str(value))


def write_csv(handle: TextIO, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """RFC 4180 CSV with every cell made by ``cell``.  CRLF line ends, as the RFC says: the writer then
    quotes any value holding a CR or LF, so such a value reads back whole."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue().encode("utf-8")


def xlsx_value(value: Any) -> Any:
    """The value for an openpyxl cell: flags as yes/no, the rest unchanged (text stays text)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def append_xlsx_row(sheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet; every text cell is typed as a string, never a formula
    (openpyxl otherwise stores text beginning with '=' as a formula)."""
    sheet.append([xlsx_value(v) for v in values])
    for item in sheet[sheet.max_row]:
        if isinstance(item.value, str):
            item.data_type = "s"


# ----------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------
def read_csv(text: str) -> list[list[str]]:
    """Rows of cells of an RFC 4180 CSV text (``unescape_text`` applied to every cell).

    TableError when the text is not valid CSV (a stray quote, a NUL byte, a cell over the limit)."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect=csv.excel, strict=True)
    rows = []
    try:
        for row in reader:
            rows.append([unescape_text(value) for value in row])
    except csv.Error as error:
        raise TableError(f"line {reader.line_num}: not valid CSV ({error})") from None
    return rows


def duplicated(header: Iterable[str]) -> list[str]:
    """Names that appear more than once in a header, in order of their second appearance."""
    seen, twice = set(), []
    for name in header:
        if name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    return twice


def read_xlsx(content: bytes, *, max_rows: int, max_columns: int,
              max_unpacked: int = MAX_XLSX_UNPACKED) -> list[list[Any]]:
    """The first sheet's rows of values, at most ``max_columns`` wide.

    TableError before any XML is parsed when the archive is damaged, has more than MAX_XLSX_PARTS
    parts or unpacks to more than ``max_unpacked`` bytes; TooManyRows as soon as more than
    ``max_rows`` non-empty rows (or four times as many rows in all) have been read."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
        raise TableError("not a readable .xlsx workbook") from None
    unpacked = sum(info.file_size for info in infos)
    if len(infos) > MAX_XLSX_PARTS or unpacked > max_unpacked:
        raise TableError(f"the workbook unpacks to {unpacked / 2**20:.0f} MB in {len(infos)} parts; at most "
                         f"{max_unpacked // 2**20} MB in {MAX_XLSX_PARTS} parts")
    sheet = max((i.file_size for i in infos if i.filename.startswith("xl/worksheets/")), default=0)
    if sheet > MAX_XLSX_SHEET:      # openpyxl scans a whole sheet that does not declare its size: keep that short
        raise TableError(f"a sheet unpacks to {sheet / 2**20:.0f} MB; at most {MAX_XLSX_SHEET // 2**20} MB")
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise TableError("not a readable .xlsx workbook") from None
    rows: list[list[Any]] = []
    filled = 0
    try:
        rows_in_all = 4 * max_rows      # empty (formatted) rows included; also ends a sheet that lies about its size
        for row in book.worksheets[0].iter_rows(max_row=rows_in_all + 1, max_col=max_columns, values_only=True):
            filled += any(value not in (None, "") for value in row)
            if filled > max_rows or len(rows) >= rows_in_all:
                raise TooManyRows(f"more than {max_rows} rows")
            rows.append(list(row))
    except TableError:
        raise
    except (Exception, zlib.error):        # openpyxl parses read-only sheets lazily: a damaged sheet fails here
        raise TableError("not a readable .xlsx workbook") from None
    finally:
        book.close()
    return rows
