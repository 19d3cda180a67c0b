"""websocket-listener with websocket-in and websocket-out, served for real and talked to by a
real ``websockets`` client: frames to messages, replies to one client, broadcast, binary
frames, whole messages, the status, path clashes and the Origin rule."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from flowrt.errors import ConfigError
from tests.nodes.websocket.serving import run, served
from tests.support.servers import free_port
from tests.support.waiting import eventually

CHANGE_ECHO = """
flowrt: 1
connections:
  echo:
    type: websocket-listener
    path: /ws/echo{extra}
nodes:
  frames:
    type: websocket-in
    listener: echo
    to: [shout, all]
  shout:
    type: change
    rules:
      - set: topic
        to: echoed
    to: reply
  reply:
    type: websocket-out
    listener: echo
  all:
    type: change
    rules:
      - delete: _session
    to: drop
  drop:
    type: switch
    property: payload
    rules:
      - eq: broadcast
    to: {{0: reply}}
"""


def echo(extra: str = "", flow: str = CHANGE_ECHO) -> str:
    return flow.format(extra=extra)


def test_a_text_frame_is_a_string_payload_with_the_session_and_a_reply_goes_to_its_client() -> None:
    async def main() -> None:
        async with served(echo()) as (harness, base):
            async with connect(f"{base}/ws/echo") as a, connect(f"{base}/ws/echo") as b:
                await a.send("hello")
                assert await a.recv() == "hello"
                await b.send("other")
                assert await b.recv() == "other"
                got = harness.result.messages[("frames", 0)]
                assert [m["payload"] for m in got] == ["hello", "other"]
                sessions = [m["_session"] for m in got]
                assert all(s["type"] == "websocket" for s in sessions)
                assert len(sessions[0]["id"]) == 16 and sessions[0]["id"] != sessions[1]["id"]
                # a message without _session goes to every client
                await a.send("broadcast")
                assert await a.recv() == "broadcast"  # the reply
                assert {await a.recv(), await b.recv()} == {"broadcast"}

    run(main())


def test_a_binary_frame_is_a_bytes_payload_and_is_sent_back_binary() -> None:
    async def main() -> None:
        async with served(echo()) as (harness, base):
            async with connect(f"{base}/ws/echo") as ws:
                await ws.send(b"\x00\x01\xff")
                answer = await ws.recv()
                assert answer == b"\x00\x01\xff" and isinstance(answer, bytes)
            assert harness.result.messages[("frames", 0)][0]["payload"] == b"\x00\x01\xff"

    run(main())


def test_payloads_are_sent_as_node_red_writes_them() -> None:
    flow = """
flowrt: 1
connections:
  l: {type: websocket-listener, path: /ws/kinds}
nodes:
  frames: {type: websocket-in, listener: l, to: kinds}
  kinds:
    type: function
    func: |
      node.send([[{payload: {a: [1, 2.5]}}, {payload: 7}, {payload: true}, {payload: null},
                  {payload: ""}, {topic: "no payload"}, {payload: "last"}]]);
      return null;
    to: out
  out: {type: websocket-out, listener: l}
"""

    async def main() -> None:
        async with served(flow) as (_, base):
            async with connect(f"{base}/ws/kinds") as ws:
                await ws.send("go")
                got = [await ws.recv() for _ in range(5)]
        assert got == ['{"a":[1,2.5]}', "7", "true", "null", "last"]

    run(main())


def test_whole_message_mode_parses_frames_and_sends_messages_as_json() -> None:
    async def main() -> None:
        async with served(echo("\n    whole_message: true")) as (harness, base):
            async with connect(f"{base}/ws/echo") as ws:
                await ws.send(json.dumps({"payload": {"n": 1}, "topic": "t"}))
                first = json.loads(await ws.recv())
                await ws.send("42")
                second = json.loads(await ws.recv())
                await ws.send("not json")
                third = json.loads(await ws.recv())
        assert first["payload"] == {"n": 1} and first["topic"] == "echoed"
        assert "_session" not in first and isinstance(first["_msgid"], str)
        assert second["payload"] == 42
        assert third["payload"] == "not json"
        got = harness.result.messages[("frames", 0)]
        assert got[0]["topic"] == "t" and got[0]["_session"]["type"] == "websocket"

    run(main())


def test_the_status_counts_the_clients_connected() -> None:
    async def main() -> None:
        async with served(echo()) as (harness, base):
            def texts(node: str) -> list[str]:
                return [s.get("text", "") for n, s in harness.result.statuses if n == node]

            async with connect(f"{base}/ws/echo"):
                async with connect(f"{base}/ws/echo"):
                    await eventually(lambda: "connected 2" in texts("reply"), "two clients")
                await eventually(lambda: texts("frames")[-1:] == ["connected 1"], "one left")
            await eventually(lambda: texts("reply")[-1:] == ["disconnected"], "none left")
            assert texts("frames")[:2] == ["connected 1", "connected 2"]

    run(main())


def test_a_reply_to_a_client_that_left_is_a_warning() -> None:
    flow = """
flowrt: 1
connections:
  l: {type: websocket-listener, path: /ws/late}
nodes:
  frames: {type: websocket-in, listener: l, to: wait}
  wait: {type: delay, delay: 0.5, to: out}
  out: {type: websocket-out, listener: l}
"""

    async def main() -> None:
        async with served(flow) as (harness, base):
            async with connect(f"{base}/ws/late") as ws:
                await ws.send("bye")
            await eventually(lambda: harness.result.warnings, "a warning")
            node, text = harness.result.warnings[0]
            assert node == "out" and "not connected" in text

    run(main())


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1",
                                    "http://evil.example:{port}", "null"])
def test_a_page_of_another_origin_cannot_open_the_socket(origin: str) -> None:
    async def main() -> None:
        async with served(echo()) as (harness, base):
            port = base.rsplit(":", 1)[1]
            with pytest.raises(InvalidStatus) as refused:
                async with connect(f"{base}/ws/echo", origin=origin.format(port=port)):  # type: ignore[arg-type]
                    pass
            assert refused.value.response.status_code == 403
            # a rebound name: Host and Origin agree, but the name is not this server's
            with pytest.raises(InvalidStatus):
                async with connect(f"{base}/ws/echo", origin=f"http://evil.example:{port}",  # type: ignore[arg-type]
                                   additional_headers={"Host": f"evil.example:{port}"}):
                    pass
            async with connect(f"{base}/ws/echo", origin=f"http://127.0.0.1:{port}") as ws:  # type: ignore[arg-type]
                await ws.send("own page")
                assert await ws.recv() == "own page"
            assert [m["payload"] for m in harness.result.messages[("frames", 0)]] == ["own page"]

    run(main())


def test_an_unknown_path_is_refused() -> None:
    async def main() -> None:
        async with served(echo()) as (_, base):
            with pytest.raises(InvalidStatus):
                async with connect(f"{base}/ws/other"):
                    pass

    run(main())


def test_two_listeners_on_one_path_stop_the_flow_naming_both() -> None:
    flow = """
flowrt: 1
connections:
  one: {type: websocket-listener, path: /ws/same}
  two: {type: websocket-listener, path: /ws/same}
nodes:
  a: {type: websocket-in, listener: one}
  b: {type: websocket-in, listener: two}
"""

    async def main() -> None:
        with pytest.raises(ConfigError) as failed:
            async with served(flow):
                pass
        assert "'one'" in str(failed.value) and "'two'" in str(failed.value)

    run(main())


def test_a_slow_flow_slows_the_client_and_drops_nothing() -> None:
    flow = """
flowrt: 1
connections:
  l: {type: websocket-listener, path: /ws/slow, max_pending: 2}
nodes:
  frames: {type: websocket-in, listener: l, to: wait}
  wait: {type: delay, delay: 0.01, to: out}
  out: {type: websocket-out, listener: l}
"""

    async def main() -> None:
        async with served(flow) as (_, base):
            async with connect(f"{base}/ws/slow") as ws:
                for i in range(50):
                    await ws.send(str(i))
                got: list[Any] = [await ws.recv() for _ in range(50)]
        assert got == [str(i) for i in range(50)]

    run(main())


def test_the_flow_stopping_tells_the_clients_it_goes_away() -> None:
    async def main() -> None:
        async with served(echo()) as (harness, base):
            ws = await connect(f"{base}/ws/echo")
            await harness.stop()
            await asyncio.wait_for(ws.wait_closed(), 30)
            assert ws.close_code == 1001

    run(main())


def test_a_client_that_does_not_read_is_disconnected_with_a_warning() -> None:
    flow = """
flowrt: 1
connections:
  l: {type: websocket-listener, path: /ws/slow, send_timeout: 0.5}
nodes:
  out: {type: websocket-out, listener: l}
"""

    async def main() -> None:
        async with served(flow) as (harness, base):
            port = int(base.rsplit(":", 1)[1])
            # a client by hand, which completes the handshake and then reads nothing
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            key = base64.b64encode(os.urandom(16)).decode()
            writer.write((f"GET /ws/slow HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                          ).encode())
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
            writer.transport.pause_reading()  # type: ignore[attr-defined]
            try:
                for _ in range(64):  # far more than the socket buffers hold
                    harness.send("out", {"payload": b"\x00" * (1 << 20)})
                await eventually(lambda: harness.result.warnings, "a warning")
                assert "did not take a frame" in harness.result.warnings[0][1]
                # the node goes on: the other frames are not held up by that client
                await harness.run()
                assert harness.result.statuses[-1][1]["text"] == "disconnected"
                async with connect(f"{base}/ws/slow") as ws:
                    harness.send("out", {"payload": "for a reader"})
                    assert await ws.recv() == "for a reader"
            finally:
                writer.close()

    run(main())


def test_a_frame_a_client_connection_receives_is_not_fed_back_to_the_listener() -> None:
    """Node-RED's spec "should NOT feedback more than once": a client of the flow's own
    listener passes what it receives to the listener's websocket-out; its `_session` is the
    client connection's, which the listener does not know, so it is not sent again."""
    port = free_port()
    flow = f"""
flowrt: 1
connections:
  server: {{type: websocket-listener, path: /ws, whole_message: true}}
  client: {{type: websocket-client, url: "ws://127.0.0.1:{port}/ws", whole_message: true}}
nodes:
  n1: {{type: websocket-in, client: client, to: n2}}
  n2: {{type: websocket-out, listener: server}}
"""

    async def main() -> None:
        async with served(flow, port=port) as (harness, _):
            await eventually(lambda: any(
                s.get("text") == "connected 1" for n, s in harness.result.statuses
                if n == "n2"), "the client connected to the listener")
            harness.send("n2", {"payload": "ping"})
            harness.send("n2", {"payload": "ping2"})
            def refused() -> list[str]:
                return [text for n, text in harness.result.warnings if n == "n2"]

            await eventually(lambda: len(refused()) >= 2, "both not sent back")
            assert [m["payload"] for m in harness.result.messages[("n1", 0)]] == [
                "ping", "ping2"]
            assert len(refused()) == 2 and all("_session" in text for text in refused())

    run(main())
