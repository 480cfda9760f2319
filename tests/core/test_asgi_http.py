"""The ASGI application the server runs: HTTP through Django's WSGI handler in a thread pool (a2wsgi),
the whole middleware stack included; WebSockets stay on Channels (tests/live)."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync

from cmrnet.config import asgi

pytestmark = pytest.mark.django_db(transaction=True)


async def _get(app, path: str, headers=()) -> tuple[int, dict, bytes]:
    sent, asked = [], []

    async def receive():  # the request once; then the client stays connected until the response is sent
        asked.append(1)
        if len(asked) == 1:
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000"), *headers], "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8000)}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


def test_http_goes_through_the_wsgi_bridge():
    assert asgi.application.application_mapping["http"] is asgi.http_app
    assert type(asgi.http_app).__module__.startswith("a2wsgi")


@pytest.mark.parametrize("app_name", ["application", "asgi_http_application"])
def test_a_request_answers_through_the_whole_stack(app_name):
    status, headers, body = async_to_sync(_get)(getattr(asgi, app_name), "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert headers["x-frame-options"] == "DENY"          # middleware ran
    assert "content-security-policy" in headers


def test_a_page_that_needs_a_login_redirects_through_the_bridge():
    status, headers, _ = async_to_sync(_get)(asgi.application, "/logbook/")
    assert status == 302 and headers["location"].startswith("/accounts/login/")
