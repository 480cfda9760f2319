"""Load benchmark of exam delivery: N candidates answering and changing answers at once (issue 14).

    .venv/bin/python bench/exam_load.py [--candidates 500] [--seconds 30] [--items 20] [--think-ms 0]
                                        [--stagger-s S] [--max-saves N] [--workers 1]
                                        [--compare healthz|workers] [--concurrency 16] [--pin]
                                        [--url http://127.0.0.1:PORT] [--database-url URL]

Three kinds of run, each one command (docs/performance.md lists the exact ones):

* Realistic exam-day load (the default kind): 500 candidates changing an answer every ~10 s is
      --candidates 500 --think-ms 10000 --stagger-s 10 --seconds 60
  Each candidate starts at a random moment within the first 10 s, then pauses 0-20 s (mean 10 s) between
  changes: the offered rate is candidates / think time = 50 saves/s. It prints the offered rate beside the
  achieved rate (measured after the staggered starts), p50/p99 latency and p99/p50, the errors and the
  answers lost, and the server's CPU time per save.
* `--compare healthz`: closed loop (each of --concurrency connections sends its next request as soon as
  the last is answered), first GET /healthz (one `SELECT 1`, the trivial endpoint), then answer saves, each
  for --seconds, on the same server with the same load tool: prints both rates and their ratio (target
  >= 0.5) and the server's CPU time per request of each (target <= 4 ms per save).
* `--compare workers`: the same closed-loop saves against `cmrnet serve` with one worker, then with
  `--workers 2`: prints the ratio (target >= 1.7). With --pin (the default here when the machine has 2+
  cores) the load tool runs on the last core only, so it takes as little as it can from the workers.

Server CPU time is read from /proc for the server process and all its descendants (the uvicorn workers)
before and after each phase, so CPU per save does not grow when other programs share the cores (unlike
latency). With SQLite the database runs inside the server and is counted; with PostgreSQL the database's
own CPU is printed apart (every postgres process on the machine, so it is only indicative on a shared one).

Without --url it prepares a temporary data directory and SQLite database (or the given --database-url /
DATABASE_URL), migrates, creates a locked form, an open sitting and N registered candidates with started
attempts and logged-in sessions, then launches `cmrnet serve` on a free loopback port. With --url it uses
that running server, which must share the database (and CMRNET_DATA_DIR, for the secret key) with this
process (no CPU figures then).

The load tool is one asyncio process speaking HTTP/1.1 keep-alive over raw loopback sockets (a few tens of
microseconds of its own CPU per request; printed), so thousands of candidates cost little. Each candidate
waits for the confirmation of a change before its next one and, as delivery.js does, sends a change again
after a 5xx or a broken connection. At the end, for every (candidate, item) the last option the server
confirmed is compared with the database: lost must be 0. Loopback only; every loop is bounded in count
(--max-saves) and in time (--seconds, at most 900 s).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CMRNET = ROOT / ".venv" / "bin" / "cmrnet"
IDLE_RECONNECT_S = 4.0          # uvicorn closes idle keep-alive connections after 5 s
REQUEST_TIMEOUT_S = 60.0
MAX_SECONDS = 900.0
TARGETS = {"healthz_ratio": 0.5, "cpu_ms_per_save": 4.0, "workers_ratio": 1.7, "p99_over_p50": 5.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def setup_django(data_dir: str | None, database_url: str | None) -> None:
    if data_dir:
        os.environ["CMRNET_DATA_DIR"] = data_dir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")
    import django

    django.setup()


def prepare(n_candidates: int, n_items: int) -> tuple[int, list[dict]]:
    """A locked form, an open sitting, N candidates with started attempts and sessions."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from cmrnet.exams import services, timing
    from cmrnet.exams.models import Attempt, FormItem, Registration, Topic
    from cmrnet.people.models import RoleGrant, User
    from cmrnet.exams.services.forms import ensure_topics
    from cmrnet.people.roles import Role
    from cmrnet.people.services import create_person

    ensure_topics()
    stamp = get_random_string(6).lower()
    board = create_person(by=None, email=f"bench-board-{stamp}@bench.local", full_name="Bench Board",
                          roles=[Role.EXAM_BOARD])
    reviewer = create_person(by=None, email=f"bench-reviewer-{stamp}@bench.local", full_name="Bench Reviewer",
                             roles=[Role.EXAM_BOARD])
    topic = Topic.objects.get(code="physics")
    for n in range(n_items):
        item = services.create_item(by=board, topic=topic, stem=f"Bench scenario {n}", key="ABCDE"[n % 5],
                                    **{f"option_{c}": f"Option {c.upper()} {n}" for c in "abcde"})
        services.submit_for_review(by=board, item=item)
        services.review_item(by=reviewer, item=item, approve=True)
    form = services.propose_form(by=board, title=f"Bench form {stamp}", n_items=n_items, seed=1)
    form = services.lock_form(by=board, form=form)
    now = timezone.now()
    sitting = services.schedule_sitting(by=board, form=form, title=f"Bench sitting {stamp}",
                                        start_opens=now - dt.timedelta(minutes=5),
                                        start_closes=now + dt.timedelta(hours=3), shuffle_items=True,
                                        shuffle_options=True)
    # The first candidate goes through the services (registration, start); the rest are bulk-created with the
    # same rows (a few seconds for 2,000 instead of minutes): user, trainee role, registration, attempt with
    # its shuffle plan and deadline, and a logged-in session.
    first = create_person(by=None, email=f"bench-{stamp}-00000@bench.local", full_name="Candidate 0",
                          roles=[Role.TRAINEE])
    services.register_candidate(by=board, sitting=sitting, candidate=first)
    services.start_attempt(candidate=first, sitting=sitting, now=timezone.now())
    unusable = make_password(None)
    people = [first] + User.objects.bulk_create([
        User(email=f"bench-{stamp}-{i:05d}@bench.local", full_name=f"Candidate {i}", password=unusable)
        for i in range(1, n_candidates)], batch_size=500)
    RoleGrant.objects.bulk_create([RoleGrant(user=p, role=Role.TRAINEE) for p in people[1:]], batch_size=500)
    regs = Registration.objects.bulk_create([Registration(sitting=sitting, candidate=p) for p in people[1:]],
                                            batch_size=500)
    ids = list(FormItem.objects.filter(form=sitting.form).order_by("position").values_list("pk", flat=True))
    started = timezone.now()
    attempts = []
    for reg in regs:
        seed = secrets.randbits(48)
        order, options = timing.shuffle_plan(seed, ids, shuffle_items=sitting.shuffle_items,
                                             shuffle_options=sitting.shuffle_options)
        attempts.append(Attempt(registration=reg, started_at=started, seed=seed, item_order=order,
                                option_orders=options, deadline=timing.deadline(started, sitting.duration_minutes)))
    Attempt.objects.bulk_create(attempts, batch_size=500)
    by_person = dict(Attempt.objects.filter(registration__sitting=sitting)
                     .values_list("registration__candidate_id", "pk"))
    orders = dict(Attempt.objects.filter(registration__sitting=sitting).values_list("pk", "item_order"))
    store, expiry, sessions, clients = SessionStore(), timezone.now() + dt.timedelta(hours=6), [], []
    for person in people:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: person.get_session_auth_hash()}
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expiry))
        attempt = by_person[person.pk]
        clients.append({"attempt": attempt, "items": list(orders[attempt]), "session": key,
                        "csrf": get_random_string(32), "cookie": settings.SESSION_COOKIE_NAME})
    Session.objects.bulk_create(sessions, batch_size=500)
    return sitting.pk, clients


# --- server CPU time from /proc -------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, str, float] | None:
    """(parent pid, command name, user + system CPU seconds) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _all_stats() -> dict[int, tuple[int, str, float]]:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (s := _stat(int(entry))) is not None:
            stats[int(entry)] = s
    return stats


def cpu_seconds(root_pid: int | None) -> tuple[float, float]:
    """(CPU seconds of the server process and its descendants, CPU seconds of every postgres process)."""
    if not Path("/proc").is_dir():
        return float("nan"), float("nan")
    stats = _all_stats()
    server = 0.0
    if root_pid is not None:
        tree, frontier = set(), {root_pid}
        while frontier:
            tree |= frontier
            frontier = {pid for pid, (ppid, _, _) in stats.items() if ppid in frontier and pid not in tree}
        server = sum(stats[pid][2] for pid in tree if pid in stats)
    postgres = sum(cpu for _, name, cpu in stats.values() if name.startswith("postgres"))
    return server, postgres


# --- the load tool: asyncio, raw HTTP/1.1 keep-alive over loopback ----------------------------------------

class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when idle too long or closed by the server."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.last_used = 0.0

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is not None and time.monotonic() - self.last_used > IDLE_RECONNECT_S:
            await self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        if b"transfer-encoding: chunked" in lower:
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                body += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            at = lower.find(b"content-length:")
            length = int(lower[at + 15:lower.index(b"\r\n", at)]) if at >= 0 else 0
            body = await self.reader.readexactly(length)
        self.last_used = time.monotonic()
        if b"connection: close" in lower:
            await self.close()
        return status, body


def save_request(host: str, port: int, client: dict, item: int, choice: str) -> bytes:
    body = urllib.parse.urlencode({"item": item, "choice": choice}).encode()
    return (f"POST /exams/attempts/{client['attempt']}/save/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n"
            f"X-CSRFToken: {client['csrf']}\r\nCookie: {client['cookie']}={client['session']}; "
            f"csrftoken={client['csrf']}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


class Budget:
    """The run's bound in count: at most `limit` requests in all (the time bound is the stop time)."""

    def __init__(self, limit: int):
        self.left = limit

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class Candidate:
    """One simulated candidate: changes an answer, waits for the confirmation, thinks, changes another."""

    def __init__(self, host: str, port: int, client: dict, think: float, seed: int, start_after: float = 0.0):
        self.host, self.port, self.c, self.think = host, port, client, think
        self.rng = random.Random(seed)
        self.start_after = start_after
        self.done_at: list[float] = []      # monotonic time each save completed (for the achieved rate)
        self.latencies: list[float] = []
        self.confirmed: dict[int, str] = {}
        self.errors: list[str] = []
        self.retries = 0

    async def _sleep(self, seconds: float, stop_at: float):
        await asyncio.sleep(min(seconds, max(0.0, stop_at - time.monotonic())))

    async def run(self, stop_at: float, budget: Budget):
        conn = Connection(self.host, self.port)
        if self.start_after:                 # staggered starts: candidates do not all begin at once
            await self._sleep(self.start_after, stop_at)
        pending = None  # a change the server did not confirm (5xx): sent again, as delivery.js does
        while time.monotonic() < stop_at and budget.take():
            if pending:
                item, choice = pending
            else:
                item = self.rng.choice(self.c["items"])
                choice = self.rng.choice([c for c in "ABCDE" if c != self.confirmed.get(item)])
            pending = None
            t0 = time.perf_counter()
            try:
                status, payload = await asyncio.wait_for(
                    conn.request(save_request(self.host, self.port, self.c, item, choice)), REQUEST_TIMEOUT_S)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
                self.errors.append(type(exc).__name__)
                self.retries += 1
                pending = (item, choice)
                await conn.close()
                continue
            self.latencies.append(time.perf_counter() - t0)
            self.done_at.append(time.monotonic())
            if status == 200 and json.loads(payload).get("saved"):
                self.confirmed[item] = choice
            else:
                self.errors.append(f"HTTP {status}")
                if status >= 500:  # as delivery.js does: keep the change and retry it after a pause
                    self.retries += 1
                    pending = (item, choice)
                    await self._sleep(1.0, stop_at)
            if self.think:
                await self._sleep(self.rng.uniform(0, 2 * self.think), stop_at)
        await conn.close()


async def _closed_loop_get(host: str, port: int, path: str, concurrency: int, seconds: float,
                           budget: Budget) -> tuple[int, list[str]]:
    raw = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n".encode()
    stop_at = time.monotonic() + seconds
    done, errors = [0], []

    async def one():
        conn = Connection(host, port)
        while time.monotonic() < stop_at and budget.take():
            try:
                status, _ = await asyncio.wait_for(conn.request(raw), REQUEST_TIMEOUT_S)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
                errors.append(type(exc).__name__)
                await conn.close()
                continue
            if status == 200:
                done[0] += 1
            else:
                errors.append(f"HTTP {status}")
        await conn.close()

    await asyncio.gather(*(one() for _ in range(concurrency)))
    return done[0], errors


def run_candidates(candidates: list[Candidate], seconds: float, max_requests: int) -> float:
    """Run the candidates until --seconds or --max-saves; returns the monotonic start time."""
    budget = Budget(max_requests)
    start = time.monotonic()

    async def main():
        await asyncio.gather(*(c.run(start + seconds, budget) for c in candidates))

    asyncio.run(main())
    run_candidates.budget_left = budget.left
    return start


# --- the server ------------------------------------------------------------------------------------------

def wait_for(host: str, port: int, timeout: float = 60) -> None:
    import http.client

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server on {host}:{port} did not answer within {timeout} s")


class Server:
    """`cmrnet serve` on a loopback port, on every core (the load tool may pin itself afterwards)."""

    def __init__(self, env: dict, tmp: str, workers: int, extra: list[str] | None = None):
        self.port = free_port()
        self.log = Path(tmp) / f"server-{workers}w-{self.port}.log"
        all_cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        preexec = (lambda: os.sched_setaffinity(0, all_cores)) if all_cores else None
        self.proc = subprocess.Popen(
            [str(CMRNET), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-collectstatic",
             "--workers", str(workers), "--log-level", "warning", *(extra or [])],
            env=env, stdout=subprocess.DEVNULL, stderr=open(self.log, "w"), preexec_fn=preexec)
        self.workers = workers
        wait_for("127.0.0.1", self.port)

    def cpu(self) -> tuple[float, float]:
        return cpu_seconds(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)


def pin_load_tool() -> str:
    """Run this process (the load tool) on the last core only; the server keeps every core."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return "load tool not pinned (one core or no sched_setaffinity)"
    last = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {last})
    return f"load tool pinned to core {last} (sched_setaffinity, as taskset -c {last})"


# --- the runs --------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def count_lost(clients: list[dict], candidates: list[Candidate]) -> tuple[int, int]:
    from cmrnet.exams.models import Answer

    lost = checked = 0
    for client, cand in zip(clients, candidates):
        if not cand.confirmed:
            continue
        stored = dict(Answer.objects.filter(attempt_id=client["attempt"]).values_list("form_item_id", "choice"))
        for item, choice in cand.confirmed.items():
            checked += 1
            lost += stored.get(item) != choice
    return lost, checked


def closed_loop_saves(host, port, clients, concurrency, seconds, max_requests, seed) -> tuple[int, list[Candidate]]:
    cands = [Candidate(host, port, c, think=0.0, seed=seed + i) for i, c in enumerate(clients[:concurrency])]
    run_candidates(cands, seconds, max_requests)
    saved = sum(len(c.latencies) for c in cands) - sum(1 for c in cands for e in c.errors if e.startswith("HTTP"))
    return saved, cands


def report_errors(cands: list[Candidate]) -> tuple[int, str]:
    errors = [e for c in cands for e in c.errors]
    return len(errors), (f" ({', '.join(f'{e} x{errors.count(e)}' for e in sorted(set(errors)))})" if errors else "")


def warm_up(port: int, clients: list[dict]) -> None:
    """A second of each kind of request first: code paths imported, connections pooled, caches filled."""
    asyncio.run(_closed_loop_get("127.0.0.1", port, "/healthz", 2, 1.0, Budget(1000)))
    closed_loop_saves("127.0.0.1", port, clients, 2, 1.0, 1000, seed=99)


def compare_healthz(args, server: Server, clients: list[dict]) -> int:
    host, port, c, secs = "127.0.0.1", server.port, args.concurrency, args.seconds
    warm_up(port, clients)
    print(f"closed loop, {c} connections, {secs:g} s per phase, same server and load tool; load average {loadavg()}")
    s0, p0, l0 = *server.cpu(), time.process_time()
    t0 = time.perf_counter()
    n_health, health_errors = asyncio.run(_closed_loop_get(host, port, "/healthz", c, secs, Budget(args.max_saves)))
    t_health = time.perf_counter() - t0
    s1, p1, l1 = *server.cpu(), time.process_time()
    t0 = time.perf_counter()
    n_saves, cands = closed_loop_saves(host, port, clients, c, secs, args.max_saves, seed=1000)
    t_saves = time.perf_counter() - t0
    s2, p2, l2 = *server.cpu(), time.process_time()
    rate_h, rate_s = n_health / t_health, n_saves / t_saves
    cpu_h, cpu_s = (s1 - s0) / max(n_health, 1) * 1000, (s2 - s1) / max(n_saves, 1) * 1000
    n_err, detail = report_errors(cands)
    print(f"/healthz: {rate_h:.1f} requests/s, server CPU {cpu_h:.2f} ms per request"
          f"{f', postgres CPU {(p1 - p0) / max(n_health, 1) * 1000:.2f} ms' if p1 > p0 else ''}"
          f", load tool CPU {(l1 - l0) / max(n_health, 1) * 1000:.2f} ms; errors {len(health_errors)}")
    print(f"answer saves: {rate_s:.1f} saves/s, server CPU {cpu_s:.2f} ms per save"
          f"{f', postgres CPU {(p2 - p1) / max(n_saves, 1) * 1000:.2f} ms' if p2 > p1 else ''}"
          f", load tool CPU {(l2 - l1) / max(n_saves, 1) * 1000:.2f} ms; errors {n_err}{detail}")
    ratio = rate_s / rate_h if rate_h else float("nan")
    print(f"TARGET save throughput / healthz throughput: {ratio:.2f}x (target >= {TARGETS['healthz_ratio']}x) "
          f"{'ok' if ratio >= TARGETS['healthz_ratio'] else 'MISSED'}")
    print(f"TARGET server CPU per save: {cpu_s:.2f} ms (target <= {TARGETS['cpu_ms_per_save']:g} ms) "
          f"{'ok' if cpu_s <= TARGETS['cpu_ms_per_save'] else 'MISSED'}")
    lost, checked = count_lost(clients, cands)
    print(f"answers lost: {lost} (of {checked} checked); load average after: {loadavg()}")
    return 1 if lost else 0


def compare_workers(args, env, tmp, clients: list[dict], extra: list[str]) -> int:
    host, c, secs = "127.0.0.1", args.concurrency, args.seconds
    pinned = pin_load_tool() if args.pin else "load tool not pinned (--no-pin)"
    print(f"closed loop, {c} connections, {secs:g} s per server; {pinned}; load average {loadavg()}")
    rates, lost_total = {}, 0
    for workers in (1, 2):
        server = Server(env, tmp, workers, extra)
        try:
            warm_up(server.port, clients)
            s0 = server.cpu()[0]
            t0 = time.perf_counter()
            n, cands = closed_loop_saves(host, server.port, clients, c, secs, args.max_saves, seed=workers * 1000)
            elapsed = time.perf_counter() - t0
            cpu = (server.cpu()[0] - s0) / max(n, 1) * 1000
        finally:
            server.stop()
        n_err, detail = report_errors(cands)
        lost, checked = count_lost(clients, cands)
        lost_total += lost
        rates[workers] = n / elapsed
        print(f"{workers} worker(s): {rates[workers]:.1f} saves/s, server CPU {cpu:.2f} ms per save, "
              f"errors {n_err}{detail}, lost {lost} of {checked}; load average {loadavg()}")
    ratio = rates[2] / rates[1] if rates[1] else float("nan")
    print(f"TARGET 2 workers / 1 worker: {ratio:.2f}x (target >= {TARGETS['workers_ratio']}x) "
          f"{'ok' if ratio >= TARGETS['workers_ratio'] else 'MISSED'}")
    return 1 if lost_total else 0


def realistic(args, server: Server | None, host: str, port: int, clients: list[dict], label: str) -> int:
    stagger = args.think_ms / 1000 if args.stagger_s is None else args.stagger_s
    stagger = min(stagger, args.seconds / 2)
    rng = random.Random(0)
    cands = [Candidate(host, port, c, args.think_ms / 1000, seed=i, start_after=rng.uniform(0, stagger))
             for i, c in enumerate(clients)]
    print(f"load average before: {loadavg()}")
    s0, p0 = server.cpu() if server else (float("nan"), float("nan"))
    l0 = time.process_time()
    started = time.perf_counter()
    load_start = run_candidates(cands, args.seconds, args.max_saves)
    elapsed = time.perf_counter() - started
    s1, p1 = server.cpu() if server else (float("nan"), float("nan"))
    own = time.process_time() - l0

    from django.db import connection

    latencies = sorted(x for c in cands for x in c.latencies)
    n_err, detail = report_errors(cands)
    saved = len(latencies) - sum(1 for c in cands for e in c.errors if e.startswith("HTTP"))
    lost, checked = count_lost(clients, cands)
    p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
    print(f"server: {label}; database: {connection.vendor}")
    print(f"candidates: {len(cands)}, duration: {elapsed:.1f} s")
    print(f"answers saved: {saved} ({saved / elapsed:.1f} answers/s over the whole run)")
    steady_from = load_start + stagger
    steady = sum(1 for c in cands for d in c.done_at if d >= steady_from)
    window = max(elapsed - stagger, 1e-9)
    offered = f"{len(cands) / (args.think_ms / 1000):.1f} saves/s" if args.think_ms else "as fast as answered"
    print(f"offered rate: {offered} ({len(cands)} candidates, a change every {args.think_ms / 1000:g} s on average, "
          f"starts staggered over {stagger:g} s); achieved after the starts: {steady / window:.1f} saves/s"
          + ("; stopped by --max-saves" if run_candidates.budget_left <= 0 else ""))
    print(f"save latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000 if latencies else 0:.1f} ms, "
          f"mean {statistics.fmean(latencies) * 1000 if latencies else 0:.1f} ms; p99/p50 {p99 / p50 if p50 else 0:.1f}x "
          f"(target for SQLite <= {TARGETS['p99_over_p50']:g}x)")
    if server is not None and saved:
        print(f"server CPU per save: {(s1 - s0) / saved * 1000:.2f} ms"
              + (f"; postgres CPU per save: {(p1 - p0) / saved * 1000:.2f} ms (every postgres process)"
                 if connection.vendor == "postgresql" else "")
              + f"; load tool CPU per save: {own / saved * 1000:.2f} ms")
    print(f"retried after a 5xx/connection error: {sum(c.retries for c in cands)}; errors: {n_err}{detail}"
          + (f"; server log: {server.log}" if n_err and server else ""))
    print(f"answers lost: {lost} (of {checked} last-confirmed answers checked against the database)")
    print(f"load average after: {loadavg()}")
    return 1 if lost else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30.0, help=f"length of each phase (at most {MAX_SECONDS:g})")
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between a candidate's changes")
    parser.add_argument("--stagger-s", type=float, default=None,
                        help="candidates start at random moments within this many seconds (default: the think time)")
    parser.add_argument("--max-saves", type=int, default=500_000, help="bound on the number of requests of a phase")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the launched server")
    parser.add_argument("--compare", choices=["healthz", "workers"],
                        help="closed-loop throughput: saves vs /healthz, or 2 workers vs 1")
    parser.add_argument("--concurrency", type=int, default=16, help="connections of the closed-loop comparisons")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True,
                        help="--compare workers: pin the load tool to the last core (default on)")
    parser.add_argument("--serve-arg", action="append", default=[], help="extra argument for `cmrnet serve`")
    parser.add_argument("--url", help="a running server on loopback (shares the database with this process)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--sqlite-wal", action="store_true",
                        help="put the temporary SQLite database in WAL journal mode (persists in the file)")
    parser.add_argument("--keep-alive-s", type=float, default=5.0,
                        help="the server's keep-alive timeout (passed to cmrnet serve); the tool reconnects 1 s earlier")
    args = parser.parse_args(argv)
    global IDLE_RECONNECT_S
    IDLE_RECONNECT_S = max(0.5, args.keep_alive_s - 1)
    if args.keep_alive_s != 5.0:
        args.serve_arg.append(f"--timeout-keep-alive={int(args.keep_alive_s)}")
    if not 0 < args.seconds <= MAX_SECONDS:
        raise SystemExit(f"bounded in time: --seconds must be in (0, {MAX_SECONDS:g}]")
    if args.compare and args.url:
        raise SystemExit("--compare launches its own servers: drop --url")

    tmp, env = None, None
    if args.url:
        target = urllib.parse.urlparse(args.url)
        if target.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise SystemExit("loopback only: give a 127.0.0.1 URL")
        host, port = target.hostname, target.port or 80
        setup_django(None, args.database_url)
    else:
        tmp = tempfile.mkdtemp(prefix="cmrnet-bench-")
        database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        env = {**os.environ, "CMRNET_DATA_DIR": tmp, "DATABASE_URL": database_url,
               "CMRNET_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        subprocess.run([str(CMRNET), "manage", "migrate", "--noinput", "-v", "0"], env=env, check=True)
        setup_django(tmp, database_url)
        host, port = "127.0.0.1", None

    from django.db import connection

    if args.sqlite_wal and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
    journal = ""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            journal = f" (journal_mode={cursor.execute('PRAGMA journal_mode').fetchone()[0]})"
    n_prepare = args.concurrency if args.compare else args.candidates
    t0 = time.perf_counter()
    sitting_id, clients = prepare(n_prepare, args.items)
    connection.close()
    print(f"prepared sitting {sitting_id}: {n_prepare} candidates, {args.items} items "
          f"in {time.perf_counter() - t0:.1f} s; database: {connection.vendor}{journal}")

    if args.compare == "workers":
        return compare_workers(args, env, tmp, clients, args.serve_arg)
    server = None
    if not args.url:
        server = Server(env, tmp, args.workers, args.serve_arg)
        port = server.port
    else:
        wait_for(host, port)
    try:
        if args.compare == "healthz":
            print(f"server: cmrnet serve on 127.0.0.1:{port} ({args.workers} worker(s))")
            return compare_healthz(args, server, clients)
        label = f"given {args.url}" if args.url else f"cmrnet serve on 127.0.0.1:{port} ({args.workers} worker(s))"
        return realistic(args, server, host, port, clients, label)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
