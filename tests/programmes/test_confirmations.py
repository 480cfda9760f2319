"""Issue 13: withdrawing from a programme asks on a server-rendered page first, then says what was done."""

import pytest

from cmrnet.programmes.models import Enrolment

pytestmark = pytest.mark.django_db


def test_withdrawing_from_a_programme_asks_then_says_so(open_programme, trainee, enrol, client_for):
    enrolment = enrol(open_programme, trainee)
    c = client_for(trainee)
    url = f"/programmes/enrolments/{enrolment.pk}/withdraw/"
    asked = c.post(url).content.decode()
    assert f"Withdraw from {open_programme.title}?" in asked and "apply again" in asked
    assert f'href="/programmes/{open_programme.pk}/">No, go back' in asked
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED
    done = c.post(url, {"confirmed": "yes"}, follow=True).content.decode()
    assert f"You withdrew from {open_programme.title}." in done
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_accepting_an_invitation_is_not_asked_and_says_so(open_programme, trainee, client_for, director):
    from django.utils import timezone

    from cmrnet.programmes import services

    enrolment = services.invite_trainee(by=director, programme=open_programme, trainee=trainee, now=timezone.now())
    done = client_for(trainee).post(f"/programmes/enrolments/{enrolment.pk}/accept/", follow=True).content.decode()
    assert "No, go back" not in done and f"You accepted your place on {open_programme.title}." in done
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED
