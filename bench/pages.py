"""Pages with data (issue 14): server time, HTML size and query count of the pages that grow with data.

    .venv/bin/python bench/pages.py [--cases 3000] [--certificates 5000] [--candidates 500] [--items 100]
                                    [--repeat 7] [--database-url URL]

In process, through the full middleware stack (Django's test Client: sessions, CSRF, security headers,
CSP, whitenoise, the lot), on a temporary data directory and SQLite database (or --database-url /
DATABASE_URL: an empty PostgreSQL database of your own). It builds a trainee with N cases supervised by a
mentor, a cohort of 30 trainees with 150 cases each, a public register of M certificates and a closed
sitting of C candidates x I items, then requests each page `--repeat` times and prints the median server
time (the time Client.get takes: URL resolution, middleware, view, queries, template) and the HTML size
against the targets of issue 14 (< 150 ms, < 200 KB), with the number of SQL queries. No network at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))          # tests.scale_data and tests.logbook.factories build the data
CMRNET = ROOT / ".venv" / "bin" / "cmrnet"
TARGET_MS, TARGET_KB = 150.0, 200.0


def setup(database_url: str | None) -> str:
    tmp = tempfile.mkdtemp(prefix="cmrnet-pages-")
    database_url = database_url or f"sqlite:///{tmp}/pages.sqlite3"
    env = {**os.environ, "CMRNET_DATA_DIR": tmp, "DATABASE_URL": database_url,
           "CMRNET_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    subprocess.run([str(CMRNET), "manage", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")
    import django

    django.setup()
    return tmp


def build_logbooks(n_cases: int, cohort: int, cohort_cases: int):
    from django.utils import timezone

    from cmrnet.logbook import services
    from cmrnet.people.roles import Role
    from cmrnet.people.services import create_person
    from tests.logbook.factories import generated_cases, ready_but_cases, supervise

    today = timezone.localdate()
    mentor = create_person(by=None, email="mentor@bench.local", full_name="Bench Mentor", roles=[Role.MENTOR])
    trainee = create_person(by=None, email="trainee@bench.local", full_name="Bench Trainee", roles=[Role.TRAINEE])
    ready_but_cases(trainee, mentor, today=today, cases=0)
    services.import_cases(by=trainee, trainee=trainee, rows=generated_cases(mentor, n_cases, today=today, prefix="B"))
    for i in range(cohort):
        person = create_person(by=None, email=f"cohort-{i}@bench.local", full_name=f"Cohort Trainee {i:02d}",
                               roles=[Role.TRAINEE])
        supervise(person, mentor, today=today)
        services.import_cases(by=person, trainee=person,
                              rows=generated_cases(mentor, cohort_cases, today=today, prefix=f"C{i}", seed=i))
    return trainee, mentor


def build_sitting(n_candidates: int, n_items: int):
    """A closed sitting: every candidate submitted an answer to every item (bulk-created; the page reads them)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from cmrnet.exams import services
    from cmrnet.exams.models import Answer, Attempt, Registration, Topic
    from cmrnet.exams.services.forms import ensure_topics
    from cmrnet.people.models import RoleGrant, User
    from cmrnet.people.roles import Role
    from cmrnet.people.services import create_person

    ensure_topics()
    board = create_person(by=None, email="board@bench.local", full_name="Bench Board", roles=[Role.EXAM_BOARD])
    reviewer = create_person(by=None, email="reviewer@bench.local", full_name="Bench Reviewer", roles=[Role.EXAM_BOARD])
    topic = Topic.objects.get(code="physics")
    for n in range(n_items):
        item = services.create_item(by=board, topic=topic, stem=f"Bench scenario {n}", key="ABCDE"[n % 5],
                                    **{f"option_{c}": f"Option {c.upper()} {n}" for c in "abcde"})
        services.submit_for_review(by=board, item=item)
        services.review_item(by=reviewer, item=item, approve=True)
    form = services.lock_form(by=board, form=services.propose_form(by=board, title="Bench form", n_items=n_items, seed=1))
    now = timezone.now()
    sitting = services.schedule_sitting(by=board, form=form, title="Bench sitting", start_opens=now - dt.timedelta(days=2),
                                        start_closes=now - dt.timedelta(days=2) + dt.timedelta(hours=3))
    form_items = list(form.form_items.select_related("version").order_by("position"))
    unusable = make_password(None)
    people = User.objects.bulk_create([User(email=f"cand-{i}@bench.local", full_name=f"Candidate {i:04d}",
                                            password=unusable) for i in range(n_candidates)])
    RoleGrant.objects.bulk_create([RoleGrant(user=p, role=Role.TRAINEE) for p in people])
    regs = Registration.objects.bulk_create([Registration(sitting=sitting, candidate=p) for p in people])
    started = sitting.start_opens + dt.timedelta(minutes=5)
    order = [fi.pk for fi in form_items]
    attempts = Attempt.objects.bulk_create([
        Attempt(registration=r, started_at=started, deadline=started + dt.timedelta(minutes=180), seed=n,
                submitted_at=started + dt.timedelta(minutes=150), submit_reason="candidate", item_order=order,
                option_orders={str(pk): "ABCDE" for pk in order}) for n, r in enumerate(regs)])
    rng = random.Random(7)
    answers = []
    for attempt in attempts:
        ability = rng.gauss(0, 1)
        for k, fi in enumerate(form_items):
            difficulty = (k % 10 - 4.5) / 3
            right = rng.random() < 1 / (1 + 2.718 ** (difficulty - ability))
            key = fi.version.key
            choice = key if right else rng.choice([c for c in "ABCDE" if c != key])
            answers.append(Answer(attempt=attempt, form_item=fi, choice=choice, saves=1, updated_at=started))
    Answer.objects.bulk_create(answers, batch_size=5000)
    return sitting, board


def measure(client, url: str, repeat: int) -> tuple[float, float, int, int, int]:
    """(median wall ms, median CPU ms, bytes, queries, status) of GET url through the whole stack.

    CPU is this process's CPU time during the request (client and server are one thread here, the client's
    share is negligible): it is the server's cost, and unlike wall time it does not grow when other programs
    share the cores. The database is in process too (SQLite); with PostgreSQL its own CPU is not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)                       # warm: templates compiled, caches filled
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return (statistics.median(wall), statistics.median(cpu), len(response.content), len(ctx.captured_queries),
            response.status_code)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--certificates", type=int, default=5000)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--cohort", type=int, default=30, help="trainees on the mentor's cohort page")
    parser.add_argument("--cohort-cases", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)

    setup(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tests.scale_data import many_certificates

    t0 = time.perf_counter()
    trainee, mentor = build_logbooks(args.cases, args.cohort, args.cohort_cases)
    many_certificates(args.certificates, today=timezone.localdate())
    sitting, board = build_sitting(args.candidates, args.items)
    print(f"database: {connection.vendor}; data built in {time.perf_counter() - t0:.1f} s "
          f"({args.cases} cases, cohort {args.cohort} x {args.cohort_cases}, {args.certificates} certificates, "
          f"{args.candidates} x {args.items} answers)")

    def client_for(person):
        client = Client(HTTP_HOST="127.0.0.1")
        if person is not None:
            client.force_login(person)
        return client

    pages = [
        (f"logbook, trainee's own ({args.cases} cases)", trainee, "/logbook/"),
        (f"logbook, supervisor's view ({args.cases} cases)", mentor, f"/logbook/trainee/{trainee.pk}/"),
        (f"logbook, search + sort + page 7 ({args.cases} cases)", mentor,
         f"/logbook/trainee/{trainee.pk}/?q=isch&sort=-category&page=7"),
        (f"progress ({args.cases} cases)", trainee, "/logbook/progress/"),
        (f"public register ({args.certificates} certificates)", None, "/certification/register/"),
        (f"public register, country + sort + page 20", None, "/certification/register/?country=de&sort=-valid_until&page=20"),
        (f"item analysis ({args.candidates} x {args.items})", board, f"/exams/sittings/{sitting.pk}/analysis/"),
        (f"cohort ({args.cohort} trainees x {args.cohort_cases} cases)", mentor, "/logbook/cohort/"),
    ]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"\n{'page':52} {'CPU ms':>7} {'wall ms':>8} {'target':>7} {'HTML KB':>8} {'target':>7} {'queries':>8}")
    failed = 0
    for label, person, url in pages:
        wall, cpu, size, queries, status = measure(client_for(person), url, args.repeat)
        ok = status == 200 and cpu < TARGET_MS and size / 1024 < TARGET_KB
        failed += not ok
        print(f"{label:52} {cpu:7.1f} {wall:8.1f} {'<' + str(int(TARGET_MS)):>7} {size / 1024:8.1f} "
              f"{'<' + str(int(TARGET_KB)):>7} {queries:8d}  {'ok' if ok else 'MISSED' if status == 200 else f'HTTP {status}'}")
    print(f"\n{len(pages) - failed} of {len(pages)} pages within both targets (server CPU time, median of {args.repeat} "
          f"requests each; wall time also counts waiting for a shared core)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
