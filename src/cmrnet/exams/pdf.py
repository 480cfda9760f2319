"""Results letter and certificate of completion (reportlab), generated from the frozen Result."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from cmrnet.core.display import day, pass_mark
from cmrnet.exams.models import Result


def _doc(pagesize, title: str) -> tuple[BytesIO, canvas.Canvas]:
    buffer = BytesIO()
    c = canvas.Canvas(buffer, pagesize=pagesize, pageCompression=0)
    c.setTitle(title)
    c.setAuthor("cmrnet exam board")
    return buffer, c


def results_letter(result: Result) -> bytes:
    reg = result.registration
    sitting, person = reg.sitting, reg.candidate
    buffer, c = _doc(A4, f"Results letter - {person.full_name}")
    width, height = A4
    y = height - 3 * cm
    c.setFont("Helvetica-Bold", 16)
    c.drawString(2.5 * cm, y, "EACVI CMR written examination - results letter")
    c.setFont("Helvetica", 11)
    lines = [
        "",
        f"Candidate: {person.full_name} ({person.email})",
        f"Sitting: {sitting.title}, sat on {day(sitting.exam_date)}",
        f"Results released on {day(result.released_on)}",
        "",
        f"Your score: {result.score:g} of {result.max_score:g} marks ({result.percent:.1f}%)",
        f"Pass mark: {pass_mark(result.cut_score, result.max_score)} ({sitting.get_cut_method_display()})",
        f"Result: {'PASS' if result.passed else 'FAIL'}",
        "",
        "Items that did not meet psychometric standards, or that candidates flagged and the board",
        "found defective, were removed before scoring; scores count the retained items only.",
        "The results were verified by two members of the exam board before release.",
        "",
        "If you wish to appeal, you can file an appeal with your reasons on cmrnet.",
    ]
    for line in lines:
        y -= 0.7 * cm
        c.drawString(2.5 * cm, y, line)
    c.showPage()
    c.save()
    return buffer.getvalue()


def certificate(result: Result) -> bytes:
    reg = result.registration
    sitting, person = reg.sitting, reg.candidate
    size = landscape(A4)
    buffer, c = _doc(size, f"Certificate of completion - {person.full_name}")
    width, height = size
    c.setFont("Helvetica-Bold", 26)
    c.drawCentredString(width / 2, height - 4.5 * cm, "Certificate of completion")
    c.setFont("Helvetica", 14)
    c.drawCentredString(width / 2, height - 6.5 * cm, "This certifies that")
    c.setFont("Helvetica-Bold", 22)
    c.drawCentredString(width / 2, height - 8.2 * cm, person.full_name)
    c.setFont("Helvetica", 14)
    c.drawCentredString(width / 2, height - 10 * cm, "has passed the written examination in cardiovascular magnetic resonance")
    c.drawCentredString(width / 2, height - 11 * cm, f"{sitting.title}, sat on {day(sitting.exam_date)}")
    c.setFont("Helvetica", 10)
    c.drawCentredString(width / 2, 2.5 * cm, f"Results released on {day(result.released_on)} - cmrnet exam board - "
                                             f"reference sitting {sitting.pk}, result {result.pk}")
    c.showPage()
    c.save()
    return buffer.getvalue()
