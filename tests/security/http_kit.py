"""Shared pieces of the HTTP security tests: a server over a flows directory, in process (a
TestClient, whose requests may carry any Host) or as a real `flowrt serve` process."""

from __future__ import annotations

import os
import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from tests.support.serving import flowrt_command as flowrt_command
from tests.support.serving import free_port as free_port
from tests.support.serving import serve_process

HEADERS = {"X-Flowrt-Request": "1"}
TOKEN = "t0ken-for-the-security-tests-0123"

WEB = """\
flowrt: 1
id: web
nodes:
  hello: {type: http-in, method: get, url: /hello, to: reply}
  reply: {type: http-response}
  page: {type: http-in, method: get, url: /framed, to: framed}
  framed:
    type: http-response
    headers: {x-frame-options: SAMEORIGIN, content-security-policy: "frame-ancestors 'self'"}
"""

SCRIPTED = """\
flowrt: 1
id: pwned
nodes:
  tick: {type: inject, payload: 1, to: py}
  py: {type: script, code: return msg}
"""


@contextmanager
def client_of(flows: Path, files: dict[str, str] | None = None,
              **settings: Any) -> Iterator[TestClient]:
    """A TestClient over a server of `files` in `flows` (its default Host is `testserver`)."""
    flows.mkdir(exist_ok=True)
    for name, text in (files or {"web.yaml": WEB}).items():
        (flows / name).write_text(text, encoding="utf-8")
    app = create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0, **settings))
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@contextmanager
def serving(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
            files: dict[str, str] | None = None,
            port: int | None = None) -> Iterator[tuple[int, Path]]:
    """`flowrt serve` as a process on 127.0.0.1 (`port`, else a free one): (port, its log
    file). The log is complete once the block ends (the process has stopped)."""
    flows = tmp_path / "flows"
    flows.mkdir(exist_ok=True)
    for name, text in (files or {"web.yaml": WEB}).items():
        (flows / name).write_text(text, encoding="utf-8")
    with serve_process(flows, *args, env={**os.environ, **(env or {})}, port=port,
                       log=tmp_path / "serve.log", wait=60) as process:
        yield process.port, process.log


def raw_request(port: int, head: str) -> tuple[int, str]:
    """Send a request head as written (any Host, any header) to 127.0.0.1:port; the status
    and the whole answer as text (read until the server closes or 10 s pass)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode("latin-1"))
        data = b""
        try:
            while b"\r\n\r\n" not in data or not data.startswith(b"HTTP/"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            pass
    text = data.decode("latin-1")
    return int(text.split(" ", 2)[1]), text
