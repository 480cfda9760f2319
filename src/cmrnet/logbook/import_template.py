"""The import template: the columns the case import reads, whether each is required, and the values it
accepts, as a CSV header, as an Excel workbook (drop-down lists for the coded columns and a sheet that
explains each column) and as the table on the import page. Built from the importer's own lists, so the
template and the importer cannot disagree."""

from __future__ import annotations

import io
from dataclasses import dataclass

from cmrnet import tabular
from cmrnet.logbook.importing import MAX_ROWS, OPTIONAL, REQUIRED
from cmrnet.rules.model import ROLES, SOURCES
from cmrnet.rules.package_io import NO, YES


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    accepts: str
    choices: tuple[str, ...] = ()


def columns(categories) -> list[Column]:
    flags = (YES[0], NO[0])
    described = {
        "study_date": Column("study_date", True, "the day of the study, YYYY-MM-DD (e.g. 2026-03-14)"),
        "patient_id": Column("patient_id", True, "your local patient identifier: hashed on the way in, never stored; "
                             "the same patient twice is flagged"),
        "category": Column("category", True, "one of: " + ", ".join(categories), tuple(categories)),
        "normal": Column("normal", True, "yes or no: was the study normal?", flags),
        "source": Column("source", True, "one of: " + ", ".join(SOURCES), SOURCES),
        "role": Column("role", True, "one of: " + ", ".join(ROLES), ROLES),
        "case_id": Column("case_id", False, "your own case number; empty: numbered for you"),
        "course_id": Column("course_id", False, "the course or teaching file, when source is course"),
        "control_room": Column("control_room", False, "yes or no (empty: no): you were in the control room", flags),
        "supervisor": Column("supervisor", False, "the e-mail of one of your Level 3 supervisors"),
        "clinical_change": Column("clinical_change", False, "yes or no (empty: no): the study changed management", flags),
        "full_review": Column("full_review", False, "yes or no (empty: not recorded): a full-study review", flags),
    }
    return [described[name] for name in (*REQUIRED, *OPTIONAL)]


def template_csv(categories) -> bytes:
    """The header line the importer expects (UTF-8, comma-separated): fill in one row per case."""
    return tabular.csv_bytes([c.name for c in columns(categories)], [])


def template_xlsx(categories) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cols = columns(categories)
    book = Workbook()
    sheet = book.active
    sheet.title = "cases"
    tabular.append_xlsx_row(sheet, [c.name for c in cols])
    lists = book.create_sheet("allowed values")
    for index, column in enumerate(cols, start=1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = Font(bold=column.required)  # required columns in bold
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        if column.choices:
            lists.cell(row=1, column=index, value=column.name)
            for r, value in enumerate(column.choices, start=2):
                lists.cell(row=r, column=index, value=value)
            rule = DataValidation(type="list", allow_blank=not column.required, showErrorMessage=True,
                                  formula1=f"='allowed values'!${letter}$2:${letter}${len(column.choices) + 1}",
                                  errorTitle=column.name, error=f"{column.name}: {column.accepts}")
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    guide = book.create_sheet("columns")
    tabular.append_xlsx_row(guide, ["column", "required", "accepts"])
    for column in cols:
        tabular.append_xlsx_row(guide, [column.name, "required" if column.required else "optional", column.accepts])
    guide.column_dimensions["C"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
