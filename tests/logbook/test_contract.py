"""The contract the certification app calls: application_data_for, logbook_version, evaluate_for."""

import datetime as dt
from decimal import Decimal

import pytest

from cmrnet import rules
from cmrnet.logbook import selectors, services
from cmrnet.people.services import add_certification, revoke_certification
from tests.logbook.factories import case_input, pdf, ready_but_cases

pytestmark = pytest.mark.django_db


def test_application_data_carries_cases_supervisors_training_cme_and_candidate(trainee, mentor, today):
    exam = ready_but_cases(trainee, mentor, today=today, cases=10)
    data = selectors.application_data_for(trainee, today=today)
    assert isinstance(data, rules.ApplicationData)
    assert len(data.cases) == 10
    assert {c.supervisor_id for c in data.cases} == {mentor.email}
    assert [(s.supervisor_id, s.body, s.level) for s in data.supervisors] == [(mentor.email, "EACVI", 3)]
    assert len(data.training) == 1 and data.training[0].hours_per_week == 40.0
    assert [a.credits for a in data.cme] == [16.0, 12.0] and all(a.has_certificate for a in data.cme)
    assert data.candidate.exam_date == exam and data.candidate.exam_passed is True
    assert data.candidate.registration_valid_until == trainee.registration_valid_until
    assert data.candidate.supervisor_declaration is False


def test_declaration_and_deadline_override_are_passed_through(trainee, mentor, today):
    data = selectors.application_data_for(trainee, today=today, declaration_signed=True,
                                          deadline_override=dt.date(2031, 1, 1))
    assert data.candidate.supervisor_declaration is True
    assert data.candidate.logbook_deadline == dt.date(2031, 1, 1)


def test_verified_only_counts_only_verified_cases(supervised, mentor, day):
    first = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="a"))
    services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day, identifier="b"))
    services.verify_case(by=mentor, case=first, status="verified")
    assert len(selectors.application_data_for(supervised, today=day, verified_only=False).cases) == 2
    only = selectors.application_data_for(supervised, today=day, verified_only=True).cases
    assert [c.case_id for c in only] == [first.case_id]


def test_a_revoked_supervisor_certificate_reaches_the_rules(supervised, mentor, today, day):
    cert = mentor.certifications.get()
    revoke_certification(by=mentor, certification=cert, on=day - dt.timedelta(days=10), reason="board decision")
    services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
    data = selectors.application_data_for(supervised, today=today)
    assert data.supervisors[0].revoked_on == day - dt.timedelta(days=10)
    result = rules.evaluate("eacvi-2025", "level2", data, today=today).rule("supervisor_level3")
    assert result.status == "not_met" and mentor.email in result.message


def test_peer_recognition_reaches_the_rules_as_items(supervised, today):
    made = [services.add_peer_recognition(by=supervised, trainee=supervised, kind=kind, title=title, event=event,
                                          date=today)
            for kind, title, event in (("publication", "Paper A", "JCMR 2025;27:1"),
                                       ("publication", "Paper B", "JCMR 2025;27:9"), ("poster", "Poster", "EuroCMR 2025"))]
    peer = selectors.application_data_for(supervised, today=today).candidate.peer_recognition
    assert [(i.item_id, i.kind, i.event) for i in peer.items] == [
        (f"P{made[0].pk}", "publication", "JCMR 2025;27:1"), (f"P{made[1].pk}", "publication", "JCMR 2025;27:9"),
        (f"P{made[2].pk}", "poster", "EuroCMR 2025")]
    assert (peer.publications, peer.posters, peer.invited_talks) == (0, 0, 0)     # no declared counts


def test_via_level2_splits_the_level2_logbook_from_the_new_cases(supervised, mentor, today):
    award = today - dt.timedelta(days=60)
    add_certification(by=None, holder=supervised, body="EACVI", level=2, awarded_on=award,
                      valid_until=award + dt.timedelta(days=1800))
    old = services.add_case(by=supervised, trainee=supervised,
                            data=case_input(mentor, day=award - dt.timedelta(days=5), identifier="old"))
    new = services.add_case(by=supervised, trainee=supervised,
                            data=case_input(mentor, day=award + dt.timedelta(days=5), identifier="new"))
    data = selectors.application_data_for(supervised, today=today, route="level3-via-level2")
    assert [c.case_id for c in data.cases] == [new.case_id]
    assert [c.case_id for c in data.candidate.level2.cases] == [old.case_id]
    evaluation = selectors.evaluate_for(supervised, ruleset="eacvi-2025", route="level3-via-level2", today=today)
    assert evaluation.rule("new_cases").status == "met"
    assert evaluation.rule("level2_current").status == "met"
    everything = selectors.application_data_for(supervised, today=today, route="level2")
    assert len(everything.cases) == 2


def test_evaluate_for_reports_exactly_the_case_count_missing(trainee, mentor, today):
    ready_but_cases(trainee, mentor, today=today, cases=149)
    evaluation = selectors.evaluate_for(trainee, ruleset="eacvi-2025", route="level2", today=today)
    not_met = [r.id for r in evaluation.rules if not r.met]
    assert not_met == ["case_count", "supervisor_declaration"]
    assert evaluation.rule("case_count").numbers["have"] == 149
    assert "1 more eligible cases" in evaluation.missing


class TestLogbookVersion:
    def test_same_logbook_same_version_and_any_edit_changes_it(self, supervised, mentor, day, today):
        seen = [selectors.logbook_version(supervised)]
        assert selectors.logbook_version(supervised) == seen[0]

        def changed():
            version = selectors.logbook_version(supervised)
            assert version != seen[-1]
            seen.append(version)

        case = services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        changed()
        services.update_case(by=supervised, case=case, data=case_input(mentor, day=day, category="valvular"))
        changed()
        services.verify_case(by=mentor, case=case, status="verified")
        changed()
        period = services.add_training(by=supervised, trainee=supervised, start_date=day, end_date=today,
                                       hours_per_week=Decimal("35"), supervisor=mentor, centre="")
        changed()
        services.update_training(by=supervised, period=period, hours_per_week=Decimal("20"))
        changed()
        activity = services.add_cme(by=supervised, trainee=supervised, title="Course", provider="X", kind="course",
                                    start_date=day, end_date=day, credits=Decimal("5"), certificate=pdf())
        changed()
        services.update_cme(by=supervised, activity=activity, credits=Decimal("6"))
        changed()
        entry = services.add_peer_recognition(by=supervised, trainee=supervised, kind="poster", title="P", date=day)
        changed()
        services.delete_peer_recognition(by=supervised, entry=entry)
        changed()
        services.delete_cme(by=supervised, activity=activity)
        changed()
        services.delete_training(by=supervised, period=period)
        changed()
        services.delete_case(by=supervised, case=case)
        changed()
        # Content-addressed: back to an empty logbook is back to the empty logbook's version.
        assert seen[-1] == seen[0]

    def test_version_is_per_trainee(self, supervised, other_trainee, mentor, day):
        services.add_case(by=supervised, trainee=supervised, data=case_input(mentor, day=day))
        assert selectors.logbook_version(supervised) != selectors.logbook_version(other_trainee)


def test_level2_logbook_end_date_from_the_settings_overrides_the_award_date(supervised, mentor, today):
    award = today - dt.timedelta(days=60)
    add_certification(by=None, holder=supervised, body="EACVI", level=2, awarded_on=award,
                      valid_until=award + dt.timedelta(days=1800))
    early = services.add_case(by=supervised, trainee=supervised,
                              data=case_input(mentor, day=award - dt.timedelta(days=20), identifier="a"))
    late = services.add_case(by=supervised, trainee=supervised,
                             data=case_input(mentor, day=award - dt.timedelta(days=5), identifier="b"))
    services.update_settings(by=supervised, trainee=supervised, level2_logbook_until=award - dt.timedelta(days=10))
    data = selectors.application_data_for(supervised, today=today, route="level3-via-level2")
    assert [c.case_id for c in data.candidate.level2.cases] == [early.case_id]
    assert [c.case_id for c in data.cases] == [late.case_id]
