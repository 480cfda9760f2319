"""Review findings: board POSTs with bad or out-of-state input are refused cleanly, never a 500."""

import pytest
from django.utils import timezone

from cmrnet.certification.models import Appeal, RandomAudit
from cmrnet.certification.states import State

pytestmark = pytest.mark.django_db


def test_deciding_an_appeal_that_was_never_filed_is_refused_not_a_server_error(draft, board_member, client_for):
    client = client_for(board_member)
    response = client.post(f"/certification/applications/{draft.pk}/appeal-decision/",
                           {"outcome": "upheld", "reasons": "Looks fine."}, follow=True)
    assert response.status_code == 200
    assert "cannot" in response.content.decode().lower()
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert not Appeal.objects.exists() and not draft.certificates.exists()


def test_the_decide_appeal_service_refuses_an_application_without_an_appeal(draft, board_member, today):
    from cmrnet.certification import services
    from cmrnet.certification.states import IllegalTransition

    with pytest.raises(IllegalTransition):
        services.decide_appeal(by=board_member, application=draft, upheld=True, reasons="x", today=today)


@pytest.mark.parametrize("check", ["abc", "", "1.5"])
def test_an_audit_check_id_that_is_not_a_number_is_404(board_member, client_for, check):
    audit = RandomAudit.objects.create(drawn_by=board_member, drawn_at=timezone.now(), seed=1, sample_size=0,
                                       population=[])
    response = client_for(board_member).post(f"/certification/audits/{audit.pk}/",
                                             {"check": check, "outcome": "confirmed"})
    assert response.status_code == 404
