"""`cmrnet serve`: the options reach uvicorn as given; no server is started here."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture
def uvicorn_calls(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    return calls


def test_workers_reach_uvicorn(uvicorn_calls, settings, capsys):
    settings.CMRNET_REDIS_URL = "redis://127.0.0.1:6379/0"
    call_command("serve", "--workers", "2", "--port", "8123", "--no-collectstatic", "--http", "h11", "--loop", "asyncio",
                 "--timeout-keep-alive", "30")
    (app, kw), = uvicorn_calls
    assert kw["timeout_keep_alive"] == 30
    assert app == "cmrnet.config.asgi:application"
    assert (kw["workers"], kw["port"], kw["host"], kw["http"], kw["loop"]) == (2, 8123, "127.0.0.1", "h11", "asyncio")
    out = capsys.readouterr()
    assert "with 2 worker(s)" in out.out and "warning" not in out.err


def test_several_workers_without_redis_warn_about_live_rooms(uvicorn_calls, settings, capsys):
    settings.CMRNET_REDIS_URL = ""
    call_command("serve", "--workers", "3", "--no-collectstatic")
    assert uvicorn_calls[0][1]["workers"] == 3
    assert "CMRNET_REDIS_URL" in capsys.readouterr().err


def test_one_worker_is_the_default_and_does_not_warn(uvicorn_calls, settings, capsys):
    settings.CMRNET_REDIS_URL = ""
    call_command("serve", "--no-collectstatic")
    assert uvicorn_calls[0][1]["workers"] == 1
    assert uvicorn_calls[0][1]["timeout_keep_alive"] == 5
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_fewer_than_one_worker_is_refused(uvicorn_calls, workers):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("serve", "--workers", workers, "--no-collectstatic")
    assert uvicorn_calls == []
