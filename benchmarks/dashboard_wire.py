"""The dashboard benchmark's browser-like clients: a minimal WebSocket client on asyncio
streams, and the engine.io / socket.io handshake node-red-dashboard's page makes.

Hand-written rather than a library's client (websockets, python-socketio) so that both
servers are read by the same few lines, every byte on the wire is counted (frame headers
included), and the cost per frame stays small next to the servers': on 2 shared cores, 20
clients reading one frame per update of 200 widgets at 10 Hz is 40,000 frames a second.

A client that stops reading really stops: its StreamReader's buffer and its socket's receive
buffer are small, so the server's writes back up to the server (as with a browser tab that
hangs), rather than into this process.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class Wire:
    """One WebSocket connection: :meth:`frames` yields ``(opcode, payload, wire bytes)``."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.received = 0
        """Bytes read from the socket since the handshake, frame headers included."""

    @classmethod
    async def connect(cls, port: int, path: str, small_buffers: bool = False) -> Wire:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if small_buffers:  # the kernel doubles it and keeps a floor of a few KB
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(
            sock=sock, limit=4096 if small_buffers else 2 ** 20)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"{path}: no WebSocket upgrade: {head[:200]!r}")
        return cls(reader, writer)

    def send(self, text: str, opcode: int = TEXT) -> None:
        """A masked frame, as a client must send."""
        payload = text.encode()
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            header = bytes([0x80 | opcode, 0x80 | size])
        else:
            header = bytes([0x80 | opcode, 0x80 | 126]) + size.to_bytes(2, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)

    async def chunks(self) -> AsyncIterator[list[tuple[int, bytes]]]:
        """The complete frames of each read from the socket (one read, one time of receipt);
        pings are answered here."""
        buf = b""
        partial: list[bytes] = []
        while True:
            data = await self.reader.read(2 ** 20)
            if not data:
                return
            self.received += len(data)
            buf += data
            pos, frames = 0, []
            while len(buf) - pos >= 2:
                b0, b1 = buf[pos], buf[pos + 1]
                size, head = b1 & 0x7F, 2
                if size == 126:
                    if len(buf) - pos < 4:
                        break
                    size, head = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
                elif size == 127:
                    if len(buf) - pos < 10:
                        break
                    size, head = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
                if len(buf) - pos < head + size:
                    break
                payload = buf[pos + head:pos + head + size]
                pos += head + size
                opcode = b0 & 0x0F
                if opcode == PING:
                    self.send(payload.decode("latin-1"), PONG)
                elif opcode == CLOSE:
                    return
                elif not b0 & 0x80:  # a fragment: kept until the last one
                    partial.append(payload)
                elif opcode == 0:
                    frames.append((TEXT, b"".join([*partial, payload])))
                    partial = []
                else:
                    frames.append((opcode, payload))
            buf = buf[pos:]
            if frames:
                yield frames

    def close(self) -> None:
        self.writer.close()


async def socketio_connect(port: int, base: str = "/ui/socket.io/",
                           small_buffers: bool = False) -> Wire:
    """A socket.io 4 client as the browser's: engine.io's polling handshake (the dashboard
    refuses a WebSocket straight away), the upgrade to WebSocket, then joining the namespace."""
    async with httpx.AsyncClient(trust_env=False) as http:
        answer = await http.get(f"http://127.0.0.1:{port}{base}",
                                params={"EIO": "4", "transport": "polling"})
    answer.raise_for_status()
    if not answer.text.startswith("0"):
        raise ConnectionError(f"engine.io handshake: {answer.text[:200]!r}")
    sid = json.loads(answer.text[1:])["sid"]
    wire = await Wire.connect(port, f"{base}?EIO=4&transport=websocket&sid={sid}",
                              small_buffers)
    wire.send("2probe")
    async for frames in wire.chunks():
        if any(payload == b"3probe" for _, payload in frames):
            break
    wire.send("5")   # upgrade done
    wire.send("40")  # join the namespace "/"
    return wire


def flowrt_entries(payload: bytes) -> list[tuple[str, Any]]:
    """``(widget, shown value)`` of a flowrt update frame: a gauge's value, a text's text."""
    frame = json.loads(payload)
    if frame.get("t") != "update":
        return []
    return [(u["w"], u["s"].get("value", u["s"].get("text"))) for u in frame["u"]]


def nodered_entries(payload: bytes) -> list[tuple[str, Any]]:
    """``(widget, value)`` of a socket.io ``update-value`` event (``42[name, data]``); engine.io's
    pings (``2``) are answered by the caller."""
    if not payload.startswith(b"42"):
        return []
    name, data = json.loads(payload[2:])[:2]
    if name != "update-value" or "value" not in data:
        return []
    return [(data["id"], data["value"])]
