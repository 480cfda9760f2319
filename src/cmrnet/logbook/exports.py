"""Exports of a logbook: CSV and XLSX (openpyxl) case lists, and a PDF summary (reportlab).

CSV and XLSX cells are made by cmrnet.tabular (no cell ever runs as a spreadsheet formula)."""

from __future__ import annotations

import datetime as dt
import io
from html import escape

from cmrnet import tabular
from cmrnet.logbook.models import Case

COLUMNS = ("case_id", "study_date", "patient_key", "category", "normal", "source", "course_id", "role",
           "control_room", "supervisor", "clinical_change", "verification", "verification_comment", "full_review")


def case_rows(cases) -> list[list]:
    rows = []
    for case in cases:
        rows.append([case.case_id, case.study_date, case.patient_key, case.category, case.normal, case.source,
                     case.course_id, case.role, case.control_room, case.supervisor.email if case.supervisor else "",
                     case.clinical_change, case.status, case.verification_comment, case.full_review])
    return rows


def cases_csv(cases) -> bytes:
    return tabular.csv_bytes(COLUMNS, case_rows(cases))


def cases_xlsx(cases, *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Cases"
    tabular.append_xlsx_row(sheet, COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in case_rows(cases):
        tabular.append_xlsx_row(sheet, row)
    for cell in sheet["B"][1:]:
        cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def logbook_pdf(trainee, cases: list[Case], routes: list[dict], *, today: dt.date) -> bytes:
    """A printable logbook: the verdict per route (progress.route_panel dicts), then every case."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            title=f"CMR logbook of {trainee.full_name}", author="cmrnet")
    story = [Paragraph(f"CMR logbook: {escape(trainee.full_name)}", styles["Title"]),
             Paragraph(f"{len(cases)} cases · exported {today.isoformat()} · patient keys are pseudonymous "
                       f"(no patient-identifying data)", styles["Normal"]), Spacer(1, 6 * mm)]
    for route in routes:
        verdict = "met" if route["met"] else "not met"
        story.append(Paragraph(f"{escape(route['label'])}: {verdict} ({route['met_count']} of {route['rule_count']} rules; "
                               f"the supervisor's declaration is signed at application)", styles["Heading3"]))
        rows = [["Rule", "Status", "Details"]] + [
            [Paragraph(escape(r["title"]), styles["BodyText"]), r["status_label"],
             Paragraph(escape(r["message"]), styles["BodyText"])] for r in route["rules"]]
        table = Table(rows, colWidths=[60 * mm, 22 * mm, 180 * mm], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [table, Spacer(1, 4 * mm)]
    story.append(Paragraph("Cases", styles["Heading2"]))
    header = ["Case", "Date", "Patient key", "Category", "Normal", "Source", "Role", "Control room",
              "Supervisor", "Verification"]
    rows = [header] + [[c.case_id, c.study_date.isoformat(), c.patient_key[:8], c.category, tabular.cell(c.normal),
                        c.source, c.role, tabular.cell(c.control_room), c.supervisor.email if c.supervisor else "",
                        c.status] for c in cases]
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("FONTSIZE", (0, 0), (-1, -1), 7)]))
    story.append(table)
    doc.build(story)
    return out.getvalue()
