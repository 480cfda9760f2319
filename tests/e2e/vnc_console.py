"""A real VNC server for the scan-control tests: Xvfb (a virtual display), xev (a tiny window app that
prints every click it receives) and x11vnc serving that display on 127.0.0.1 with a password, all inside
the loopback-only network namespace of the browser tests (tests/e2e/loopback_ns.py), beside the server.
`.ci/run` installs the Debian packages (xvfb, x11vnc, x11-utils)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

NEEDED = ("Xvfb", "x11vnc", "xev", "stdbuf")


@dataclass
class VncConsole:
    port: int
    secret: str
    events: Path

    def clicks(self) -> int:
        return self.events.read_text(errors="replace").count("ButtonPress event")


WAIT_PORT = """import socket, sys, time
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0:
            sys.exit(0)
    time.sleep(0.2)
sys.exit(1)
"""


def _wait_port(netns, port: int, timeout: float = 20) -> None:
    """Wait until x11vnc listens on the namespace's 127.0.0.1 (asked from inside the namespace)."""
    if netns.run([sys.executable, "-c", WAIT_PORT, str(port), str(timeout)], timeout=timeout + 30).returncode != 0:
        raise TimeoutError(f"nothing listens on 127.0.0.1:{port} in the loopback namespace")


@pytest.fixture
def vnc_console(tmp_path, loopback_ns):
    missing = [tool for tool in NEEDED if not shutil.which(tool)]
    if missing:
        message = f"scan-control test needs {', '.join(missing)} (apt-get install xvfb x11vnc x11-utils)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    number = int(os.environ.get("CMRNET_TEST_DISPLAY", "61"))
    display, port, secret = f":{number}", 5900 + number, "scanner-42"
    events = tmp_path / "xev.log"
    env = {**os.environ, "DISPLAY": display}
    processes = []
    try:
        processes.append(subprocess.Popen(loopback_ns.wrap(["Xvfb", display, "-screen", "0", "1280x720x24", "-nolisten", "tcp"]),
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 15
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if time.monotonic() > deadline:
                pytest.fail("Xvfb did not start")
            time.sleep(0.1)
        processes.append(subprocess.Popen(loopback_ns.wrap(["stdbuf", "-oL", "xev", "-geometry", "1280x720+0+0", "-event", "button"]), env=env,
                                          stdout=events.open("w"), stderr=subprocess.STDOUT))
        processes.append(subprocess.Popen(loopback_ns.wrap(["x11vnc", "-display", display, "-rfbport", str(port), "-localhost",
                                                            "-passwd", secret, "-shared", "-forever", "-nopw", "-quiet",
                                                            "-noxdamage", "-norc"]),
                                          stdout=(tmp_path / "x11vnc.log").open("w"), stderr=subprocess.STDOUT))
        _wait_port(loopback_ns, port)
        yield VncConsole(port=port, secret=secret, events=events)
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
