"""Fixtures for live tele-supervision: a site with a scanner, a technologist and nurse there, and a
scheduled session with the mentor and the trainee invited."""

from __future__ import annotations

import datetime as dt

import pytest

from cmrnet.people.roles import Role
from tests.e2e.asgi_server import asgi_data_dir, asgi_server  # noqa: F401 (fixtures, one definition for tests/live)

START = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def technologist(make_person):
    return make_person("theo@example.org", Role.TECHNOLOGIST, full_name="Theo Tech")


@pytest.fixture
def nurse(make_person):
    return make_person("nora@example.org", Role.NURSE, full_name="Nora Nurse")


@pytest.fixture
def remote_mentor(make_person, other_centre):
    """A Level 3 mentor at another centre: remote from the trainee's site."""
    from cmrnet.people.services import add_certification

    person = make_person("rita@example.org", Role.MENTOR, full_name="Rita Remote", at=other_centre)
    add_certification(by=None, holder=person, body="EACVI", level=3, awarded_on=dt.date(2020, 1, 1), valid_until=dt.date(2030, 1, 1))
    return person


@pytest.fixture
def scanner(centre):
    from cmrnet.network.services import create_scanner

    return create_scanner(by=None, centre=centre, name="MR 1", vendor="siemens", model="MAGNETOM Sola", field_strength="1.5T",
                          vnc_host="127.0.0.1", vnc_port=5901, vnc_secret="s3cret-vnc")


@pytest.fixture
def supervision(trainee, remote_mentor):
    from cmrnet.people.services import add_supervision

    return add_supervision(by=None, trainee=trainee, supervisor=remote_mentor, started_on=dt.date(2025, 1, 1), remote=True)


@pytest.fixture
def session(remote_mentor, trainee, centre, scanner):
    from cmrnet.live.services import schedule_session

    return schedule_session(by=remote_mentor, title="Stress perfusion list", starts_at=START, ends_at=START + dt.timedelta(hours=2),
                            time_zone="Europe/Berlin", centre=centre, scanner=scanner,
                            participants=[(remote_mentor, "mentor"), (trainee, "trainee")])


@pytest.fixture
def room(session):
    return session.room
