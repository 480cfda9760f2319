"""The certificate PDF (reportlab) with a QR code (segno) to the public verification page.

The QR code is drawn as vector squares from segno's module matrix: sharp at any size, no image library.
"""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from cmrnet.certification.disclaimer import disclaimer
from cmrnet.certification.models import Certificate
from cmrnet.core.display import day


def draw_qr(pdf: canvas.Canvas, data: str, *, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m")
    matrix = [list(row) for row in qr.matrix]
    border = 2
    count = len(matrix) + 2 * border
    module = size / count
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + (c + border) * module, y + size - (r + border + 1) * module, module, module, stroke=0, fill=1)


def draw_disclaimer(pdf: canvas.Canvas, text: str, *, x: float, y: float, width: float) -> None:
    """The disclaimer in small print, wrapped to `width`, first line at `y`."""
    from reportlab.lib.utils import simpleSplit

    pdf.setFont("Helvetica-Oblique", 9)
    for number, line in enumerate(simpleSplit(text, "Helvetica-Oblique", 9, width)):
        pdf.drawString(x, y - number * 4 * mm, line)


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    c = certificate.certification
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=0)  # small; text stays searchable
    pdf.setTitle(f"{c.body} CMR Level {c.level} certificate: {c.holder.full_name}")
    pdf.setAuthor("cmrnet")
    pdf.setLineWidth(2)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setFont("Helvetica-Bold", 28)
    pdf.drawCentredString(width / 2, height - 45 * mm, "Certificate of competence")
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 58 * mm, "in cardiovascular magnetic resonance (CMR)")
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawCentredString(width / 2, height - 82 * mm, c.holder.full_name)
    pdf.setFont("Helvetica", 15)
    pdf.drawCentredString(width / 2, height - 98 * mm, f"is certified by {c.body} at CMR Level {c.level}")
    pdf.drawCentredString(width / 2, height - 108 * mm,
                          f"awarded on {day(c.awarded_on)}, valid until {day(c.valid_until)}")
    draw_disclaimer(pdf, disclaimer(c.body), x=24 * mm, y=54 * mm, width=width - 110 * mm)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(24 * mm, 36 * mm, "Verify this certificate (valid / expired / revoked):")
    pdf.drawString(24 * mm, 30 * mm, verify_url)
    pdf.drawString(24 * mm, 24 * mm, f"Verification code: {certificate.code}")
    draw_qr(pdf, verify_url, x=width - 70 * mm, y=20 * mm, size=48 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
