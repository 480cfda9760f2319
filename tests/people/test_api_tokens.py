"""Finding 11: API tokens are stored as digests, shown once on creation, and authenticate by digest."""

import hashlib
import importlib

import pytest
from django.apps import apps as global_apps

from cmrnet.audit.models import AuditEntry
from cmrnet.people import services, tokens
from cmrnet.people.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_created_token_is_shown_once_and_stored_only_as_a_digest(client_for, trainee):
    client = client_for(trainee)
    response = client.post(f"/people/{trainee.pk}/api-tokens/", {"name": "RIS sync"})
    assert response.status_code == 200
    html = response.content.decode()
    secret = response.context["secret"]
    assert secret.startswith("cmr_") and len(secret) == 47 and secret in html
    token = ApiToken.objects.get(user=trainee)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest() and token.prefix == secret[:8]
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(secret in value for value in stored)
    again = client.get(f"/people/{trainee.pk}/api-tokens/").content.decode()
    assert secret not in again and "RIS sync" in again and secret[:8] in again
    assert AuditEntry.objects.filter(action="api_token.created").count() == 1
    assert secret not in str(list(AuditEntry.objects.values()))


def test_the_api_authenticates_by_the_digest_and_refuses_the_digest_itself(client, trainee):
    token, secret = services.issue_api_token(by=trainee, person=trainee, name="script")
    me = client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert me.status_code == 200 and me.json()["email"] == trainee.email
    assert client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {token.digest}").status_code == 401
    assert client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {secret[:-1]}x").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_stops_working(client, client_for, trainee):
    token, secret = services.issue_api_token(by=trainee, person=trainee, name="script")
    response = client_for(trainee).post(f"/people/{trainee.pk}/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1


def test_an_inactive_persons_token_is_refused(client, trainee):
    _token, secret = services.issue_api_token(by=trainee, person=trainee, name="script")
    trainee.is_active = False
    trainee.save()
    assert client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401


def test_only_the_person_creates_their_tokens_an_administrator_may_revoke(client_for, trainee, other_trainee, admin):
    assert client_for(other_trainee).get(f"/people/{trainee.pk}/api-tokens/").status_code == 404
    response = client_for(admin).post(f"/people/{trainee.pk}/api-tokens/", {"name": "impersonation"})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    token, _secret = services.issue_api_token(by=trainee, person=trainee, name="script")
    assert client_for(other_trainee).post(f"/people/{trainee.pk}/api-tokens/{token.pk}/revoke/").status_code == 404
    assert client_for(admin).post(f"/people/{trainee.pk}/api-tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.exists()
    with pytest.raises(Exception, match="Only the person"):
        services.issue_api_token(by=admin, person=trainee, name="x")


def test_the_migration_hashes_existing_plain_tokens_and_deletes_them(trainee):
    from rest_framework.authtoken.models import Token

    plain = Token.objects.create(user=trainee)
    migration = importlib.import_module("cmrnet.people.migrations.0006_hash_existing_api_tokens")
    migration.hash_tokens(global_apps, None)
    assert not Token.objects.exists()
    migrated = ApiToken.objects.get(user=trainee)
    assert migrated.digest == tokens.digest(plain.key) and migrated.prefix == plain.key[:8]


def test_a_client_holding_an_old_key_keeps_working_after_the_migration(client, trainee):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=trainee).key
    importlib.import_module("cmrnet.people.migrations.0006_hash_existing_api_tokens").hash_tokens(global_apps, None)
    assert client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
