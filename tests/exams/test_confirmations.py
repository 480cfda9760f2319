"""Issue 13: Release, Unregister and Withdraw ask on a server-rendered page (no JavaScript confirm()), and
say what was done afterwards; asking changes nothing, and only those allowed to act are asked."""

import pytest

from cmrnet.exams.models import Registration

pytestmark = pytest.mark.django_db


def test_release_asks_first_then_acts(client_for, board_member, sitting):
    c = client_for(board_member)
    assert "data-confirm" not in c.get(f"/exams/sittings/{sitting.pk}/results/").content.decode()
    asked = c.post(f"/exams/sittings/{sitting.pk}/results/release/")
    html = asked.content.decode()
    assert asked.status_code == 200
    assert f"Release the results of {sitting.title}?" in html and "cannot be undone" in html
    assert f'action="/exams/sittings/{sitting.pk}/results/release/"' in html
    assert f'href="/exams/sittings/{sitting.pk}/results/">No, go back' in html
    sitting.refresh_from_db()
    assert not sitting.is_released
    done = c.post(f"/exams/sittings/{sitting.pk}/results/release/", {"confirmed": "yes"}, follow=True).content.decode()
    assert "Record the cut score first." in done                           # the service decided, and said so


def test_only_the_board_is_asked_to_release(client_for, trainee, sitting):
    assert client_for(trainee).post(f"/exams/sittings/{sitting.pk}/results/release/").status_code == 403


def test_a_candidate_is_asked_before_withdrawing(client_for, board_member, sitting, trainee, other_trainee):
    client_for(board_member).post(f"/exams/sittings/{sitting.pk}/manage/", {"candidate": trainee.pk, "extra_minutes": 0})
    reg = Registration.objects.get(sitting=sitting, candidate=trainee)
    c = client_for(trainee)
    asked = c.post(f"/exams/registrations/{reg.pk}/withdraw/").content.decode()
    assert f"Withdraw from {sitting.title}?" in asked and "register again" in asked
    assert 'href="/exams/my/">No, go back' in asked or "No, go back" in asked
    assert Registration.objects.filter(pk=reg.pk).exists()
    assert client_for(other_trainee).post(f"/exams/registrations/{reg.pk}/withdraw/").status_code == 404
    done = c.post(f"/exams/registrations/{reg.pk}/withdraw/", {"confirmed": "yes"}, follow=True).content.decode()
    withdrawn = not Registration.objects.filter(pk=reg.pk).exists()
    assert ("Registration withdrawn." in done) == withdrawn
    assert withdrawn or "withdraw" in done.lower()                           # else the service's reason is shown


def test_a_wrong_confirmation_value_only_asks_again(client_for, board_member, sitting, trainee):
    c = client_for(board_member)
    c.post(f"/exams/sittings/{sitting.pk}/manage/", {"candidate": trainee.pk, "extra_minutes": 0})
    reg = Registration.objects.get(sitting=sitting, candidate=trainee)
    asked = c.post(f"/exams/sittings/{sitting.pk}/registrations/{reg.pk}/", {"remove": "1", "confirmed": "1"})
    assert "Unregister" in asked.content.decode() and Registration.objects.filter(pk=reg.pk).exists()
