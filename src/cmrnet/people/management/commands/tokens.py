"""`cmrnet tokens create|list|revoke`: API tokens from the server's shell (people.services, audited).

    cmrnet tokens create --user EMAIL --name TEXT [--secret-only]   the secret is printed once, never again
    cmrnet tokens list [--user EMAIL]                                id, owner, name, prefix, created, last used
    cmrnet tokens revoke ID [ID ...]                                 the tokens stop working at once

Whoever runs it has shell access to the server (the same as `cmrnet manage shell`); the audit entry's actor is
"system", with the command and the operating-system user in its data. Bad input exits 2 with a message naming
the argument; nothing is written.
"""

from __future__ import annotations

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cmrnet.people import services
from cmrnet.people.models import ApiToken, User


def _operator() -> str:
    try:
        return getpass.getuser()
    except Exception:                # no login name (a container without a passwd entry)
        return "unknown"


def _person(email: str) -> User:
    person = User.objects.filter(email__iexact=(email or "").strip()).first()
    if person is None:
        raise CommandError(f"--user: no person with the e-mail {email!r}.", returncode=2)
    return person


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


class Command(BaseCommand):
    help = "Create, list or revoke API tokens (audited; a new token's secret is shown once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new token for a person; prints its secret once")
        create.add_argument("--user", required=True, help="the owner's e-mail")
        create.add_argument("--name", required=True, help="what the token is for, e.g. 'hospital RIS export'")
        create.add_argument("--secret-only", action="store_true", help="print only the secret (for scripts)")
        listing = sub.add_parser("list", help="tokens (never their secrets)")
        listing.add_argument("--user", help="only this person's tokens")
        revoke = sub.add_parser("revoke", help="delete tokens by id: they stop working at once")
        revoke.add_argument("ids", nargs="+", metavar="ID", help="token id (see `cmrnet tokens list`)")

    def handle(self, *args, action: str, **options):
        return {"create": self._create, "list": self._list, "revoke": self._revoke}[action](**options)

    def _create(self, *, user: str, name: str, secret_only: bool, **_):
        person = _person(user)
        try:
            token, secret = services.issue_api_token_as_operator(person=person, name=name, operator=_operator())
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise CommandError(f"--{field}: {' '.join(messages)}", returncode=2) from None
        if secret_only:
            self.stdout.write(secret)
            return
        self.stdout.write(f"Token {token.pk} for {person.email} ({token.name}):\n{secret}\n"
                          "This secret is shown once and cannot be shown again; keep it like a password. "
                          f"Send it as the header 'Authorization: Token <secret>'. Revoke: cmrnet tokens revoke {token.pk}")

    def _list(self, *, user: str | None = None, **_):
        tokens = ApiToken.objects.select_related("user").order_by("user__email", "pk")
        if user is not None:
            tokens = tokens.filter(user=_person(user))
        rows = [(str(t.pk), t.user.email, t.name, f"{t.prefix}…", _when(t.created_at), _when(t.last_used_at))
                for t in tokens]
        if not rows:
            self.stdout.write("No API tokens.")
            return
        header = ("id", "owner", "name", "prefix", "created", "last used")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())

    def _revoke(self, *, ids: list[str], **_):
        wanted = []
        for text in ids:
            if not (text.isascii() and text.isdigit()):
                raise CommandError(f"ID: {text!r} is not a token id (a number; see `cmrnet tokens list`).",
                                   returncode=2)
            wanted.append(int(text))
        found = {t.pk: t for t in ApiToken.objects.select_related("user").filter(pk__in=wanted)}
        unknown = [str(pk) for pk in wanted if pk not in found]
        if unknown:
            raise CommandError(f"ID: no token {', '.join(unknown)}; nothing revoked.", returncode=2)
        operator = _operator()
        with transaction.atomic():                  # all or nothing
            for pk in dict.fromkeys(wanted):
                services.revoke_api_token_as_operator(token=found[pk], operator=operator)
        for pk in dict.fromkeys(wanted):
            token = found[pk]
            self.stdout.write(f"Revoked token {pk} of {token.user.email} ({token.name}, {token.prefix}…).")
