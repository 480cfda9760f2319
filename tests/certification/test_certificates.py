"""Certificates, the PDF, public verification, the register, revocation, reminders, recertification."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import selectors, services
from cmrnet.certification.models import Application, Reminder
from cmrnet.certification.states import State
from cmrnet.people.selectors import holds_current_level3
from tests.certification.helpers import pdf_upload


def test_a_pass_issues_a_5_year_certification_with_an_unguessable_code(certificate, candidate, today):
    c = certificate.certification
    assert (c.holder, c.body, c.level, c.awarded_on, c.valid_until) == (candidate, "EACVI", 2, today, dt.date(2031, 11, 23))
    assert len(certificate.code) >= 24
    assert certificate.code not in str(certificate.pk)


def test_the_pdf_carries_the_verification_link_on_the_site_address(certificate, client_for, candidate, settings):
    settings.SITE_URL = "https://cmr.example.org"
    response = client_for(candidate).get(f"/certification/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    assert f"https://cmr.example.org/certification/verify/{certificate.code}/".encode() in body
    assert b"testserver" not in body
    assert b"Tara Trainee" in body and b"CMR Level 2" in body and b"2031-11-23" in body


def test_the_qr_code_draws_every_dark_module_of_the_verification_url():
    import segno

    from cmrnet.certification.pdf import draw_qr

    class Recorder:
        def __init__(self):
            self.rects = []

        def setFillColorRGB(self, *rgb):
            pass

        def rect(self, *args, **kwargs):
            self.rects.append(args)

    url = "http://testserver/certification/verify/abc/"
    dark = sum(sum(1 for cell in row if cell) for row in segno.make(url, error="m").matrix)
    recorder = Recorder()
    draw_qr(recorder, url, x=0, y=0, size=100)
    assert len(recorder.rects) == 1 + dark  # the white background, then one square per dark module


def test_the_public_verification_page_says_valid_without_login(certificate):
    response = Client().get(f"/certification/verify/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert ">Valid<" in page and "Tara Trainee" in page and "2031-11-23" in page
    assert "tara@example.org" not in page and "DE-123456" not in page  # not published


def test_an_unknown_code_says_no_certificate_matches_it(db):
    response = Client().get("/certification/verify/not-a-code/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No certificate matches this code" in page and "not-a-code" in page and "Not found" not in page


def test_verification_says_expired_after_the_valid_until_date(certificate, settings):
    from cmrnet.people.services import update_certification

    update_certification(by=None, certification=certificate.certification, awarded_on=dt.date(2019, 1, 1),
                         valid_until=dt.date(2024, 1, 1))
    assert ">Expired<" in Client().get(f"/certification/verify/{certificate.code}/").content.decode()


def test_revocation_is_immediate_in_the_register_verification_and_holds_current_level3(certificate, board_member, supervisor, today):
    supervisor_cert = supervisor.certifications.get(level=3)
    assert holds_current_level3(supervisor, today)
    services.revoke_for_misconduct(by=board_member, certificate=certificate, on=today, reason="Falsified cases.",
                                   supervisor_certifications=[supervisor_cert])
    assert ">Revoked<" in Client().get(f"/certification/verify/{certificate.code}/").content.decode()
    entry = selectors.public_register(today=today, name="Tara")[0]
    assert entry.status == "Revoked"
    assert not holds_current_level3(supervisor, today)
    certificate.application.refresh_from_db()
    assert certificate.application.state == State.REVOKED
    decision = certificate.misconduct_decisions.get()
    assert list(decision.supervisor_certifications.all()) == [supervisor_cert]
    assert AuditEntry.objects.filter(action="certificate.revoked", actor=board_member).exists()
    assert AuditEntry.objects.filter(action="certification.revoked").count() == 2


def test_revocation_needs_the_board_and_a_reason(certificate, grader, board_member, today):
    with pytest.raises(PermissionDenied):
        services.revoke_for_misconduct(by=grader, certificate=certificate, on=today, reason="x")
    with pytest.raises(ValidationError):
        services.revoke_for_misconduct(by=board_member, certificate=certificate, on=today, reason=" ")


def test_only_the_applications_supervisors_level3_can_be_revoked_with_it(certificate, board_member, make_person, today):
    from cmrnet.people.services import add_certification

    other = make_person("other-l3@example.org")
    cert = add_certification(by=None, holder=other, body="SCMR", level=3, awarded_on=dt.date(2020, 1, 1),
                             valid_until=dt.date(2030, 1, 1))
    with pytest.raises(ValidationError, match="not a Level 3 certification of this application's supervisors"):
        services.revoke_for_misconduct(by=board_member, certificate=certificate, on=today, reason="x",
                                       supervisor_certifications=[cert])


def test_the_register_is_searchable_and_publishes_only_its_fields(certificate, today):
    client = Client()
    page = client.get("/certification/register/?name=tara").content.decode()
    assert "Tara Trainee" in page and "Active" in page and "EACVI" in page and "2031-11-23" in page
    assert "tara@example.org" not in page
    assert "Tara Trainee" not in client.get("/certification/register/?name=otto").content.decode()
    assert "Tara Trainee" in client.get("/certification/register/?country=de").content.decode()
    assert "Tara Trainee" not in client.get("/certification/register/?country=FR").content.decode()
    assert "Tara Trainee" in client.get("/certification/register/?level=2").content.decode()
    assert "Tara Trainee" not in client.get("/certification/register/?level=3").content.decode()
    entry = selectors.public_register(today=today)[0]
    assert set(entry.__dataclass_fields__) == {"name", "country", "body", "level", "valid_until", "status"}


def test_reminders_are_scheduled_from_the_certificates_dates(certificate):
    assert list(certificate.reminders.values_list("due_on", flat=True)) == [
        dt.date(2031, 5, 23), dt.date(2031, 8, 23), dt.date(2031, 11, 23), dt.date(2032, 2, 23)]


def test_due_reminders_are_sent_once_on_the_injected_day(certificate, candidate, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    assert services.send_due_reminders(today=dt.date(2031, 5, 22)) == 0
    with django_capture_on_commit_callbacks(execute=True):  # the notification's e-mail leaves on commit
        assert services.send_due_reminders(today=dt.date(2031, 5, 23)) == 1
    assert mail.outbox[-1].to == [candidate.email]
    assert "2031-05-23 to 2032-05-23" in mail.outbox[-1].body
    assert f"/certification/certificates/{certificate.pk}/recertify/" in mail.outbox[-1].body
    assert services.send_due_reminders(today=dt.date(2031, 5, 24)) == 0
    assert services.send_due_reminders(today=dt.date(2031, 8, 23)) == 1
    assert Reminder.objects.exclude(sent_at=None).count() == 2
    assert AuditEntry.objects.filter(action="reminder.sent").count() == 2


def test_the_management_command_enqueues_the_reminder_task(certificate, candidate, django_capture_on_commit_callbacks):
    from io import StringIO

    mail.outbox.clear()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", "2031-11-23", stdout=out)
    assert "3 reminder(s) sent for 2031-11-23" in out.getvalue()
    assert len(mail.outbox) == 3


def test_the_command_is_also_available_as_send_reminders_with_a_hyphen(certificate):
    from io import StringIO

    out = StringIO()
    call_command("send-reminders", "--today", "2031-05-23", stdout=out)
    assert "1 reminder(s) sent" in out.getvalue()


def test_no_reminders_after_revocation(certificate, board_member, today):
    services.revoke_for_misconduct(by=board_member, certificate=certificate, on=today, reason="Misconduct.")
    assert services.send_due_reminders(today=dt.date(2031, 5, 23)) == 0
    assert certificate.reminders.get(due_on=dt.date(2031, 5, 23)).skipped_reason == "certificate revoked"


def test_recertification_before_the_window_is_refused(certificate, candidate):
    with pytest.raises(ValidationError, match="opens on 2031-05-23"):
        services.open_recertification(by=candidate, certificate=certificate, continuing_practice="x",
                                      fee_category="member", today=dt.date(2031, 5, 22))


def test_a_late_recertification_is_refused_and_the_record_says_the_full_process_must_be_repeated(certificate, candidate):
    app = services.open_recertification(by=candidate, certificate=certificate, continuing_practice="Still scanning.",
                                        fee_category="member", today=dt.date(2032, 5, 24))
    assert app.state == State.REFUSED
    assert "full certification process (exam and logbook) must be repeated" in app.refusal_reason
    entry = AuditEntry.objects.get(action="application.refused")
    assert entry.actor == candidate and "must be repeated" in entry.data["reasons"]


def test_a_recertification_on_the_last_day_is_accepted_and_granted_for_a_further_5_years(
        certificate, candidate, board_member, grader, grader2):
    last_day = dt.date(2032, 5, 23)
    app = services.open_recertification(by=candidate, certificate=certificate,
                                        continuing_practice="300 CMR studies a year as reporting physician.",
                                        fee_category="member", today=last_day)
    assert app.state == State.DRAFT and app.kind == Application.Kind.RECERTIFICATION
    with pytest.raises(ValidationError, match="Missing document"):
        services.submit(by=candidate, application=app, today=last_day)
    services.upload_document(by=candidate, application=app, kind="continuing_practice", file=pdf_upload("practice.pdf"))
    services.upload_document(by=candidate, application=app, kind="attendance", file=pdf_upload("cme.pdf"))
    snapshot = services.submit(by=candidate, application=app, today=last_day)
    assert snapshot.sha256
    services.accept_into_grading(by=board_member, application=app)
    for g in (grader, grader2):
        services.assign_grader(by=board_member, application=app, grader=g)
        services.record_grade(by=g, application=app, result="pass", comments="Practice and CME documented.")
    services.confirm_decision(by=board_member, application=app, today=dt.date(2032, 7, 1))
    new = app.certificates.get().certification
    assert (new.awarded_on, new.valid_until) == (dt.date(2032, 7, 1), dt.date(2037, 7, 1))


def test_reminders_stop_once_a_recertification_is_submitted(certificate, candidate):
    day = dt.date(2031, 6, 1)
    app = services.open_recertification(by=candidate, certificate=certificate, continuing_practice="Scanning.",
                                        fee_category="member", today=day)
    services.upload_document(by=candidate, application=app, kind="continuing_practice", file=pdf_upload())
    services.upload_document(by=candidate, application=app, kind="attendance", file=pdf_upload())
    services.submit(by=candidate, application=app, today=day)
    assert services.send_due_reminders(today=dt.date(2031, 8, 23)) == 0
    assert certificate.reminders.get(due_on=dt.date(2031, 8, 23)).skipped_reason == "recertification already submitted"
