"""The remote supervisor named in a remote-supervision request sees it, confirms or declines it, and the
board contacts them through cmrnet: messages kept with the request, e-mail with a link."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import services
from cmrnet.certification.models import RequestMessage
from cmrnet.people.roles import Role
from tests.certification.test_requests import remote_fields


@pytest.fixture
def req(other_trainee, candidate, supervisor, today, django_capture_on_commit_callbacks):
    """`candidate` gives the supervisor current Level 3; other_trainee's centre has nobody with Level 3."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.request_remote_supervision(by=other_trainee, today=today, **remote_fields(supervisor, today))


def test_the_named_supervisor_is_told_by_mail_with_a_link(req, supervisor):
    message = mail.outbox[-1]
    assert message.to == [supervisor.email]
    assert f"/certification/remote-supervision/{req.pk}/" in message.body and "names you as remote" in message.body


def test_the_named_supervisor_sees_the_request_and_others_do_not(req, supervisor, client_for, grader, mentor,
                                                                 make_person):
    page = client_for(supervisor).get(f"/certification/remote-supervision/{req.pk}/").content.decode()
    assert "You are named as the remote supervisor" in page and "Weekly teleconference" in page
    stranger = make_person("lena@example.org", Role.MENTOR, full_name="Lena Level3")
    for person in (grader, stranger):
        assert client_for(person).get(f"/certification/remote-supervision/{req.pk}/").status_code == 404


def test_the_supervisor_confirms_once_audited_and_the_board_is_told(req, supervisor, board_member, today,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.respond_as_remote_supervisor(by=supervisor, request=req, confirm=True, comment="", today=today)
    req.refresh_from_db()
    assert (req.supervisor_response, req.supervisor_responded_on) == ("confirmed", today)
    entry = AuditEntry.objects.get(action="remote_supervision.supervisor_answered")
    assert entry.actor == supervisor and entry.changes == {"supervisor_response": ["pending", "confirmed"]}
    assert board_member.email in mail.outbox[-1].to and "has confirmed" in mail.outbox[-1].body
    with pytest.raises(ValidationError, match="already answered"):
        services.respond_as_remote_supervisor(by=supervisor, request=req, confirm=False, comment="No.", today=today)


def test_declining_needs_a_reason_and_blocks_approval(req, supervisor, board_member, today):
    with pytest.raises(ValidationError) as exc:
        services.respond_as_remote_supervisor(by=supervisor, request=req, confirm=False, comment=" ", today=today)
    assert "comment" in exc.value.message_dict
    services.respond_as_remote_supervisor(by=supervisor, request=req, confirm=False, comment="No capacity in 2027.",
                                          today=today)
    with pytest.raises(ValidationError, match="has not confirmed"):
        services.decide_remote_supervision(by=board_member, request=req, decision="approve", comment="", today=today)
    services.decide_remote_supervision(by=board_member, request=req, decision="decline",
                                       comment="The named supervisor declined.", today=today)


def test_only_the_named_supervisor_answers(req, other_trainee, board_member, today):
    for person in (other_trainee, board_member):
        with pytest.raises(PermissionDenied):
            services.respond_as_remote_supervisor(by=person, request=req, confirm=True, comment="", today=today)


def test_the_board_and_the_supervisor_write_to_each_other_kept_with_the_request(
        req, supervisor, board_member, other_trainee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.write_request_message(by=board_member, request=req, body="How often will you review reports?")
    assert mail.outbox[-1].to == [supervisor.email]
    assert f"/certification/remote-supervision/{req.pk}/" in mail.outbox[-1].body
    assert "How often" not in mail.outbox[-1].body  # the text stays on cmrnet; the mail carries the link
    with django_capture_on_commit_callbacks(execute=True):
        services.write_request_message(by=supervisor, request=req, body="Every report, weekly.")
    assert board_member.email in mail.outbox[-1].to
    assert [m.body for m in RequestMessage.objects.filter(request=req)] == [
        "How often will you review reports?", "Every report, weekly."]
    assert AuditEntry.objects.filter(action="remote_supervision.message").count() == 2
    with pytest.raises(PermissionDenied):
        services.write_request_message(by=other_trainee, request=req, body="Me too")
    with pytest.raises(ValidationError):
        services.write_request_message(by=board_member, request=req, body="  ")


def test_the_pages_confirm_and_carry_the_thread(req, supervisor, board_member, other_trainee, client_for):
    board, sup, cand = client_for(board_member), client_for(supervisor), client_for(other_trainee)
    assert board.post(f"/certification/remote-supervision/{req.pk}/messages/", {"body": "Please confirm."}).status_code == 302
    assert "Please confirm." in sup.get(f"/certification/remote-supervision/{req.pk}/").content.decode()
    candidate_page = cand.get(f"/certification/remote-supervision/{req.pk}/").content.decode()
    assert "Please confirm." not in candidate_page and "Not yet answered" in candidate_page
    assert cand.post(f"/certification/remote-supervision/{req.pk}/respond/", {"response": "confirm"}).status_code == 403
    assert cand.post(f"/certification/remote-supervision/{req.pk}/messages/", {"body": "x"}).status_code == 403
    assert sup.post(f"/certification/remote-supervision/{req.pk}/respond/", {"response": "confirm"}).status_code == 302
    req.refresh_from_db()
    assert req.supervisor_response == "confirmed"
    assert "Confirmed by the remote supervisor" in cand.get(f"/certification/remote-supervision/{req.pk}/").content.decode()


def test_the_supervisors_dashboard_lists_requests_naming_them(req, supervisor, client_for):
    page = client_for(supervisor).get("/").content.decode()
    assert "Remote supervision requests naming you" in page and f"/certification/remote-supervision/{req.pk}/" in page
