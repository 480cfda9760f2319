"""Remote scan control against a real VNC server (Xvfb + x11vnc + xev recording clicks), through the
real ASGI server's per-grant relay and the vendored noVNC: before a grant the expert's click does not
arrive; after the site grants full control it does; after the site takes control back the connection is
closed within a second and a click does not arrive."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from tests.e2e.asgi_server import CHROMIUM_WEBRTC_FLAGS, login
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS
from tests.e2e.vnc_console import vnc_console  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chromium(loopback_ns, tmp_path_factory):
    """Chromium inside the loopback-only namespace, beside the server and the VNC console."""
    from playwright.sync_api import sync_playwright

    executable = loopback_ns.chromium(CHROMIUM, tmp_path_factory.mktemp("chromium"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=[*LAUNCH_ARGS, *CHROMIUM_WEBRTC_FLAGS])
        yield browser
        browser.close()


def _ws_outcome(page, path: str) -> dict:
    return page.evaluate("""(path) => new Promise((resolve) => {
        const ws = new WebSocket('ws://' + location.host + path); ws.binaryType = 'arraybuffer'; let opened = false;
        ws.onopen = () => { opened = true; }; ws.onclose = (e) => resolve({opened, code: e.code}); })""", path)


def _click_console(page, x: float, y: float) -> None:
    canvas = page.locator("#vnc canvas")
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)


def _no_click_arrives(console, clicks: int, seconds: float) -> bool:
    """A click that must NOT arrive: watch the console for a bounded time (an absence has no event to wait on)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if console.clicks() != clicks:
            return False
        time.sleep(0.1)
    return console.clicks() == clicks


def _wait_clicks(console, at_least: int, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while console.clicks() < at_least and time.monotonic() < deadline:
        time.sleep(0.2)
    return console.clicks()


def test_grant_click_take_back(chromium, asgi_server, loopback_ns, vnc_console, make_person, other_centre, centre):
    from cmrnet.audit.models import AuditEntry
    from cmrnet.live.models import ScanControlGrant
    from cmrnet.live.services import schedule_session
    from cmrnet.network.services import create_scanner

    tech = make_person("theo@example.org", "technologist", full_name="Theo Tech")
    mentor = make_person("rita@example.org", "mentor", full_name="Rita Remote", at=other_centre)
    scanner = create_scanner(by=None, centre=centre, name="MR 1", vendor="siemens", model="Sola", field_strength="1.5T",
                             vnc_host="127.0.0.1", vnc_port=vnc_console.port, vnc_secret=vnc_console.secret)
    now = timezone.now()
    room = schedule_session(by=mentor, title="Troubleshooting", starts_at=now, ends_at=now + dt.timedelta(hours=1), centre=centre,
                            scanner=scanner, participants=[(mentor, "mentor"), (tech, "site_staff")]).room
    server = asgi_server(netns=loopback_ns)
    tech_ctx, mentor_ctx = chromium.new_context(), chromium.new_context()
    try:
        expert = login(mentor_ctx, server.url, mentor)
        # Before any grant: no console for the expert, the relay refuses, and a click reaches nothing.
        expert.goto(f"{server.url}/live/rooms/{room.pk}/console/")
        assert expert.get_attribute("#console-state", "data-state") == "none"
        assert _ws_outcome(expert, "/ws/live/vnc/1/") == {"opened": False, "code": 1006}
        expert.mouse.click(300, 300)
        assert _no_click_arrives(vnc_console, 0, seconds=1)

        # The technologist at the site hands over full control from the room.
        site = login(tech_ctx, server.url, tech)
        site.goto(f"{server.url}/live/rooms/{room.pk}/")
        site.get_by_role("button", name="Join with camera and microphone").click()
        site.wait_for_selector('#room[data-state="in-room"]', timeout=60_000)
        site.get_by_label("Remote expert").select_option(label="Rita Remote")
        site.get_by_label("Full control (mouse and keyboard)").check()
        site.get_by_role("button", name="Hand over the console").click()
        site.wait_for_selector('#grant-status[data-mode="control"]', timeout=60_000)
        grant = ScanControlGrant.objects.get(room=room)

        # The expert's click now arrives at the console.
        expert.goto(f"{server.url}/live/rooms/{room.pk}/console/")
        expert.wait_for_selector('#console-state[data-state="connected"]', timeout=20_000)
        expert.wait_for_function("""() => { const c = document.querySelector('#vnc canvas');
            return c && c.width === 1280 && c.getBoundingClientRect().width > 0; }""")  # the console's frame is laid out
        _click_console(expert, 0.4, 0.4)
        assert _wait_clicks(vnc_console, 1) >= 1
        before = vnc_console.clicks()

        # The site takes control back: the relay is cut within a second, and a click does not arrive.
        clicked = time.monotonic()
        site.get_by_role("button", name="Take control back").click()
        expert.wait_for_selector('#console-state[data-state="ended"]', timeout=5_000)
        assert time.monotonic() - clicked < 3  # from the click in one browser to the closed viewer in the other
        expert.mouse.click(500, 400)
        assert _no_click_arrives(vnc_console, before, seconds=1.5)
        assert _ws_outcome(expert, f"/ws/live/vnc/{grant.pk}/")["opened"] is False
    finally:
        tech_ctx.close()
        mentor_ctx.close()

    ended = AuditEntry.objects.get(action="live.scan_control_ended")
    disconnected = AuditEntry.objects.get(action="live.scan_control_disconnected")
    assert ended.actor == tech and ended.data["ending"] == "taken_back" and ended.data["grantee"] == mentor.email
    assert ended.data["mode"] == "control" and ended.data["duration_seconds"] >= 0
    assert dt.timedelta(0) <= disconnected.at - ended.at < dt.timedelta(seconds=1)  # the proxy cut within a second
    assert AuditEntry.objects.get(action="live.scan_control_granted").data["grantee"] == mentor.email
    assert AuditEntry.objects.filter(action="live.scan_control_connected", actor=mentor).count() == 1
