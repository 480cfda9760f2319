"""Signalling benchmark: ROOMS concurrent live rooms of PEERS peers exchanging WebRTC signalling
messages through `cmrnet serve`, with the in-memory channel layer and with the Redis layer, side by side.

    .venv/bin/python bench/signalling.py [--rooms 200] [--peers 4] [--messages 10] [--interval 0.5] [--seconds 90]
                                         [--redis-url redis://127.0.0.1:6379/2] [--layers memory,redis] [--quick]

--quick: 20 rooms x 4 peers, 5 rounds, 30 s bounds (a smoke run of a minute or two).

It prepares a temporary data directory and SQLite database, migrates, creates ROOMS rooms with PEERS
invited people each and a logged-in session per person, then for each layer starts `cmrnet serve` on a
free 127.0.0.1 port and connects every peer's WebSocket (the real consumer: session authentication,
right to the room, presence). Once every peer knows the others, each peer sends a signalling message to
every other peer of its room every INTERVAL seconds, MESSAGES times (like trickled ICE candidates); the
payload carries the send time (all clients live in this
process, so one clock), and the receiver records the relay latency. It prints p50/p99 relay latency and
relayed messages per second for each layer, side by side. Loopback only (the server binds 127.0.0.1 and
every client connects there); every phase (connect, discovery, sending, draining) is bounded by --seconds
and every loop by a count. The Redis layer runs under a prefix of its own, whose keys are removed after.
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
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = f"cmrnet-live-bench-{uuid.uuid4().hex[:8]}"


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
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    with transaction.atomic():  # one commit, not one per row (minutes on a busy disk)
        return _rooms(rooms, peers, now=timezone.now())


def _rooms(rooms: int, peers: int, *, now) -> list[tuple[int, list[str]]]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from cmrnet.live.models import LiveSession, Participant, Room
    from cmrnet.people.models import User

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


def start_server(data_dir: str, port: int, redis_url: str | None, log: Path) -> subprocess.Popen:
    env = {**os.environ, "CMRNET_DATA_DIR": data_dir, "DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3",
           "CMRNET_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage", "CMRNET_LOG_LEVEL": "WARNING"}
    env.pop("CMRNET_REDIS_URL", None)
    if redis_url:
        env.update(CMRNET_REDIS_URL=redis_url, CMRNET_CHANNELS_PREFIX=PREFIX)
    process = subprocess.Popen([sys.executable, "-m", "cmrnet.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--no-collectstatic", "--log-level", "warning"], env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
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
        self.close_reason = ""

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
        except ConnectionClosed as exc:
            self.closed = True
            self.close_reason = str(exc)

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


async def connect_all(peers: list[Peer], port: int, seconds: float) -> list[Peer]:
    """Connect in batches of 50, all within `seconds`; returns the peers that got in (the rest are counted)."""
    deadline = time.perf_counter() + seconds

    from websockets.exceptions import WebSocketException

    async def one(peer: Peer) -> Peer | None:
        try:
            await peer.connect(port)
            return peer
        except (OSError, RuntimeError, TimeoutError, asyncio.TimeoutError, ValueError, WebSocketException) as exc:
            peer.close_reason = f"connect: {type(exc).__name__}"
            return None

    connected = []
    for i in range(0, len(peers), 50):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        batch = [asyncio.ensure_future(one(p)) for p in peers[i:i + 50]]
        finished, pending = await asyncio.wait(batch, timeout=left)
        for task in pending:
            task.cancel()
        connected += [t.result() for t in finished if t.result() is not None]
    return connected


async def run_layer(port: int, rooms: list[tuple[int, list[str]]], peers_per_room: int, messages: int, interval: float,
                    seconds: float) -> dict:
    everyone = [Peer(room, cookie) for room, cookies in rooms for cookie in cookies]
    started = time.perf_counter()
    peers = await connect_all(everyone, port, seconds)
    connect_s = time.perf_counter() - started
    in_room = Counter(p.room for p in peers)
    wanted = {id(p): in_room[p.room] - 1 for p in peers}  # the others of its room that got in
    expected = sum(wanted.values()) * messages
    total, done = [0, expected], asyncio.Event()
    listeners = [asyncio.ensure_future(p.listen(done, total)) for p in peers]
    deadline = time.perf_counter() + seconds
    while any(len(p.others) < wanted[id(p)] for p in peers) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)  # polling a condition, bounded by --seconds
    discovered = sum(len(p.others) for p in peers)
    t0 = time.perf_counter()
    deadline = t0 + seconds
    try:
        await asyncio.wait_for(asyncio.gather(*(p.send_all(messages, interval) for p in peers)), seconds)
    except (TimeoutError, asyncio.TimeoutError):
        pass
    try:
        await asyncio.wait_for(done.wait(), max(1.0, deadline - time.perf_counter()))
    except (TimeoutError, asyncio.TimeoutError):
        pass
    elapsed = time.perf_counter() - t0
    dropped = sum(p.closed for p in peers)
    reasons = Counter(p.close_reason for p in everyone if p.close_reason).most_common(3)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(p.ws.close() for p in peers), return_exceptions=True)
    latencies = sorted(x for p in peers for x in p.latencies)
    return {"connections": len(everyone), "connected": len(peers), "dropped": dropped, "reasons": reasons,
            "discovered": discovered, "discoverable": len(peers) * (peers_per_room - 1), "connect_s": connect_s,
            "relayed": len(latencies), "expected": expected,
            "seconds": elapsed, "per_second": len(latencies) / elapsed if elapsed else 0,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan")}


def forget_redis_keys(redis_url: str) -> int:
    """Remove this run's keys (its own prefix) from Redis; bounded to 100 SCAN rounds."""
    import redis

    client = redis.Redis.from_url(redis_url)
    removed, cursor = 0, 0
    for _ in range(100):
        cursor, keys = client.scan(cursor, match=f"{PREFIX}*", count=1000)
        if keys:
            removed += client.delete(*keys)
        if cursor == 0:
            break
    client.close()
    return removed


ROWS = (("connections", "connections tried", "{:.0f}"), ("connected", "connected", "{:.0f}"),
        ("dropped", "dropped after connecting", "{:.0f}"),
        ("connect_s", "connect all, s", "{:.1f}"), ("discovered", "peers discovered", "{:.0f}"),
        ("expected", "messages expected", "{:.0f}"), ("relayed", "messages relayed", "{:.0f}"),
        ("per_second", "relayed per second", "{:.0f}"), ("p50_ms", "relay latency p50, ms", "{:.1f}"),
        ("p99_ms", "relay latency p99, ms", "{:.1f}"))


def print_table(results: dict[str, dict]) -> None:
    """The layers side by side: one row per figure, one column per layer."""
    layers = list(results)
    print(f"{'':<24}" + "".join(f"{layer:>12}" for layer in layers))
    for key, label, fmt in ROWS:
        print(f"{label:<24}" + "".join(f"{fmt.format(results[layer][key]):>12}" for layer in layers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--peers", type=int, default=4)
    parser.add_argument("--messages", type=int, default=10, help="messages each peer sends to each other peer")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between a peer's rounds of messages")
    parser.add_argument("--seconds", type=float, default=180, help="bound on each phase (connect, discovery, send, drain)")
    parser.add_argument("--redis-url", default=os.environ.get("CMRNET_BENCH_REDIS_URL", "redis://127.0.0.1:6379/2"))
    parser.add_argument("--layers", default="memory,redis")
    parser.add_argument("--quick", action="store_true", help="20 rooms x 4 peers, 5 rounds, 30 s bounds")
    args = parser.parse_args()
    if args.quick:
        args.rooms, args.peers, args.messages, args.seconds = 20, 4, 5, 30
    layers = args.layers.split(",")
    if not set(layers) <= {"memory", "redis"}:
        raise SystemExit("--layers: memory and/or redis")
    with tempfile.TemporaryDirectory(prefix="cmrnet-signalling-") as data_dir:
        print(f"preparing {args.rooms} rooms x {args.peers} peers ...", flush=True)
        rooms = prepare(data_dir, args.rooms, args.peers)
        results = {}
        for layer in layers:
            close_presences()  # connections a stopped server could not close would fill the rooms
            port = free_port()
            log = Path(data_dir, f"server-{layer}.log")
            server = start_server(data_dir, port, args.redis_url if layer == "redis" else None, log)
            try:
                results[layer] = asyncio.run(run_layer(port, rooms, args.peers, args.messages, args.interval, args.seconds))
                r = results[layer]
                print(f"{layer}: {r['connected']}/{r['connections']} connected in {r['connect_s']:.1f} s, {r['relayed']}/{r['expected']} "
                      f"relayed in {r['seconds']:.1f} s, {r['dropped']} connections dropped",
                      flush=True)
                if r["dropped"] or r["connected"] < r["connections"]:
                    print(f"  close reasons: {r['reasons']}\n  server log (end): {log.read_text()[-2000:]}", flush=True)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=20)
                if layer == "redis":
                    forget_redis_keys(args.redis_url)
    offered = args.rooms * args.peers * (args.peers - 1) / args.interval
    print(f"\n{args.rooms} rooms x {args.peers} peers, each sending to {args.peers - 1} others every {args.interval} s, "
          f"{args.messages} rounds: offered load about {offered:.0f} messages/s; one `cmrnet serve` process per layer")
    print_table(results)


if __name__ == "__main__":
    main()
