"""An application's uploaded documents: the candidate, the named supervisor and the board fetch them;
an unassigned grader, another trainee and the network administrator get 404; nobody signed in, the login page.
(Part of the download-permission inventory, tests/security/test_downloads.py.)"""

import pytest

from cmrnet.certification.models import Document

pytestmark = pytest.mark.django_db


def test_an_application_document_goes_only_to_those_entitled(draft, candidate, supervisor, board_member, grader,
                                                              other_trainee, admin, client, client_for):
    document = Document.objects.filter(application=draft).first()
    url = f"/certification/applications/{draft.pk}/documents/{document.pk}/"
    for person in (candidate, supervisor, board_member):
        response = client_for(person).get(url)
        assert response.status_code == 200, person
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Cache-Control"] == "no-store"
    for person in (grader, other_trainee, admin):
        assert client_for(person).get(url).status_code == 404, person
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_document_id_of_another_application_is_404(draft, candidate, client_for):
    document = Document.objects.filter(application=draft).first()
    assert client_for(candidate).get(
        f"/certification/applications/{draft.pk + 999}/documents/{document.pk}/").status_code == 404
