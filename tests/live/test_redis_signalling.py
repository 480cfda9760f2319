"""Channels with Redis: two `cmrnet serve` processes on different ports share rooms through Redis
(channels-redis); two peers connected to different processes find each other and signal each other.
Redis DB 1 on 127.0.0.1 with this project's key prefix; `.ci/run` starts Redis when it is not running."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket

import pytest
from django.test import Client
from django.utils import timezone

from cmrnet.live import services

REDIS_URL = os.environ.get("CMRNET_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
PREFIX = "cmrnet-live-test"


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture
def redis_url():
    if not _redis_up():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return REDIS_URL


def _cookie(person) -> str:
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return f"sessionid={client.cookies['sessionid'].value}"


async def _open(server, room_pk: int, cookie: str):
    from websockets.asyncio.client import connect

    ws = await connect(f"ws://127.0.0.1:{server.port}/ws/live/rooms/{room_pk}/", origin=f"http://127.0.0.1:{server.port}",
                       additional_headers={"Cookie": cookie}, open_timeout=10)
    welcome = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert welcome["type"] == "welcome", welcome
    return ws, welcome["peer"]


async def _next(ws, kind: str) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == kind:
            return message


@pytest.mark.parametrize("layer", ["pubsub", "queues"])
def test_peers_on_two_processes_signal_through_redis(asgi_server, redis_url, remote_mentor, trainee, centre, layer):  # noqa: F811
    now = timezone.now()
    room = services.schedule_session(by=remote_mentor, title="Across processes", starts_at=now, ends_at=now + dt.timedelta(hours=1),
                                     centre=centre, participants=[(remote_mentor, "mentor"), (trainee, "trainee")]).room
    env = {"CMRNET_REDIS_URL": redis_url, "CMRNET_CHANNELS_PREFIX": f"{PREFIX}-{layer}", "CMRNET_REDIS_LAYER": layer}
    first, second = asgi_server(**env), asgi_server(**env)
    assert first.port != second.port
    mentor_cookie, trainee_cookie = _cookie(remote_mentor), _cookie(trainee)

    async def scenario():
        mentor_ws, mentor = await _open(first, room.pk, mentor_cookie)
        trainee_ws, trainee_peer = await _open(second, room.pk, trainee_cookie)
        try:
            joined = await _next(mentor_ws, "peer-joined")
            assert joined["peer"]["peer_id"] == trainee_peer["peer_id"]
            present = await _next(trainee_ws, "peer-present")
            assert present["peer"]["peer_id"] == mentor["peer_id"]
            offer = {"description": {"type": "offer", "sdp": "v=0 (from process 2)"}}
            await trainee_ws.send(json.dumps({"type": "signal", "to": mentor["peer_id"], "data": offer}))
            assert await _next(mentor_ws, "signal") == {"type": "signal", "from": trainee_peer["peer_id"], "data": offer}
            answer = {"description": {"type": "answer", "sdp": "v=0 (from process 1)"}}
            await mentor_ws.send(json.dumps({"type": "signal", "to": trainee_peer["peer_id"], "data": answer}))
            assert (await _next(trainee_ws, "signal"))["data"] == answer
        finally:
            await trainee_ws.close()
            await mentor_ws.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("layer", ["pubsub", "queues"])
def test_a_notification_sent_by_another_process_reaches_an_open_page(asgi_server, redis_url, remote_mentor, settings, layer):  # noqa: F811
    """Services push notifications (expert-help calls, grant endings) from whichever process ran the
    request; with Redis the page's socket on another process gets them."""
    prefix = f"{PREFIX}-notify-{layer}"
    server = asgi_server(CMRNET_REDIS_URL=redis_url, CMRNET_CHANNELS_PREFIX=prefix, CMRNET_REDIS_LAYER=layer)
    backend = "RedisPubSubLayer" if layer == "pubsub" else "RedisChannelLayer"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"cmrnet.live.layers.{backend}",
                                           "CONFIG": {"hosts": [redis_url], "prefix": prefix}}}
    cookie = _cookie(remote_mentor)

    async def scenario():
        from asgiref.sync import sync_to_async
        from websockets.asyncio.client import connect

        ws = await connect(f"ws://127.0.0.1:{server.port}/ws/live/notify/", origin=f"http://127.0.0.1:{server.port}",
                           additional_headers={"Cookie": cookie}, open_timeout=10)
        try:
            await ws.send(json.dumps({"type": "ping"}))
            assert await _next(ws, "pong") == {"type": "pong"}  # subscribed to the person's group by now
            await sync_to_async(services._push)([remote_mentor.pk], {"type": "help-call", "call": 7})
            assert await _next(ws, "help-call") == {"type": "help-call", "call": 7}
        finally:
            await ws.close()

    asyncio.run(scenario())
