"""Signalling benchmark: ROOMS concurrent live rooms of PEERS peers exchanging WebRTC signalling
messages through `cmrnet serve`, with the in-memory channel layer and with the Redis layer, side by side.

    .venv/bin/python bench/signalling.py [--rooms 200] [--peers 4] [--messages 10] [--interval 0.5] [--seconds 90]
                                         [--redis-url redis://127.0.0.1:6379/2] [--layers memory,redis]

It prepares a temporary data directory and SQLite database, migrates, creates ROOMS rooms with PEERS
invited people each and a logged-in session per person, then for each layer starts `cmrnet serve` on a
free 127.0.0.1 port and connects every peer's WebSocket (the real consumer: session authentication,
right to the room, presence). Once every peer knows the others, each peer sends a signalling message to
every other peer of its room every INTERVAL seconds, MESSAGES times (like trickled ICE candidates); the
payload carries the send time (all clients live in this
process, so one clock), and the receiver records the relay latency. It prints p50/p99 relay latency and
relayed messages per second for each layer. Loopback only; each phase is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "cmrnet-live-bench"


def free_port(first: int = 8640, last: int = 8659) -> int:
    """A free port on 127.0.0.1 in the range given to this benchmark (CMRNET_BENCH_PORTS=8640-8659)."""
    first, last = (int(x) for x in os.environ.get("CMRNET_BENCH_PORTS", f"{first}-{last}").split("-"))
    for port in range(first, last + 1):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise SystemExit(f"no free port in {first}-{last}")


def prepare(data_dir: str, rooms: int, peers: int) -> list[tuple[int, list[str]]]:
    """ROOMS rooms, each with PEERS invited people; returns (room id, session cookies)."""
    os.environ["CMRNET_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from cmrnet.live.models import LiveSession, Participant, Room
    from cmrnet.people.models import User

    call_command("migrate", verbosity=0)
    now = timezone.now()
    organiser = User.objects.create_user("organiser@bench.local", None, full_name="Organiser")
    people = User.objects.bulk_create([User(email=f"peer{i}@bench.local", full_name=f"Peer {i}", password="!")
                                       for i in range(rooms * peers)])
    out = []
    for r in range(rooms):
        session = LiveSession.objects.create(title=f"Room {r}", starts_at=now, ends_at=now + timezone.timedelta(hours=2),
                                             organiser=organiser)
        room = Room.objects.create(title=f"Room {r}", origin=Room.Origin.SESSION, session=session, cap=peers)
        members = people[r * peers:(r + 1) * peers]
        Participant.objects.bulk_create([Participant(room=room, person=p, role="trainee") for p in members])
        cookies = []
        for person in members:
            store = SessionStore()
            store[SESSION_KEY] = str(person.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = person.get_session_auth_hash()
            store.create()
            cookies.append(f"sessionid={store.session_key}")
        out.append((room.pk, cookies))
    return out


def close_presences() -> None:
    from django.utils import timezone

    from cmrnet.live.models import Presence

    Presence.objects.filter(left_at__isnull=True).update(left_at=timezone.now())


def start_server(data_dir: str, port: int, redis_url: str | None) -> subprocess.Popen:
    env = {**os.environ, "CMRNET_DATA_DIR": data_dir, "DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3",
           "CMRNET_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage", "CMRNET_LOG_LEVEL": "WARNING"}
    env.pop("CMRNET_REDIS_URL", None)
    if redis_url:
        env.update(CMRNET_REDIS_URL=redis_url, CMRNET_CHANNELS_PREFIX=PREFIX)
    process = subprocess.Popen([sys.executable, "-m", "cmrnet.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--no-collectstatic", "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("cmrnet serve did not start")


class Peer:
    def __init__(self, room: int, cookie: str):
        self.room, self.cookie = room, cookie
        self.ws = None
        self.id = None
        self.others: set[str] = set()
        self.latencies: list[float] = []
        self.closed = False

    async def connect(self, port: int) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(f"ws://127.0.0.1:{port}/ws/live/rooms/{self.room}/", origin=f"http://127.0.0.1:{port}",
                                additional_headers={"Cookie": self.cookie}, open_timeout=60, max_queue=None,
                                ping_interval=None)  # a loaded machine must not time out pings
        welcome = json.loads(await self.ws.recv())
        if welcome["type"] != "welcome":
            raise RuntimeError(f"refused: {welcome}")
        self.id = welcome["peer"]["peer_id"]

    async def listen(self, done: asyncio.Event, total: list[int]) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            await self._listen(done, total)
        except ConnectionClosed:
            self.closed = True

    async def _listen(self, done: asyncio.Event, total: list[int]) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if message["type"] in ("peer-joined", "peer-present"):
                self.others.add(message["peer"]["peer_id"])
            elif message["type"] == "signal":
                self.latencies.append(time.perf_counter() - message["data"]["t"])
                total[0] += 1
                if total[0] >= total[1]:
                    done.set()

    async def send_all(self, messages: int, interval: float) -> None:
        """Like trickled ICE candidates: a message to every other peer, then a pause, MESSAGES times."""
        from websockets.exceptions import ConnectionClosed

        await asyncio.sleep(random.random() * interval)  # peers do not start in lockstep
        for seq in range(messages):
            for other in sorted(self.others):
                if self.closed:
                    return
                try:
                    await self.ws.send(json.dumps({"type": "signal", "to": other,
                                                   "data": {"t": time.perf_counter(), "seq": seq, "candidate": {"candidate": "x" * 120}}}))
                except ConnectionClosed:
                    self.closed = True
                    return
            await asyncio.sleep(interval)


async def run_layer(port: int, rooms: list[tuple[int, list[str]]], peers_per_room: int, messages: int, interval: float,
                    seconds: float) -> dict:
    peers = [Peer(room, cookie) for room, cookies in rooms for cookie in cookies]
    started = time.perf_counter()
    for i in range(0, len(peers), 50):  # connect in batches of 50
        await asyncio.wait_for(asyncio.gather(*(p.connect(port) for p in peers[i:i + 50])), seconds)
    connect_s = time.perf_counter() - started
    expected = len(peers) * (peers_per_room - 1) * messages
    total, done = [0, expected], asyncio.Event()
    listeners = [asyncio.ensure_future(p.listen(done, total)) for p in peers]
    deadline = time.perf_counter() + seconds
    while any(len(p.others) < peers_per_room - 1 for p in peers) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    t0 = time.perf_counter()
    await asyncio.gather(*(p.send_all(messages, interval) for p in peers))
    try:
        await asyncio.wait_for(done.wait(), max(1.0, deadline - time.perf_counter()))
    except TimeoutError:
        pass
    elapsed = time.perf_counter() - t0
    dropped = sum(p.closed for p in peers)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(p.ws.close() for p in peers), return_exceptions=True)
    latencies = sorted(x for p in peers for x in p.latencies)
    return {"connections": len(peers), "dropped": dropped, "connect_s": connect_s, "relayed": len(latencies), "expected": expected,
            "seconds": elapsed, "per_second": len(latencies) / elapsed if elapsed else 0,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--peers", type=int, default=4)
    parser.add_argument("--messages", type=int, default=10, help="messages each peer sends to each other peer")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between a peer's rounds of messages")
    parser.add_argument("--seconds", type=float, default=90, help="bound on each phase (connect, relay)")
    parser.add_argument("--redis-url", default=os.environ.get("CMRNET_BENCH_REDIS_URL", "redis://127.0.0.1:6379/2"))
    parser.add_argument("--layers", default="memory,redis")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cmrnet-signalling-") as data_dir:
        print(f"preparing {args.rooms} rooms x {args.peers} peers ...", flush=True)
        rooms = prepare(data_dir, args.rooms, args.peers)
        results = {}
        for layer in args.layers.split(","):
            close_presences()  # connections a stopped server could not close would fill the rooms
            port = free_port()
            server = start_server(data_dir, port, args.redis_url if layer == "redis" else None)
            try:
                results[layer] = asyncio.run(run_layer(port, rooms, args.peers, args.messages, args.interval, args.seconds))
                r = results[layer]
                print(f"{layer}: {r['relayed']}/{r['expected']} relayed in {r['seconds']:.1f} s", flush=True)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=20)
    offered = args.rooms * args.peers * (args.peers - 1) / args.interval
    print(f"\noffered load: about {offered:.0f} messages/s ({args.rooms} rooms x {args.peers} peers, each sending to "
          f"{args.peers - 1} others every {args.interval} s, {args.messages} rounds)")
    print(f"{'layer':<8} {'connections':>11} {'dropped':>7} {'connect s':>9} {'relayed':>9} {'msgs/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for layer, r in results.items():
        print(f"{layer:<8} {r['connections']:>11} {r['dropped']:>7} {r['connect_s']:>9.1f} {r['relayed']:>9} {r['per_second']:>8.0f} "
              f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}")


if __name__ == "__main__":
    main()
