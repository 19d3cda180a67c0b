"""tcp-in on real sockets of 127.0.0.1: listening and connecting, stream and single data
modes, delimiters, data types, sessions, status and the errors of a port in use."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest

from tests.nodes.net.net_kit import connect, running, sent, until
from tests.support.servers import free_port


def flow(**config: Any) -> str:
    return ("flowrt: 1\nnodes:\n"
            f"  tin: {json.dumps({'type': 'tcp-in', 'to': 'sink', **config})}\n"
            "  sink: {type: debug}\n")


async def send_and_close(port: int, *chunks: bytes) -> None:
    _, writer = await connect(port)
    for chunk in chunks:
        writer.write(chunk)
        await writer.drain()
        await asyncio.sleep(0.05)  # separate reads, as Node-RED's spec sends them
    writer.close()
    await writer.wait_closed()


@pytest.mark.parametrize(
    ("config", "chunks", "payloads"),
    [
        ({"data_type": "utf8", "newline": "\n"}, [b"foo\nbar"], ["foo", "bar"]),
        ({"data_type": "utf8", "newline": "o\n"}, [b"foo\nbar"], ["fo", "bar"]),
        ({"data_type": "utf8", "newline": "o\n", "keep_newline": True}, [b"foo\nbar"],
         ["foo\n", "bar"]),
        ({"data_type": "utf8", "newline": "\n"}, [b"foo", b"bar\nbaz"], ["foobar", "baz"]),
        ({"data_type": "utf8"}, [b"foo\nbar"], ["foo\nbar"]),
        ({}, [b"foo"], [b"foo"]),
        ({"data_type": "base64"}, [b"foo"], ["Zm9v"]),
        ({"data_mode": "single"}, [b"foo", b"bar"], [b"foobar"]),
        ({"data_mode": "single", "data_type": "utf8", "newline": "\n"}, [b"foo\nbar\nbaz"],
         ["foo\nbar\nbaz"]),
        ({"data_mode": "single", "data_type": "base64"}, [b"foo"], ["Zm9v"]),
        ({"data_type": "utf8", "newline": "\n"}, [b"caf\xc3", b"\xa9\n"], ["caf\u00e9"]),
    ],
)
def test_listening_it_reads_what_a_client_sends(
        config: dict[str, Any], chunks: list[bytes], payloads: list[Any]) -> None:
    async def main() -> None:
        port = free_port()
        async with running(flow(port=port, topic="t", **config)) as harness:
            await send_and_close(port, *chunks)
            assert await sent(harness, "tin", len(payloads)) == payloads
            await asyncio.sleep(0.2)
            assert harness.result.payloads("tin") == payloads
            msg = harness.result.sent("tin")[0]
            assert msg["topic"] == "t" and msg["ip"] == "127.0.0.1"
            assert isinstance(msg["port"], int) and msg["port"] != port
            assert msg["_session"]["type"] == "tcp" and len(msg["_session"]["id"]) == 16

    asyncio.run(main())


def test_each_connection_is_a_session_and_the_status_counts_them() -> None:
    async def main() -> None:
        port = free_port()
        async with running(flow(port=port, data_type="utf8", newline="\n")) as harness:
            _, one = await connect(port)
            _, two = await connect(port)
            one.write(b"a\n")
            two.write(b"b\n")
            await one.drain()
            await two.drain()
            msgs = await until(lambda: len(harness.result.sent("tin")) == 2
                               and harness.result.sent("tin"), "two messages")
            assert len({m["_session"]["id"] for m in msgs}) == 2
            one.close()
            two.close()
            texts = await until(
                lambda: (t := [s["text"] for n, s in harness.result.statuses if n == "tin"])
                and t[-1] == "0 connections" and t, "the status after both closed")
            assert "1 connection" in texts and "2 connections" in texts

    asyncio.run(main())


def test_it_listens_on_127_0_0_1_unless_bind_says_otherwise() -> None:
    async def main() -> None:
        port = free_port()
        async with running(flow(port=port)):
            _, writer = await connect(port)
            writer.close()
            with pytest.raises(OSError):
                await asyncio.open_connection("127.0.0.2", port)
        port = free_port()
        async with running(flow(port=port, bind="0.0.0.0")) as harness:
            _, writer = await until(lambda: _try("127.0.0.2", port), "a connection on 127.0.0.2")
            writer.write(b"x")
            await writer.drain()
            assert await sent(harness, "tin", 1) == [b"x"]
            writer.close()
            await writer.wait_closed()

    asyncio.run(main())


async def _try(host: str, port: int) -> Any:
    try:
        return await asyncio.open_connection(host, port)
    except OSError:
        return None


def test_a_port_in_use_is_an_error_for_catch_nodes_and_listening_is_retried() -> None:
    async def main() -> None:
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        text = ("flowrt: 1\nnodes:\n"
                f"  tin: {{type: tcp-in, port: {port}, to: sink}}\n"
                "  catcher: {type: catch, to: sink}\n  sink: {type: debug}\n")
        async with running(text) as harness:
            caught = await until(lambda: harness.result.received("sink"), "the error caught")
            assert caught[0]["error"]["source"]["id"] == "tin"
            assert f"cannot listen on 127.0.0.1:{port}" in caught[0]["error"]["message"]
            taken.close()
            _, writer = await connect(port)  # it listens once the port is free
            writer.write(b"late")
            await writer.drain()
            assert await sent(harness, "tin", 1) == [b"late"]
            writer.close()
            assert len(harness.result.received("sink")) == 2  # the error once, then the data

    asyncio.run(main())


def test_connecting_it_reads_the_server_and_connects_again_when_it_closes() -> None:
    async def main() -> None:
        served = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal served
            served += 1
            writer.write(f"hello {served}\nbye".encode())
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            async with running(flow(mode="connect", host="127.0.0.1", port=port,
                                    data_type="utf8", newline="\n")) as harness:
                got = await sent(harness, "tin", 4)
                assert got[:4] == ["hello 1", "bye", "hello 2", "bye"]
                msg = harness.result.sent("tin")[0]
                assert "ip" not in msg and msg["_session"]["type"] == "tcp"

    asyncio.run(main())


def test_connecting_to_nothing_retries_until_the_server_is_there() -> None:
    async def main() -> None:
        port = free_port()
        async with running(flow(mode="connect", host="127.0.0.1", port=port,
                                data_mode="single")) as harness:
            await until(lambda: any(s["text"] == "disconnected"
                                    for n, s in harness.result.statuses if n == "tin"),
                        "a disconnected status")

            async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                writer.write(b"whole")
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(serve, "127.0.0.1", port)
            async with server:
                assert (await sent(harness, "tin", 1))[0] == b"whole"

    asyncio.run(main())


def test_a_connect_mode_without_a_host_is_refused() -> None:
    from flowrt.errors import CheckError

    with pytest.raises(CheckError, match="host"):
        asyncio.run(running(flow(mode="connect", port=1)).__aenter__())


def test_a_restarted_flow_listens_on_the_same_port_again() -> None:
    async def main() -> None:
        port = free_port()
        async with running(flow(port=port)) as harness:
            reader, writer = await connect(port)
            writer.write(b"first")
            await writer.drain()
            assert await sent(harness, "tin", 1) == [b"first"]
        assert await asyncio.wait_for(reader.read(), 30) == b""  # stopping closed it
        writer.close()
        async with running(flow(port=port)) as harness:
            _, writer = await connect(port)
            writer.write(b"second")
            await writer.drain()
            assert await sent(harness, "tin", 1) == [b"second"]
            writer.close()

    asyncio.run(main())
