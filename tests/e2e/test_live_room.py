"""Live room in real Chromium: three browser contexts (the console at the scanner, the remote mentor,
the trainee) on fake media, signalling over the real ASGI server's WebSockets, media on 127.0.0.1 only.

Must show (issue 10): the mentor receives the console video (1280x720, a known pixel colour, time
advancing); mentor and trainee receive each other's video; a drawn mark reaches the other peer; a peer
that reloads rejoins; someone without a right to the room is refused; the selected candidate pair is on
127.0.0.1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.asgi_server import CHROMIUM_WEBRTC_FLAGS, login
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS
from tests.e2e.console_video import HEIGHT, MARKER_CENTRE, MARKER_RGB, WIDTH, write_console_y4m

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browsers(tmp_path_factory, loopback_ns):
    """Two Chromium instances inside the loopback-only namespace: one whose fake camera is the console
    screen, one with the default fake camera."""
    from playwright.sync_api import sync_playwright

    y4m = write_console_y4m(tmp_path_factory.mktemp("console") / "console.y4m")
    chromium = loopback_ns.chromium(CHROMIUM, tmp_path_factory.mktemp("chromium"))
    with sync_playwright() as p:
        people = p.chromium.launch(executable_path=chromium, headless=True, args=[*LAUNCH_ARGS, *CHROMIUM_WEBRTC_FLAGS])
        console = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=[*LAUNCH_ARGS, *CHROMIUM_WEBRTC_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
        yield {"people": people, "console": console}
        people.close()
        console.close()


@pytest.fixture
def cast(make_person, other_centre, centre):
    from cmrnet.live.services import schedule_session
    from cmrnet.network.services import create_scanner
    from cmrnet.people.services import add_certification

    trainee = make_person("tara@example.org", "trainee", full_name="Tara Trainee")
    tech = make_person("theo@example.org", "technologist", full_name="Theo Tech")
    mentor = make_person("rita@example.org", "mentor", full_name="Rita Remote", at=other_centre)
    add_certification(by=None, holder=mentor, body="EACVI", level=3, awarded_on=dt.date(2020, 1, 1), valid_until=dt.date(2030, 1, 1))
    stranger = make_person("otto@example.org", "trainee", full_name="Otto Other", at=other_centre)
    scanner = create_scanner(by=None, centre=centre, name="MR 1", vendor="siemens", model="Sola", field_strength="1.5T")
    now = timezone.now()
    session = schedule_session(by=mentor, title="Remote LGE list", starts_at=now - dt.timedelta(minutes=5),
                               ends_at=now + dt.timedelta(hours=2), centre=centre, scanner=scanner,
                               participants=[(mentor, "mentor"), (trainee, "trainee")])
    return {"trainee": trainee, "tech": tech, "mentor": mentor, "stranger": stranger, "room": session.room}


def _wait_video(page, selector: str, *, width: int | None = None, timeout: int = 30_000):
    page.wait_for_function(
        """([sel, w]) => { const v = document.querySelector(sel);
             return v && v.videoWidth > 0 && v.currentTime > 0 && (w === null || v.videoWidth === w); }""",
        arg=[selector, width], timeout=timeout)


def _time_advances(page, selector: str) -> bool:
    """The video plays: its currentTime moves past the value read now (waited on, up to 10 s)."""
    first = page.eval_on_selector(selector, "v => v.currentTime")
    page.wait_for_function("([sel, t]) => document.querySelector(sel).currentTime > t + 0.5", arg=[selector, first], timeout=10_000)
    return page.eval_on_selector(selector, "v => v.currentTime") > first


def _pixel(page, selector: str, x: int, y: int) -> list[int]:
    return page.eval_on_selector(selector, """(v, [x, y]) => {
        const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
        const g = c.getContext('2d'); g.drawImage(v, 0, 0); return Array.from(g.getImageData(x, y, 1, 1).data).slice(0, 3); }""",
        [x, y])


def _loopback_pairs(page, peers: int) -> list[dict]:
    """Wait until this page has a selected candidate pair with each of `peers` others and every pair names
    127.0.0.1 at both ends (a remote candidate first learnt from a connectivity check is peer-reflexive and
    its address is hidden until the signalled candidate arrives), then return the pairs."""
    script = """async (n) => { const out = [];
        for (const id of window.cmrnetRoom.mesh.links.keys()) { out.push(await window.cmrnetRoom.mesh.selectedPair(id)); }
        const pairs = out.filter(Boolean);
        return pairs.length === n && pairs.every(p => p.local === '127.0.0.1' && p.remote === '127.0.0.1') ? pairs : null; }"""
    try:
        return page.wait_for_function(script, arg=peers, timeout=20_000, polling=250).json_value()
    except Exception:
        raise AssertionError(f"selected pairs not all 127.0.0.1: {page.evaluate(script.replace('? pairs : null', '? pairs : pairs'), peers)}")


def _join(context, server, person, room_pk: int):
    page = login(context, server.url, person)
    page.goto(f"{server.url}/live/rooms/{room_pk}/")
    page.get_by_role("button", name="Join with camera and microphone").click()
    page.wait_for_selector('#room[data-state="in-room"]')
    return page


def test_console_people_marks_reload_and_refusal(browsers, asgi_server, loopback_ns, cast):
    # Everything below runs in a network namespace whose only interface is loopback: no other address exists.
    assert loopback_ns.interfaces() == {"lo": ["127.0.0.1", "::1"]}
    server = asgi_server(netns=loopback_ns)
    room = cast["room"]
    contexts = []
    try:
        # The console at the scanner: the technologist publishes the frame grabber (the fake capture file).
        console_ctx = browsers["console"].new_context()
        contexts.append(console_ctx)
        console = login(console_ctx, server.url, cast["tech"])
        console.goto(f"{server.url}/live/rooms/{room.pk}/?as=console")
        console.wait_for_function("() => document.querySelector('#console-device').options.length > 0 && document.querySelector('#console-device').value")
        console.get_by_role("button", name="Publish this device").click()
        console.wait_for_selector('#room[data-state="in-room"]')
        assert console.get_attribute("#console-frame", "data-source").startswith(f"{WIDTH}x{HEIGHT}@")

        mentor_ctx, trainee_ctx = browsers["people"].new_context(), browsers["people"].new_context()
        contexts += [mentor_ctx, trainee_ctx]
        mentor = _join(mentor_ctx, server, cast["mentor"], room.pk)
        trainee = _join(trainee_ctx, server, cast["trainee"], room.pk)

        # The mentor receives the console: its size, a known pixel colour, and time advancing.
        _wait_video(mentor, "#console-video", width=WIDTH, timeout=45_000)
        assert mentor.eval_on_selector("#console-video", "v => [v.videoWidth, v.videoHeight]") == [WIDTH, HEIGHT]
        assert _time_advances(mentor, "#console-video")
        r, g, b = _pixel(mentor, "#console-video", *MARKER_CENTRE)
        assert abs(r - MARKER_RGB[0]) <= 40 and abs(g - MARKER_RGB[1]) <= 40 and abs(b - MARKER_RGB[2]) <= 40, (r, g, b)

        # Mentor and trainee receive each other's video, and see who is in the room.
        _wait_video(mentor, ".tile:not(.local) video")
        _wait_video(trainee, ".tile:not(.local) video")
        assert _time_advances(trainee, ".tile:not(.local) video")
        assert "Tara Trainee" in mentor.inner_text("#people") and "Theo Tech" in mentor.inner_text("#people")
        assert "console" in trainee.inner_text("#people")

        # The browsers are inside the namespace too: every ICE candidate Chromium gathers, unfiltered, is loopback.
        gathered = mentor.evaluate("""() => new Promise((resolve) => {
            const pc = new RTCPeerConnection({iceServers: []}), seen = new Set();
            pc.createDataChannel('probe');
            pc.onicecandidate = (e) => { if (e.candidate) { seen.add(e.candidate.address); }
                                         else { pc.close(); resolve([...seen]); } };
            pc.createOffer().then((o) => pc.setLocalDescription(o)); })""")
        assert gathered and set(gathered) <= {"127.0.0.1", "::1"}, gathered

        # Media goes to 127.0.0.1 only: on every connection, at both of its ends, the selected candidate pair
        # is 127.0.0.1 -> 127.0.0.1 (and inside this namespace no other address could have been gathered).
        pairs = {page.evaluate("() => window.cmrnetRoom.me.peer_id"): {p["peer"]: p for p in _loopback_pairs(page, 2)}
                 for page in (mentor, trainee, console)}
        ids = list(pairs)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                assert pairs[a][b]["local"] == pairs[a][b]["remote"] == pairs[b][a]["local"] == pairs[b][a]["remote"] == "127.0.0.1"

        # The mentor draws an arrow on the console view; it reaches the trainee and the console.
        box = mentor.locator("#marks").bounding_box()
        mentor.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.2)
        mentor.mouse.down()
        mentor.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5, steps=5)
        mentor.mouse.up()
        trainee.wait_for_function("() => document.querySelector('#marks-log li')?.textContent.startsWith('Arrow by Rita Remote')")
        console.wait_for_function("() => document.querySelector('#marks').dataset.marks === '1'")

        # Raise hand and chat are seen by the others; the chat is kept with the session.
        trainee.get_by_role("button", name="Raise hand").click()
        mentor.wait_for_function("() => document.querySelector('#people').textContent.includes('hand raised')")
        trainee.fill("#chat-text", "Shall I repeat the 4-chamber cine?")
        trainee.get_by_role("button", name="Send").click()
        mentor.wait_for_function("() => document.querySelector('#chat-log').textContent.includes('repeat the 4-chamber')")

        # The trainee reloads: the page rejoins by itself and the mentor sees it and gets the video again.
        trainee.reload()
        trainee.wait_for_selector('#room[data-state="in-room"]', timeout=20_000)
        mentor.wait_for_function("() => [...document.querySelectorAll('#events li')].some(li => li.textContent.includes('Tara Trainee rejoined'))")
        _wait_video(mentor, ".tile:not(.local) video")
        _wait_video(trainee, "#console-video", width=WIDTH, timeout=45_000)

        # A stranger is refused: no page, and the room's WebSocket says why and closes.
        stranger_ctx = browsers["people"].new_context()
        contexts.append(stranger_ctx)
        stranger = login(stranger_ctx, server.url, cast["stranger"])
        # (only the response is needed: not waiting for "load" keeps this independent of how busy the machine is)
        assert stranger.goto(f"{server.url}/live/rooms/{room.pk}/", wait_until="commit", timeout=60_000).status == 404
        stranger.wait_for_load_state("domcontentloaded", timeout=60_000)  # a document to open the WebSocket from
        refusal = stranger.evaluate("""(path) => new Promise((resolve) => {
            const ws = new WebSocket('ws://' + location.host + path); let said = null;
            ws.onmessage = (e) => { said = JSON.parse(e.data); };
            ws.onclose = (e) => resolve({code: e.code, said}); })""", f"/ws/live/rooms/{room.pk}/")
        assert refusal["code"] == 4403 and refusal["said"]["type"] == "refused" and "not invited" in refusal["said"]["reason"]
        assert "Otto Other" not in mentor.inner_text("#people")
    finally:
        for context in contexts:
            context.close()

    from cmrnet.audit.models import AuditEntry
    from cmrnet.live.models import ChatMessage, Presence

    assert ChatMessage.objects.get(room=room).text == "Shall I repeat the 4-chamber cine?"
    assert Presence.objects.filter(room=room, person=cast["trainee"]).count() == 2  # before and after the reload
    assert AuditEntry.objects.filter(action="live.room_refused", actor=cast["stranger"]).exists()
