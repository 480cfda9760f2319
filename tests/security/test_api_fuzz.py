"""API fuzzing: schemathesis generates requests from our OpenAPI schema, for a token of each role and for
no token at all, and every answer must be below 500.

Bounded: CMRNET_FUZZ_EXAMPLES examples per operation, role and mode (valid and invalid data; default 2) and no shrinking, so the run
stays within about two minutes on CI. The requests go in-process to Django's WSGI handler (no network),
inside the test's transaction. Each server error is reported with a curl command that reproduces it;
each one found so far has a regression test of its own (docs/security.md, finding 11 and fuzzing).
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402

from cmrnet.people.roles import Role  # noqa: E402
from cmrnet.people.services import issue_api_token  # noqa: E402

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("CMRNET_FUZZ_EXAMPLES", "2"))
ROLES = ["trainee", "mentor", "grader", "board_member", "admin", "anonymous"]


@contextmanager
def in_test_transaction():
    """Django closes a connection at each request's start and end when it is not in autocommit mode,
    which would end the test's transaction; the test client switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def network(trainee, mentor, grader, board_member, admin, other_trainee, centre):
    """A small network with an object of most kinds, so that generated ids sometimes hit a real one."""
    from cmrnet.logbook import services as logbook
    from cmrnet.network.services import create_scanner
    from tests.logbook.factories import case_input, supervise

    today = dt.date.today()
    supervise(trainee, mentor, today=today)
    for day in range(3):
        logbook.add_case(by=trainee, trainee=trainee, data=case_input(mentor, day=today - dt.timedelta(days=day + 1),
                                                                      identifier=f"P-{day}"))
    create_scanner(by=None, centre=centre, name="MR 1", vendor="siemens", model="Sola", field_strength="1.5T")
    return {"trainee": trainee, "mentor": mentor, "grader": grader, "board_member": board_member, "admin": admin}


def fuzz(schema, headers: dict, examples: int) -> list[str]:
    """Server errors (status >= 500) over every operation of the schema, as reproducible curl commands."""
    errors: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            found: list[str] = []

            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                if found:
                    return
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    found.append(f"{response.status_code} {case.method} {case.formatted_path}: "
                                 f"{case.as_curl_command(headers=headers)}")

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
                assert mode is GenerationMode.NEGATIVE, operation.label
            errors += found
    return errors


@pytest.mark.parametrize("role", ROLES)
def test_no_generated_request_gives_a_server_error(network, role):
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    _token, admin_secret = issue_api_token(by=network["admin"], person=network["admin"], name="schema")
    headers = {}
    if role != "anonymous":
        person = network[role]
        _token, secret = issue_api_token(by=person, person=person, name="fuzzing")
        headers = {"Authorization": f"Token {secret}"}
    with in_test_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app,
                                                headers={"Authorization": f"Token {admin_secret}"})
        operations = [r.ok() for r in schema.get_all_operations()]
        assert len(operations) >= 30  # the whole API, not an empty schema
        errors = fuzz(schema, headers, EXAMPLES)
    assert errors == []


def test_the_roles_under_test_hold_the_roles_named(network):
    assert network["mentor"].has_role(Role.MENTOR) and network["grader"].has_role(Role.GRADER)
    assert network["board_member"].has_role(Role.EXAM_BOARD) and network["admin"].has_role(Role.NETWORK_ADMIN)
