"""Shared pieces of the secrets tests: `flowrt run` and `flowrt serve` as real processes with
an environment of the test's choosing, and plain HTTP and WebSocket clients around them."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.serving import flowrt_command, serve_process

ROOT = Path(__file__).resolve().parent.parent.parent
OWN_VARIABLES = ("FLOWRT_SECRETS_KEY", "FLOWRT_TOKENS", "FLOWRT_AUTH_FILE", "FLOWRT_SECRETS",
                 "FLOWRT_GROUP_DB", "FLOWRT_GROUP", "FLOWRT_FILES", "FLOWRT_SCRIPTS")


def flowrt() -> list[str]:
    return flowrt_command()


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without flowrt's own variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    env.update(extra)
    return env


def write_private(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def run_cli(args: list[str], env: Mapping[str, str], cwd: Path,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``flowrt ARGS`` to the end, its output kept (a generous bound only guards a hang)."""
    return subprocess.run([*flowrt(), *args], env=dict(env), cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@dataclass
class Served:
    url: str
    port: int
    log: Path
    token: str | None
    proc: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def call(self, path: str, method: str = "GET", body: Any = None) -> tuple[int, str]:
        """(status, body text) of one request; HTTP errors are answers too."""
        headers = {"X-Flowrt-Request": "1", "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as res:
                return res.status, res.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def frames(self, count: int, kinds: set[str], within: float = 30.0) -> list[str]:
        """The text of WebSocket frames from /api/events until ``count`` frames of the given
        types arrived (or ``within`` seconds passed: then the test fails)."""
        from websockets.sync.client import connect

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        seen: list[str] = []
        found = 0
        deadline = time.monotonic() + within
        with connect(f"ws://127.0.0.1:{self.port}/api/events", additional_headers=headers,
                     origin=None) as ws:  # type: ignore[arg-type]
            while found < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"only {found} of {count} {kinds} events in {within} s: {seen}")
                try:
                    text = str(ws.recv(timeout=left))
                except TimeoutError:
                    continue
                seen.append(text)
                if json.loads(text).get("type") in kinds:
                    found += 1
        return seen


@contextmanager
def serving(flows: Path, *args: str, env: Mapping[str, str],
            token: str | None = None) -> Iterator[Served]:
    """`flowrt serve --flows FLOWS ARGS` on a free port with ``env``, once /health answers."""
    with serve_process(flows, *args, env=env) as process:
        yield Served(process.url, process.port, process.log, token, process.proc)
