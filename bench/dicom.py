"""Benchmark of DICOM de-identification: cmrnet's engine beside dicognito on the same files, in one run.

    .venv/bin/python bench/dicom.py [--copies 8] [--phases 25] [--slices 10] [--runs 3]

The file set: the torture set (pydicom's MR test image in seven transfer syntaxes, planted identifiers,
a burned-in instance, a screenshot; ``--copies`` repeats it) plus a known-truth phantom short-axis cine
(``--phases`` x ``--slices`` images of 128 x 128). Both engines read the bytes, de-identify and write
the result to memory; the figure is input megabytes per second (best of ``--runs``), single core.
It also counts, for each engine, the output files in which a planted identifier survived: throughput
means little if identifiers get through. dicognito is the `bench` extra (pip install -e '.[bench]').

Viewer time to first frame is measured in the browser by the viewer's bench (docs/case-library.md);
here the server side is timed: series metadata + the first raw frame of a 300-image cine, in process.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pydicom

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cmrnet.library import phantom, torture  # noqa: E402
from cmrnet.library.deid import DeidError, Keys, deidentify  # noqa: E402


def file_set(folder: Path, copies: int, phases: int, slices: int) -> list[bytes]:
    torture.build(folder / "torture", copies=copies)
    truth, cine, heights = phantom.generate(150, 60, 120, phases=phases, slices=slices)
    phantom.write_dicom(folder / "phantom", truth, cine, heights)
    files = [p.read_bytes() for p in sorted(folder.rglob("*.dcm"))]
    return files


def leaked(blob: bytes) -> bool:
    ds = pydicom.dcmread(io.BytesIO(blob))
    if ds.file_meta.TransferSyntaxUID.is_deflated:
        plain = io.BytesIO()
        ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
        ds.save_as(plain, enforce_file_format=True)
        blob = plain.getvalue()
    lowered = blob.lower()
    return any(p.lower().encode() in lowered for p in torture.PLANTED)


def run_cmrnet(files: list[bytes]) -> list[bytes]:
    keys = Keys(b"bench-secret")
    out = []
    for data in files:
        try:
            out.append(deidentify(data, keys=keys).data)
        except DeidError:
            pass
    return out


def run_dicognito(files: list[bytes]) -> list[bytes]:
    from dicognito.anonymizer import Anonymizer

    anonymizer = Anonymizer(seed="bench-secret")
    out = []
    for data in files:
        ds = pydicom.dcmread(io.BytesIO(data))
        anonymizer.anonymize(ds)
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def timed(engine, files: list[bytes], runs: int) -> tuple[float, list[bytes]]:
    best, out = float("inf"), []
    for _ in range(runs):
        started = time.perf_counter()
        out = engine(files)
        best = min(best, time.perf_counter() - started)
    return best, out


def frame_latency(phases: int = 25, slices: int = 12) -> str:
    """Server side: series metadata + first raw frame of a phases x slices cine, in process (Django test client)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")
    data_dir = tempfile.mkdtemp(prefix="cmrnet-bench-")
    os.environ["CMRNET_DATA_DIR"] = data_dir
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from cmrnet.library import ingest, services
    from cmrnet.people.services import create_person

    call_command("migrate", verbosity=0)
    mentor = create_person(by=None, email="bench@example.org", full_name="Bench", password="bench-password-1",
                           roles=["mentor"], centre=None)
    case = services.create_case(by=mentor, title="bench", category="other", phantom=True)
    truth, cine, heights = phantom.generate(150, 60, 120, phases=phases, slices=slices)
    with tempfile.TemporaryDirectory() as folder:
        phantom.write_dicom(Path(folder), truth, cine, heights)
        ingest.ingest(by=mentor, case=case, files=ingest.read_folder(Path(folder)), source="demo")
    series = case.studies.get().series.get()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(mentor)
    client.get(f"/library/series/{series.pk}/metadata.json")  # warm-up: URL resolver, middleware
    times = []
    for _ in range(5):
        started = time.perf_counter()
        meta = client.get(f"/library/series/{series.pk}/metadata.json").json()
        first = client.get(meta["instances"][0]["frames"][0])
        times.append(time.perf_counter() - started)
        assert first.status_code == 200
    return (f"{len(meta['instances'])}-image cine: series metadata + first raw frame, median of 5: "
            f"{statistics.median(times) * 1000:.0f} ms (server side, in process, no browser cache)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--phases", type=int, default=25)
    parser.add_argument("--slices", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-frames", action="store_true", help="skip the frame latency figure (needs no database)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        files = file_set(Path(tmp), args.copies, args.phases, args.slices)
    megabytes = sum(len(f) for f in files) / 1e6
    print(f"{len(files)} DICOM files, {megabytes:.1f} MB (torture set x{args.copies} + a {args.phases}x{args.slices} phantom cine)")
    engines = [("cmrnet (PS3.15 table as data, pydicom)", run_cmrnet)]
    try:
        import dicognito  # noqa: F401

        engines.append((f"dicognito {dicognito.__version__}", run_dicognito))
    except ImportError:
        print("dicognito is not installed (pip install -e '.[bench]'): no comparison")
    # Runs alternate between the engines, so that a change of load on a shared machine hits both alike.
    best: dict[str, float] = {}
    outputs: dict[str, list[bytes]] = {}
    for _ in range(args.runs):
        for name, engine in engines:
            seconds, outputs[name] = timed(engine, files, 1)
            best[name] = min(best.get(name, float("inf")), seconds)
    for name, _ in engines:
        seconds, out = best[name], outputs[name]
        leaks = sum(1 for blob in out if leaked(blob))
        print(f"{name:42s} {megabytes / seconds:7.1f} MB/s  {len(files) / seconds:7.0f} files/s  "
              f"files with a planted identifier left: {leaks} of {len(out)}")
    if not args.no_frames:
        print(frame_latency())
    return 0


if __name__ == "__main__":
    sys.exit(main())
