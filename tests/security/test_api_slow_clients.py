"""Slow clients against a real `flowrt serve`: a connection that sends nothing, headers a byte at
a time (slowloris) or a body a byte at a time is answered 408 and closed once its deadline
passes, while /health answers throughout; a WebSocket outlives those deadlines."""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.api_kit import Served, call, serving
from tests.server.server_kit import flow


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    root = tmp_path / "flows"
    root.mkdir()
    (root / "a.yaml").write_text(flow("a"))
    return root


class Trickle:
    """A raw connection that sends ``head`` at once, then ``tail`` a byte every ``every`` s."""

    def __init__(self, served: Served, head: bytes, tail: bytes, every: float = 0.5) -> None:
        self.sock = socket.create_connection((served.host, served.port), timeout=10)
        self.sock.sendall(head)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._drip, args=(tail, every), daemon=True)
        self.thread.start()

    def _drip(self, tail: bytes, every: float) -> None:
        for byte in tail:
            if self.stop.wait(every):
                return
            try:
                self.sock.send(bytes([byte]))
            except OSError:
                return

    def closed_within(self, seconds: float) -> bytes:
        """What the server sent before closing; fails if it is still open after ``seconds``."""
        got = b""
        deadline = time.monotonic() + seconds
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"still open after {seconds} s; got {got[:200]!r}")
                self.sock.settimeout(left)
                try:
                    chunk = self.sock.recv(65536)
                except TimeoutError:
                    continue
                except ConnectionResetError:
                    return got
                if not chunk:
                    return got
                got += chunk
        finally:
            self.stop.set()
            self.sock.close()


def slow_headers(served: Served) -> Trickle:
    return Trickle(served, b"GET /health HTTP/1.1\r\n", b"Host: 127.0.0.1\r\nX-Slow: " + b"a" * 999)


def slow_body(served: Served) -> Trickle:
    head = (b"POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Flowrt-Request: 1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    return Trickle(served, head, b'{"text": "' + b"a" * 990)


def silent(served: Served) -> Trickle:
    return Trickle(served, b"", b"")


def test_slow_clients_are_answered_408_and_closed_at_the_default_deadlines(flows: Path) -> None:
    """Defaults: 20 s for the headers, 60 s for the body."""
    with serving(flows) as served:
        clients = {"silent": silent(served), "headers": slow_headers(served),
                   "body": slow_body(served)}
        crowd = [slow_headers(served) for _ in range(40)]
        assert call(served.url + "/health", timeout=30) == (200, {"status": "ok"})
        for what, client in clients.items():
            got = client.closed_within(150)
            assert got.startswith(b"HTTP/1.1 408 "), (what, got[:200])
        for c in crowd:
            c.closed_within(60)
        assert call(served.url + "/health", timeout=30)[0] == 200
        log = served.log_text()
        assert "the request's headers did not arrive within 20 s" in log
        assert "the request's body did not arrive within 60 s" in log


@pytest.fixture
def quick(flows: Path) -> Iterator[Served]:
    with serving(flows, "--header-timeout", "2", "--body-timeout", "3") as served:
        yield served


def test_the_deadlines_are_options(quick: Served) -> None:
    started = time.monotonic()
    got = slow_body(quick).closed_within(60)
    assert got.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started >= 3  # not before its deadline either
    assert slow_headers(quick).closed_within(60).startswith(b"HTTP/1.1 408 ")
    assert "the request's body did not arrive within 3 s" in quick.log_text()


def test_a_kept_alive_connection_serves_requests_spread_past_the_deadline(quick: Served) -> None:
    """Each request on a kept-alive connection is timed from its own first byte."""
    with socket.create_connection((quick.host, quick.port), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while b'{"status":"ok"}' not in answer:
                chunk = sock.recv(65536)
                assert chunk, f"closed after {answer[:200]!r}"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
            time.sleep(1.5)  # under uvicorn's keep-alive timeout (5 s), 4.5 s in all


def test_a_websocket_outlives_the_header_deadline(quick: Served) -> None:
    key = base64.b64encode(os.urandom(16))
    with socket.create_connection((quick.host, quick.port), timeout=10) as sock:
        sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
                     b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 101 ")
        sock.settimeout(6)  # twice the longest deadline: the server sends nothing, closes nothing
        with pytest.raises(TimeoutError):
            data = sock.recv(65536)
            raise AssertionError(f"the server sent {data[:100]!r} (a close?)")
