"""The certification committee's accepted CME hours: set by the board or an assigned grader with a reason;
the verdict uses the figure and the pages show it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import integration, selectors, services
from cmrnet.logbook.models import CmeActivity


def cme_rule(app, today):
    return selectors.verdict(app, today=today).evaluation.rule("cme_hours")


@pytest.fixture
def activity(draft):
    return CmeActivity.objects.filter(trainee=draft.candidate).order_by("pk").first()


def test_the_board_lowers_an_activity_and_the_verdict_uses_it(draft, activity, board_member, today):
    before = cme_rule(draft, today)
    claimed_total = Decimal(str(before.numbers["have"])) if "have" in before.numbers else None
    services.override_cme_hours(by=board_member, application=draft, activity_id=activity.pk, hours=Decimal("0"),
                                reason="Certificate shows a non-CMR session.", today=today)
    after = cme_rule(draft, today)
    assert after.message != before.message
    credits = dict((a.pk, c) for a, c in integration.cme_claims(draft.candidate, ruleset=draft.ruleset,
                                                                   exam_date=draft.exam_pass.exam_date))
    assert credits[activity.pk].accepted == 0
    if claimed_total is not None:
        assert Decimal(str(after.numbers["have"])) < claimed_total
    activity.refresh_from_db()
    assert (activity.accepted_hours, activity.accepted_hours_by, activity.accepted_hours_on) == (0, board_member, today)
    entry = AuditEntry.objects.get(action="cme.hours_overridden")
    assert entry.actor == board_member and entry.data["application_id"] == draft.pk
    assert entry.changes["accepted_hours"] == [None, "0.00"]


def test_the_committee_figure_replaces_catalogue_and_multimodality_adjustments(draft, activity, board_member, today):
    CmeActivity.objects.filter(pk=activity.pk).update(modalities=4, credits=Decimal("12"))
    credits = dict((a.pk, c) for a, c in integration.cme_claims(draft.candidate, ruleset=draft.ruleset,
                                                                   exam_date=draft.exam_pass.exam_date))
    assert credits[activity.pk].accepted == 3  # 12 / 4 modalities
    services.override_cme_hours(by=board_member, application=draft, activity_id=activity.pk, hours=Decimal("7.5"),
                                reason="Programme shows 7.5 h of CMR sessions.", today=today)
    credits = dict((a.pk, c) for a, c in integration.cme_claims(draft.candidate, ruleset=draft.ruleset,
                                                                   exam_date=draft.exam_pass.exam_date))
    assert float(credits[activity.pk].accepted) == 7.5


def test_a_reason_is_required_and_clearing_restores_the_rules(draft, activity, board_member, today):
    with pytest.raises(ValidationError) as exc:
        services.override_cme_hours(by=board_member, application=draft, activity_id=activity.pk, hours=2, reason=" ",
                                    today=today)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.override_cme_hours(by=board_member, application=draft, activity_id=activity.pk, hours=-1,
                                    reason="x", today=today)
    assert "hours" in exc.value.message_dict
    original = cme_rule(draft, today).message
    services.override_cme_hours(by=board_member, application=draft, activity_id=activity.pk, hours=0, reason="x",
                                today=today)
    services.override_cme_hours(by=board_member, application=draft, activity_id=activity.pk, hours=None,
                                reason="Certificate re-read: full credit.", today=today)
    assert cme_rule(draft, today).message == original


def test_only_the_board_and_assigned_graders_set_it(in_grading, board_member, grader, grader2, candidate, supervisor,
                                                    today):
    activity = CmeActivity.objects.filter(trainee=candidate).first()
    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    services.override_cme_hours(by=grader, application=in_grading, activity_id=activity.pk, hours=1, reason="x",
                                today=today)
    for person in (grader2, candidate, supervisor):
        with pytest.raises(PermissionDenied):
            services.override_cme_hours(by=person, application=in_grading, activity_id=activity.pk, hours=5,
                                        reason="x", today=today)


def test_another_candidates_activity_is_refused(draft, board_member, other_trainee, today):
    from cmrnet.logbook.services import add_cme

    foreign = add_cme(by=other_trainee, trainee=other_trainee, title="Other's course", kind="course",
                      start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 1), credits=5)
    with pytest.raises(ValidationError, match="No such CME activity"):
        services.override_cme_hours(by=board_member, application=draft, activity_id=foreign.pk, hours=1, reason="x",
                                    today=today)


def test_the_override_does_not_void_the_declaration(signed, candidate, board_member, today):
    activity = CmeActivity.objects.filter(trainee=candidate).first()
    services.override_cme_hours(by=board_member, application=signed, activity_id=activity.pk, hours=3, reason="x",
                                today=today)
    assert all(d.valid for d in selectors.verdict(signed, today=today).declarations)


def test_the_pages_set_and_show_the_figure(draft, activity, board_member, candidate, client_for):
    board = client_for(board_member)
    response = board.post(f"/certification/applications/{draft.pk}/cme/{activity.pk}/",
                          {"hours": "2.5", "reason": "Only the CMR track counts."})
    assert response.status_code == 302
    page = client_for(candidate).get(f"/certification/applications/{draft.pk}/").content.decode()
    assert "Committee: 2.50 h" in page and "Only the CMR track counts." in page
    assert 'name="hours"' not in page  # the candidate reads, does not set
    logbook_page = client_for(candidate).get("/logbook/cme/").content.decode()
    assert "Certification committee: 2.50 h accepted" in logbook_page
    assert client_for(candidate).post(f"/certification/applications/{draft.pk}/cme/{activity.pk}/",
                                      {"hours": "99", "reason": "x"}).status_code == 403
