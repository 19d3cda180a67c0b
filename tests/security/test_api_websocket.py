"""A WebSocket client of /api/events that stops reading while a flow sends large debug messages
is dropped (close 1008, a warning in the log) once its queue passes the byte bound: the server's
memory stays bounded, and a client that reads keeps its events."""

from __future__ import annotations

import base64
import os
import socket
import struct
import threading
import time
from pathlib import Path

from tests.security.api_kit import Served, call, serving

# every 100 ms, a different 256 KiB payload reaches an active debug node
FLOW = """\
flowrt: 1
id: big
nodes:
  tick:
    type: inject
    repeat: 0.1
    to: grow
  grow:
    type: change
    rules:
      - set: payload
        to: {type: jsonata, value: '$string($millis()) & $pad("", 262144, "x")'}
    to: show
  show: {type: debug}
"""
MiB = 1024 * 1024


def open_events(served: Served, receive_buffer: int | None = None) -> socket.socket:
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(10)
    sock.connect((served.host, served.port))
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
                 b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101 "), head
    return sock


def frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of each whole server frame in ``data`` (servers do not mask)."""
    out = []
    i = 0
    while i + 2 <= len(data):
        opcode, length = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if length == 126:
            length, i = struct.unpack("!H", data[i:i + 2])[0], i + 2
        elif length == 127:
            length, i = struct.unpack("!Q", data[i:i + 8])[0], i + 8
        if i + length > len(data):
            break
        out.append((opcode, data[i:i + length]))
        i += length
    return out


class Reader(threading.Thread):
    """A client that reads everything it is sent, counting bytes."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(daemon=True)
        self.sock = sock
        self.received = 0

    def run(self) -> None:
        try:
            while chunk := self.sock.recv(MiB):
                self.received += len(chunk)
        except OSError:
            pass


def test_a_client_that_stops_reading_is_dropped_and_memory_stays_bounded(
    tmp_path: Path,
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "big.yaml").write_text(FLOW)
    with serving(flows) as served:
        time.sleep(2)
        baseline = served.rss()
        reader = Reader(open_events(served))
        stalled = open_events(served, receive_buffer=64 * 1024)  # then never read
        try:
            reader.sock.settimeout(None)
            reader.start()
            peak = baseline
            deadline = time.monotonic() + 120
            while "dropped the WebSocket client" not in served.log_text():
                assert time.monotonic() < deadline, (
                    f"not dropped in 120 s; server RSS grew {(peak - baseline) / MiB:.0f} MiB")
                peak = max(peak, served.rss())
                time.sleep(0.25)
            # what the stalled client was sent ends with a close frame, code 1008
            stalled.settimeout(30)
            data = b""
            while chunk := stalled.recv(MiB):
                data += chunk
            opcode, payload = frames(data)[-1]
            assert opcode == 8 and struct.unpack("!H", payload[:2])[0] == 1008
            # the server goes on: the reading client still gets events, /health answers
            before = reader.received
            for _ in range(8):
                peak = max(peak, served.rss())
                time.sleep(0.5)
            drops = [line for line in served.log_text().splitlines() if "dropped the" in line]
            assert reader.received > before, drops
            assert len(drops) == 1, drops
            assert call(served.url + "/health", timeout=30)[0] == 200
        finally:
            stalled.close()
            reader.sock.close()
        grew = (peak - baseline) / MiB
        print(f"server RSS: {baseline / MiB:.0f} MiB at rest, peak {peak / MiB:.0f} MiB "
              f"(+{grew:.0f} MiB) until the stalled client was dropped")
        assert grew < 200, f"the server's memory grew {grew:.0f} MiB"
