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
