"""The WebSocket consumers through the real ASGI application (session auth, origin check, routing),
with Channels' in-memory layer: signalling relayed to peers of the same room only, refusals, chat,
hand raising, live notifications, and the VNC relay refusing anyone without an active grant."""

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.utils import timezone

from cmrnet.config.asgi import application
from cmrnet.live import services
from cmrnet.live.models import ChatMessage, Presence
from tests.live.ws import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(person) -> bytes:
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def _socket(path: str, cookie: bytes | None = None, origin: bytes = b"http://127.0.0.1:8000") -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"127.0.0.1:8000")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture
def live_room(remote_mentor, trainee, centre):
    now = timezone.now()
    return services.schedule_session(by=remote_mentor, title="LGE", starts_at=now, ends_at=now + dt.timedelta(hours=1), centre=centre,
                                     participants=[(remote_mentor, "mentor"), (trainee, "trainee")]).room


async def _join(path, cookie):
    ws = _socket(path, cookie)
    connected, _ = await ws.connect()
    assert connected
    welcome = await ws.receive_json_from(timeout=20)
    assert welcome["type"] == "welcome", welcome
    return ws, welcome["peer"]


def test_two_peers_find_each_other_and_signal(live_room, remote_mentor, trainee, other_trainee):
    path = f"/ws/live/rooms/{live_room.pk}/"
    mentor_cookie, trainee_cookie = _cookie(remote_mentor), _cookie(trainee)

    async def scenario():
        mentor_ws, mentor = await _join(path, mentor_cookie)
        trainee_ws, trainee_peer = await _join(path, trainee_cookie)
        joined = await mentor_ws.receive_json_from(timeout=20)
        assert joined["type"] == "peer-joined" and joined["peer"]["name"] == "Tara Trainee" and joined["peer"]["role"] == "trainee"
        present = await trainee_ws.receive_json_from(timeout=20)
        assert present["type"] == "peer-present" and present["peer"]["peer_id"] == mentor["peer_id"]
        # The newcomer's offer reaches the mentor only, marked with the sender.
        await trainee_ws.send_json_to({"type": "signal", "to": mentor["peer_id"], "data": {"description": {"type": "offer", "sdp": "v=0"}}})
        relayed = await mentor_ws.receive_json_from(timeout=20)
        assert relayed == {"type": "signal", "from": trainee_peer["peer_id"], "data": {"description": {"type": "offer", "sdp": "v=0"}}}
        # A signal to an unknown peer id (another room's, or made up) goes nowhere.
        await trainee_ws.send_json_to({"type": "signal", "to": "not-a-peer", "data": {"candidate": {}}})
        assert await mentor_ws.receive_nothing(timeout=0.3)
        # Raise hand and chat reach the others; chat is stored with the room.
        await trainee_ws.send_json_to({"type": "state", "hand": True})
        state = await mentor_ws.receive_json_from(timeout=20)
        assert state["type"] == "peer-state" and state["peer"]["hand"] is True
        await trainee_ws.send_json_to({"type": "chat", "text": "  T1 map   ready  "})
        chat = await mentor_ws.receive_json_from(timeout=20)
        assert chat["type"] == "chat" and chat["message"]["text"] == "T1 map ready" and chat["message"]["name"] == "Tara Trainee"
        await trainee_ws.disconnect()
        left = await mentor_ws.receive_json_from(timeout=20)
        assert left["type"] == "peer-left" and left["peer"]["peer_id"] == trainee_peer["peer_id"]
        await mentor_ws.disconnect()

    async_to_sync(scenario)()
    assert ChatMessage.objects.get(room=live_room).text == "T1 map ready"
    assert Presence.objects.filter(room=live_room, left_at__isnull=False).count() == 2


def test_strangers_and_anonymous_are_refused(live_room, other_trainee):
    path = f"/ws/live/rooms/{live_room.pk}/"
    stranger = _cookie(other_trainee)

    async def scenario():
        for cookie, code in ((stranger, 4403), (None, 4401)):
            ws = _socket(path, cookie)
            connected, _ = await ws.connect()
            assert connected
            refused = await ws.receive_json_from(timeout=20)
            assert refused["type"] == "refused"
            assert (await ws.receive_output(timeout=20))["code"] == code

    async_to_sync(scenario)()
    assert not Presence.objects.exists()


def test_another_sites_origin_is_rejected(live_room, trainee):
    cookie = _cookie(trainee)

    async def scenario():
        ws = _socket(f"/ws/live/rooms/{live_room.pk}/", cookie, origin=b"https://evil.example")
        connected, _ = await ws.connect()
        assert not connected

    async_to_sync(scenario)()


def test_notifications_reach_the_persons_pages(trainee):
    cookie = _cookie(trainee)

    async def scenario():
        ws = _socket("/ws/live/notify/", cookie)
        connected, _ = await ws.connect()
        assert connected
        from channels.layers import get_channel_layer

        await get_channel_layer().group_send(services.user_group(trainee.pk), {"type": "notify", "message": {"type": "help", "request": 7}})
        assert await ws.receive_json_from(timeout=20) == {"type": "help", "request": 7}
        await ws.disconnect()
        anonymous = _socket("/ws/live/notify/")
        connected, _ = await anonymous.connect()
        assert not connected

    async_to_sync(scenario)()


def test_vnc_relay_refuses_without_an_active_grant(live_room, remote_mentor):
    cookie = _cookie(remote_mentor)

    async def scenario():
        ws = _socket("/ws/live/vnc/12345/", cookie)
        connected, _ = await ws.connect()
        assert not connected

    async_to_sync(scenario)()


def test_a_page_opened_later_still_shows_the_waiting_call(technologist, scanner, remote_mentor, django_capture_on_commit_callbacks):
    from cmrnet.live.models import RotaEntry

    RotaEntry.objects.create(expert=remote_mentor, weekday=0, starts=dt.time(0), ends=dt.time(0), time_zone="UTC")
    monday = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_expert_help(by=technologist, scanner=scanner, reason="Need help with the T1 map", now=monday)
    cookie = _cookie(remote_mentor)

    async def scenario():
        ws = _socket("/ws/live/notify/", cookie)
        connected, _ = await ws.connect()
        assert connected
        waiting = await ws.receive_json_from(timeout=20)
        assert waiting["type"] == "help" and waiting["request"] == request.pk and waiting["reason"] == "Need help with the T1 map"
        await ws.disconnect()

    async_to_sync(scenario)()
