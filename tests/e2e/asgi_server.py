"""The real site, served by `cmrnet serve` (uvicorn: HTTP and WebSockets) in child processes, against
the test database. pytest-django's live_server is WSGI and has no WebSockets; this is what live rooms
need (Channels' ChannelsLiveServerTestCase does the same with a file-based SQLite test database, which
tests/conftest.py sets up). Servers bind 127.0.0.1 on ports of the live range and stop when the test ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PORTS = iter(range(int(os.environ.get("CMRNET_TEST_PORT_BASE", "8610")), int(os.environ.get("CMRNET_TEST_PORT_BASE", "8610")) + 80))
CHROMIUM_WEBRTC_FLAGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                         "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
                         "--autoplay-policy=no-user-gesture-required"]


PG_SOCKET_DIR = os.environ.get("CMRNET_TEST_PG_SOCKET_DIR", "/var/run/postgresql")


def database_url(*, unix_socket: bool = False) -> str:
    """The test database for a server process; `unix_socket` for a server inside the loopback namespace,
    which reaches PostgreSQL through its socket file (the namespace's 127.0.0.1 is not the host's)."""
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        if str(s["NAME"]).startswith(("file:", ":memory:")) or "mode=memory" in str(s["NAME"]):
            pytest.fail("the test database is in memory; tests/conftest.py must give SQLite a file test database")
        return f"sqlite:///{s['NAME']}"
    port = s["PORT"] or 5432
    host = s["HOST"] or "127.0.0.1"
    if unix_socket:
        if not Path(PG_SOCKET_DIR, f".s.PGSQL.{port}").exists():
            pytest.fail(f"no PostgreSQL socket in {PG_SOCKET_DIR} (set CMRNET_TEST_PG_SOCKET_DIR) for the server in the loopback namespace")
        host = quote(PG_SOCKET_DIR, safe="")
    return f"postgres://{s['USER'] or 'postgres'}@{host}:{port}/{s['NAME']}"


@pytest.fixture(scope="session")
def loopback_ns():
    """The loopback-only network namespace (tests/e2e/loopback_ns.py) for the WebRTC browser tests.
    Without it those tests cannot prove where their traffic goes: skipped with a loud reason, and
    under CI=true (root, util-linux) a failure."""
    from tests.e2e.loopback_ns import LoopbackNamespace, NamespaceUnavailable

    try:
        ns = LoopbackNamespace()
    except NamespaceUnavailable as exc:
        message = f"WebRTC browser tests need a loopback-only network namespace: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield ns
    ns.close()


HEALTH_CHECK = """import sys, time, urllib.request
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
            sys.exit(0 if r.status == 200 else 1)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
"""


@pytest.fixture(scope="session")
def asgi_data_dir(tmp_path_factory, django_db_setup) -> Path:
    """A data directory with collected static files (plain storage, no manifest), shared by the servers."""
    from django.conf import settings

    data = tmp_path_factory.mktemp("asgi-data")
    env = {**os.environ, "CMRNET_DATA_DIR": str(data), "CMRNET_SECRET_KEY": settings.SECRET_KEY,
           "CMRNET_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    subprocess.run([sys.executable, "-m", "cmrnet.cli", "collectstatic", "--noinput", "-v0"], env=env, check=True, timeout=300)
    return data


def _in_use(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def asgi_server(transactional_db, asgi_data_dir, tmp_path, settings):
    """start(**env) -> Server: a `cmrnet serve` process on the test database; several may run at once."""
    servers: list[Server] = []

    def start(*, netns=None, **extra_env) -> Server:
        """A server on 127.0.0.1; with `netns` (a LoopbackNamespace) on that namespace's 127.0.0.1."""
        port = next(PORTS)
        while _in_use(port):
            port = next(PORTS)
        log = tmp_path / f"server-{port}.log"
        env = {**os.environ, "DATABASE_URL": database_url(unix_socket=netns is not None), "CMRNET_DATA_DIR": str(asgi_data_dir),
               "CMRNET_SECRET_KEY": settings.SECRET_KEY, "CMRNET_FIELD_ENCRYPTION_KEY": settings.CMRNET_FIELD_ENCRYPTION_KEY,
               "CMRNET_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
               "CMRNET_LIVE_LOOPBACK_ONLY": "true", "CMRNET_DB_POOL_MIN": "0", "CMRNET_DB_POOL_MAX": "4",
               "CMRNET_LOG_LEVEL": "WARNING", **extra_env}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        command = [sys.executable, "-m", "cmrnet.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--no-collectstatic", "--log-level", "warning"]
        process = subprocess.Popen(netns.wrap(command) if netns else command, env=env,
                                   stdout=log.open("w"), stderr=subprocess.STDOUT)
        server = Server(process, port, log)
        servers.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"cmrnet serve exited: {log.read_text()[-3000:]}")
            if netns is not None:  # ask from inside the namespace, where the server is
                if netns.run([sys.executable, "-c", HEALTH_CHECK, f"{server.url}/healthz", "5"]).returncode == 0:
                    return server
                continue
            try:
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return server
            except OSError:
                time.sleep(0.3)
        pytest.fail(f"cmrnet serve did not answer on {server.url}: {log.read_text()[-3000:]}")

    yield start
    for server in servers:
        server.stop()


def login(context, base_url: str, person):
    """Sign `person` in for `context` with a session cookie made here (the servers share the database
    and SECRET_KEY; tests hash passwords with a hasher production settings do not accept)."""
    from django.test import Client

    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda m: print(f"[{person.full_name}] {m.type}: {m.text}"))
    page.on("pageerror", lambda e: print(f"[{person.full_name}] page error: {e}"))
    return page
