"""Connections accepted by flowrt's HTTP servers (the editor's, `flowrt serve`, and the flows'
own, http-in's) have Nagle's algorithm off. asyncio sets TCP_NODELAY only on sockets whose
``proto`` is IPPROTO_TCP; a listening socket made with ``proto`` 0 passes that on to what it
accepts, and every response on a kept-alive connection then waited for the client's delayed
ACK (about 40 ms a request, against under 1 ms)."""

from __future__ import annotations

import asyncio
import socket

from flowrt.run.http import HttpServer
from flowrt.server.serve import _listen
from tests.support.servers import free_port


def _nodelay(transport: asyncio.BaseTransport) -> int:
    sock = transport.get_extra_info("socket")
    return int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_connections_to_flowrt_serve_have_nagle_off() -> None:
    async def main() -> int:
        accepted: asyncio.Future[asyncio.BaseTransport] = asyncio.get_running_loop().create_future()

        class Accept(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted.set_result(transport)

        listening = _listen("127.0.0.1", free_port())
        server = await asyncio.get_running_loop().create_server(Accept, sock=listening)
        try:
            _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
            async with asyncio.timeout(10):
                transport = await accepted
            value = _nodelay(transport)
            transport.close()
            writer.close()
            return value
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(main()) == 1


def test_connections_to_the_flows_http_server_have_nagle_off() -> None:
    async def app(scope: dict, receive: object, send: object) -> None:  # never called
        raise AssertionError

    async def main() -> list[int]:
        server = HttpServer(app, "127.0.0.1", 0)
        await server.start()
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            async with asyncio.timeout(10):
                while not server.server.server_state.connections:
                    await asyncio.sleep(0.01)
            values = [_nodelay(c.transport) for c in server.server.server_state.connections]
            writer.close()
            return values
        finally:
            await server.stop()

    assert asyncio.run(main()) == [1]
