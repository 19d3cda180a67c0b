"""tcp-request against a TCP server on 127.0.0.1 that answers `ACK:` and what it read (the
server of Node-RED's own spec): each return mode, the address from the message, queued
messages, `msg.reset`, and refused connections."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.nodes.net.net_kit import running, sent, until
from tests.support.servers import free_port


class AckServer:
    """Answers each read with ``ACK:`` and the data; counts its connections."""

    def __init__(self) -> None:
        self.connections = 0
        self.open = 0
        self.received: list[bytes] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        try:
            while data := await reader.read(65536):
                self.received.append(data)
                writer.write(b"ACK:" + data)
                await writer.drain()
        except OSError:
            pass
        finally:
            self.open -= 1
            writer.close()


@asynccontextmanager
async def ack_server() -> AsyncIterator[tuple[AckServer, int]]:
    acks = AckServer()
    server = await asyncio.start_server(acks.serve, "127.0.0.1", 0)
    async with server:
        yield acks, server.sockets[0].getsockname()[1]


def flow(**config: Any) -> str:
    return ("flowrt: 1\nnodes:\n"
            f"  req: {json.dumps({'type': 'tcp-request', 'to': 'sink', **config})}\n"
            "  catcher: {type: catch, to: sink}\n  sink: {type: debug}\n")


def send(harness: Any, *msgs: dict[str, Any]) -> None:
    for msg in msgs:
        harness.send("req", msg)


@pytest.mark.parametrize(
    ("config", "inputs", "payload"),
    [
        ({"return_when": "timeout"}, ["foo"], b"ACK:foo"),
        ({"return_when": "character", "character": "0"}, ["foo0bar0"], b"ACK:foo0"),
        ({"return_when": "count", "count": 7}, ["foo bar"], b"ACK:foo"),
        ({"return_when": "never"}, ["foo"], b"ACK:foo"),
        ({"return_when": "timeout", "output": "string"}, ["foo"], "ACK:foo"),
        ({"return_when": "count", "count": 5, "output": "string"}, [b"\x00\x01\x02"],
         "ACK:\x00"),
    ],
)
def test_each_return_mode_gives_the_answer(config: dict[str, Any], inputs: list[Any],
                                           payload: Any) -> None:
    async def main() -> None:
        async with ack_server() as (acks, port):
            async with running(flow(host="127.0.0.1", port=port, **config)) as harness:
                send(harness, *({"payload": p, "topic": "bar"} for p in inputs))
                [answer] = await sent(harness, "req", 1)
                assert answer == payload
                assert harness.result.sent("req")[0]["topic"] == "bar"
                if config["return_when"] != "never":  # the answer closes the connection
                    await until(lambda: acks.open == 0, "the connection closed")

    asyncio.run(main())


def test_messages_sent_while_connecting_are_written_in_order_and_the_latest_is_answered() -> None:
    async def main() -> None:
        async with ack_server() as (acks, port):
            async with running(flow(host="127.0.0.1", port=port, timeout=0.2)) as harness:
                send(harness, {"payload": "f", "topic": "bar"}, {"payload": "o", "topic": "baz"},
                     {"payload": "o", "topic": "quux"})
                answers = await sent(harness, "req", 1)
                assert b"".join(answers).replace(b"ACK:", b"") == b"foo"
                assert harness.result.sent("req")[-1]["topic"] == "quux"
                assert acks.connections == 1

    asyncio.run(main())


def test_the_server_can_come_from_the_message() -> None:
    async def main() -> None:
        async with ack_server() as (_, port):
            async with running(flow()) as harness:
                send(harness, {"payload": "foo", "host": "127.0.0.1", "port": port})
                assert await sent(harness, "req", 1) == [b"ACK:foo"]
                msg = harness.result.sent("req")[0]
                assert (msg["host"], msg["port"]) == ("127.0.0.1", port)

    asyncio.run(main())


def test_never_keeps_the_connection_and_splits_text_at_the_delimiter() -> None:
    async def main() -> None:
        async with ack_server() as (acks, port):
            async with running(flow(host="127.0.0.1", port=port, return_when="never",
                                    output="string", newline="<A>\n", keep_newline=True)
                               ) as harness:
                send(harness, {"payload": "foo"})
                await until(lambda: acks.received, "the first write")
                send(harness, {"payload": "bar<A>\nfoo"})
                assert (await sent(harness, "req", 1))[0] == "ACK:fooACK:bar<A>\n"
                assert acks.connections == 1 and acks.open == 1

    asyncio.run(main())


def test_reset_closes_the_connections_it_names() -> None:
    async def main() -> None:
        async with ack_server() as (acks, port):
            async with running(flow(host="127.0.0.1", port=port, return_when="never")
                               ) as harness:
                send(harness, {"payload": "a"})
                await sent(harness, "req", 1)
                send(harness, {"reset": f"127.0.0.1:{port}"})
                await until(lambda: acks.open == 0, "the connection closed by reset")
                send(harness, {"payload": "b"})
                await sent(harness, "req", 2)
                assert acks.connections == 2
                send(harness, {"reset": True})
                await until(lambda: acks.open == 0, "every connection closed by reset")
                texts = [s["text"] for n, s in harness.result.statuses if n == "req"]
                assert texts[-1] == "0 connections"

    asyncio.run(main())


def test_immediately_writes_and_closes_and_sends_nothing() -> None:
    async def main() -> None:
        async with ack_server() as (acks, port):
            async with running(flow(host="127.0.0.1", port=port, return_when="immediately")
                               ) as harness:
                send(harness, {"payload": "fire"})
                await until(lambda: acks.received == [b"fire"] and acks.open == 0,
                            "the write, then the close")
                await harness.run()
                assert harness.result.sent("req") == []

    asyncio.run(main())


def test_a_refused_connection_is_an_error_for_catch_with_the_message() -> None:
    async def main() -> None:
        port = free_port()
        async with running(flow(host="127.0.0.1", port=port)) as harness:
            send(harness, {"payload": "x", "topic": "lost"})
            [caught] = await until(lambda: harness.result.received("sink"), "the error")
            assert caught["topic"] == "lost"
            assert caught["error"]["source"]["id"] == "req"
            assert f"connect failed 127.0.0.1:{port}" in caught["error"]["message"]

    asyncio.run(main())


def test_without_host_or_port_it_warns() -> None:
    async def main() -> None:
        async with running(flow()) as harness:
            send(harness, {"payload": "x"})
            await harness.run()
            assert harness.result.warnings == [("req", "host and/or port not set")]

    asyncio.run(main())


def test_payloads_that_are_not_text_are_written_as_their_text() -> None:
    async def main() -> None:
        async with ack_server() as (acks, port):
            async with running(flow(host="127.0.0.1", port=port, return_when="immediately")
                               ) as harness:
                send(harness, {"payload": 42}, {"payload": {"a": 1}}, {"payload": [1, None, 2]})
                await until(lambda: b"".join(acks.received) == b"42[object Object]1,,2",
                            "the writes")

    asyncio.run(main())
