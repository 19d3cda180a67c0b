"""RouteTable (the http-in routes the engine serves) and HttpServer (uvicorn on a bound socket),
on real sockets."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from flowrt.errors import ConfigError
from flowrt.run.http import HttpServer, RouteTable


def answer(text: str) -> Any:
    async def handler(request: Request) -> Response:
        params = ",".join(f"{k}={v}" for k, v in sorted(request.path_params.items()))
        return PlainTextResponse(f"{text} {params}".strip())

    return handler


def test_routes_are_added_described_and_removed_by_node() -> None:
    routes = RouteTable()
    routes.add("a", "get", "users/:id", answer("a"))
    routes.add("a", "post", "/users", answer("a"))
    routes.add("b", "GET", "/items/{item}", answer("b"))
    assert routes.describe() == [
        ("GET", "/items/{item}", "b"), ("GET", "/users/{id}", "a"), ("POST", "/users", "a"),
    ]
    routes.remove("a")
    assert routes.describe() == [("GET", "/items/{item}", "b")]
    assert len(routes) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [("/users/:id", "/users/:name"), ("/users/:id", "/users/{id}"), ("/x", "/x/")],
)
def test_two_nodes_on_one_method_and_path_clash_naming_both(first: str, second: str) -> None:
    routes = RouteTable()
    routes.add("first", "get", first, answer("1"))
    with pytest.raises(ConfigError) as info:
        routes.add("second", "get", second, answer("2"))
    assert "'first'" in str(info.value) and "'second'" in str(info.value)
    assert info.value.node == "second"
    routes.add("second", "post", second, answer("2"))
    routes.add("first", "get", first, answer("1 again"))
    assert len(routes) == 2


def test_an_unknown_method_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown HTTP method 'FETCH'"):
        RouteTable().add("n", "fetch", "/x", answer("x"))


def test_served_routes_match_params_slashes_and_change_while_serving() -> None:
    async def main() -> None:
        routes = RouteTable()
        routes.add("users", "get", "/users/:id", answer("user"))
        routes.add("me", "get", "/me", answer("me"))
        server = HttpServer(routes, "127.0.0.1", 0)
        await server.start()
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}",
                                         trust_env=False) as client:
                assert (await client.get("/users/7")).text == "user id=7"
                assert (await client.get("/me/")).text == "me"
                head = await client.head("/me")
                assert head.status_code == 200
                missing = await client.get("/users")
                assert (missing.status_code, missing.text) == (404, "no http-in node serves /users")
                wrong = await client.delete("/users/7")
                assert wrong.status_code == 405
                assert wrong.headers["allow"] == "GET, HEAD"
                routes.remove("me")
                assert (await client.get("/me")).status_code == 404
                routes.add("me2", "get", "/me", answer("me again"))
                assert (await client.get("/me")).text == "me again"
        finally:
            await server.stop()

    asyncio.run(main())


def test_the_server_reports_its_port_refuses_a_taken_one_and_frees_it() -> None:
    async def main() -> None:
        first = HttpServer(RouteTable(), "127.0.0.1", 0)
        await first.start()
        port = first.port
        assert port > 0
        second = HttpServer(RouteTable(), "127.0.0.1", port)
        with pytest.raises(OSError, match=f"cannot serve HTTP on 127.0.0.1:{port}"):
            await second.start()
        await first.stop()
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
            probe.listen()

    asyncio.run(main())


def test_stopping_cancels_a_handler_that_never_answers() -> None:
    entered = asyncio.Event()
    cancelled = asyncio.Event()

    async def forever(request: Request) -> Response:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return PlainTextResponse("never")

    async def main() -> None:
        routes = RouteTable()
        routes.add("stuck", "get", "/stuck", forever)
        server = HttpServer(routes, "127.0.0.1", 0)
        await server.start()
        async with httpx.AsyncClient(trust_env=False) as client:
            request = asyncio.ensure_future(client.get(f"http://127.0.0.1:{server.port}/stuck"))
            await asyncio.wait_for(entered.wait(), 30)
            await asyncio.wait_for(server.stop(), 60)
            assert cancelled.is_set()
            with pytest.raises(httpx.HTTPError):
                await request

    asyncio.run(main())
