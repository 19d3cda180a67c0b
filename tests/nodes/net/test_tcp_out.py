"""tcp-out on real sockets of 127.0.0.1: replying on tcp-in's connections, connecting to a
server (messages held while it is away), listening and writing to every client."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from tests.nodes.net.net_kit import connect, running, until
from tests.support.servers import free_port


def test_reply_answers_on_the_connection_the_message_came_from() -> None:
    async def main() -> None:
        port = free_port()
        text = ("flowrt: 1\nnodes:\n"
                f"  tin: {{type: tcp-in, port: {port}, data_type: utf8, newline: \"\\n\", "
                "to: shout}\n"
                "  shout: {type: change, rules: [{set: payload, to: {type: jsonata, value: "
                "'$uppercase(payload) & \"\\n\"'}}], to: reply}\n"
                "  reply: {type: tcp-out}\n")
        async with running(text):
            one_in, one = await connect(port)
            two_in, two = await connect(port)
            one.write(b"hello\n")
            two.write(b"there\n")
            assert await asyncio.wait_for(one_in.readline(), 30) == b"HELLO\n"
            assert await asyncio.wait_for(two_in.readline(), 30) == b"THERE\n"
            one.close()
            two.close()

    asyncio.run(main())


def reply_flow(port: int, **reply: Any) -> str:
    extra = "".join(f", {k}: {v}" for k, v in reply.items())
    return ("flowrt: 1\nnodes:\n"
            f"  tin: {{type: tcp-in, port: {port}}}\n"
            f"  reply: {{type: tcp-out{extra}}}\n")


def test_reset_closes_the_connection_and_no_session_writes_to_every_one() -> None:
    async def main() -> None:
        port = free_port()
        async with running(reply_flow(port, base64="true")) as harness:
            one_in, one = await connect(port)
            two_in, two = await connect(port)
            one.write(b"x")
            await one.drain()
            [first] = await until(lambda: harness.result.sent("tin"), "the first read")
            session = first["_session"]
            two.write(b"y")
            await two.drain()
            await until(lambda: len(harness.result.sent("tin")) == 2, "both read")
            harness.send("reply", {"payload": "aGk="})  # no _session: every connection
            assert await asyncio.wait_for(one_in.readexactly(2), 30) == b"hi"
            assert await asyncio.wait_for(two_in.readexactly(2), 30) == b"hi"
            harness.send("reply", {"_session": session, "reset": True})
            assert await asyncio.wait_for(one_in.read(), 30) == b""  # closed
            harness.send("reply", {"_session": session, "payload": "late"})
            await until(lambda: harness.result.warnings, "the warning of a closed session")
            assert "has closed" in harness.result.warnings[0][1]
            one.close()
            two.close()

    asyncio.run(main())


def test_connect_writes_to_the_server_and_holds_messages_while_it_is_away() -> None:
    async def main() -> None:
        port = free_port()
        got: list[bytes] = []
        served = asyncio.Event()

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while data := await reader.read(65536):
                got.append(data)
            writer.close()
            await writer.wait_closed()
            served.set()

        text = ("flowrt: 1\nnodes:\n"
                f"  out: {{type: tcp-out, mode: connect, host: 127.0.0.1, port: {port}}}\n")
        async with running(text) as harness:
            harness.send("out", {"payload": "early"})  # nobody listens yet: it waits
            await until(lambda: any(s["text"] == "disconnected"
                                    for n, s in harness.result.statuses if n == "out"),
                        "the disconnected status")
            server = await asyncio.start_server(serve, "127.0.0.1", port)
            async with server:
                harness.send("out", {"payload": 7})
                harness.send("out", {"payload": b"\x00\xff"})
                harness.send("out", {"payload": None})  # nothing written, as in Node-RED
                await until(lambda: b"".join(got) == b"early7\x00\xff", "the three writes")
        # the flow stopped and closed its connection: the server's side ends too (it was left
        # open past the loop, and its warning failed whichever test collected it)
        async with asyncio.timeout(10):
            await served.wait()

    asyncio.run(main())


def test_close_after_send_closes_the_connection_after_each_message() -> None:
    async def main() -> None:
        sessions: list[bytes] = []

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sessions.append(await reader.read())  # until the client closes
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        text = ("flowrt: 1\nnodes:\n"
                f"  out: {{type: tcp-out, mode: connect, host: 127.0.0.1, port: {port}, "
                "close_after_send: true}\n")
        async with server, running(text) as harness:
            harness.send("out", {"payload": "one"})
            await until(lambda: b"one" in sessions, "the first connection")
            harness.send("out", {"payload": "two"})
            await until(lambda: b"two" in sessions, "the second connection")

    asyncio.run(main())


def test_listen_writes_to_every_client_and_counts_them() -> None:
    async def main() -> None:
        port = free_port()
        text = ("flowrt: 1\nnodes:\n"
                f"  out: {{type: tcp-out, mode: listen, port: {port}}}\n")
        async with running(text) as harness:
            one_in, one = await connect(port)
            two_in, two = await connect(port)
            await until(lambda: any(s["text"] == "2 connections"
                                    for n, s in harness.result.statuses if n == "out"),
                        "two connections")
            harness.send("out", {"payload": "news"})
            assert await asyncio.wait_for(one_in.readexactly(4), 30) == b"news"
            assert await asyncio.wait_for(two_in.readexactly(4), 30) == b"news"
            one.close()
            two.close()

    asyncio.run(main())


def test_a_listen_port_in_use_is_an_error_for_catch_nodes() -> None:
    async def main() -> None:
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        text = ("flowrt: 1\nnodes:\n"
                f"  out: {{type: tcp-out, mode: listen, port: {port}}}\n"
                "  catcher: {type: catch, to: sink}\n  sink: {type: debug}\n")
        try:
            async with running(text) as harness:
                harness.send("out", {"payload": "x"})
                caught = await until(lambda: harness.result.received("sink"), "the error")
                assert caught[0]["error"]["source"]["id"] == "out"
                assert "cannot listen" in caught[0]["error"]["message"]
        finally:
            taken.close()

    asyncio.run(main())
