"""WebSocket consumers, as thin as views: authenticate on connect, check the right to the room through
the selectors, relay; every state change goes through a service.

The room consumer is the signalling server of a WebRTC mesh. Each connection gets a peer id; the
newcomer announces itself to the room's group and every present peer answers it directly with its own
description, so no process keeps a list of the room: with the Redis channel layer, peers on different
server processes find each other the same way. Offers, answers and ICE candidates are relayed only to a
peer of the same room. Media never passes through the server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.utils import timezone

from cmrnet.live import selectors, services, vnc
from cmrnet.live.models import Presence, Room

log = logging.getLogger(__name__)

MAX_SIGNAL_BYTES = 64 * 1024
REFUSED, UNAUTHENTICATED = 4403, 4401


def room_group(room_id: int) -> str:
    return f"live-room-{room_id}"


@database_sync_to_async
def _join(user, room_id: int, kind: str) -> tuple[Presence | None, dict | str]:
    room = Room.objects.filter(pk=room_id).select_related("session").first()
    if room is None:
        return None, "No such room."
    peer_id = services.new_peer_id()
    try:
        presence = services.record_join(room=room, person=user, peer_id=peer_id, kind=kind, at=timezone.now())
    except services.RoomRefused as refused:
        return None, str(refused)
    info = {"peer_id": peer_id, "user_id": user.pk, "name": user.full_name or user.email, "kind": kind,
            "role": selectors.participant_role(user, room), "local": selectors.is_local(user, room),
            "hand": False, "muted": False}
    return presence, info


@database_sync_to_async
def _leave(presence_id: int) -> None:
    services.record_leave(presence_id=presence_id, at=timezone.now())


@database_sync_to_async
def _touch(presence_id: int) -> None:
    services.touch_presence(presence_id=presence_id, at=timezone.now())


@database_sync_to_async
def _chat(user, room_id: int, text: str) -> dict:
    from django.core.exceptions import PermissionDenied, ValidationError

    try:
        message = services.post_chat(room=Room.objects.get(pk=room_id), author=user, text=text, at=timezone.now())
    except (ValidationError, PermissionDenied) as exc:
        return {"error": " ".join(getattr(exc, "messages", [str(exc)]))}
    return {"id": message.pk, "name": user.full_name or user.email, "text": message.text,
            "sent_at": message.sent_at.isoformat()}


class RoomConsumer(AsyncJsonWebsocketConsumer):
    presence: Presence | None = None

    async def connect(self):
        user = self.scope.get("user")
        self.room_id = self.scope["url_route"]["kwargs"]["room_id"]
        self.peers: dict[str, str] = {}  # peer id -> channel name, for peers of this room only
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.send_json({"type": "refused", "reason": "Sign in first."})
            await self.close(code=UNAUTHENTICATED)
            return
        kind = "console" if b"kind=console" in self.scope.get("query_string", b"") else "person"
        self.presence, result = await _join(user, self.room_id, kind)
        if self.presence is None:
            await self.send_json({"type": "refused", "reason": result})
            await self.close(code=REFUSED)
            return
        self.info = result
        await self.channel_layer.group_add(room_group(self.room_id), self.channel_name)
        await self.send_json({"type": "welcome", "peer": self.info})
        await self.channel_layer.group_send(room_group(self.room_id), {"type": "peer.joined", "peer": self.info,
                                                                       "channel": self.channel_name})

    async def disconnect(self, code):
        if self.presence is None:
            return
        await self.channel_layer.group_discard(room_group(self.room_id), self.channel_name)
        await self.channel_layer.group_send(room_group(self.room_id), {"type": "peer.left", "peer": self.info})
        await _leave(self.presence.pk)
        self.presence = None

    async def receive_json(self, content, **kwargs):
        if self.presence is None or not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "signal":
            await self._relay(content)
        elif kind == "chat":
            result = await _chat(self.scope["user"], self.room_id, str(content.get("text", ""))[:2000])
            if "error" in result:
                await self.send_json({"type": "chat-error", "reason": result["error"]})
            else:
                await self.channel_layer.group_send(room_group(self.room_id), {"type": "chat.message", "message": result})
        elif kind == "state":
            for key in ("hand", "muted"):
                if isinstance(content.get(key), bool):
                    self.info[key] = content[key]
            await self.channel_layer.group_send(room_group(self.room_id), {"type": "peer.state", "peer": self.info})
        elif kind == "ping":
            await _touch(self.presence.pk)
            await self.send_json({"type": "pong"})

    async def _relay(self, content: dict) -> None:
        channel = self.peers.get(str(content.get("to", "")))
        data = content.get("data")
        if channel is None or not isinstance(data, dict) or len(json.dumps(data)) > MAX_SIGNAL_BYTES:
            return
        try:
            await self.channel_layer.send(channel, {"type": "relay.signal", "from": self.info["peer_id"], "data": data})
        except ChannelFull:  # the receiving process is behind (queue layer): drop this message, keep the sender
            log.warning("signalling: channel of peer %s is full; a message was dropped", content.get("to"))

    # ----- group events
    async def peer_joined(self, event):
        peer = event["peer"]
        if peer["peer_id"] == self.info["peer_id"]:
            return
        self.peers[peer["peer_id"]] = event["channel"]
        await self.send_json({"type": "peer-joined", "peer": peer})
        await self.channel_layer.send(event["channel"], {"type": "peer.present", "peer": self.info, "channel": self.channel_name})

    async def peer_present(self, event):
        self.peers[event["peer"]["peer_id"]] = event["channel"]
        await self.send_json({"type": "peer-present", "peer": event["peer"]})

    async def peer_left(self, event):
        if self.peers.pop(event["peer"]["peer_id"], None) is not None:
            await self.send_json({"type": "peer-left", "peer": event["peer"]})

    async def peer_state(self, event):
        if event["peer"]["peer_id"] != self.info["peer_id"]:
            await self.send_json({"type": "peer-state", "peer": event["peer"]})

    async def relay_signal(self, event):
        if event["from"] in self.peers:
            await self.send_json({"type": "signal", "from": event["from"], "data": event["data"]})

    async def chat_message(self, event):
        await self.send_json({"type": "chat", "message": event["message"]})

    async def grant_changed(self, event):
        await self.send_json({"type": "grant-changed"})


# --------------------------------------------------------------------------- scan control relay
@database_sync_to_async
def _grant(user, grant_id: int):
    grant = selectors.grant_for_relay(user, grant_id, now=timezone.now())
    if grant is not None:
        grant.secret = grant.scanner.vnc_secret()  # read server-side, kept in this process only
    return grant


@database_sync_to_async
def _still_active(grant_id: int, user) -> bool:
    return selectors.grant_for_relay(user, grant_id, now=timezone.now()) is not None


@database_sync_to_async
def _audit_relay(grant, user, event: str, data: dict | None = None) -> None:
    services.record_relay(grant=grant, person=user, event=event, at=timezone.now(), data=data)


TAKEN_BACK, CONSOLE_UNREACHABLE = 4409, 4502
WATCH_SECONDS = 0.5


class VncRelayConsumer(AsyncWebsocketConsumer):
    """noVNC <-> the console's VNC server, for the grantee of an active grant only. Cut at once when the
    grant ends (take-back message), and in any case within WATCH_SECONDS of its end (the watchdog)."""

    writer = None
    tasks: tuple = ()

    async def connect(self):
        self.user = self.scope.get("user")
        self.grant = await _grant(self.user, self.scope["url_route"]["kwargs"]["grant_id"]) if self.user else None
        if self.grant is None:
            await self.close()  # refused before the handshake: no grant, no relay
            return
        scanner = self.grant.scanner
        try:
            reader, self.writer = await asyncio.wait_for(asyncio.open_connection(scanner.vnc_host, scanner.vnc_port), 5)
            await asyncio.wait_for(vnc.server_handshake(reader, self.writer, self.grant.secret), 10)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, vnc.ProtocolError) as exc:
            log.warning("scan control: console %s unreachable: %s", scanner, exc)
            await self.accept()
            await self.close(code=CONSOLE_UNREACHABLE)
            return
        self.filter = vnc.ClientFilter(control=self.grant.mode == "control")
        self.phase, self.pending, self.started = "version", b"", time.monotonic()
        await self.channel_layer.group_add(services.grant_group(self.grant.pk), self.channel_name)
        await self.accept()
        await self.send(bytes_data=vnc.VERSION)
        self.tasks = (asyncio.ensure_future(self._pump(reader)), asyncio.ensure_future(self._watch()))
        await _audit_relay(self.grant, self.user, "connected")

    async def receive(self, text_data=None, bytes_data=None):
        if self.writer is None or bytes_data is None:
            return
        self.pending += bytes_data
        if self.phase == "version" and len(self.pending) >= 12:
            self.pending = self.pending[12:]
            self.phase = "security"
            await self.send(bytes_data=bytes([1, vnc.SEC_NONE]))
        if self.phase == "security" and len(self.pending) >= 1:
            if self.pending[0] != vnc.SEC_NONE:
                await self.cut(code=1002)
                return
            self.pending, self.phase = self.pending[1:], "init"
            await self.send(bytes_data=b"\0\0\0\0")
        if self.phase == "init" and len(self.pending) >= 1:
            self.writer.write(b"\x01")  # ClientInit, always shared: the site's own viewers stay connected
            self.pending, self.phase = self.pending[1:], "relay"
        if self.phase == "relay" and self.pending:
            data, self.pending = self.pending, b""
            try:
                self.writer.write(self.filter.feed(data))
                await self.writer.drain()
            except (vnc.ProtocolError, OSError):
                await self.cut(code=1002)

    async def _pump(self, reader):
        try:
            while data := await reader.read(65536):
                await self.send(bytes_data=data)
        except (OSError, asyncio.CancelledError):
            pass
        if self.writer is not None:
            await self.cut(code=1000)

    async def _watch(self):
        while self.writer is not None:
            await asyncio.sleep(WATCH_SECONDS)
            if not await _still_active(self.grant.pk, self.user):
                await self.cut(code=TAKEN_BACK)
                return

    async def grant_ended(self, event):
        await self.cut(code=TAKEN_BACK)

    async def cut(self, *, code: int, close_socket: bool = True):
        writer, self.writer = self.writer, None
        if writer is None:
            return
        writer.close()
        if close_socket:
            await self.close(code=code)
        await _audit_relay(self.grant, self.user, "disconnected",
                           {"seconds": round(time.monotonic() - self.started), "dropped_input_messages": self.filter.dropped})

    async def disconnect(self, code):
        await self.cut(code=1000, close_socket=False)
        current = asyncio.current_task()
        for task in self.tasks:
            if task is not current:
                task.cancel()
        if self.grant is not None:
            await self.channel_layer.group_discard(services.grant_group(self.grant.pk), self.channel_name)


# --------------------------------------------------------------------------- notifications on every page
@database_sync_to_async
def _open_calls(user) -> list[dict]:
    return [services.help_call_message(r) for r in selectors.open_calls_for(user)]


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Live notifications for one person (expert-help calls, answers) on any open cmrnet page."""

    group = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.group = services.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        for message in await _open_calls(user):  # calls still waiting when this page opened
            await self.send_json(message)

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notify(self, event):
        await self.send_json(event["message"])
