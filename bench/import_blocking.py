"""Does a maximum-size package import block other writes? Exam answer saves while it runs.

    .venv/bin/python bench/import_blocking.py [--candidates 20] [--seconds 40] [--import-after 3]
                                              [--database-url URL] [--workers 1]

Prepares a temporary site (SQLite in a temporary data directory, or --database-url), an open exam
sitting with N candidates (bench/exam_load.py's machinery) and a trainee with a supervisor, builds
the largest package the import accepts (cmrnet.logbook.package: MAX_CASES cases, MAX_TRAINING
training periods, MAX_CME CME activities each with a PDF certificate, MAX_PEER peer-recognition
entries), and launches `cmrnet serve` on a free loopback port. The candidates save answers for
--seconds; after --import-after seconds the trainee uploads the package through the import page.
Prints the import's duration and outcome, and the p50/p99 save latency and the errors, overall and
for the saves made while the import ran. Target: 0 errors. Loopback only; bounded in count and time.
Run with PYTHONPATH=<other checkout>/src to measure another version of the code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import exam_load  # noqa: E402  (the sitting, the candidates and the server come from the exam bench)

PDF = b"%PDF-1.4\n% bench certificate\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Stamped(list):
    """A candidate's latencies, each with the moment its save ended."""

    def __init__(self):
        super().__init__()
        self.ended: list[float] = []

    def append(self, value):
        super().append(value)
        self.ended.append(time.monotonic())


def trainee_with_supervisor():
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cmrnet.people.roles import Role
    from cmrnet.people.services import add_certification, add_supervision, create_person

    stamp = uuid.uuid4().hex[:6]
    mentor = create_person(by=None, email=f"bench-mentor-{stamp}@bench.local", full_name="Bench Mentor",
                           roles=[Role.MENTOR])
    trainee = create_person(by=None, email=f"bench-trainee-{stamp}@bench.local", full_name="Bench Trainee",
                            roles=[Role.TRAINEE])
    add_certification(by=None, holder=mentor, body="EACVI", level=3, awarded_on=dt.date(2018, 1, 1),
                      valid_until=dt.date(2030, 1, 1))
    add_supervision(by=None, trainee=trainee, supervisor=mentor, started_on=dt.date(2020, 1, 1))
    session = SessionStore()
    session[SESSION_KEY] = str(trainee.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = trainee.get_session_auth_hash()
    session.create()
    return trainee, mentor, session.session_key


def largest_package(supervisor_email: str) -> bytes:
    """The biggest package the import accepts, in the check-application format."""
    from dataclasses import replace

    from cmrnet import rules
    from cmrnet.logbook import package
    from cmrnet.rules.testing import make_cases

    limits = {name: getattr(package, name, default) for name, default in   # defaults: measure code without caps too
              (("MAX_CASES", 5000), ("MAX_TRAINING", 200), ("MAX_CME", 300), ("MAX_PEER", 200))}
    cases = make_cases(limits["MAX_CASES"], dt.date(2021, 1, 1), dt.date(2024, 12, 31), seed=7, prefix="b")
    cases = tuple(replace(c, supervisor_id=supervisor_email) for c in cases)
    training = tuple(rules.TrainingPeriod(f"t{n}", dt.date(2022, 1, 1) + dt.timedelta(days=7 * n),
                                          dt.date(2022, 1, 1) + dt.timedelta(days=7 * n + 5), 35.0, supervisor_email,
                                          "Bench Centre") for n in range(limits["MAX_TRAINING"]))
    cme = tuple(rules.CmeActivity(f"cme-{n}", f"Course {n}", "EACVI", "course", dt.date(2023, 1, 1),
                                  dt.date(2023, 1, 2), 6.0, 1, "", f"certificates/c{n}.pdf")
                for n in range(limits["MAX_CME"]))
    peer = rules.PeerRecognition(publications=limits["MAX_PEER"])
    candidate = rules.Candidate(exam_date=dt.date(2024, 6, 1), exam_passed=True, peer_recognition=peer)
    data = rules.ApplicationData(candidate=candidate, cases=cases, supervisors=(), training=training, cme=cme)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        folder = rules.write_package(Path(tmp) / "pkg", data)
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        for activity in cme:
            archive.writestr(activity.certificate, PDF)
    return buffer.getvalue()


def upload(host: str, port: int, session: str, blob: bytes, result: dict) -> None:
    """POST the package to the import page as the browser does (multipart, CSRF token)."""
    from django.conf import settings

    csrf = uuid.uuid4().hex
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; filename=\"logbook.zip\"\r\n"
            f"Content-Type: application/zip\r\n\r\n").encode() + blob + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
               "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={csrf}"}
    conn = http.client.HTTPConnection(host, port, timeout=600)
    result["start"] = time.monotonic()
    conn.request("POST", "/logbook/package/import/", body=body, headers=headers)
    response = conn.getresponse()
    page = response.read().decode(errors="replace")
    result["end"] = time.monotonic()
    result["status"] = response.status
    if response.status != 302:
        result["error"] = page.split("Nothing was imported:", 1)[-1][:300] if "Nothing was imported" in page else page[:300]
    conn.close()


def percentiles(values: list[float]) -> str:
    if not values:
        return "no saves"
    values = sorted(values)
    at = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1000  # noqa: E731
    return f"p50 {at(0.5):.0f} ms, p99 {at(0.99):.0f} ms, max {values[-1] * 1000:.0f} ms ({len(values)} saves)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=40.0, help="how long the candidates save (bounded)")
    parser.add_argument("--import-after", type=float, default=3.0)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)
    if args.candidates > 500 or args.seconds > 300:
        raise SystemExit("bounded: at most 500 candidates and 300 seconds")

    tmp = tempfile.mkdtemp(prefix="cmrnet-bench-import-")
    database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    env = {**os.environ, "CMRNET_DATA_DIR": tmp, "DATABASE_URL": database_url,
           "CMRNET_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    subprocess.run([str(exam_load.CMRNET), "manage", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    exam_load.setup_django(tmp, database_url)
    from django.db import connection

    sitting_id, clients = exam_load.prepare(args.candidates, args.items)
    trainee, mentor, session = trainee_with_supervisor()
    blob = largest_package(mentor.email)
    print(f"prepared sitting {sitting_id} ({args.candidates} candidates) and a {len(blob) / 2**20:.1f} MB package; "
          f"database: {connection.vendor}")
    connection.close()

    host, port = "127.0.0.1", exam_load.free_port()
    server = subprocess.Popen([str(exam_load.CMRNET), "serve", "--host", host, "--port", str(port),
                               "--no-collectstatic", "--workers", str(args.workers)],
                              env=env, stdout=subprocess.DEVNULL, stderr=open(Path(tmp) / "server.log", "w"))
    result: dict = {}
    try:
        exam_load.wait_for(host, port)
        stop_at = time.monotonic() + args.seconds
        threads = [exam_load.Candidate(host, port, c, stop_at, 0.05, seed=i) for i, c in enumerate(clients)]
        for t in threads:
            t.latencies = Stamped()
            t.start()
        time.sleep(args.import_after)
        importer = threading.Thread(target=upload, args=(host, port, session, blob, result), daemon=True)
        importer.start()
        for t in threads:
            t.join()
        importer.join(timeout=max(1.0, stop_at + 600 - time.monotonic()))
    finally:
        server.terminate()
        server.wait(timeout=30)

    from cmrnet.logbook.models import Case

    all_saves = [x for t in threads for x in t.latencies]
    during = [x for t in threads for x, end in zip(t.latencies, t.latencies.ended)
              if "start" in result and result["start"] <= end - x <= result.get("end", float("inf"))]
    errors = [e for t in threads for e in t.errors]
    lost, checked = exam_load.count_lost(clients, threads)
    took = result.get("end", float("nan")) - result.get("start", float("nan"))
    outcome = "imported" if result.get("status") == 302 else f"HTTP {result.get('status')}: {result.get('error', '')}"
    print(f"package import: {outcome} in {took:.1f} s; cases now in the logbook: "
          f"{Case.objects.filter(trainee=trainee).count()}")
    print(f"exam saves, whole run: {percentiles(all_saves)}")
    print(f"exam saves while the import ran: {percentiles(during)}")
    print(f"errors: {len(errors)}" + (f" ({', '.join(sorted(set(errors)))}; server log {tmp}/server.log)" if errors else "")
          + f"; answers lost: {lost} of {checked}")
    return 1 if errors or lost or result.get("status") != 302 else 0


if __name__ == "__main__":
    sys.exit(main())
