"""cmrnet.core.sessions: Django's database sessions with the per-request read as SQL. Same rows, same
answers as Django's own store: a live session loads, an expired, unknown or malformed key loads nothing."""

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cmrnet.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _stored(data: dict, *, expires_in: dt.timedelta) -> str:
    store = DjangoStore()
    store.update(data)
    store.save(must_create=True)
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_a_live_session_loads_what_django_stored_in_one_query():
    key = _stored({"answer": 42, "who": "Tara"}, expires_in=dt.timedelta(hours=1))
    store = SessionStore(key)
    with CaptureQueriesContext(connection) as ctx:
        assert store.load() == {"answer": 42, "who": "Tara"}
    assert len(ctx.captured_queries) == 1
    assert store.session_key == key
    assert SessionStore(key).load() == DjangoStore(key).load()


def test_an_expired_session_loads_nothing_and_drops_the_key():
    key = _stored({"answer": 42}, expires_in=dt.timedelta(seconds=-1))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None


def test_an_unknown_key_loads_nothing():
    store = SessionStore("x" * 32)
    assert store.load() == {}
    assert store.session_key is None


@pytest.mark.parametrize("bad", ["short", "", None])
def test_a_malformed_or_missing_key_loads_nothing_without_a_query(bad):
    store = SessionStore(bad)
    with CaptureQueriesContext(connection) as ctx:
        assert store.load() == {}
    assert ctx.captured_queries == []


def test_a_key_with_sql_in_it_is_only_a_parameter():
    key = _stored({"answer": 42}, expires_in=dt.timedelta(hours=1))
    assert SessionStore("' OR '1'='1' --" + "a" * 8).load() == {}
    assert SessionStore(key).load() == {"answer": 42}


def test_a_session_written_by_this_store_reads_back_and_signs_in(client, django_user_model):
    store = SessionStore()
    store["k"] = "v"
    store.create()
    assert Session.objects.filter(pk=store.session_key).exists()
    assert SessionStore(store.session_key).load() == {"k": "v"}


def test_the_site_uses_it(settings):
    assert settings.SESSION_ENGINE == "cmrnet.core.sessions"
