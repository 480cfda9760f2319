"""Cost of refusing a hostile .xlsx case import: time and peak memory of reading each crafted file.

    .venv/bin/python bench/xlsx_import.py [--bomb-mb 1000] [--rows 50000]

Crafted files (tests/logbook/xlsx_crafted.py): a zip bomb (a valid workbook whose sheet unpacks to
--bomb-mb MB, about 1 MB on disk), a workbook of --rows small rows, and an XML entity bomb. Each is
read by cmrnet.logbook.importing.read_table in a fresh child process (the upload path of the import
page); the child reports the outcome, the seconds spent and its peak resident memory. Run it with
PYTHONPATH=<other checkout>/src to measure another version of the code (e.g. before the limits).
No network; no database.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from cmrnet.logbook import importing
content = open(sys.argv[1], "rb").read()
start = time.perf_counter()
try:
    rows = importing.read_table(SimpleUploadedFile("cases.xlsx", content))
    outcome = f"read {len(rows)} rows"
except importing.ImportFileError as error:
    outcome = f"refused: {error}"
except Exception as error:
    outcome = f"failed: {type(error).__name__}: {str(error)[:80]}"
seconds = time.perf_counter() - start
status = open("/proc/self/status").read()     # VmHWM: this process's peak (ru_maxrss survives exec)
peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per file before giving up")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.logbook.xlsx_crafted import case_rows, entity_bomb, workbook, zip_bomb

    files = {f"zip bomb ({args.bomb_mb} MB unpacked)": lambda: zip_bomb(args.bomb_mb),
             f"{args.rows} rows": lambda: workbook(case_rows(args.rows)),
             "XML entity bomb": entity_bomb}
    env = {**os.environ, "CMRNET_DATA_DIR": tempfile.mkdtemp(prefix="cmrnet-bench-xlsx-")}
    print(f"cmrnet code: {os.environ.get('PYTHONPATH') or 'installed'}")
    for label, make in files.items():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            handle.write(make())
            handle.flush()
            size = os.path.getsize(handle.name) / 2**20
            started = time.perf_counter()
            try:
                done = subprocess.run([sys.executable, "-c", CHILD, handle.name], capture_output=True, text=True,
                                      env=env, timeout=args.timeout)
                result = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else \
                    {"outcome": f"child exited {done.returncode}: {done.stderr.strip()[-120:]}", "seconds": float("nan"),
                     "peak_mb": float("nan")}
            except subprocess.TimeoutExpired:
                result = {"outcome": f"gave up after {args.timeout} s", "seconds": float("nan"), "peak_mb": float("nan")}
            print(f"{label:34} {size:6.2f} MB file  {result['seconds']:7.2f} s  peak {result['peak_mb']:7.0f} MB  "
                  f"{result['outcome'][:90]}  (wall {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
