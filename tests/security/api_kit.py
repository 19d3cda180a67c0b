"""A real `flowrt serve` process for the API abuse tests, and plain HTTP helpers around it."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HEADERS = {"X-Flowrt-Request": "1", "Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    url: str
    host: str
    port: int
    flows: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def rss(self) -> int:
        """The server process's resident memory, in bytes (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS in /proc/<pid>/status")


@contextmanager
def serving(flows: Path, *args: str) -> Iterator[Served]:
    """`flowrt serve --flows FLOWS ARGS` on a free port, once it answers /health."""
    exe = shutil.which("flowrt")
    base = [exe] if exe else [sys.executable, "-m", "flowrt"]
    port = free_port()
    log = flows.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*base, "serve", "--flows", str(flows), "--port", str(port),
                                 *args], stdout=out, stderr=subprocess.STDOUT, cwd=flows.parent)
    served = Served(f"http://127.0.0.1:{port}", "127.0.0.1", port, flows, log, proc)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"flowrt serve exited with {proc.returncode}:\n{served.log_text()}")
            try:
                if call(served.url + "/health", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"flowrt serve did not answer /health in 90 s:\n{served.log_text()}")
            time.sleep(0.2)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def call(url: str, method: str = "GET", body: Any = None,
         timeout: float = 60) -> tuple[int, Any]:
    """(status, decoded JSON body or text) of one request; HTTP errors are answers too."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as res:
            status, raw = res.status, res.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def big_flow(nodes: int, flow_id: str = "big") -> str:
    """A valid flow of ``nodes`` nodes: chains of inject -> change ... -> debug, ten long."""
    parts = [f"flowrt: 1\nid: {flow_id}\nnodes:\n"]
    for i in range(nodes):
        last = (i + 1) % 10 == 0 or i + 1 == nodes
        kind = "inject" if i % 10 == 0 else ("debug" if last else "change")
        parts.append(f"  {flow_id}{i}:\n    type: {kind}\n")
        if kind == "change":
            parts.append("    rules:\n      - {set: payload.x, to: 1}\n")
        if kind == "debug":
            parts.append("    active: false\n")
        if not last:
            parts.append(f"    to: {flow_id}{i + 1}\n")
    return "".join(parts)
