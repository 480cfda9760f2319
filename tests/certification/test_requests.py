"""Remote supervision requests, extension requests, random audits and service levels."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import selectors, services
from cmrnet.certification.models import ExtensionRequest, RemoteSupervisionRequest
from cmrnet.certification.services.requests import redraw
from cmrnet.people.models import Supervision
from tests.certification.helpers import pdf_upload


def remote_fields(supervisor, today, **overrides):
    return {"reason": "No Level 3 at our hospital.", "annual_caseload": 120,
            "local_supervision": "cardiologist with five years CMR experience, no formal certification",
            "remote_supervisor": supervisor, "arrangements": "Weekly teleconference; one week a quarter on site.",
            "contact_time": "2 hours a week", "assessment_methods": "Case review of every report.",
            "training_starts_on": today + dt.timedelta(days=30), **overrides}


@pytest.fixture
def remote_candidate(other_trainee):
    return other_trainee  # at other_centre, where nobody holds Level 3


def test_remote_supervision_is_refused_when_a_level3_works_on_site(trainee, supervisor, make_person, today):
    from cmrnet.people.services import add_certification

    local = make_person("local-l3@example.org")  # at the trainee's centre
    add_certification(by=None, holder=local, body="EACVI", level=3, awarded_on=dt.date(2020, 1, 1), valid_until=dt.date(2030, 1, 1))
    add_certification(by=None, holder=supervisor, body="EACVI", level=3, awarded_on=dt.date(2020, 1, 1), valid_until=dt.date(2030, 1, 1))
    with pytest.raises(ValidationError, match="A Level 3 holder works at your centre"):
        services.request_remote_supervision(by=trainee, today=today, **remote_fields(supervisor, today))


def test_the_remote_supervisor_must_hold_current_level3(remote_candidate, mentor, today):
    with pytest.raises(ValidationError, match="does not hold current Level 3"):
        services.request_remote_supervision(by=remote_candidate, today=today, **remote_fields(mentor, today))


def test_remote_supervision_is_requested_before_training_starts(remote_candidate, candidate, supervisor, today):
    with pytest.raises(ValidationError, match="before training starts"):
        services.request_remote_supervision(by=remote_candidate, today=today, **remote_fields(
            supervisor, today, training_starts_on=today - dt.timedelta(days=1)))


def test_the_board_approves_and_a_remote_supervision_link_is_made(remote_candidate, candidate, supervisor, board_member, today):
    req = services.request_remote_supervision(by=remote_candidate, today=today, **remote_fields(supervisor, today))
    decided = today + dt.timedelta(days=20)
    with pytest.raises(ValidationError, match="has not confirmed the supervision yet"):
        services.decide_remote_supervision(by=board_member, request=req, decision="approve", comment="", today=decided)
    services.respond_as_remote_supervisor(by=supervisor, request=req, confirm=True, comment="", today=decided)
    services.decide_remote_supervision(by=board_member, request=req, decision="approve", comment="", today=decided)
    req.refresh_from_db()
    assert req.status == RemoteSupervisionRequest.Status.APPROVED and req.decided_on == decided
    link = Supervision.objects.get(trainee=remote_candidate, supervisor=supervisor)
    assert link.remote and link.started_on == req.training_starts_on
    entry = AuditEntry.objects.get(action="remote_supervision.decided")
    assert entry.data["within_4_weeks"] is True and entry.actor == board_member


def test_asking_for_changes_or_declining_needs_a_comment(remote_candidate, candidate, supervisor, board_member, today):
    req = services.request_remote_supervision(by=remote_candidate, today=today, **remote_fields(supervisor, today))
    with pytest.raises(ValidationError, match="changes are needed"):
        services.decide_remote_supervision(by=board_member, request=req, decision="changes", comment="", today=today)
    services.decide_remote_supervision(by=board_member, request=req, decision="changes",
                                       comment="Add monthly on-site weeks.", today=today)
    assert RemoteSupervisionRequest.objects.get(pk=req.pk).status == "changes_requested"
    with pytest.raises(PermissionDenied):
        services.decide_remote_supervision(by=remote_candidate, request=req, decision="approve", comment="", today=today)


def test_a_remote_request_answered_late_or_left_open_is_overdue_on_the_board_page(
        remote_candidate, candidate, supervisor, board_member, today, client_for):
    req = services.request_remote_supervision(by=remote_candidate, today=today, **remote_fields(supervisor, today))
    rows = selectors.service_levels(today=today + dt.timedelta(days=28))["remote"]
    assert [(r.due_on, r.overdue) for r in rows] == [(today + dt.timedelta(days=28), False)]
    rows = selectors.service_levels(today=today + dt.timedelta(days=29))["remote"]
    assert rows[0].overdue is True
    services.decide_remote_supervision(by=board_member, request=req, decision="decline", comment="Local mentor exists.",
                                       today=today + dt.timedelta(days=35))
    assert selectors.service_levels(today=today + dt.timedelta(days=60))["remote"][0].overdue is True


def test_a_decision_later_than_3_months_after_submission_is_highlighted(submitted, client_for, board_member, today,
                                                                       monkeypatch):
    from django.utils import timezone

    rows = selectors.service_levels(today=dt.date(2027, 2, 23))["decisions"]
    assert [(r.due_on, r.overdue) for r in rows] == [(dt.date(2027, 2, 23), False)]
    assert selectors.service_levels(today=dt.date(2027, 2, 24))["decisions"][0].overdue is True
    page = client_for(board_member).get("/certification/office/").content.decode()
    assert "Decisions within 3 months of submission" in page and "2027-02-23" in page
    assert 'class="overdue"' not in page
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2027, 2, 24))
    page = client_for(board_member).get("/certification/office/").content.decode()
    assert 'class="overdue"' in page and "1 overdue" in client_for(board_member).get("/").content.decode()


def test_exam_result_times_are_tracked_from_the_exams_sittings(board_member, client_for):
    from django.utils import timezone

    from cmrnet.exams.models import ExamForm, Sitting

    assert selectors.service_levels(today=dt.date(2026, 11, 23))["exams"] == []
    form = ExamForm.objects.create(title="EACVI CMR 2026", created_by=board_member)
    opens = timezone.make_aware(dt.datetime(2026, 9, 1, 11, 0))
    sitting = Sitting.objects.create(form=form, title="EACVI CMR exam, September 2026", start_opens=opens,
                                     start_closes=opens + dt.timedelta(hours=3), created_by=board_member)
    rows = selectors.service_levels(today=dt.date(2026, 10, 27))["exams"]
    assert [(r.started_on, r.due_on, r.overdue) for r in rows] == [(dt.date(2026, 9, 1), dt.date(2026, 10, 27), False)]
    assert selectors.service_levels(today=dt.date(2026, 10, 28))["exams"][0].overdue is True
    Sitting.objects.filter(pk=sitting.pk).update(released_at=timezone.make_aware(dt.datetime(2026, 10, 20, 9, 0)))
    row = selectors.service_levels(today=dt.date(2026, 12, 1))["exams"][0]
    assert (row.done_on, row.overdue) == (dt.date(2026, 10, 20), False)
    assert "EACVI CMR exam, September 2026" in client_for(board_member).get("/certification/office/").content.decode()


def test_an_extension_needs_an_accepted_reason(candidate, logbook, today):
    with pytest.raises(ValidationError, match="only for parental leave"):
        services.request_extension(by=candidate, kind="logbook", reason="holiday", months=3,
                                   supervisor_letter=pdf_upload("letter.pdf"), today=today)


def test_an_extension_needs_the_supervisors_letter_of_a_valid_type(candidate, logbook, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match="signed letter"):
        services.request_extension(by=candidate, kind="logbook", reason="illness", months=3, supervisor_letter=None, today=today)
    with pytest.raises(ValidationError, match="not a PDF"):
        services.request_extension(by=candidate, kind="logbook", reason="illness", months=3, today=today,
                                   supervisor_letter=SimpleUploadedFile("letter.pdf", b"<html>", content_type="application/pdf"))


def test_an_extension_is_refused_after_the_deadline(candidate, logbook, draft, today):
    deadline = selectors.verdict(draft, today=today).deadline
    with pytest.raises(ValidationError, match="before the deadline"):
        services.request_extension(by=candidate, kind="logbook", reason="illness", months=3,
                                   supervisor_letter=pdf_upload(), today=deadline + dt.timedelta(days=1))


def test_an_approved_extension_moves_the_deadline_the_rule_engine_uses(candidate, logbook, draft, board_member, today):
    before = selectors.verdict(draft, today=today).deadline
    ext = services.request_extension(by=candidate, kind="logbook", reason="parental_leave", months=6,
                                     supervisor_letter=pdf_upload(), explanation="Parental leave", today=today)
    assert ext.deadline_before == before
    services.decide_extension(by=board_member, extension=ext, approve=True, comment="", today=today)
    ext.refresh_from_db()
    assert ext.status == ExtensionRequest.Status.APPROVED and ext.new_deadline > before
    verdict = selectors.verdict(draft, today=today)
    assert verdict.deadline == ext.new_deadline
    assert ext.new_deadline.isoformat() in verdict.evaluation.rule("submission_deadline").message


def test_a_recertification_extension_moves_the_window_closing_day(certificate, candidate, board_member):
    ext = services.request_extension(by=candidate, kind="recertification", reason="illness", months=3,
                                     supervisor_letter=pdf_upload(), certificate=certificate, today=dt.date(2032, 5, 1))
    services.decide_extension(by=board_member, extension=ext, approve=True, comment="", today=dt.date(2032, 5, 10))
    assert selectors.recertification_window(certificate).closes == dt.date(2032, 8, 23)
    app = services.open_recertification(by=candidate, certificate=certificate, continuing_practice="Scanning.",
                                        fee_category="member", today=dt.date(2032, 7, 1))
    assert app.state == "draft"


def test_a_random_audit_is_documented_and_reproducible(certificate, board_member, today):
    audit = services.draw_random_audit(by=board_member, sample_size=3, note="2026 cross-check", today=today, seed=1234)
    assert audit.seed == 1234 and audit.population == [certificate.pk] and audit.sample_size == 1
    assert redraw(audit) == [certificate.pk]
    check = audit.checks.get()
    services.record_audit_check(by=board_member, check=check, outcome="confirmed", notes="Supervisor confirmed.", today=today)
    check.refresh_from_db()
    assert check.outcome == "confirmed" and check.checked_by == board_member
    entry = AuditEntry.objects.get(action="random_audit.drawn")
    assert entry.data == {"seed": 1234, "population": [certificate.pk], "sample": [certificate.pk], "note": "2026 cross-check"}


def test_revoked_certificates_are_not_in_the_audit_population(certificate, board_member, today):
    services.revoke_for_misconduct(by=board_member, certificate=certificate, on=today, reason="Fraud.")
    with pytest.raises(ValidationError, match="No certified candidates"):
        services.draw_random_audit(by=board_member, sample_size=1, today=today)


def test_only_the_board_draws_audits(certificate, grader, today):
    with pytest.raises(PermissionDenied):
        services.draw_random_audit(by=grader, sample_size=1, today=today)


def test_the_audit_sample_is_reproducible_on_a_population_of_twelve(board_member, make_person, today, client_for):
    import random

    from django.utils import timezone

    from cmrnet.certification.models import Certificate
    from cmrnet.people.roles import Role
    from cmrnet.people.services import add_certification

    ids = []
    for i in range(12):
        holder = make_person(f"holder{i}@example.org", Role.TRAINEE, full_name=f"Holder {i:02d}")
        cert = add_certification(by=None, holder=holder, body="EACVI", level=2, awarded_on=dt.date(2024, 1, 1),
                                 valid_until=dt.date(2029, 1, 1))
        ids.append(Certificate.objects.create(certification=cert, issued_at=timezone.now()).pk)
    first = services.draw_random_audit(by=board_member, sample_size=4, today=today, seed=20261123)
    sample = sorted(first.checks.values_list("certificate_id", flat=True))
    assert first.population == sorted(ids) and len(set(sample)) == 4 and set(sample) <= set(ids)
    assert sample == sorted(random.Random(20261123).sample(sorted(ids), 4))  # recomputed independently
    assert redraw(first) == sample
    again = services.draw_random_audit(by=board_member, sample_size=4, today=today, seed=20261123)
    assert sorted(again.checks.values_list("certificate_id", flat=True)) == sample
    other = services.draw_random_audit(by=board_member, sample_size=4, today=today, seed=7)
    assert sorted(other.checks.values_list("certificate_id", flat=True)) != sample
    assert sorted(other.checks.values_list("certificate_id", flat=True)) == sorted(random.Random(7).sample(sorted(ids), 4))
    page = client_for(board_member).get(f"/certification/audits/{first.pk}/").content.decode()
    assert "the stored seed gives this sample" in page and page.count("Holder ") >= 4
