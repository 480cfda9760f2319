"""A network namespace that has only the loopback interface, for the WebRTC browser tests.

Issue 10's network rule: media and signalling of the live-room tests go to 127.0.0.1 and nowhere else,
not even to this machine's own address. Chromium's ICE gathers host candidates on every interface of the
network namespace it runs in; a filter in our JavaScript (CMRNET_LIVE_LOOPBACK_ONLY) only decides which
candidates are handed to the other peer. Here the test server (`cmrnet serve`) and the Chromium browsers
run inside a namespace of their own whose only interface is `lo` (127.0.0.1, ::1): there is no other
address to gather, no route to any other host, and a packet cannot leave the namespace. The tests check
that (`interfaces()`), and then that every selected ICE candidate pair is 127.0.0.1 on both ends.

The namespace is made with util-linux `unshare --net`, held open by a small Python process that exits when
its stdin closes (so it cannot outlive the pytest process that made it), and entered with `nsenter`.
As root (CI, the developers' machines) that is all; without root an unprivileged user namespace is added
(`unshare --user --map-root-user`) where the kernel allows it. The browsers reach Playwright through the
pipes they inherit (--remote-debugging-pipe), which do not depend on the network namespace; a server in
the namespace reaches PostgreSQL through its Unix socket (a file, not a network address).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

HOLD = "import sys; sys.stdin.read()"  # lives until the pipe from the test process closes


class NamespaceUnavailable(RuntimeError):
    pass


class LoopbackNamespace:
    def __init__(self) -> None:
        missing = [tool for tool in ("unshare", "nsenter", "ip") if not shutil.which(tool)]
        if missing:
            raise NamespaceUnavailable(f"{', '.join(missing)} not found (Debian: util-linux, iproute2)")
        self.user = os.geteuid() != 0
        flags = ["--user", "--map-root-user", "--net"] if self.user else ["--net"]
        self.holder = subprocess.Popen(["unshare", *flags, sys.executable, "-c", HOLD], stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            self._wait_entered()
            self.run(["ip", "link", "set", "lo", "up"], check=True)
        except Exception as exc:
            self.close()
            raise NamespaceUnavailable(f"could not make a loopback-only network namespace: {exc}") from exc

    def _wait_entered(self) -> None:
        """unshare execs the holder once the namespace exists: wait until /proc shows a different netns."""
        import time

        mine = os.readlink("/proc/self/ns/net")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.holder.poll() is not None:
                raise NamespaceUnavailable(self.holder.stderr.read().decode(errors="replace").strip() or "unshare failed")
            try:
                if os.readlink(f"/proc/{self.holder.pid}/ns/net") != mine:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise NamespaceUnavailable("unshare did not create the namespace within 10 s")

    @property
    def prefix(self) -> list[str]:
        user = ["--user", "--preserve-credentials"] if self.user else []
        return ["nsenter", f"--target={self.holder.pid}", "--net", *user]

    def wrap(self, command: list[str]) -> list[str]:
        return [*self.prefix, *command]

    def run(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        kwargs.setdefault("timeout", 60)
        return subprocess.run(self.wrap(command), capture_output=True, text=True, **kwargs)

    def interfaces(self) -> dict[str, list[str]]:
        """Every interface of the namespace with its addresses, as `ip -o addr` shows them."""
        out: dict[str, list[str]] = {}
        for line in self.run(["ip", "-o", "link"], check=True).stdout.splitlines():
            out[line.split(":")[1].strip().split("@")[0]] = []
        for line in self.run(["ip", "-o", "addr"], check=True).stdout.splitlines():
            fields = line.split()
            out.setdefault(fields[1], []).append(fields[3].split("/")[0])
        return out

    def chromium(self, chromium: str, directory: Path) -> str:
        """A launcher for Playwright's executable_path that starts Chromium inside the namespace."""
        script = directory / "chromium-in-loopback-ns"
        script.write_text("#!/bin/sh\n# Chromium inside the loopback-only network namespace (tests/e2e/loopback_ns.py)\n"
                          f"exec {shlex.join([*self.prefix, chromium])} \"$@\"\n")
        script.chmod(0o755)
        return str(script)

    def close(self) -> None:
        if self.holder.poll() is None:
            self.holder.stdin.close()
            try:
                self.holder.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.holder.kill()
                self.holder.wait(timeout=10)
