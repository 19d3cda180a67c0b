"""`flowrt serve` as a real process for tests: started on a free port of 127.0.0.1, waited
for until /health answers, stopped with SIGTERM (killed if it does not stop), its output kept
in a log file. The kits of tests/security and tests/ui build on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import free_port as free_port  # re-exported


def flowrt_command(*args: str) -> list[str]:
    """``flowrt ARGS`` as this environment runs it (the installed script, else the module)."""
    exe = shutil.which("flowrt")
    return [*([exe] if exe else [sys.executable, "-m", "flowrt"]), *args]


@dataclass
class Process:
    url: str
    port: int
    flows: Path
    log: Path
    proc: subprocess.Popen[bytes]
    host: str = "127.0.0.1"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def rss(self) -> int:
        """The server process's resident memory, in bytes (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS in /proc/<pid>/status")


@contextmanager
def serve_process(flows: Path, *args: str, env: Mapping[str, str] | None = None,
                  port: int | None = None, log: Path | None = None,
                  wait: float = 90.0) -> Iterator[Process]:
    """`flowrt serve --flows FLOWS --port PORT ARGS` (a free port unless given), run from the
    flows directory's parent with ``env`` (default: this process's), once /health answers.
    The log is complete once the block ends."""
    port = port or free_port()
    log = log or flows.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            flowrt_command("serve", "--flows", str(flows), "--port", str(port), *args),
            stdout=out, stderr=subprocess.STDOUT, cwd=flows.parent,
            env=None if env is None else dict(env))
    served = Process(f"http://127.0.0.1:{port}", port, flows, log, proc)
    try:
        deadline = time.monotonic() + wait
        while True:
            if proc.poll() is not None:
                pytest.fail(f"flowrt serve exited with {proc.returncode}:\n{served.log_text()}")
            try:
                with urllib.request.urlopen(f"{served.url}/health", timeout=2) as res:
                    if res.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"flowrt serve did not answer /health in {wait:.0f} s:\n"
                            f"{served.log_text()}")
            time.sleep(0.2)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
