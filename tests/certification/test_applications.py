"""Opening, documents, the supervisor's declaration, submission and the frozen snapshot."""

import datetime as dt
import hashlib
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import selectors, services
from cmrnet.certification.models import Snapshot
from cmrnet.certification.states import IllegalTransition, State
from tests.certification.helpers import pdf_upload


def test_an_application_opens_only_after_an_exam_pass(trainee, today):
    with pytest.raises(ValidationError, match="only after the EACVI written exam is passed"):
        services.open_application(by=trainee, body="EACVI", route="level2", today=today)


def test_a_named_supervisor_must_hold_current_level3(candidate, make_person, today):
    from cmrnet.people.roles import Role

    nobody = make_person("nolevel3@example.org", Role.MENTOR)
    app = services.open_application(by=candidate, body="EACVI", route="level2", today=today)
    with pytest.raises(ValidationError, match="does not hold current Level 3"):
        services.name_supervisors(by=candidate, application=app, supervisors=[nobody], today=today)


def test_the_live_verdict_comes_from_the_rule_engine_and_lists_what_is_missing(draft, today):
    verdict = selectors.verdict(draft, today=today)
    unmet = [r.id for r in verdict.evaluation.rules if not r.met]
    assert unmet == ["supervisor_declaration"]
    assert any("Max Mentor has not signed" in b for b in verdict.blockers)
    assert not verdict.missing_documents  # registration + ACLS uploaded, attendance from the logbook's CME certificates


def test_submission_is_refused_while_a_rule_is_not_met_and_the_message_names_it(draft, candidate, today):
    with pytest.raises(ValidationError) as info:
        services.submit(by=candidate, application=draft, today=today)
    text = " ".join(info.value.messages)
    assert "Rule not met" in text and "declaration" in text.lower()
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and not draft.snapshots.exists()


def test_submission_is_refused_without_required_documents(candidate, logbook, supervisor, today):
    app = services.open_application(by=candidate, body="EACVI", route="level2", supervisors=[supervisor], today=today)
    services.sign_declaration(by=supervisor, application=app, text=selectors.declaration_text(app), today=today)
    with pytest.raises(ValidationError) as info:
        services.submit(by=candidate, application=app, today=today)
    assert "Missing document: Medical registration." in info.value.messages
    assert "Missing document: ACLS / advanced life support evidence." in info.value.messages


def test_level3_needs_peer_recognition_evidence(candidate, logbook, supervisor, today):
    app = services.open_application(by=candidate, body="EACVI", route="level3-direct", supervisors=[supervisor], today=today)
    assert "Peer-recognition evidence (Level 3)" in selectors.missing_documents(app)


def test_uploads_are_checked_for_type(draft, candidate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("registration.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    with pytest.raises(ValidationError, match="not a PDF, PNG or JPEG"):
        services.upload_document(by=candidate, application=draft, kind="registration", file=fake)


def test_uploads_are_checked_for_size(draft, candidate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError, match="larger than 5 MB"):
        services.upload_document(by=candidate, application=draft, kind="other", file=big)


def test_signing_records_who_when_the_exact_text_and_the_logbook_version(signed, supervisor, candidate, today):
    from cmrnet.logbook.selectors import logbook_version

    declaration = signed.declarations.get()
    assert declaration.supervisor == supervisor and declaration.signed_on == today
    assert declaration.text == selectors.declaration_text(signed)
    assert "was under my direct supervision" in declaration.text and "Level 2 certification" in declaration.text
    assert declaration.logbook_version == logbook_version(candidate)
    entry = AuditEntry.objects.get(action="declaration.signed")
    assert entry.actor == supervisor and entry.data["text"] == declaration.text


def test_a_declaration_must_be_signed_with_its_exact_wording(draft, supervisor, today):
    with pytest.raises(ValidationError, match="exact wording"):
        services.sign_declaration(by=supervisor, application=draft, text="I vaguely agree.", today=today)


def test_only_a_named_supervisor_signs(draft, make_person, today):
    from cmrnet.people.roles import Role

    stranger = make_person("stranger@example.org", Role.MENTOR)
    with pytest.raises(PermissionDenied):
        services.sign_declaration(by=stranger, application=draft, text=selectors.declaration_text(draft), today=today)


def test_a_supervisor_without_current_level3_on_the_signing_date_cannot_sign(draft, supervisor, today):
    cert = supervisor.certifications.get(level=3)
    with pytest.raises(ValidationError, match="do not hold current Level 3"):
        services.sign_declaration(by=supervisor, application=draft, text=selectors.declaration_text(draft),
                                  today=cert.valid_until + dt.timedelta(days=1))


def test_a_changed_logbook_voids_the_declaration_at_read_time_and_at_submit(signed, candidate, today):
    from cmrnet.logbook import services as logbook
    from cmrnet.logbook.models import Case

    assert [d.status for d in selectors.declaration_states(signed)] == ["signed"]
    case = Case.objects.filter(trainee=candidate).first()
    logbook.delete_case(by=candidate, case=case)
    states = selectors.declaration_states(signed)
    assert [d.status for d in states] == ["void"]
    with pytest.raises(ValidationError, match="declaration is void"):
        services.submit(by=candidate, application=signed, today=today)
    declaration = signed.declarations.get()
    assert declaration.voided_at is not None and "logbook changed" in declaration.void_reason
    assert AuditEntry.objects.filter(action="declaration.voided").count() == 1


def test_submission_freezes_the_package_with_its_sha256_in_the_snapshot_and_the_audit_log(submitted, candidate):
    snapshot = submitted.snapshots.get()
    with snapshot.file.open("rb") as handle:
        payload = handle.read()
    assert hashlib.sha256(payload).hexdigest() == snapshot.sha256
    entry = AuditEntry.objects.get(action="application.submitted")
    assert entry.actor == candidate and entry.data["sha256"] == snapshot.sha256
    assert entry.changes == {"state": ["draft", "submitted"]}
    with zipfile.ZipFile(snapshot.file.open("rb")) as archive:
        names = archive.namelist()
        assert {"package/cases.csv", "package/candidate.toml", "application.json"} <= set(names)
        cases = archive.read("package/cases.csv").decode().strip().splitlines()
        assert len(cases) == 1 + 160
        assert "supervisor_declaration = true" in archive.read("package/candidate.toml").decode()
    assert snapshot.evaluation["compliant"] is True
    assert snapshot.declarations[0]["text"] == selectors.declaration_text(submitted)


def test_the_frozen_package_re_evaluates_to_the_submitted_verdict_years_later(submitted, tmp_path, today):
    from cmrnet import rules

    snapshot = submitted.snapshots.get()
    with zipfile.ZipFile(snapshot.file.open("rb")) as archive:
        archive.extractall(tmp_path)
    data = rules.read_package(tmp_path / "package")
    assert data.candidate.application_date == today and data.candidate.supervisor_declaration is True
    later = rules.evaluate("eacvi-2025", "level2", data, today=dt.date(2035, 1, 1))
    assert later.to_dict() == snapshot.evaluation


def test_a_snapshot_is_never_changed_or_deleted(submitted):
    snapshot = submitted.snapshots.get()
    snapshot.sha256 = "0" * 64
    with pytest.raises(PermissionError):
        snapshot.save()
    with pytest.raises(PermissionError):
        snapshot.delete()
    assert Snapshot.objects.get(pk=snapshot.pk).sha256 != "0" * 64


def test_the_logbook_changing_after_submission_does_not_change_the_snapshot(submitted, candidate):
    from cmrnet.logbook import services as logbook
    from cmrnet.logbook.models import Case

    snapshot = submitted.snapshots.get()
    logbook.delete_case(by=candidate, case=Case.objects.filter(trainee=candidate).first())
    with snapshot.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == snapshot.sha256


def test_returned_fixed_and_resubmitted_keeps_the_history(submitted, candidate, board_member, supervisor, today):
    services.return_for_modification(by=board_member, application=submitted, reasons="Add an English translation.")
    submitted.refresh_from_db()
    services.upload_document(by=candidate, application=submitted, kind="other", file=pdf_upload("en.pdf"))
    services.submit(by=candidate, application=submitted, today=today)
    submitted.refresh_from_db()
    assert submitted.state == State.RESUBMITTED
    assert [(t.from_state, t.to_state) for t in submitted.transitions.all()] == [
        ("draft", "submitted"), ("submitted", "returned"), ("returned", "resubmitted")]
    assert submitted.transitions.get(to_state="returned").reasons == "Add an English translation."
    assert [s.number for s in submitted.snapshots.all()] == [2, 1]
    assert submitted.first_submitted_on == today


def test_documents_cannot_change_once_submitted(submitted, candidate):
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.upload_document(by=candidate, application=submitted, kind="other", file=pdf_upload())


def test_submitting_twice_is_an_illegal_transition(submitted, candidate, today):
    with pytest.raises(IllegalTransition, match="cannot become submitted"):
        services.submit(by=candidate, application=submitted, today=today)


def test_only_the_candidate_submits(signed, supervisor, today):
    with pytest.raises(PermissionDenied):
        services.submit(by=supervisor, application=signed, today=today)


def test_submission_after_the_deadline_is_refused(signed, candidate):
    deadline = selectors.verdict(signed, today=dt.date(2026, 11, 23)).deadline
    late = deadline + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as info:
        services.submit(by=candidate, application=signed, today=late)
    assert any("deadline" in m for m in info.value.messages)


def test_withdrawing_is_recorded(draft, candidate):
    services.withdraw(by=candidate, application=draft, reason="Changed my mind")
    draft.refresh_from_db()
    assert draft.state == State.WITHDRAWN
    assert AuditEntry.objects.get(action="application.withdrawn").data["reasons"] == "Changed my mind"


def test_only_cases_verified_by_a_supervisor_count_in_the_application(candidate, supervisor, today):
    from cmrnet.logbook import services as logbook
    from cmrnet.logbook.models import Case
    from cmrnet.people.models import ExamPass
    from tests.certification.helpers import import_compliant_logbook

    import_compliant_logbook(trainee=candidate, supervisor=supervisor,
                             exam_date=ExamPass.objects.get(person=candidate).exam_date, verify=False)
    app = services.open_application(by=candidate, body="EACVI", route="level2", supervisors=[supervisor], today=today)
    rule = selectors.verdict(app, today=today).evaluation.rule("case_count")
    assert not rule.met
    for case in Case.objects.filter(trainee=candidate):
        logbook.verify_case(by=supervisor, case=case, status="verified")
    assert selectors.verdict(app, today=today).evaluation.rule("case_count").met
