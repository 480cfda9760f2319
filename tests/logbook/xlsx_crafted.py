"""Hand-made .xlsx files for the import's limits (security finding 9): a zip bomb, too many rows, an
XML entity bomb. Written part by part with zipfile, streaming, so a gigabyte sheet never sits in
memory. Also used by bench/xlsx_import.py."""

from __future__ import annotations

import io
import zipfile
from typing import Iterable

_CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
_SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' \
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_SHEET_TAIL = b"</sheetData></worksheet>"
_NO_STRINGS = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' \
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
HEADER = ("study_date", "patient_id", "category", "normal", "source", "role")


def _cell(column: int, row: int, text: str) -> bytes:
    return f'<c r="{chr(65 + column)}{row}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def row_xml(number: int, values: Iterable[str]) -> bytes:
    return f'<row r="{number}">'.encode() + b"".join(_cell(i, number, v) for i, v in enumerate(values)) + b"</row>"


def workbook(rows: Iterable[bytes], *, shared_strings: bytes = _NO_STRINGS) -> bytes:
    """A minimal .xlsx whose first sheet holds ``rows`` (``<row>`` XML, written as it comes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD)
            for row in rows:
                sheet.write(row)
            sheet.write(_SHEET_TAIL)
    return buffer.getvalue()


def case_rows(count: int, day: str = "2025-01-02") -> Iterable[bytes]:
    yield row_xml(1, HEADER)
    for n in range(2, count + 2):
        yield row_xml(n, (day, f"local-{n}", "mass", "no", "own_centre", "observer"))


def zip_bomb(unpacked_mb: int) -> bytes:
    """A valid workbook whose sheet unpacks to about ``unpacked_mb`` MB (a few hundred rows, then
    rows of one very long repeated text: it compresses about 1000:1)."""
    filler = "A" * (1024 * 1024)
    rows = (row_xml(n, ("2025-01-02", filler)) if n > 1 else row_xml(1, HEADER) for n in range(1, unpacked_mb + 2))
    return workbook(rows)


def entity_bomb() -> bytes:
    """'Billion laughs' in sharedStrings.xml: a few hundred bytes that expand to gigabytes if entities are."""
    levels = ['<!ENTITY l0 "laugh">'] + [f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    strings = ('<?xml version="1.0"?><!DOCTYPE sst [' + "".join(levels) + ']>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
               '<si><t>&l9;</t></si></sst>').encode()
    rows = [row_xml(1, HEADER), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    return workbook(iter(rows), shared_strings=strings)
