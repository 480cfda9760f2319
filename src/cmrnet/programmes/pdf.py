"""PDFs of programmes (reportlab, as certification/pdf.py): the plan for SCMR review and the completion
certificate, which carries the same verification QR as certificates."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cmrnet.certification.pdf import draw_qr
from cmrnet.core.display import day
from cmrnet.programmes import checklist as cl
from cmrnet.programmes.models import CompletionCertificate, Programme


def _p(text: str, style):
    from xml.sax.saxutils import escape

    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def plan_pdf(programme: Programme, checklist: cl.Checklist, *, sessions, today: dt.date) -> bytes:
    """The programme's plan with the stipulation checklist and its evidence, for SCMR review."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Plan for SCMR review: {programme.title}", author="cmrnet",
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    small = styles["BodyText"].clone("small", fontSize=8.5, leading=10.5)
    story = [_p(programme.title, styles["Title"]), _p("Plan for SCMR review (virtual CMR training, Level II)", styles["Heading2"]),
             _p(f"Host centre: {programme.host_centre}. Director: {programme.director}. Lead: {programme.lead}. "
                f"Faculty: {', '.join(str(f) for f in programme.faculty.all()) or 'none'}.", styles["BodyText"]),
             _p(f"From {programme.starts_on:%Y-%m-%d} to {programme.ends_on:%Y-%m-%d}; {programme.get_delivery_mode_display()}; "
                f"capacity {programme.capacity}; at most {programme.mentor_cap} trainees per mentor in small groups; "
                f"at most {float(programme.virtual_share_max) * 100:g}% of cases virtual. Exported {today:%Y-%m-%d}.",
                styles["BodyText"]),
             Spacer(1, 4 * mm), _p("Stipulations and evidence", styles["Heading2"])]
    rows = [["Stipulation (seed: SCMR statement, 2021)", "Status", "Evidence"]]
    for item in checklist.items:
        status = {"met": "met", "unmet": "NOT MET", "not_applicable": "n/a"}[item.status]
        rows.append([_p(f"{item.title}{'' if item.mandatory else ' (optional)'}: \u201c{item.stipulation}\u201d", small),
                     _p(status, small), _p(item.evidence + ("; missing: " + "; ".join(item.missing) if item.missing else ""), small)])
    table = Table(rows, colWidths=[80 * mm, 18 * mm, 76 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("FONTSIZE", (0, 0), (-1, 0), 9)]))
    story += [table, Spacer(1, 4 * mm), _p("Modules", styles["Heading2"])]
    for module in programme.modules.all():
        story.append(_p(f"{module.order}. {module.title} ({', '.join(module.session_kind_labels) or 'no sessions named'})",
                        styles["Heading4"]))
        story.append(_p("\n".join(f"- {o}" for o in module.objective_list), small))
    story += [Spacer(1, 4 * mm), _p("Sessions", styles["Heading2"])]
    srows = [["Session", "Kind", "When", "Mentors / places"]]
    for s in sessions:
        when = (s.live_session.starts_at.astimezone(ZoneInfo(s.live_session.time_zone)).strftime("%Y-%m-%d %H:%M ")
                + s.live_session.time_zone) if s.live_session_id else "on demand"
        srows.append([_p(s.title, small), _p(s.get_kind_display(), small), _p(when, small),
                      _p((", ".join(map(str, s.mentors)) or "-") + (f" / {s.capacity}" if s.capacity else ""), small)])
    stable = Table(srows, colWidths=[62 * mm, 45 * mm, 35 * mm, 32 * mm], repeatRows=1)
    stable.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    story += [stable, Spacer(1, 4 * mm), _p("Statements", styles["Heading2"])]
    for label, text in (("Video equipment", programme.video_equipment_statement), ("Patient privacy", programme.privacy_statement),
                        ("Feedback to SCMR", programme.scmr_feedback_arrangement),
                        ("Declared on-site training record", programme.training_record_note)):
        story.append(_p(f"{label}: {text or 'none'}", styles["BodyText"]))
    doc.build(story)
    return buffer.getvalue()


def completion_pdf(certificate: CompletionCertificate, *, verify_url: str) -> bytes:
    enrolment = certificate.enrolment
    programme, trainee = enrolment.programme, enrolment.trainee
    determination = enrolment.determination
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=0)
    pdf.setTitle(f"Programme completion: {trainee.full_name}")
    pdf.setAuthor("cmrnet")
    pdf.setLineWidth(2)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(width / 2, height - 45 * mm, "Certificate of programme completion")
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawCentredString(width / 2, height - 72 * mm, trainee.full_name)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 88 * mm, f"completed the CMR training programme \u201c{programme.title}\u201d")
    pdf.drawCentredString(width / 2, height - 98 * mm,
                          f"hosted by {programme.host_centre}, {day(programme.starts_on)} to {day(programme.ends_on)}")
    pdf.drawCentredString(width / 2, height - 110 * mm,
                          f"Final determination of competency by the programme director {programme.director.full_name} "
                          f"on {day(determination.decided_on)}")
    pdf.setFont("Helvetica-Oblique", 9)
    pdf.drawString(24 * mm, 48 * mm, "A programme completion is not a board certification (SCMR or EACVI verify Level II separately).")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(24 * mm, 36 * mm, "Verify this certificate:")
    pdf.drawString(24 * mm, 30 * mm, verify_url)
    pdf.drawString(24 * mm, 24 * mm, f"Verification code: {certificate.code}")
    draw_qr(pdf, verify_url, x=width - 70 * mm, y=20 * mm, size=48 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
