"""On-call expert support: request -> notification (live and e-mail) -> accept -> escalation after the
timeout, with time injected; the network page's figures per centre."""

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.live import selectors, services
from cmrnet.live.models import HelpRequest, RotaEntry
from cmrnet.people.services import add_certification

T0 = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)   # a Monday, 11:00 in Berlin
TODAY = T0.date()


@pytest.fixture
def experts(make_person, other_centre):
    """Two Level 3 experts elsewhere: Ines on tier 1, Jon on tier 2 (network-wide, Mondays 08-18 Berlin)."""
    people = []
    for email, name, tier in (("ines@example.org", "Ines First", 1), ("jon@example.org", "Jon Second", 2)):
        person = make_person(email, "mentor", full_name=name, at=other_centre)
        add_certification(by=None, holder=person, body="SCMR", level=3, awarded_on=dt.date(2020, 1, 1), valid_until=dt.date(2030, 1, 1))
        RotaEntry.objects.create(expert=person, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="Europe/Berlin", tier=tier)
        people.append(person)
    return people


def _listen(user) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(services.user_group(user.pk), channel)
    return channel


def _received(channel: str) -> dict:
    return async_to_sync(get_channel_layer().receive)(channel)["message"]


def _ask(technologist, scanner, capture, at=T0):
    with capture(execute=True):
        return services.request_expert_help(by=technologist, scanner=scanner, reason="Ghosting on the LGE, which TI?", now=at)


def test_request_notify_accept_and_escalate(technologist, scanner, experts, django_capture_on_commit_callbacks, settings):
    settings.CMRNET_ONCALL_ESCALATION_MINUTES = 5
    ines, jon = experts
    ines_page, jon_page, site_page = _listen(ines), _listen(jon), _listen(technologist)

    # Request: tier 1 (Ines) is called at once, live and by e-mail; Jon is not called yet.
    request = _ask(technologist, scanner, django_capture_on_commit_callbacks)
    call = _received(ines_page)
    assert call["type"] == "help" and call["reason"] == "Ghosting on the LGE, which TI?" and call["tier"] == 1
    assert call["accept"] == f"/live/help/{request.pk}/accept/" and "MR 1" in call["scanner"]
    assert [m.to for m in mail.outbox] == [[ines.email]] and f"/live/help/{request.pk}/" in mail.outbox[0].body
    assert list(request.calls.values_list("expert__email", "tier")) == [(ines.email, 1)]

    # Not yet due at 4 min 59 s; at 5 minutes without an answer it escalates to tier 2 (Jon).
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_due_requests(now=T0 + dt.timedelta(minutes=4, seconds=59)) == 0
        assert services.escalate_due_requests(now=T0 + dt.timedelta(minutes=5)) == 1
    assert _received(jon_page)["tier"] == 2 and mail.outbox[-1].to == [jon.email]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_due_requests(now=T0 + dt.timedelta(minutes=20)) == 0  # no further tier

    # Jon accepts first (one click): he joins the room; Ines is told; the site hears who comes.
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_help_request(by=jon, request=request, now=T0 + dt.timedelta(minutes=6, seconds=30))
    request.refresh_from_db()
    assert request.status == "accepted" and request.accepted_by == jon and request.seconds_to_answer == 390
    assert selectors.can_join_room(jon, request.room, on=TODAY) and selectors.is_remote_expert(jon, request.room)
    assert _received(ines_page) == {"type": "help-taken", "request": request.pk, "by": "Jon Second"}
    answered = _received(site_page)
    assert answered["type"] == "help-accepted" and answered["url"] == f"/live/rooms/{request.room_id}/"
    with pytest.raises(ValidationError, match="Already answered by Jon Second"):
        services.accept_help_request(by=ines, request=request, now=T0 + dt.timedelta(minutes=7))
    assert AuditEntry.objects.get(action="live.help_accepted").data["seconds_to_answer"] == 390


def test_an_expert_not_called_cannot_accept(technologist, scanner, experts, remote_mentor, django_capture_on_commit_callbacks):
    request = _ask(technologist, scanner, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        services.accept_help_request(by=remote_mentor, request=request, now=T0)


def test_an_expert_whose_level3_lapsed_is_skipped(technologist, scanner, experts, django_capture_on_commit_callbacks):
    ines = experts[0]
    cert = ines.certifications.get()
    cert.valid_until = TODAY - dt.timedelta(days=1)   # expired yesterday
    cert.save()
    request = _ask(technologist, scanner, django_capture_on_commit_callbacks)
    assert list(request.calls.values_list("expert__full_name", "tier")) == [("Jon Second", 2)]


def test_off_hours_nobody_is_called_and_the_request_waits(technologist, scanner, experts, django_capture_on_commit_callbacks):
    night = dt.datetime(2026, 3, 9, 20, 0, tzinfo=dt.UTC)   # 21:00 in Berlin
    request = _ask(technologist, scanner, django_capture_on_commit_callbacks, at=night)
    assert request.calls.count() == 0 and request.status == "open" and mail.outbox == []


def test_who_may_ask(trainee, director, admin, scanner, other_centre, make_person, experts, django_capture_on_commit_callbacks):
    assert selectors.can_request_help(trainee) and selectors.can_request_help(director)
    assert not selectors.can_request_help(admin)
    with pytest.raises(PermissionDenied):
        services.request_expert_help(by=admin, scanner=scanner, reason="x", now=T0)
    elsewhere = make_person("ed@example.org", "nurse", at=other_centre)
    with pytest.raises(ValidationError, match="not a scanner of"):
        services.request_expert_help(by=elsewhere, scanner=scanner, reason="x", now=T0)
    with pytest.raises(ValidationError, match="few words"):
        services.request_expert_help(by=trainee, scanner=scanner, reason="   ", now=T0)


def test_cancel_tells_the_called_experts(technologist, scanner, experts, django_capture_on_commit_callbacks):
    request = _ask(technologist, scanner, django_capture_on_commit_callbacks)
    page = _listen(experts[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_help_request(by=technologist, request=request, now=T0 + dt.timedelta(minutes=1))
    assert _received(page)["type"] == "help-taken"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_due_requests(now=T0 + dt.timedelta(minutes=10)) == 0


def test_rota_takes_only_current_level3(admin, experts, remote_mentor, make_person, director, centre):
    plain = make_person("pat@example.org", "mentor")
    with pytest.raises(ValidationError, match="no current Level 3"):
        services.add_rota_entry(by=admin, expert=plain, weekday=1, starts=dt.time(8), ends=dt.time(12), time_zone="Europe/Berlin",
                                today=TODAY)
    entry = services.add_rota_entry(by=director, expert=remote_mentor, centre=centre, weekday=1, starts=dt.time(8), ends=dt.time(12),
                                    time_zone="Europe/Berlin", today=TODAY)
    with pytest.raises(PermissionDenied):   # a director manages only their centre's slots
        services.add_rota_entry(by=director, expert=remote_mentor, weekday=1, starts=dt.time(8), ends=dt.time(12),
                                time_zone="Europe/Berlin", today=TODAY)
    services.remove_rota_entry(by=admin, entry=entry)
    assert AuditEntry.objects.filter(action__in=["live.rota_added", "live.rota_removed"]).count() == 2


def test_network_page_shows_requests_answered_share_and_median(client, admin, technologist, scanner, experts, centre,
                                                               django_capture_on_commit_callbacks):
    for minutes_to_answer in (2, 4, None):
        request = _ask(technologist, scanner, django_capture_on_commit_callbacks)
        if minutes_to_answer:
            with django_capture_on_commit_callbacks(execute=True):
                services.accept_help_request(by=experts[0], request=request, now=T0 + dt.timedelta(minutes=minutes_to_answer))
    [(row_centre, f)] = selectors.help_figures(type(centre).objects.all())
    assert row_centre == centre and (f.requests, f.answered, f.median_seconds) == (3, 2, 180)
    client.force_login(admin)
    html = client.get("/network/").content.decode()
    section = html[html.index('id="help-figures"'):]
    assert "Test Heart Centre</td><td>3</td><td>67% (2)</td>" in section.replace("\n", "") and "3 min 00 s" in section
    assert HelpRequest.objects.count() == 3
