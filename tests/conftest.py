"""Shared fixtures: one named person per role (the healthchecks habit: alice, bob...)."""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest

from cmrnet.people.roles import Role

PASSWORD = "correct-horse-battery-9"


def pytest_configure(config):
    from django.conf import settings

    if settings.configured:
        # Tests use plain static storage (no collectstatic manifest needed) and fast hashing.
        settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3") and not db.get("TEST", {}).get("NAME"):
            # A file, not memory: live-room browser tests serve the site from uvicorn child processes
            # (WebSockets), which must open the same test database (tests/e2e/asgi_server.py).
            folder = tempfile.mkdtemp(prefix="cmrnet-test-")
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            db.setdefault("TEST", {})["NAME"] = str(Path(folder) / "test.sqlite3")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def unwritable_media(settings, tmp_path):
    """The upload folder cannot be created (its parent is a plain file): every storage write fails
    with an OSError, even when the tests run as root."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    return blocker


@pytest.fixture
def centre(db):
    from cmrnet.network.models import Centre

    return Centre.objects.create(name="Test Heart Centre", city="Berlin", country="DE", beds=800,
                                 annual_scan_volume=500, joined_on=dt.date(2012, 1, 1))


@pytest.fixture
def other_centre(db):
    from cmrnet.network.models import Centre

    return Centre.objects.create(name="Other Hospital", city="Leipzig", country="DE", beds=300,
                                 annual_scan_volume=80, joined_on=dt.date(2014, 1, 1))


@pytest.fixture
def make_person(db, centre):
    from cmrnet.people.services import create_person

    def make(email: str, *roles: str, full_name: str | None = None, at=None):
        return create_person(by=None, email=email, full_name=full_name or email.split("@")[0].title(),
                             password=PASSWORD, roles=list(roles), centre=at or centre)

    return make


@pytest.fixture
def trainee(make_person):
    return make_person("tara@example.org", Role.TRAINEE, full_name="Tara Trainee")


@pytest.fixture
def other_trainee(make_person, other_centre):
    return make_person("otto@example.org", Role.TRAINEE, full_name="Otto Other", at=other_centre)


@pytest.fixture
def mentor(make_person):
    return make_person("max@example.org", Role.MENTOR, full_name="Max Mentor")


@pytest.fixture
def director(make_person):
    return make_person("paula@example.org", Role.PROGRAMME_DIRECTOR, full_name="Paula Director")


@pytest.fixture
def board_member(make_person):
    return make_person("bea@example.org", Role.EXAM_BOARD, full_name="Bea Board")


@pytest.fixture
def grader(make_person, other_centre):
    return make_person("greg@example.org", Role.GRADER, full_name="Greg Grader", at=other_centre)


@pytest.fixture
def admin(make_person):
    return make_person("ada@example.org", Role.NETWORK_ADMIN, full_name="Ada Admin")


@pytest.fixture
def client_for(client):
    from django.test import Client

    def login(person):
        c = Client()
        c.force_login(person)
        return c

    return login
