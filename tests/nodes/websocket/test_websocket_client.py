"""websocket-client with websocket-in and websocket-out against real servers on 127.0.0.1: a
``websockets`` server, and a bare one that answers no ping. Frames both ways, the
subprotocol, reconnecting with what was sent meanwhile kept, the connection's state and
reconnects in /metrics, the heartbeat, the login in a URL kept out of logs, and replies meant
for a listener's client."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from flowrt.run.metrics import connection_metrics
from flowrt.server.metrics import render
from flowrt.testing import Harness
from tests.nodes.websocket.serving import run, served
from tests.support.servers import free_port
from tests.support.waiting import eventually

FLOW = """
flowrt: 1
connections:
  feed:
    type: websocket-client
    url: {url}
    reconnect_delay: 0.2{extra}
nodes:
  frames:
    type: websocket-in
    client: feed
  out:
    type: websocket-out
    client: feed
"""


def flow(url: str, extra: str = "") -> str:
    return FLOW.format(url=url, extra=extra)


class Peer:
    """A websockets server that records what it receives and who connected."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.connections: list[ServerConnection] = []
        self.connected = asyncio.Event()

    async def handler(self, ws: ServerConnection) -> None:
        self.connections.append(ws)
        self.connected.set()
        async for data in ws:
            self.received.append(data)


@asynccontextmanager
async def peer_on(port: int = 0, **options: Any) -> AsyncIterator[tuple[Peer, int]]:
    peer = Peer()
    async with serve(peer.handler, "127.0.0.1", port, **options) as server:
        yield peer, next(iter(server.sockets)).getsockname()[1]


def test_frames_from_the_server_become_messages_and_messages_become_frames() -> None:
    async def main() -> None:
        async with peer_on(subprotocols=["chat.v2", "chat.v1"]) as (peer, port):
            url = f"ws://127.0.0.1:{port}/feed"
            async with served(flow(url, "\n    subprotocols: [chat.v1]")) as (harness, _):
                await asyncio.wait_for(peer.connected.wait(), 30)
                ws = peer.connections[0]
                assert ws.subprotocol == "chat.v1"
                assert ws.request is not None and ws.request.path == "/feed"
                await ws.send("text")
                await ws.send(b"\x00bin")
                got = await eventually(lambda: harness.result.messages[("frames", 0)][1:],
                                       "two messages")
                first = harness.result.messages[("frames", 0)][0]
                assert first["payload"] == "text" and got[0]["payload"] == b"\x00bin"
                assert first["_session"]["type"] == "websocket"
                harness.send("out", {"payload": {"a": 1}})
                harness.send("out", {"payload": b"\x01\x02"})
                await eventually(lambda: len(peer.received) == 2, "two frames at the server")
                assert peer.received == ['{"a":1}', b"\x01\x02"]
                statuses = [s.get("text") for n, s in harness.result.statuses if n == "out"]
                assert "connected" in statuses

    run(main())


def test_messages_sent_while_the_server_is_away_are_sent_once_it_is_back() -> None:
    async def main() -> None:
        async with peer_on() as (peer, port):
            url = f"ws://127.0.0.1:{port}/feed"
            async with served(flow(url)) as (harness, _):
                await asyncio.wait_for(peer.connected.wait(), 30)
                harness.send("out", {"payload": "before"})
                await eventually(lambda: peer.received == ["before"], "the first frame")
                server_ws = peer.connections[0]
                await server_ws.close()  # the server drops the connection ...
                await eventually(lambda: any(
                    s.get("text") == "disconnected" for n, s in harness.result.statuses
                    if n == "frames"), "the node showing the loss")
                # ... and it comes back: the client connects again by itself
                await eventually(lambda: len(peer.connections) == 2, "a second connection")
                harness.send("out", {"payload": "after"})
                await eventually(lambda: peer.received == ["before", "after"], "after")
                sessions = {m["_session"]["id"] for m in harness.result.messages[
                    ("frames", 0)]}
                assert not sessions  # nothing was received: no message

        # the server is gone entirely: messages wait in the node's buffer
        async with peer_on() as (peer, port):
            pass
        url = f"ws://127.0.0.1:{port}/feed"
        async with served(flow(url)) as (harness, _):
            for i in range(5):
                harness.send("out", {"payload": f"m{i}"})
            await eventually(lambda: any("retry" in text for _, _, text in
                                         harness.result.logs), "a failed attempt")
            async with peer_on(port) as (peer, _):
                await eventually(lambda: len(peer.received) == 5, "the held frames", 90)
                assert peer.received == [f"m{i}" for i in range(5)]

    run(main())


def metrics(harness: Harness) -> str:
    """What /metrics shows of the runtime's connections."""
    assert harness.runtime is not None
    links = connection_metrics(harness.runtime.meter)
    return render({"nodes": {}, "connections": links}, {}, 0, True)


def test_the_connection_is_reported_once_up_then_down_then_reconnected() -> None:
    """websocket-in and websocket-out share feed: one gauge and one counter, for feed."""
    feed = 'connection="feed",type="websocket-client",flow="test"'

    async def main() -> None:
        port = free_port()
        url = f"ws://127.0.0.1:{port}/feed"
        async with served(flow(url)) as (harness, _):
            async with peer_on(port):
                await eventually(lambda: f"flowrt_connection_connected{{{feed}}} 1"
                                 in metrics(harness), "feed connected in /metrics", 30)
                assert f"flowrt_connection_reconnects_total{{{feed}}} 0" in metrics(harness)
                assert metrics(harness).count("flowrt_connection_connected{") == 1
            # the server is gone: its connections closed, it refuses new ones
            await eventually(lambda: f"flowrt_connection_connected{{{feed}}} 0"
                             in metrics(harness), "feed down in /metrics", 30)
            assert f"flowrt_connection_reconnects_total{{{feed}}} 0" in metrics(harness)
            async with peer_on(port):
                await eventually(lambda: f"flowrt_connection_reconnects_total{{{feed}}} 1"
                                 in metrics(harness), "one reconnect of feed", 30)
                assert f"flowrt_connection_connected{{{feed}}} 1" in metrics(harness)

    run(main())


def test_a_reply_meant_for_a_listener_client_is_not_sent_over_a_client() -> None:
    async def main() -> None:
        async with peer_on() as (peer, port):
            url = f"ws://127.0.0.1:{port}/feed"
            async with served(flow(url)) as (harness, _):
                await asyncio.wait_for(peer.connected.wait(), 30)
                harness.send("out", {"payload": "reply", "_session": {
                    "type": "websocket", "id": "0123456789abcdef"}})
                harness.send("out", {"payload": "plain"})
                await eventually(lambda: peer.received == ["plain"], "the plain message")
                assert [n for n, _ in harness.result.warnings] == ["out"]
                assert "_session" in harness.result.warnings[0][1]

    run(main())


def test_the_login_of_a_url_is_sent_but_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    env = {"WS_PASSWORD": "s3cr3t-Pa55"}
    sent: list[str] = []

    async def main() -> None:
        async with peer_on() as (peer, port):
            url = f"ws://ada:${{WS_PASSWORD}}@127.0.0.1:{port}/feed"
            async with served(flow(url), env) as (harness, _):
                await asyncio.wait_for(peer.connected.wait(), 30)
                request = peer.connections[0].request
                assert request is not None
                sent.append(base64.b64encode(b"ada:s3cr3t-Pa55").decode())
                assert request.headers["Authorization"] == f"Basic {sent[0]}"
        async with served(flow(url), env) as (harness, _):  # the server is gone now
            await eventually(lambda: any("cannot connect" in text for _, _, text in
                                         harness.result.logs), "a failed attempt")
            ours = [r.getMessage() for r in caplog.records if r.name != "websockets.server"]
            shown = [*map(str, harness.result.logs), *map(str, harness.result.statuses), *ours]
            assert f"127.0.0.1:{port}/feed" in " ".join(shown)
            assert not [line for line in shown if "s3cr3t" in line or sent[0] in line]

    run(main())


class Mute:
    """A WebSocket server by hand that completes the handshake and then answers nothing, not
    even pings; it counts handshakes and pings."""

    def __init__(self) -> None:
        self.handshakes = 0
        self.pings = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        key = next(line.split(":", 1)[1].strip() for line in head.split("\r\n")
                   if line.lower().startswith("sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        self.handshakes += 1
        try:
            while True:
                first, second = await reader.readexactly(2)
                length = second & 0x7F
                if length == 126:
                    length = int.from_bytes(await reader.readexactly(2), "big")
                elif length == 127:
                    length = int.from_bytes(await reader.readexactly(8), "big")
                await reader.readexactly(4 + length)  # mask and payload
                if first & 0x0F == 0x9:
                    self.pings += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def test_a_server_that_answers_no_heartbeat_is_left_and_connected_to_again() -> None:
    async def main() -> None:
        mute = Mute()
        server = await asyncio.start_server(mute.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            url = f"ws://127.0.0.1:{port}/feed"
            async with served(flow(url, "\n    heartbeat: 0.3")) as (harness, _):
                await eventually(lambda: mute.handshakes >= 2, "a second handshake", 90)
                assert mute.pings >= 1
                assert any("connection lost" in text for n, _, text in harness.result.logs
                           if n == "frames")
        finally:
            server.close()

    run(main())


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server context with a certificate for 127.0.0.1 that no authority signed."""
    folder = tmp_path_factory.mktemp("wss")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   cwd=folder, check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def test_wss_checks_the_certificate_unless_told_not_to(self_signed: ssl.SSLContext) -> None:
    async def main() -> None:
        async with peer_on(ssl=self_signed) as (peer, port):
            url = f"wss://127.0.0.1:{port}/feed"
            async with served(flow(url)) as (harness, _):
                await eventually(lambda: any("cannot connect" in text for _, _, text in
                                             harness.result.logs), "a refused certificate")
                assert not peer.connections
                assert any("certificate" in text.lower() for _, _, text in harness.result.logs)
            async with served(flow(url, "\n    tls_verify: false")) as (harness, _):
                await asyncio.wait_for(peer.connected.wait(), 30)
                await peer.connections[0].send("over tls")
                got = await eventually(lambda: harness.result.messages[("frames", 0)], "a frame")
                assert got[0]["payload"] == "over tls"

    run(main())


def test_a_full_buffer_while_the_server_is_away_fails_messages_by_its_overflow_rule() -> None:
    async def main() -> None:
        async with peer_on() as (_, port):
            pass  # a port nothing listens on any more
        held = f"""
flowrt: 1
connections:
  feed: {{type: websocket-client, url: "ws://127.0.0.1:{port}/feed", reconnect_delay: 0.2}}
nodes:
  out: {{type: websocket-out, client: feed, buffer: 2, overflow: drop-newest}}
"""
        async with served(held) as (harness, _):
            for i in range(6):
                harness.send("out", {"payload": f"m{i}"})
            await eventually(lambda: len(harness.result.errors) >= 3, "refused messages")
            assert all(e.node == "out" and "buffer full" in e.message
                       for e in harness.result.errors)
            async with peer_on(port) as (peer, _):
                await eventually(lambda: len(peer.received) + len(harness.result.errors) == 6,
                                 "what the buffer held", 90)
                kept = list(peer.received)
        assert kept and kept == sorted(kept, key=lambda m: int(m[1:]))  # in order
        assert sorted([*kept, *(e.msg["payload"] for e in harness.result.errors
                                if e.msg)]) == [f"m{i}" for i in range(6)]

    run(main())
