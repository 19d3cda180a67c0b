"""The HTTP endpoints of ``http-in`` nodes (Node-RED's ``httpNodeRoot``), served by the engine.

:class:`RouteTable` is the engine's :class:`~flowrt.protocols.HttpRoutes`, what nodes get from
``ctx.http_routes()``. It is an ASGI app: ``flowrt run --http HOST:PORT`` serves it on its own
with uvicorn (:class:`HttpServer`), and ``flowrt serve`` mounts it beside the editor. Routes can
be added and removed while it serves (a redeploy), so the app looks them up on every request
instead of freezing a route table.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from flowrt.errors import ConfigError
from flowrt.protocols import HttpHandler, HttpRoutes

log = logging.getLogger("flowrt.http")
METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})


class RouteTable(HttpRoutes):
    """The routes of http-in nodes (:class:`~flowrt.protocols.HttpRoutes`), matched in the order
    they were added (as Express does).

    ``/users/:id`` and ``/users/{id}`` are the same route; two nodes on the same method and
    path (whatever their parameters are called) are a ConfigError naming both. A trailing slash
    is not significant (``/hello/`` is served by ``/hello``, Express's non-strict routing). A
    path served for other methods only is answered 405 with an ``Allow`` header; an unknown
    one 404.
    """

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], tuple[str, Route]] = {}

    def __len__(self) -> int:
        return len(self._routes)

    def add(self, node_id: str, method: str, path: str, handler: HttpHandler) -> None:
        method = method.upper()
        if method not in METHODS:
            raise ConfigError(f"unknown HTTP method {method!r}", node=node_id)
        if not path.startswith("/"):
            path = "/" + path
        path = _starlette_path(path)
        shape = _shape(path)
        for (m, p), (owner, _) in self._routes.items():
            if m == method and _shape(p) == shape and owner != node_id:
                raise ConfigError(
                    f"{method} {path} is already served by node '{owner}', so node '{node_id}' "
                    "cannot serve it; give one of them another path or method",
                    node=node_id,
                )

        async def endpoint(request: Request) -> Response:
            result: Response = await handler(request)
            return result

        route = Route(path, endpoint, methods=[method])
        self._routes[(method, path)] = (node_id, route)

    def remove(self, node_id: str) -> None:
        for key in [k for k, (owner, _) in self._routes.items() if owner == node_id]:
            del self._routes[key]

    def describe(self) -> list[tuple[str, str, str]]:
        """(method, path, node id) of every route, for logs and the server."""
        return sorted((m, p, owner) for (m, p), (owner, _) in self._routes.items())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        allowed: set[str] = set()
        path = scope["path"]
        tries = [scope]
        if len(path) > 1 and path.endswith("/"):
            tries.append({**scope, "path": path.rstrip("/") or "/"})
        for attempt in tries:
            for route in [r for _, r in self._routes.values()]:
                match, child = route.matches(attempt)
                if match is Match.FULL:
                    scope.update(child)
                    await route.handle(scope, receive, send)
                    return
                if match is Match.PARTIAL:
                    allowed |= route.methods or set()
        if allowed:
            response = PlainTextResponse(
                f"{scope['method']} is not served at {path}", status_code=405,
                headers={"Allow": ", ".join(sorted(allowed))},
            )
        else:
            response = PlainTextResponse(f"no http-in node serves {path}", status_code=404)
        await response(scope, receive, send)


def _starlette_path(path: str) -> str:
    """Node-RED writes path parameters as ``/user/:id``; Starlette as ``/user/{id}``."""
    parts = [
        "{" + part[1:] + "}" if part.startswith(":") and len(part) > 1 else part
        for part in path.split("/")
    ]
    return "/".join(parts)


def _shape(path: str) -> str:
    """A path with its parameter names left out: ``/users/{id}`` and ``/users/{name}`` clash."""
    return re.sub(r"\{[^}/]*\}", "{}", path.rstrip("/") or "/")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


GRACE = 5
"""Seconds :meth:`HttpServer.stop` waits for requests still being handled before cancelling
them (http-in answers its waiting requests when its flow stops, so this bounds other apps)."""


class HttpServer:
    """uvicorn serving an ASGI app on one address until :meth:`stop`.

    The socket is bound here, so a taken port is an OSError naming the address (uvicorn would
    exit the process), and uvicorn's own signal handlers are never installed: the process's
    SIGINT/SIGTERM stay with ``flowrt run``/``serve`` and their graceful shutdown.
    """

    def __init__(self, app: Any, host: str, port: int, *, reuse_port: bool = False) -> None:
        import uvicorn

        self.config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                                     lifespan="off", access_log=False, log_config=None,
                                     timeout_graceful_shutdown=GRACE)
        self.server = uvicorn.Server(self.config)
        self.host = host
        self.reuse_port = reuse_port
        """Bind with SO_REUSEPORT: the workers of ``flowrt run --workers`` share the port."""
        self.socket: socket.socket | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((self.host, self.config.port))
        except OSError as exc:
            sock.close()
            raise OSError(
                f"cannot serve HTTP on {self.host}:{self.config.port}: {exc.strerror}; "
                "choose another address with --http"
            ) from exc
        sock.set_inheritable(True)
        self.socket = sock
        self.config.load()
        self.server.lifespan = self.config.lifespan_class(self.config)
        await self.server.startup(sockets=[sock])
        self.task = asyncio.get_running_loop().create_task(self.server.main_loop())

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1]) if self.socket else self.config.port

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task
            self.task = None
            await self.server.shutdown(sockets=[self.socket] if self.socket else None)
        if self.socket is not None:
            self.socket.close()
            self.socket = None
