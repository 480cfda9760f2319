"""Finding 3 (issue 8): log-in and lock-out agree on one normalisation of the login name, so case and
spacing variants count toward the same lock-out and cannot log in during the cool-off."""

import pytest
from django.core import mail

from cmrnet.people.models import User
from tests.conftest import PASSWORD

VARIANTS = ["Tara@Example.org", " tara@example.org ", "TARA@EXAMPLE.ORG", "tara@example.org\t",
            "tara @example.org", "\u00a0tara@example.org", "ｔａｒａ@example.org"]


@pytest.mark.parametrize("typed", ["tara@example.org", *VARIANTS])
def test_every_variant_normalises_to_the_stored_name(typed):
    from cmrnet.people.login_names import normalise_login_name

    assert normalise_login_name(typed) == "tara@example.org"


def test_normalisation_keeps_distinct_names_distinct():
    from cmrnet.people.login_names import normalise_login_name

    assert normalise_login_name("tım@example.org") != normalise_login_name("tim@example.org")  # dotless i
    assert normalise_login_name(None) == ""


def test_the_lockout_key_comes_from_the_same_function(rf):
    from cmrnet.people.login_names import axes_username

    request = rf.post("/accounts/login/", {"username": " Tara@Example.ORG "})
    assert axes_username(request) == "tara@example.org"
    assert axes_username(request, {"username": "TARA@example.org "}) == "tara@example.org"


@pytest.mark.parametrize("typed", VARIANTS)
def test_login_accepts_each_variant(client, trainee, typed):
    response = client.post("/accounts/login/", {"username": typed, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_variants_count_toward_the_same_lockout(client, trainee, settings):
    for typed in VARIANTS[: settings.AXES_FAILURE_LIMIT - 1]:
        response = client.post("/accounts/login/", {"username": typed, "password": "wrong"})
        assert response.status_code == 200
    # the limit is reached by failures spread over variants: the next failure locks, whatever the spelling
    response = client.post("/accounts/login/", {"username": VARIANTS[-1], "password": "wrong-again"})
    assert response.status_code == 429
    response = client.post("/accounts/login/", {"username": "tara@example.org", "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.parametrize("typed", VARIANTS)
def test_a_locked_out_account_cannot_log_in_with_a_variant(client, trainee, settings, typed):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "tara@example.org", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": typed, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_recorded_under_the_normalised_name(client, trainee):
    from axes.models import AccessAttempt

    client.post("/accounts/login/", {"username": " Tara@EXAMPLE.org", "password": "wrong"})
    client.post("/accounts/login/", {"username": "tara@example.ORG ", "password": "wrong"})
    attempts = AccessAttempt.objects.all()
    assert [(a.username, a.failures_since_start) for a in attempts] == [("tara@example.org", 2)]


def test_a_collation_only_match_does_not_log_in(client, make_person):
    """PostgreSQL's UPPER() maps the dotless i to I; log-in must not accept what the lock-out counts apart."""
    make_person("tim@example.org")
    response = client.post("/accounts/login/", {"username": "tım@example.org", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_get_by_natural_key_resolves_variants_to_one_account(trainee):
    assert User.objects.get_by_natural_key(" TARA@example.org") == trainee
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("tara@example.org.evil")


def test_an_email_differing_only_in_case_cannot_create_a_second_account(trainee, make_person):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_person("Tara@Example.ORG")


def test_password_reset_reaches_the_one_account_for_variants(client, trainee):
    client.post("/accounts/password/reset/", {"email": " Tara@Example.ORG "})
    assert [m.to for m in mail.outbox] == [["tara@example.org"]]
    client.post("/accounts/password/reset/", {"email": "tıra@example.org"})
    assert len(mail.outbox) == 1  # a look-alike reaches nobody


def test_the_api_takes_no_password_so_it_cannot_be_guessed_against(client, trainee):
    import base64

    basic = base64.b64encode(f"{trainee.email}:{PASSWORD}".encode()).decode()
    response = client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code in (401, 403)
