"""The 1.x API's writes over its own small HTTP client: against the real InfluxDB 1.x, and
against scripted servers for what a real one seldom does (closing a kept-alive connection,
answering in chunks, not answering at all)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from flowrt_nodes.influx.influx_errors import WriteRejected
from flowrt_nodes.influx.influx_http import PlainHttp
from flowrt_nodes.influx.influx_v1 import V1Api

from flowrt.api import ConnectionLost, NotConnected
from tests.nodes.influx.influx_kit import INFLUX, rows
from tests.support.servers import free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def api(url: str, timeout: float = 5.0, **options: Any) -> V1Api:
    settings: dict[str, Any] = {
        "database": "db",
        "retention_policy": "",
        "username": None,
        "password": None,
        "timeout": timeout,
        "verify_ssl": True,
        "create_database": False,
    }
    return V1Api(url, "the server", **{**settings, **options})


async def read_request(reader: asyncio.StreamReader) -> tuple[list[str], bytes]:
    """One request's head lines and body (by its Content-Length)."""
    head = []
    while (line := await reader.readline()) not in (b"\r\n", b""):
        head.append(line.decode().rstrip())
    length = next(int(h.split(":")[1]) for h in head if h.lower().startswith("content-length"))
    return head, await reader.readexactly(length)


async def serving(handler: Handler, scenario: Callable[[str], Awaitable[Any]]) -> Any:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        return await scenario(f"http://127.0.0.1:{port}")
    finally:
        await asyncio.sleep(0.1)  # the handlers see the client's close and end
        server.close()


def test_writes_reach_influxdb_on_one_kept_connection(database: str) -> None:
    async def scenario() -> tuple[bool, int]:
        v1 = api(INFLUX, database=database)
        try:
            for i in range(3):
                await v1.write(f"m v={i} {1_700_000_000 + i}".encode(), "s", database)
            assert v1._plain is not None
            return v1._client is None, len(v1._plain._idle)
        finally:
            await v1.close()

    assert asyncio.run(scenario()) == (True, 1)  # httpx never made; one connection, reused
    found = rows(INFLUX, database, "SELECT v FROM m")
    assert [r["v"] for r in found] == [0, 1, 2]


def test_a_connection_the_server_closed_is_replaced_at_once() -> None:
    """The server answers each request and then closes the connection without saying so: the
    next write finds it closed and goes again on a new one; both writes arrive once."""
    bodies: list[bytes] = []
    connections: list[int] = []

    async def once_each(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        _, body = await read_request(reader)
        bodies.append(body)
        writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def scenario(url: str) -> None:
        v1 = api(url)
        try:
            await v1.write(b"m v=1 1", "s", "db")
            await asyncio.sleep(0.1)  # the close reaches the client
            await v1.write(b"m v=2 2", "s", "db")
        finally:
            await v1.close()

    asyncio.run(serving(once_each, scenario))
    assert bodies == [b"m v=1 1", b"m v=2 2"]
    assert len(connections) == 2


def test_a_chunked_refusal_is_read_and_named() -> None:
    heads: list[list[str]] = []

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, _ = await read_request(reader)
        heads.append(head)
        text = b'{"error":"unable to parse \'m v=\': missing field value"}'
        writer.write(
            b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(text), text)
        )
        await writer.drain()
        await reader.read()  # until the client closes
        writer.close()

    async def scenario(url: str) -> Exception:
        v1 = api(url + "/influx", username="ann", password="s3cret")
        try:
            with pytest.raises(WriteRejected) as caught:
                await v1.write(b"m v=", "ms", "db/week")
            return caught.value
        finally:
            await v1.close()

    error = asyncio.run(serving(refuse, scenario))
    assert "unable to parse 'm v=': missing field value" in str(error)
    assert "s3cret" not in str(error)
    assert heads[0][0] == "POST /influx/write?db=db&precision=ms&rp=week HTTP/1.1"
    assert "Authorization: Basic YW5uOnMzY3JldA==" in heads[0]  # ann:s3cret


def test_a_server_that_does_not_answer_is_a_lost_connection() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await reader.read()  # no answer, until the client gives up and closes
        writer.close()

    async def scenario(url: str) -> None:
        v1 = api(url, timeout=0.3)
        try:
            with pytest.raises(ConnectionLost, match="timed out"):
                await v1.write(b"m v=1 1", "s", "db")
        finally:
            await v1.close()

    asyncio.run(serving(silent, scenario))


def test_a_server_that_is_away_is_not_connected() -> None:
    async def scenario() -> None:
        v1 = api(f"http://127.0.0.1:{free_port()}")
        try:
            with pytest.raises(NotConnected, match="cannot reach InfluxDB at the server"):
                await v1.write(b"m v=1 1", "s", "db")
        finally:
            await v1.close()

    asyncio.run(scenario())


def test_https_and_proxied_servers_stay_with_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PlainHttp.serves("http://influx.example:8086")
    assert not PlainHttp.serves("https://influx.example:8086")
    monkeypatch.setenv("http_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "localhost")
    assert not PlainHttp.serves("http://influx.example:8086")
    assert PlainHttp.serves("http://localhost:8086")
    assert api("http://influx.example:8086")._plain is None
