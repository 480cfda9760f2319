"""Logbook writes: audited, atomic, only by the entitled person; patient keys never hold the raw id."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from cmrnet.audit.models import AuditEntry
from cmrnet.logbook import selectors, services
from cmrnet.logbook.models import Case
from cmrnet.logbook.patient_keys import patient_key
from tests.logbook.factories import case_input, pdf

pytestmark = pytest.mark.django_db


class TestPatientKeys:
    def test_same_identifier_same_key_after_normalising(self, settings):
        assert patient_key("  MRN-0042 ") == patient_key("mrn-0042")
        assert patient_key("MRN-0042") != patient_key("MRN-0043")
        assert len(patient_key("x")) == 64

    def test_the_key_depends_on_the_site_secret(self, settings):
        first = patient_key("MRN-0042")
        settings.CMRNET_PATIENT_KEY_SECRET = "another site"
        assert patient_key("MRN-0042") != first

    def test_empty_identifier_is_refused(self):
        with pytest.raises(ValueError):
            patient_key("   ")

    def test_raw_identifier_is_stored_nowhere(self, supervised, mentor, day, client):
        client.force_login(supervised)
        response = client.post("/logbook/cases/add/", {
            "study_date": day.isoformat(), "patient_identifier": "Smith-Hospital-778899", "category": "ischaemic",
            "source": "own_centre", "role": "primary_operator", "control_room": "on", "supervisor": mentor.pk})
        assert response.status_code == 302
        case = Case.objects.get()
        assert case.patient_key == patient_key("smith-hospital-778899")
        with connection.cursor() as cursor:
            for table in ("logbook_case", "audit_auditentry"):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
                dump = repr(cursor.fetchall()).lower()
                assert "778899" not in dump, table
        entry = AuditEntry.objects.get(action="logbook.case_added")
        assert entry.changes["patient_key_short"] == [None, case.patient_key[:8]]
        assert case.patient_key not in repr(entry.changes)      # only the short prefix is logged


class TestCases:
    def test_add_numbers_cases_and_audits(self, supervised, mentor, day):
        first = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        second = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="b"))
        assert (first.case_id, second.case_id) == ("C0001", "C0002")
        entries = AuditEntry.objects.filter(action="logbook.case_added", data__trainee_id=supervised.pk)
        assert entries.count() == 2

    def test_only_the_trainee_writes_her_logbook(self, supervised, mentor, day):
        with pytest.raises(PermissionDenied):
            services.add_case(by=mentor, trainee=supervised, data=case_input(mentor, day=day))
        case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        with pytest.raises(PermissionDenied):
            services.delete_case(by=mentor, case=case)
        assert Case.objects.count() == 1

    def test_course_case_needs_a_course_id_and_future_dates_are_refused(self, supervised, mentor, day, today):
        with pytest.raises(ValidationError) as error:
            services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, source="course"))
        assert "course_id" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.add_case(by=supervised, trainee=supervised,
                              data=case_input(mentor, day=today + dt.timedelta(days=1)))
        assert "study_date" in error.value.message_dict
        assert not Case.objects.exists()

    def test_update_and_delete_are_audited_with_old_and_new_values(self, supervised, mentor, day):
        case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        services.update_case(by=supervised, case=case, data=case_input(mentor, day=day, category="valvular"))
        updated = AuditEntry.objects.get(action="logbook.case_updated")
        assert updated.changes == {"category": ["ischaemic", "valvular"]}
        services.delete_case(by=supervised, case=case)
        deleted = AuditEntry.objects.get(action="logbook.case_deleted")
        assert deleted.changes["case_id"] == ["C0001", None]
        assert not Case.objects.exists()

    def test_duplicate_patient_is_flagged_by_the_rules(self, supervised, mentor, day, today):
        services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="MRN-1"))
        repeat = services.add_case(by=supervised, trainee=supervised,
                                   data=case_input(mentor, day=day + dt.timedelta(days=1), identifier=" mrn-1"))
        changed = services.add_case(by=supervised, trainee=supervised, data=case_input(
            mentor, day=day + dt.timedelta(days=2), identifier="MRN-1", clinical_change=True))
        result = selectors.evaluate_for(supervised, ruleset="eacvi-2025", route="level2", today=today).rule(
            "patient_unique")
        assert result.status == "not_met"
        assert result.offending == (repeat.case_id,)
        assert changed.case_id not in result.offending


class TestVerification:
    def test_supervisor_verifies_and_queries_with_a_comment(self, supervised, mentor, day):
        case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        services.verify_case(by=mentor, case=case, status="verified")
        case.refresh_from_db()
        assert (case.status, case.verified_by) == ("verified", mentor)
        with pytest.raises(ValidationError):
            services.verify_case(by=mentor, case=case, status="queried", comment=" ")
        services.verify_case(by=mentor, case=case, status="queried", comment="Date does not match the PACS")
        case.refresh_from_db()
        assert (case.status, case.verification_comment) == ("queried", "Date does not match the PACS")
        actions = list(AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
        assert "logbook.case_verified" in actions and "logbook.case_queried" in actions

    @pytest.mark.parametrize("who", ["trainee", "director", "board_member", "other_mentor"])
    def test_anyone_but_a_supervisor_is_refused(self, request, supervised, mentor, make_person, day, who):
        person = make_person("om@example.org", "mentor") if who == "other_mentor" else request.getfixturevalue(who)
        case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        with pytest.raises(PermissionDenied):
            services.verify_case(by=person, case=case, status="verified")
        case.refresh_from_db()
        assert case.status == "pending"
        assert not AuditEntry.objects.filter(action="logbook.case_verified").exists()

    def test_editing_a_verified_case_sends_it_back_to_pending(self, supervised, mentor, day):
        case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        services.verify_case(by=mentor, case=case, status="verified")
        services.update_case(by=supervised, case=case, data=case_input(mentor, day=day, category="mass"))
        case.refresh_from_db()
        assert (case.status, case.verified_by) == ("pending", None)

    def test_unchanged_save_keeps_the_verification(self, supervised, mentor, day):
        case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        services.verify_case(by=mentor, case=case, status="verified")
        services.update_case(by=supervised, case=case, data=case_input(mentor, day=day))
        case.refresh_from_db()
        assert case.status == "verified"


class TestOtherRecords:
    def test_training_cme_peer_writes_are_audited(self, supervised, mentor, day, today):
        period = services.add_training(by=supervised, trainee=supervised, start_date=day, end_date=today,
                                       hours_per_week=Decimal("21"), supervisor=mentor, centre="Home")
        services.update_training(by=supervised, period=period, hours_per_week=Decimal("35"))
        activity = services.add_cme(by=supervised, trainee=supervised, title="Course", provider="X", kind="course",
                                    start_date=day, end_date=day, credits=Decimal("5"), certificate=pdf())
        entry = services.add_peer_recognition(by=supervised, trainee=supervised, kind="invited_talk", title="Talk",
                                              date=day)
        services.update_peer_recognition(by=supervised, entry=entry, title="Invited talk, EuroCMR")
        services.update_cme(by=supervised, activity=activity, credits=Decimal("4"))
        services.delete_peer_recognition(by=supervised, entry=entry)
        services.delete_cme(by=supervised, activity=activity)
        services.delete_training(by=supervised, period=period)
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        assert {"logbook.training_added", "logbook.training_updated", "logbook.training_deleted",
                "logbook.cme_added", "logbook.cme_deleted", "logbook.peer_added", "logbook.peer_updated", "logbook.peer_deleted", "logbook.cme_updated"} <= actions
        assert AuditEntry.objects.get(action="logbook.training_updated").changes == {"hours_per_week": ["21", "35"]}

    def test_training_end_before_start_is_refused(self, supervised, mentor, day):
        with pytest.raises(ValidationError):
            services.add_training(by=supervised, trainee=supervised, start_date=day, end_date=day - dt.timedelta(1),
                                  hours_per_week=Decimal("35"), supervisor=mentor, centre="")
