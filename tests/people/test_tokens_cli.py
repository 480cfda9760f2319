"""`cmrnet tokens create|list|revoke` (issue 9 brief): the existing ApiToken service from the server's shell;
the secret is printed once, only its digest is stored, every write is audited, bad input exits 2 naming the
argument and writes nothing."""

import hashlib
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cmrnet import cli
from cmrnet.audit.models import AuditEntry
from cmrnet.people import services
from cmrnet.people.models import ApiToken

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("tokens", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_secret_once_stores_its_digest_and_audits(client, trainee):
    out = run("create", "--user", "TARA@example.org ", "--name", "RIS export")
    token = ApiToken.objects.get()
    secret = out.splitlines()[1]
    assert out.splitlines()[0] == f"Token {token.pk} for tara@example.org (RIS export):"
    assert secret.startswith("cmr_") and len(secret) == 47
    assert token.user == trainee and token.name == "RIS export"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest() and token.prefix == secret[:8]
    assert "shown once" in out
    entry = AuditEntry.objects.get(action="api_token.created")
    assert entry.actor is None and entry.actor_label == "system"
    assert entry.data["via"] == "cmrnet tokens" and entry.data["token_id"] == token.pk and entry.data["operator"]
    assert secret not in str(list(AuditEntry.objects.values()))
    me = client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert me.status_code == 200 and me.json()["email"] == trainee.email
    listed = run("list")
    assert secret not in listed and token.digest not in listed


def test_secret_only_prints_just_the_secret(trainee):
    out = run("create", "--user", trainee.email, "--name", "script", "--secret-only").strip()
    assert ApiToken.objects.get().digest == hashlib.sha256(out.encode()).hexdigest()


def test_list_shows_every_token_or_one_persons_without_secrets(trainee, mentor):
    mine, _ = services.issue_api_token(by=trainee, person=trainee, name="mine")
    theirs, _ = services.issue_api_token(by=mentor, person=mentor, name="theirs")
    lines = run("list").splitlines()
    assert lines[0].split() == ["id", "owner", "name", "prefix", "created", "last", "used"]
    assert [line.split()[:3] for line in lines[1:]] == [[str(theirs.pk), "max@example.org", "theirs"],
                                                       [str(mine.pk), "tara@example.org", "mine"]]
    assert all(line.rstrip().endswith("never") for line in lines[1:])
    only = run("list", "--user", trainee.email).splitlines()
    assert len(only) == 2 and f"{mine.prefix}…" in only[1]
    ApiToken.objects.all().delete()
    assert run("list") == "No API tokens.\n"


def test_revoke_deletes_audits_and_the_token_stops_working(client, trainee):
    token, secret = services.issue_api_token(by=trainee, person=trainee, name="old")
    assert client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    out = run("revoke", str(token.pk))
    assert out == f"Revoked token {token.pk} of tara@example.org (old, {token.prefix}…).\n"
    assert not ApiToken.objects.exists()
    entry = AuditEntry.objects.get(action="api_token.revoked")
    assert entry.actor is None and entry.data["via"] == "cmrnet tokens" and entry.data["token_id"] == token.pk
    assert client.get("/api/v1/people/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401


@pytest.mark.parametrize(("args", "message"), [
    (["create", "--user", "nobody@example.org", "--name", "x"], "--user: no person with the e-mail 'nobody@example.org'."),
    (["create", "--user", "tara@example.org", "--name", "  "], "--name: Say what the token is for."),
    (["create", "--user", "tara@example.org", "--name", "n" * 101], "--name: At most 100 characters."),
    (["revoke", "abc"], "ID: 'abc' is not a token id (a number; see `cmrnet tokens list`)."),
])
def test_bad_input_names_the_argument_and_writes_nothing(trainee, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert str(error.value) == message and error.value.returncode == 2
    assert not ApiToken.objects.exists() and not AuditEntry.objects.filter(action__startswith="api_token").exists()


def test_revoking_a_list_with_an_unknown_id_revokes_nothing(trainee):
    token, _ = services.issue_api_token(by=trainee, person=trainee, name="keep")
    with pytest.raises(CommandError) as error:
        run("revoke", str(token.pk), "999999")
    assert str(error.value) == "ID: no token 999999; nothing revoked."
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert not AuditEntry.objects.filter(action="api_token.revoked").exists()


def test_a_deactivated_person_gets_no_token(trainee):
    trainee.is_active = False
    trainee.save(update_fields=["is_active"])
    with pytest.raises(CommandError) as error:
        run("create", "--user", trainee.email, "--name", "x")
    assert str(error.value) == "--user: tara@example.org is deactivated: a token would not authenticate."
    assert not ApiToken.objects.exists()


def test_the_cmrnet_command_wraps_it_and_exits_2_on_bad_input(trainee, monkeypatch):
    from django.core.management import base

    # run_from_argv closes the connections when the command ends; the test's database must stay open
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["tokens", "create", "--user", trainee.email, "--name", "via cli", "--secret-only"]) == 0
    assert ApiToken.objects.get().digest == hashlib.sha256(out.getvalue().strip().encode()).hexdigest()
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as exit_info:
        cli.main(["tokens", "create", "--user", "nobody@example.org", "--name", "x"])
    assert exit_info.value.code == 2
    assert "--user: no person with the e-mail 'nobody@example.org'." in err.getvalue()
    assert "cmrnet tokens create|list|revoke" in cli.__doc__
