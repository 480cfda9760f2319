"""Load benchmark of exam delivery: N candidates answering and changing answers at once.

    .venv/bin/python bench/exam_load.py [--candidates 500] [--seconds 30] [--items 20] [--think-ms 0]
                                        [--stagger-s S] [--max-saves N]
                                        [--url http://127.0.0.1:PORT] [--database-url URL]

Realistic exam-day load (issue 14): 500 candidates changing an answer every ~10 s is
    --candidates 500 --think-ms 10000 --stagger-s 10 --seconds 60
(each candidate starts at a random moment within the first 10 s, then pauses 0-20 s, mean 10 s, between
changes): the offered rate is candidates / think time = 50 saves/s; the script prints it beside the achieved
rate, measured after the staggered starts.

Without --url it prepares a temporary data directory and SQLite database (or the given
--database-url / DATABASE_URL), migrates, creates a locked form, an open sitting and N registered
candidates with started attempts and logged-in sessions, then launches `cmrnet serve` on a free
loopback port. With --url it uses that running server, which must share the database (and
CMRNET_DATA_DIR, for the secret key) with this process.

Each simulated candidate (one thread, one keep-alive connection) repeatedly picks an item of its
exam and a new option and POSTs it to the answer-save endpoint used by the delivery page, waiting
for the confirmation before the next change. At the end it prints answers/s, p50/p99 save
latency, the errors, and the answers lost: for every (candidate, item) the last option the server
confirmed is compared with the database. Lost must be 0. Loopback only; stdlib + installed packages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CMRNET = ROOT / ".venv" / "bin" / "cmrnet"
IDLE_RECONNECT_S = 4.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from cmrnet.exams import services
    from cmrnet.exams.models import Topic
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
    clients = []
    for i in range(n_candidates):
        person = create_person(by=None, email=f"bench-{stamp}-{i:05d}@bench.local", full_name=f"Candidate {i}",
                               roles=[Role.TRAINEE])
        services.register_candidate(by=board, sitting=sitting, candidate=person)
        attempt = services.start_attempt(candidate=person, sitting=sitting, now=timezone.now())
        session = SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        clients.append({"attempt": attempt.pk, "items": list(attempt.item_order), "session": session.session_key,
                        "csrf": get_random_string(32), "cookie": settings.SESSION_COOKIE_NAME})
    return sitting.pk, clients


class Budget:
    """The run's bound in count: at most `limit` save requests in all (the time bound is `stop_at`)."""

    def __init__(self, limit: int):
        self.left, self.lock = limit, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


class Candidate(threading.Thread):
    def __init__(self, host: str, port: int, client: dict, stop_at: float, think: float, seed: int,
                 start_after: float = 0.0, budget: Budget | None = None):
        super().__init__(daemon=True)
        self.host, self.port, self.c, self.stop_at, self.think = host, port, client, stop_at, think
        self.rng = random.Random(seed)
        self.start_after, self.budget = start_after, budget
        self.done_at: list[float] = []      # monotonic time each save completed (for the achieved rate)
        self.latencies: list[float] = []
        self.confirmed: dict[int, str] = {}
        self.errors: list[str] = []
        self.retries = 0

    def _connect(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def run(self):
        conn = self._connect()
        path = f"/exams/attempts/{self.c['attempt']}/save/"
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
                   "X-CSRFToken": self.c["csrf"],
                   "Cookie": f"{self.c['cookie']}={self.c['session']}; csrftoken={self.c['csrf']}"}
        if self.start_after:                 # staggered starts: candidates do not all begin at once
            time.sleep(min(self.start_after, max(0.0, self.stop_at - time.monotonic())))
        last_used = time.monotonic()
        pending = None  # a change the server did not confirm (5xx): sent again, as delivery.js does
        while time.monotonic() < self.stop_at and (self.budget is None or self.budget.take()):
            if pending:
                item, choice = pending
            else:
                item = self.rng.choice(self.c["items"])
                choice = self.rng.choice([c for c in "ABCDE" if c != self.confirmed.get(item)])
            pending = None
            body = urllib.parse.urlencode({"item": item, "choice": choice})
            if time.monotonic() - last_used > IDLE_RECONNECT_S:  # the server closes idle keep-alives after 5 s
                conn.close()
                conn = self._connect()
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(type(exc).__name__)
                self.retries += 1
                pending = (item, choice)
                conn.close()
                conn = self._connect()
                continue
            self.latencies.append(time.perf_counter() - t0)
            last_used = time.monotonic()
            self.done_at.append(last_used)
            if response.status == 200 and json.loads(payload).get("saved"):
                self.confirmed[item] = choice
            else:
                self.errors.append(f"HTTP {response.status}")
                if response.status >= 500:  # as delivery.js does: keep the change and retry it
                    self.retries += 1
                    pending = (item, choice)
                    time.sleep(min(1.0, max(0.0, self.stop_at - time.monotonic())))
            if self.think:
                time.sleep(min(self.rng.uniform(0, 2 * self.think), max(0.0, self.stop_at - time.monotonic())))
        conn.close()


def wait_for(host: str, port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server on {host}:{port} did not answer within {timeout} s")


def count_lost(clients: list[dict], threads: list[Candidate]) -> tuple[int, int]:
    from cmrnet.exams.models import Answer

    lost = checked = 0
    for client, thread in zip(clients, threads):
        stored = dict(Answer.objects.filter(attempt_id=client["attempt"]).values_list("form_item_id", "choice"))
        for item, choice in thread.confirmed.items():
            checked += 1
            lost += stored.get(item) != choice
    return lost, checked


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between a candidate's changes")
    parser.add_argument("--stagger-s", type=float, default=None,
                        help="candidates start at random moments within this many seconds (default: the think time)")
    parser.add_argument("--max-saves", type=int, default=500_000, help="bound on the number of save requests")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the launched server")
    parser.add_argument("--url", help="a running server on loopback (shares the database with this process)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--sqlite-wal", action="store_true",
                        help="put the temporary SQLite database in WAL journal mode (persists in the file)")
    args = parser.parse_args(argv)

    tmp = None
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
        host, port = "127.0.0.1", free_port()

    from django.db import connection

    if args.sqlite_wal and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
    journal = ""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            journal = f" (journal_mode={cursor.execute('PRAGMA journal_mode').fetchone()[0]})"
    t0 = time.perf_counter()
    sitting_id, clients = prepare(args.candidates, args.items)
    print(f"prepared sitting {sitting_id}: {args.candidates} candidates, {args.items} items "
          f"in {time.perf_counter() - t0:.1f} s")

    server = None
    if not args.url:
        server = subprocess.Popen([str(CMRNET), "serve", "--host", host, "--port", str(port), "--no-collectstatic",
                                   "--workers", str(args.workers)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=open(Path(tmp) / "server.log", "w"))
    try:
        wait_for(host, port)
        if args.seconds > 900:
            raise SystemExit("bounded in time: at most 900 s")
        stagger = args.think_ms / 1000 if args.stagger_s is None else args.stagger_s
        stagger = min(stagger, args.seconds / 2)
        rng = random.Random(0)
        budget = Budget(args.max_saves)
        load_start = time.monotonic()
        stop_at = load_start + args.seconds
        threads = [Candidate(host, port, c, stop_at, args.think_ms / 1000, seed=i,
                             start_after=rng.uniform(0, stagger), budget=budget) for i, c in enumerate(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    latencies = sorted(x for t in threads for x in t.latencies)
    errors = [e for t in threads for e in t.errors]
    saved = sum(len(t.latencies) for t in threads) - sum(1 for e in errors if e.startswith("HTTP"))
    lost, checked = count_lost(clients, threads)
    p = (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000) if latencies else (lambda q: 0)
    print(f"server: {'given ' + args.url if args.url else f'cmrnet serve on {host}:{port} ({args.workers} worker(s))'}; "
          f"database: {connection.vendor}{journal}")
    print(f"candidates: {len(threads)}, duration: {elapsed:.1f} s")
    print(f"answers saved: {saved} ({saved / elapsed:.1f} answers/s over the whole run)")
    steady_from = load_start + stagger
    steady = sum(1 for t in threads for d in t.done_at if d >= steady_from)
    window = max(elapsed - stagger, 1e-9)
    offered = f"{len(threads) / (args.think_ms / 1000):.1f} saves/s" if args.think_ms else "as fast as answered"
    print(f"offered rate: {offered} ({len(threads)} candidates, a change every {args.think_ms / 1000:g} s on average, "
          f"starts staggered over {stagger:g} s); achieved after the starts: {steady / window:.1f} saves/s"
          + ("; stopped by --max-saves" if budget.left <= 0 else ""))
    print(f"save latency: p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms, "
          f"mean {statistics.fmean(latencies) * 1000 if latencies else 0:.1f} ms")
    print(f"retried after a 5xx/connection error: {sum(t.retries for t in threads)}; errors: {len(errors)}" + (f" ({', '.join(sorted(set(errors)))})" if errors else "")
          + (f"; server log: {tmp}/server.log" if errors and tmp else ""))
    print(f"answers lost: {lost} (of {checked} last-confirmed answers checked against the database)")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
