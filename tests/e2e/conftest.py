"""Browser tests in real headless Chromium (Debian's `chromium`), driven by Playwright.

Chromium is found on PATH (or CMRNET_CHROMIUM). Without it the browser tests are skipped with a
loud message; under CI=true a missing browser fails the run instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CMRNET_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(config, items):
    e2e = [item for item in items if "e2e" in str(item.fspath)]
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
    if CHROMIUM or not e2e:
        return
    message = "Chromium not found: browser tests NOT RUN (apt-get install chromium, or set CMRNET_CHROMIUM)"
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true and {message}")
    config.issue_config_time_warning(pytest.PytestWarning(message), stacklevel=2)
    for item in e2e:
        item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module, closed at the module's end.

    Playwright's sync API keeps an asyncio loop running in the main thread while it is open; a
    session-wide browser would leave that loop running for every later test, and Django's
    async_to_sync (Channels consumers, the live tests) refuses to run inside it.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def login(page):
    from tests.conftest import PASSWORD

    def do(person, password: str = PASSWORD):
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.get_by_label("E-mail").fill(person.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        return page

    return do


# The ASGI-server fixtures, defined once here (a fixture imported into each test module is a separate
# fixture per module, so a session-scoped one would be made again for every module).
from tests.e2e.asgi_server import asgi_data_dir, asgi_server, loopback_ns  # noqa: E402,F401


@pytest.fixture
def started(board_member, make_person, trainee):
    """The trainee's attempt at a 60-minute sitting that opened 10 minutes ago, started a minute ago."""
    import datetime as dt

    from django.utils import timezone

    from cmrnet.exams import services
    from cmrnet.exams.services.forms import ensure_topics
    from cmrnet.people.roles import Role
    from tests.exams import factories

    ensure_topics()
    board2 = make_person("bob@example.org", Role.EXAM_BOARD, full_name="Bob Board")
    form, _ = factories.locked_form(board_member, board2)
    now = timezone.now()
    sitting = factories.sitting_for(board_member, form, opens=now - dt.timedelta(minutes=10), duration=60)
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    return services.start_attempt(candidate=trainee, sitting=sitting, now=now - dt.timedelta(minutes=1))
