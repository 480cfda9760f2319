"""Viewer benchmark: time to first frame of a 300-image short-axis cine stack, on loopback.

    .venv/bin/python bench/viewer.py [--slices 12] [--phases 25] [--matrix 192] [--runs 5] [--seconds 120]

It prepares a temporary data directory and SQLite database, migrates, generates a known-truth phantom
(SLICES x PHASES images, MATRIX x MATRIX, 16-bit) with `cmrnet.library.phantom`, brings it into the
library through the real ingest (de-identification, file store) and publishes it, then starts
`cmrnet serve` on a free 127.0.0.1 port and opens the case's viewer page in headless Chromium (Debian's
`chromium`) RUNS times, each in a fresh browser context (cold cache, signed in as a trainee). For every
run it reads, from the page itself (performance.now(), milliseconds since navigation start):

- first frame: the first image drawn on the canvas (HTML, scripts, manifest, one raw frame, W/L, draw);
- stack load: every frame of the series fetched and decoded in the browser, and in how many requests (the
  viewer uses the series' batch endpoint; ``--compare`` also runs it one frame per request, same server);
- cine: the frame rate reached while playing for two seconds, against the acquired rate.

It prints the median, min and max. Loopback only; every wait is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def free_port(first: int = 8660, last: int = 8679) -> int:
    """A free port on 127.0.0.1 in this benchmark's range (CMRNET_BENCH_PORTS=8660-8679)."""
    first, last = (int(x) for x in os.environ.get("CMRNET_BENCH_PORTS", f"{first}-{last}").split("-"))
    for port in range(first, last + 1):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise SystemExit(f"no free port in {first}-{last}")


def prepare(data_dir: str, slices: int, phases: int, matrix: int) -> tuple[int, str, float]:
    """The phantom case in the library; returns (case id, a trainee's session cookie value, frame time)."""
    os.environ["CMRNET_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")
    import django

    django.setup()
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from cmrnet.library import phantom
    from cmrnet.library.ingest import ingest, new_case, read_folder
    from cmrnet.library.models import Series
    from cmrnet.library.services import publish_case
    from cmrnet.network.models import Centre
    from cmrnet.people.services import create_person

    call_command("migrate", verbosity=0, interactive=False)
    centre = Centre.objects.create(name="Bench Centre", city="Bench", country="DE", beds=100, annual_scan_volume=100,
                                   joined_on=dt.date(2020, 1, 1))
    mentor = create_person(by=None, email="mentor@bench.invalid", full_name="Bench Mentor", password="bench-password-1",
                           roles=["mentor"], centre=centre)
    trainee = create_person(by=None, email="trainee@bench.invalid", full_name="Bench Trainee",
                            password="bench-password-1", roles=["trainee"], centre=centre)
    started = time.perf_counter()
    truth, cine, heights = phantom.generate(150, 60, 120, phases=phases, slices=slices, matrix=matrix)
    folder = Path(data_dir) / "phantom"
    phantom.write_dicom(folder, truth, cine, heights)
    case = new_case(by=mentor, title="Bench phantom", category="cardiomyopathy", centre=centre, phantom=True)
    result = ingest(by=mentor, case=case, files=read_folder(folder), source="command")
    publish_case(by=mentor, case=case)
    series = Series.objects.get(study__case=case)
    print(f"prepared: {result.counts['deidentified']} images {matrix}x{matrix} ({slices} slices x {phases} phases) "
          f"ingested in {time.perf_counter() - started:.1f} s; frame time {series.frame_time_ms} ms")
    store = SessionStore()
    store[SESSION_KEY] = str(trainee.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = trainee.get_session_auth_hash()
    store.create()
    return case.pk, store.session_key, series.frame_time_ms or 0.0


def start_server(data_dir: str, port: int) -> subprocess.Popen:
    # as in production: collectstatic (whitenoise's compressed manifest storage) into the data directory
    env = {**os.environ, "CMRNET_DATA_DIR": data_dir, "DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3",
           "CMRNET_LOG_LEVEL": "WARNING"}
    env.pop("CMRNET_STATICFILES_STORAGE", None)
    process = subprocess.Popen([sys.executable, "-m", "cmrnet.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("cmrnet serve did not start")


def _without_batch(route) -> None:
    """The manifest without the series' batch URL: the viewer then fetches one frame per request (the old way)."""
    response = route.fetch()
    body = response.json()
    for series in body["series"]:
        series.pop("frames_url", None)
    route.fulfill(response=response, json=body)


def measure(port: int, case_id: int, session: str, runs: int, seconds: float, batch: bool = True) -> list[dict]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CMRNET_CHROMIUM") or "/usr/bin/chromium"
    url = f"http://127.0.0.1:{port}/interpretation/cases/{case_id}/viewer/"
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1366, "height": 900})
                context.add_cookies([{"name": "sessionid", "value": session, "domain": "127.0.0.1", "path": "/"}])
                page = context.new_page()
                page.set_default_timeout(seconds * 1000)
                if not batch:
                    page.route("**/manifest.json", _without_batch)
                page.goto(url)
                page.wait_for_selector("[data-cmr-viewer][data-first-frame-ms]", state="attached")
                first = float(page.get_attribute("[data-cmr-viewer]", "data-first-frame-ms"))
                # where the time went: the page itself, the manifest, the first raw frame (responseEnd, ms)
                parts = page.evaluate("""() => {
                  const nav = performance.getEntriesByType('navigation')[0];
                  const res = performance.getEntriesByType('resource');
                  const manifest = res.find((r) => r.name.includes('manifest.json'));
                  const frames = res.filter((r) => /\/frames[/?]/.test(r.name)).map((r) => r.responseEnd);
                  return {page: nav.responseEnd, manifest: manifest ? manifest.responseEnd : null,
                          frame: frames.length ? Math.min(...frames) : null};
                }""")
                page.wait_for_function("() => { const s = window.cmrViewer.series[0]; return s && s.loaded === s.total; }")
                whole = page.evaluate("() => performance.now()")
                requests = page.evaluate("() => window.cmrViewer.series[0].requests")
                page.click("[data-action=play]")
                page.wait_for_timeout(2500)
                fps = page.evaluate("() => window.cmrViewer.active.fps")
                page.click("[data-action=play]")
                results.append({"first_ms": first, "whole_ms": whole, "fps": fps, "page_ms": parts["page"],
                                "manifest_ms": parts["manifest"], "frame_ms": parts["frame"], "requests": requests})
                context.close()
        finally:
            browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slices", type=int, default=12)
    parser.add_argument("--phases", type=int, default=25)
    parser.add_argument("--matrix", type=int, default=192)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--compare", action="store_true",
                        help="also load the stack one frame per request (the viewer without the batch endpoint), same server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cmrnet-viewer-bench-") as data_dir:
        case_id, session, frame_time = prepare(data_dir, args.slices, args.phases, args.matrix)
        port = free_port()
        server = start_server(data_dir, port)
        try:
            results = {"batched (series batch endpoint)": measure(port, case_id, session, args.runs, args.seconds)}
            if args.compare:
                results["one frame per request"] = measure(port, case_id, session, args.runs, args.seconds, batch=False)
        finally:
            server.terminate()
            server.wait(timeout=20)
    images = args.slices * args.phases
    mb = images * args.matrix * args.matrix * 2 / 1e6
    print(f"viewer on 127.0.0.1, {images} images ({mb:.1f} MB of raw 16-bit pixels), {args.runs} cold runs per mode")
    for mode, rows in results.items():
        print(f"{mode}:")
        for key, label, unit in (("first_ms", "time to first frame", "ms"), ("page_ms", "  page received", "ms"),
                                 ("manifest_ms", "  manifest received", "ms"), ("frame_ms", "  first frame received", "ms"),
                                 ("whole_ms", f"stack load ({images} images)", "ms"), ("requests", "  frame requests", ""),
                                 ("fps", "cine frame rate", "fps")):
            values = [r[key] for r in rows if r[key] is not None]
            if values:
                print(f"  {label:24s} median {statistics.median(values):8.1f} {unit:3s}  min {min(values):8.1f}   max {max(values):8.1f}")
    if frame_time:
        print(f"  acquired rate          {1000 / frame_time:8.1f} fps (frame time {frame_time:g} ms)")


if __name__ == "__main__":
    main()
