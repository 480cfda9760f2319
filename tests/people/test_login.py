import re

from django.core import mail

from tests.conftest import PASSWORD


def test_login_by_email_and_password(client, trainee):
    response = client.post("/accounts/login/", {"username": "TARA@Example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, trainee):
    response = client.post("/accounts/login/", {"username": trainee.email, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct e-mail and password" in response.content.decode()


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, trainee, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": trainee.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": trainee.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()


def test_failures_below_the_limit_do_not_lock(client, trainee, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": trainee.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": trainee.email, "password": PASSWORD})
    assert response.status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client_for, trainee):
    c = client_for(trainee)
    assert c.get("/accounts/logout/").status_code == 405  # a link or an <img> cannot log anyone out
    assert c.get("/").status_code == 200  # still signed in
    assert c.post("/accounts/logout/").status_code == 302
    assert c.get("/").status_code == 302


def test_password_reset_sends_a_working_link_on_the_site_address(client, trainee, settings):
    settings.SITE_URL = "https://cmr.example.org"
    client.post("/accounts/password/reset/", {"email": trainee.email})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [trainee.email]
    assert "testserver" not in mail.outbox[0].body  # never the Host header of the request
    link = re.search(r"https://cmr\.example\.org(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a-new-long-password-7", "new_password2": "a-new-long-password-7"})
    assert done.status_code == 302
    trainee.refresh_from_db()
    assert trainee.check_password("a-new-long-password-7")


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from cmrnet.config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
