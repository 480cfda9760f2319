"""Who sees an application: the candidate, its named supervisors, its assigned graders and the board.
Everyone else (a stranger, another trainee, an unassigned grader) gets 404."""

import pytest
from django.test import Client

from cmrnet.certification import services
from cmrnet.certification.disclaimer import disclaimer

ENTITLED = ["candidate", "supervisor", "grader", "board_member"]
NOT_ENTITLED = ["other_trainee", "grader2", "stranger", "director"]


def rows(payload):
    """The list of a (possibly paginated) DRF list response."""
    return payload["results"] if isinstance(payload, dict) else payload


@pytest.fixture
def people(request, submitted, in_grading, candidate, supervisor, grader, grader2, board_member, other_trainee,
           director, make_person, other_centre):
    from cmrnet.people.roles import Role

    services.assign_grader(by=board_member, application=in_grading, grader=grader)
    stranger = make_person("stranger@example.org", Role.MENTOR, at=other_centre)
    return {"candidate": candidate, "supervisor": supervisor, "grader": grader, "grader2": grader2,
            "board_member": board_member, "other_trainee": other_trainee, "stranger": stranger, "director": director}


@pytest.mark.parametrize("who", ENTITLED)
def test_entitled_people_see_the_application(people, in_grading, client_for, who):
    response = client_for(people[who]).get(f"/certification/applications/{in_grading.pk}/")
    assert response.status_code == 200
    assert f"Application #{in_grading.pk}" in response.content.decode()


@pytest.mark.parametrize("who", NOT_ENTITLED)
def test_anyone_else_gets_404(people, in_grading, client_for, who):
    client = client_for(people[who])
    assert client.get(f"/certification/applications/{in_grading.pk}/").status_code == 404
    assert client.get(f"/certification/applications/{in_grading.pk}/snapshots/1/").status_code == 404
    assert client.get(f"/api/v1/certification/assigned/{in_grading.pk}/").status_code == 404


@pytest.mark.parametrize("who", ENTITLED)
def test_entitled_people_download_the_submitted_snapshot(people, in_grading, client_for, who):
    response = client_for(people[who]).get(f"/certification/applications/{in_grading.pk}/snapshots/1/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_anonymous_is_sent_to_login(in_grading):
    response = Client().get(f"/certification/applications/{in_grading.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_grader_sees_only_the_applications_assigned_to_them(people, in_grading, client_for):
    assigned = rows(client_for(people["grader"]).get("/api/v1/certification/assigned/").json())
    assert [a["id"] for a in assigned] == [in_grading.pk]
    assert rows(client_for(people["grader2"]).get("/api/v1/certification/assigned/").json()) == []


def test_a_candidate_lists_only_their_own_applications_in_the_api(people, in_grading, client_for):
    mine = rows(client_for(people["candidate"]).get("/api/v1/certification/applications/").json())
    assert [(a["id"], a["state"]) for a in mine] == [(in_grading.pk, "in_grading")]
    assert rows(client_for(people["other_trainee"]).get("/api/v1/certification/applications/").json()) == []


@pytest.mark.parametrize("who", ["candidate", "supervisor", "grader", "other_trainee"])
def test_the_office_is_for_the_board_only(people, client_for, who):
    assert client_for(people[who]).get("/certification/office/").status_code == 403


def test_the_board_sees_the_office(people, client_for, in_grading):
    page = client_for(people["board_member"]).get("/certification/office/").content.decode()
    assert "Service levels" in page and str(in_grading) in page


@pytest.mark.parametrize("url", ["/certification/office/", "/certification/office/exam-passes/", "/certification/audits/",
                                 "/certification/remote-supervision/",
                                 "/certification/extensions/"])
def test_board_pages_refuse_other_roles(people, client_for, url):
    assert client_for(people["grader"]).get(url).status_code == 403
    assert client_for(people["board_member"]).get(url).status_code == 200


@pytest.mark.parametrize(("who", "status"), [("supervisor", 403), ("grader", 403), ("candidate", 403)])
def test_board_actions_refuse_other_roles(people, in_grading, client_for, who, status):
    response = client_for(people[who]).post(f"/certification/applications/{in_grading.pk}/return/", {"reasons": "x"})
    assert response.status_code == status
    in_grading.refresh_from_db()
    assert in_grading.state == "in_grading"


def test_an_unassigned_grader_cannot_post_a_grade(people, in_grading, client_for):
    response = client_for(people["grader2"]).post(f"/certification/applications/{in_grading.pk}/grade/",
                                                  {"result": "pass", "comments": "x"})
    assert response.status_code == 404


def test_certificate_pdf_for_holder_and_board_only(certificate, client_for, candidate, board_member, other_trainee, grader):
    url = f"/certification/certificates/{certificate.pk}/pdf/"
    assert client_for(candidate).get(url).status_code == 200
    assert client_for(board_member).get(url).status_code == 200
    assert client_for(other_trainee).get(url).status_code == 404
    assert client_for(grader).get(url).status_code == 404


def test_certificate_verification_api_is_public_and_publishes_only_the_register_fields(certificate):
    data = Client().get(f"/api/v1/certification/verify/{certificate.code}/").json()
    assert data == {"name": "Tara Trainee", "country": "DE", "body": "EACVI", "level": 2, "valid_until": "2031-11-23",
                    "status": "active", "status_label": "Active", "disclaimer": disclaimer("EACVI")}
    assert Client().get("/api/v1/certification/verify/nope/").status_code == 404


def test_the_home_page_and_dashboard_panels_render_for_every_role(people, client_for):
    headings = {"candidate": "My certification", "supervisor": "Declarations to sign", "grader": "Applications to grade",
                "board_member": "Certification office"}
    for who, heading in headings.items():
        client = client_for(people[who])
        assert client.get("/certification/").status_code == 200
        assert heading in client.get("/").content.decode()


# Issue 9 pages x roles: special circumstances (the candidate's own; the board once submitted), the
# remote-supervision request (candidate, named remote supervisor, board), and their POST-only actions.
@pytest.fixture
def issue9_objects(people, other_trainee, supervisor, board_member, today):
    from tests.certification.helpers import pdf_upload
    from tests.certification.test_requests import remote_fields

    special = services.open_special_request(by=people["other_trainee"], body="EACVI", level=2, statement="Why.")
    services.add_special_document(by=people["other_trainee"], request=special, file=pdf_upload(), title="CV")
    services.submit_special_request(by=people["other_trainee"], request=special, today=today)
    remote = services.request_remote_supervision(by=people["other_trainee"], today=today,
                                                 **remote_fields(supervisor, today))
    return {"special": special.pk, "remote": remote.pk}


ISSUE9_GET = {
    "/certification/special/": {"candidate": 200, "supervisor": 200, "grader": 200, "board_member": 200,
                                "other_trainee": 200, "director": 200},
    "/certification/special/new/": {"candidate": 200, "other_trainee": 200, "board_member": 200},
    "/certification/special/{special}/": {"other_trainee": 200, "board_member": 200, "candidate": 404,
                                          "supervisor": 404, "grader": 404, "grader2": 404, "director": 404,
                                          "stranger": 404},
    "/certification/remote-supervision/{remote}/": {"other_trainee": 200, "supervisor": 200, "board_member": 200,
                                                    "candidate": 404, "grader": 404, "director": 404, "stranger": 404},
}


@pytest.mark.parametrize("url", list(ISSUE9_GET))
def test_issue9_pages_by_role(people, issue9_objects, client_for, url):
    for who, status in ISSUE9_GET[url].items():
        assert client_for(people[who]).get(url.format(**issue9_objects)).status_code == status, (who, url)
    assert Client().get(url.format(**issue9_objects)).status_code == 302  # anonymous: to the login page


def test_issue9_actions_refuse_everyone_else(people, issue9_objects, in_grading, client_for):
    from cmrnet.logbook.models import CmeActivity

    activity = CmeActivity.objects.filter(trainee=people["candidate"]).first()
    posts = [(f"/certification/special/{issue9_objects['special']}/decision/", {"decision": "approve", "comment": "x"},
              ["other_trainee"]),
             (f"/certification/remote-supervision/{issue9_objects['remote']}/respond/", {"response": "confirm"},
              ["other_trainee", "board_member"]),
             (f"/certification/remote-supervision/{issue9_objects['remote']}/messages/", {"body": "x"},
              ["other_trainee"]),
             (f"/certification/applications/{in_grading.pk}/cme/{activity.pk}/", {"hours": "1", "reason": "x"},
              ["candidate", "supervisor"])]
    for url, data, refused in posts:
        for who in refused:
            assert client_for(people[who]).post(url, data).status_code == 403, (who, url)
        for who in ("stranger", "director"):
            assert client_for(people[who]).post(url, data).status_code in (403, 404), (who, url)
