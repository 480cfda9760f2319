"""On-site supervision links (linked and ended by a programme director or an administrator) and the
pre-training check: current Level 3 on each day of the planned period, naming the first day it fails."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.people.models import Supervision
from cmrnet.people.roles import Role
from cmrnet.people.selectors import check_supervision, holds_current_level3
from cmrnet.people.services import add_certification, add_supervision, end_supervision, link_supervisor, revoke_certification

D = dt.date
START, END = D(2027, 1, 1), D(2027, 6, 30)


def level3(person, awarded, until, body="EACVI"):
    return add_certification(by=None, holder=person, body=body, level=3, awarded_on=awarded, valid_until=until)


@pytest.mark.parametrize(("valid_until", "first_gap"), [
    (END, None),                      # valid through the last day: recognised
    (END - dt.timedelta(days=1), END),  # expires the day before the period ends: fails on the last day
    (START - dt.timedelta(days=1), START),  # expired the day before it starts
])
def test_the_check_names_the_first_day_without_current_level3(mentor, valid_until, first_gap):
    level3(mentor, D(2020, 1, 1), valid_until)
    check = check_supervision(mentor, start=START, end=END)
    assert check.first_gap == first_gap and check.recognised is (first_gap is None)
    if first_gap is None:
        assert check.message.startswith("Recognised: ")
    else:
        assert f"does not hold current Level 3 on {first_gap}" in check.message


def test_a_supervisor_awarded_level3_the_day_after_the_start_is_not_recognised_from_the_start(mentor):
    level3(mentor, START + dt.timedelta(days=1), D(2032, 1, 1))
    check = check_supervision(mentor, start=START, end=END)
    assert check.first_gap == START and check.message.startswith("Not recognised")
    assert check_supervision(mentor, start=START + dt.timedelta(days=1), end=END).recognised


def test_a_revocation_inside_the_period_fails_on_the_revocation_day(mentor, board_member):
    cert = level3(mentor, D(2020, 1, 1), D(2030, 1, 1))
    revoke_certification(by=board_member, certification=cert, on=D(2027, 3, 15), reason="Misconduct.")
    check = check_supervision(mentor, start=START, end=END)
    assert check.first_gap == D(2027, 3, 15) and check.recognised_until == D(2027, 3, 14)


def test_a_renewal_that_starts_the_day_after_expiry_keeps_the_period_recognised(mentor):
    level3(mentor, D(2022, 3, 1), D(2027, 2, 28))
    level3(mentor, D(2027, 3, 1), D(2032, 2, 29), body="SCMR")
    assert check_supervision(mentor, start=START, end=END).recognised


def test_a_one_day_gap_between_certifications_is_named(mentor):
    level3(mentor, D(2022, 3, 1), D(2027, 2, 27))
    level3(mentor, D(2027, 3, 1), D(2032, 2, 29))
    assert check_supervision(mentor, start=START, end=END).first_gap == D(2027, 2, 28)


def test_level2_does_not_count(mentor):
    add_certification(by=None, holder=mentor, body="EACVI", level=2, awarded_on=D(2020, 1, 1), valid_until=D(2030, 1, 1))
    assert check_supervision(mentor, start=START, end=END).first_gap == START


def test_an_open_ended_period_is_recognised_until_the_last_valid_day(mentor):
    level3(mentor, D(2020, 1, 1), D(2028, 5, 31))
    check = check_supervision(mentor, start=START, end=None)
    assert check.recognised_until == D(2028, 5, 31) and check.first_gap == D(2028, 6, 1)
    assert "Recognised only until 2028-05-31" in check.message


def test_the_check_agrees_with_holds_current_level3_on_every_day(mentor, board_member):
    level3(mentor, D(2026, 12, 20), D(2027, 2, 10))
    level3(mentor, D(2027, 2, 20), D(2027, 4, 30))
    late = level3(mentor, D(2027, 4, 1), D(2028, 1, 1), body="SCMR")
    revoke_certification(by=board_member, certification=late, on=D(2027, 6, 1), reason="x")
    day, days = START, []
    while day <= END:
        days.append(day)
        day += dt.timedelta(days=1)
    expected = next((d for d in days if not holds_current_level3(mentor, d)), None)
    assert expected == D(2027, 2, 11)
    assert check_supervision(mentor, start=START, end=END).first_gap == expected
    for start in (D(2027, 2, 20), D(2027, 4, 15)):
        expected = next((d for d in days if d >= start and not holds_current_level3(mentor, d)), None)
        assert check_supervision(mentor, start=start, end=END).first_gap == expected == D(2027, 6, 1)


# --- linking and ending -----------------------------------------------------------------------------------

def test_the_centres_programme_director_links_an_on_site_supervisor_audited_and_mailed(
        director, trainee, mentor, django_capture_on_commit_callbacks):
    level3(mentor, D(2020, 1, 1), END - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        link = link_supervisor(by=director, trainee=trainee, supervisor=mentor, started_on=START, ended_on=END)
    assert (link.remote, link.started_on, link.ended_on) == (False, START, END)
    entry = AuditEntry.objects.get(action="supervision.linked")
    assert entry.actor == director and entry.data["recognised"] is False
    assert entry.data["first_day_without_level3"] == END.isoformat()
    assert {*mail.outbox[-1].to} == {trainee.email, mentor.email}
    assert f"does not hold current Level 3 on {END}" in mail.outbox[-1].body


def test_an_administrator_links_anyone(admin, other_trainee, mentor):
    link = link_supervisor(by=admin, trainee=other_trainee, supervisor=mentor, started_on=START)
    assert link.ended_on is None


@pytest.mark.parametrize("who", ["mentor", "trainee", "board_member", "other_director"])
def test_nobody_else_links(request, who, trainee, mentor, make_person, other_centre):
    by = (make_person("od@example.org", Role.PROGRAMME_DIRECTOR, at=other_centre) if who == "other_director"
          else request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        link_supervisor(by=by, trainee=trainee, supervisor=mentor, started_on=START)
    assert not Supervision.objects.exists()


def test_bad_links_are_refused_naming_the_field(director, trainee, mentor):
    with pytest.raises(ValidationError) as exc:
        link_supervisor(by=director, trainee=trainee, supervisor=trainee, started_on=START)
    assert "supervisor" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        link_supervisor(by=director, trainee=trainee, supervisor=mentor, started_on=START, ended_on=START - dt.timedelta(days=1))
    assert "ended_on" in exc.value.message_dict
    link_supervisor(by=director, trainee=trainee, supervisor=mentor, started_on=START, ended_on=END)
    with pytest.raises(ValidationError, match="already supervises"):
        link_supervisor(by=director, trainee=trainee, supervisor=mentor, started_on=END, ended_on=END + dt.timedelta(days=30))
    link_supervisor(by=director, trainee=trainee, supervisor=mentor, started_on=END + dt.timedelta(days=1))  # adjacent: fine
    assert Supervision.objects.count() == 2


def test_ending_a_link_is_audited_and_cannot_precede_its_start(director, trainee, mentor):
    link = link_supervisor(by=director, trainee=trainee, supervisor=mentor, started_on=START)
    with pytest.raises(ValidationError, match="cannot end before"):
        end_supervision(by=director, link=link, ended_on=START - dt.timedelta(days=1))
    end_supervision(by=director, link=link, ended_on=START)  # a one-day link is allowed
    link.refresh_from_db()
    assert link.ended_on == START
    entry = AuditEntry.objects.get(action="supervision.ended")
    assert entry.changes == {"ended_on": [None, START.isoformat()]}


def test_a_remote_link_is_not_ended_here_and_a_mentor_ends_nothing(director, trainee, mentor):
    remote = add_supervision(by=None, trainee=trainee, supervisor=mentor, started_on=START, remote=True)
    with pytest.raises(ValidationError, match="exam board"):
        end_supervision(by=director, link=remote, ended_on=END)
    local = link_supervisor(by=director, trainee=trainee, supervisor=mentor, started_on=D(2028, 1, 1))
    with pytest.raises(PermissionDenied):
        end_supervision(by=mentor, link=local, ended_on=D(2028, 2, 1))


# --- pages and API ----------------------------------------------------------------------------------------

def test_the_director_links_on_the_page_and_the_trainee_reads_the_check(client_for, director, trainee, mentor):
    level3(mentor, D(2020, 1, 1), D(2027, 3, 31))
    response = client_for(director).post(f"/people/{trainee.pk}/supervision/", {
        "supervisor": mentor.pk, "started_on": "2027-01-01", "ended_on": "2027-06-30"})
    assert response.status_code == 302
    page = client_for(trainee).get(f"/people/{trainee.pk}/supervision/").content.decode()
    assert "Max Mentor" in page and "Recognised only until 2027-03-31" in page and "2027-04-01" in page
    assert "Link supervisor" not in page  # the trainee sees, does not link
    assert client_for(trainee).post(f"/people/{trainee.pk}/supervision/", {
        "supervisor": mentor.pk, "started_on": "2028-01-01"}).status_code == 403


def test_the_director_ends_a_link_on_the_page(client_for, director, trainee, mentor):
    link = link_supervisor(by=director, trainee=trainee, supervisor=mentor, started_on=START)
    response = client_for(director).post(f"/people/{trainee.pk}/supervision/{link.pk}/end/", {"ended_on": "2027-02-01"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.ended_on == D(2027, 2, 1)


def test_the_check_page_answers_htmx_with_the_fragment_only(client_for, trainee, mentor):
    level3(mentor, D(2020, 1, 1), D(2030, 1, 1))
    params = {"supervisor": mentor.pk, "started_on": "2027-01-01", "ended_on": "2027-06-30"}
    fragment = client_for(trainee).get("/people/supervision-check/", params, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="check-result"') and "Recognised: the supervisor holds current Level 3" in fragment
    full = client_for(trainee).get("/people/supervision-check/", params).content.decode()
    assert "<html" in full and "Recognised:" in full


def test_the_api_links_ends_and_checks_with_the_pages_permissions(client_for, director, trainee, mentor, other_trainee):
    level3(mentor, D(2020, 1, 1), D(2027, 5, 1))
    payload = {"trainee": trainee.pk, "supervisor": mentor.pk, "started_on": "2027-01-01", "ended_on": "2027-06-30"}
    assert client_for(trainee).post("/api/v1/supervision-links/", payload, content_type="application/json").status_code == 403
    created = client_for(director).post("/api/v1/supervision-links/", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["recognised"] is False
    link_id = created.json()["id"]
    assert client_for(other_trainee).get(f"/api/v1/supervision-links/{link_id}/").status_code == 404
    assert client_for(trainee).get(f"/api/v1/supervision-links/{link_id}/").json()["supervisor"] == mentor.pk
    ended = client_for(director).post(f"/api/v1/supervision-links/{link_id}/end/", {"ended_on": "2027-04-30"},
                                      content_type="application/json")
    assert ended.status_code == 200 and ended.json()["recognised"] is True
    bad = client_for(director).post(f"/api/v1/supervision-links/{link_id}/end/", {"ended_on": "2026-01-01"},
                                    content_type="application/json")
    assert bad.status_code == 400 and "ended_on" in bad.json()
    check = client_for(trainee).get("/api/v1/supervision-check/", {"supervisor": mentor.pk, "start": "2027-01-01",
                                                                    "end": "2027-06-30"}).json()
    assert check["recognised"] is False and check["first_day_without_level3"] == "2027-05-02"
    assert check["recognised_until"] == "2027-05-01"
    assert "/api/v1/supervision-links/" in client_for(trainee).get("/api/v1/schema/").content.decode()
