"""The HTTP endpoints of ``http-in`` nodes (Node-RED's ``httpNodeRoot``), and the WebSocket
paths of ``websocket-listener`` connections, served by the engine.

:class:`RouteTable` is the engine's :class:`~flowrt.protocols.HttpRoutes`, what nodes get from
``ctx.http_routes()``. It is an ASGI app: ``flowrt run --http HOST:PORT`` serves it on its own
with uvicorn (:class:`HttpServer`), and ``flowrt serve`` mounts it beside the editor. Routes can
be added and removed while it serves (a redeploy), so the app looks them up on every request
instead of freezing a route table.

A WebSocket path is matched exactly (as Node-RED does). Browsers let any page open a WebSocket
to any address, so a handshake that carries an ``Origin`` (every browser sends one; other
clients usually do not) is refused (403) unless :attr:`RouteTable.origin_allowed` accepts it:
by default the page must come from this server itself, under a loopback name or the address the
connection arrived on (:func:`own_origin`); ``flowrt serve`` applies its Host policy instead
(``--allowed-host``, ``--public-url``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from flowrt.errors import ConfigError
from flowrt.netloc import host_port
from flowrt.protocols import EndpointAccess, HttpHandler, HttpRoutes
from flowrt.run.access import Gate
from flowrt.run.cors import Cors
from flowrt.run.guarded import (
    admit_socket,
    cors_of,
    guarded_endpoint,
    has_rules,
    preflight,
    socket_gate,
)
from flowrt.run.openapi_serve import ApiDocs
from flowrt.secrets.keys import keyring

log = logging.getLogger("flowrt.http")
METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
SocketHandler = Callable[[Any], Awaitable[None]]
"""Takes an accepted-to-be ``starlette.websockets.WebSocket`` and serves it until it closes."""


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
        self._sockets: dict[str, tuple[str, SocketHandler]] = {}
        self._cors: dict[tuple[str, str], Cors] = {}
        self._socket_gates: dict[str, Gate] = {}
        self._route_gates: dict[tuple[str, str], Gate] = {}
        self._authenticated: set[tuple[str, str]] = set()
        """(method, path) of the endpoints with ``auth`` (``WS`` for a WebSocket path)."""
        self.origin_allowed: Callable[[str, Scope], bool] = own_origin
        """Whether a WebSocket handshake's ``Origin`` may open a socket (see the module)."""
        self.docs = ApiDocs()
        """``/openapi.json`` and ``/openapi``: the http-in routes' document (see
        :mod:`flowrt.run.openapi_serve`)."""

    def __len__(self) -> int:
        return len(self._routes) + len(self._sockets)

    def add(self, node_id: str, method: str, path: str, handler: HttpHandler,
            access: EndpointAccess | None = None) -> None:
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

        served: Callable[[Request], Awaitable[Response]] = endpoint
        cors = cors_of(access, method)
        if has_rules(access):
            gate = self._route_gates[(method, path)] = Gate(node_id, f"{method} {path}", access)
            served = guarded_endpoint(gate, "http-in", handler, cors)
        route = Route(path, served, methods=[method])
        self._routes[(method, path)] = (node_id, route)
        if access is not None and access.auth != "none":
            self._authenticated.add((method, path))
        if cors is not None:
            self._cors[(method, path)] = cors

    def add_websocket(self, node_id: str, path: str, handler: SocketHandler,
                      access: EndpointAccess | None = None) -> None:
        """Serve WebSocket handshakes on ``path`` (exactly) with ``handler``, behind the
        ``access`` rules (see :mod:`flowrt.run.guarded`); a path another node serves is a
        ConfigError naming both."""
        if not path.startswith("/"):
            path = "/" + path
        owner = self._sockets.get(path, (node_id, handler))[0]
        if owner != node_id:
            raise ConfigError(
                f"the WebSocket path {path} is already served by '{owner}', so '{node_id}' "
                "cannot serve it; give one of them another path", node=node_id)
        self._sockets[path] = (node_id, handler)
        gate = socket_gate(node_id, path, access)
        if gate is not None:
            self._socket_gates[path] = gate
        if access is not None and access.auth != "none":
            self._authenticated.add(("WS", path))

    def remove(self, node_id: str) -> None:
        for key in [k for k, (owner, _) in self._routes.items() if owner == node_id]:
            del self._routes[key]
            self._cors.pop(key, None)
            self._route_gates.pop(key, None)
            self._authenticated.discard(key)
        for path in [p for p, (owner, _) in self._sockets.items() if owner == node_id]:
            del self._sockets[path]
            self._socket_gates.pop(path, None)
            self._authenticated.discard(("WS", path))

    def describe(self) -> list[tuple[str, str, str]]:
        """(method, path, node id) of every route, for logs and the server (``WS`` for a
        WebSocket path)."""
        sockets = [("WS", p, owner) for p, (owner, _) in self._sockets.items()]
        return sorted([(m, p, owner) for (m, p), (owner, _) in self._routes.items()] + sockets)

    def open_endpoints(self) -> list[tuple[str, str, str]]:
        """(method, path, node id) of the endpoints anyone who reaches them may call (no
        ``auth``), as :meth:`describe` lists them."""
        return [(m, p, owner) for m, p, owner in self.describe()
                if (m, p) not in self._authenticated]

    def warn_exposed(self, host: str) -> None:
        """Log a warning for each endpoint anyone may call when served on a non-loopback
        ``host``, and for endpoints that take API keys when no keys file is given."""
        if not _loopback(host):
            for method, path, owner in self.open_endpoints():
                log.warning("node '%s' serves %s %s on %s to anyone who can reach it: give it "
                            "`auth` (docs/keys.md), or serve on 127.0.0.1", owner, method, path,
                            host)
        keyed = sorted({g.node_id for g in self.gates() if g.auth == "key"})
        if keyed and keyring() is None:
            log.warning("node(s) %s take API keys but no keys file is given (--keys FILE or "
                        "FLOWRT_KEYS): every key is refused", ", ".join(map(repr, keyed)))

    def gates(self) -> list[Gate]:
        """The gates of the endpoints with access settings (their clients' counts too)."""
        return [*self._socket_gates.values(), *self._route_gates.values()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        allowed: set[str] = set()
        path = scope["path"]
        tries = [scope]
        if len(path) > 1 and path.endswith("/"):
            tries.append({**scope, "path": path.rstrip("/") or "/"})
        if scope["method"] == "OPTIONS" and self._cors and _header(
                scope, b"access-control-request-method") is not None:
            cors = self._preflight_rules(tries)
            if cors is not None:
                await preflight(cors, scope)(scope, receive, send)
                return
        for attempt in tries:
            for route in [r for _, r in self._routes.values()]:
                match, child = route.matches(attempt)
                if match is Match.FULL:
                    scope.update(child)
                    await route.handle(scope, receive, send)
                    return
                if match is Match.PARTIAL:
                    allowed |= route.methods or set()
        served = self.docs.response(scope, {owner for owner, _ in self._routes.values()})
        if served is not None and not allowed:
            await served(scope, receive, send)
            return
        if allowed:
            response = PlainTextResponse(
                f"{scope['method']} is not served at {path}", status_code=405,
                headers={"Allow": ", ".join(sorted(allowed))},
            )
        else:
            response = PlainTextResponse(f"no http-in node serves {path}", status_code=404)
        await response(scope, receive, send)

    def _preflight_rules(self, tries: list[Scope]) -> Cors | None:
        """The CORS rules of the route a preflight asks about (its path and the method in
        ``Access-Control-Request-Method``), or None when that route has none."""
        asked = (_header(tries[0], b"access-control-request-method") or "").upper()
        for attempt in tries:
            probe = {**attempt, "method": asked}
            for key, (_, route) in self._routes.items():
                if route.matches(probe)[0] is Match.FULL:
                    return self._cors.get(key)
            for key, (_, route) in self._routes.items():  # another method: its rules answer
                if route.matches(probe)[0] is Match.PARTIAL and key in self._cors:
                    return self._cors[key]
        return None

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        found = self._sockets.get(path)
        origin = _header(scope, b"origin")
        if found is None:
            await send({"type": "websocket.close", "code": 1008})
            return
        if origin is not None and not self.origin_allowed(origin, scope):
            log.info("refused a WebSocket on %s from the page of %r: not this server's own "
                     "origin", path, origin[:100])
            await send({"type": "websocket.close", "code": 1008})
            return
        gate = self._socket_gates.get(path)
        if gate is not None and not await admit_socket(gate, scope, receive, send):
            return
        await found[1](WebSocket(scope, receive, send))


def own_origin(origin: str, scope: Scope) -> bool:
    """Whether ``origin`` is the request's own origin (``http://`` + its Host, ``https://``
    on TLS), under a loopback name or the address the connection arrived on: a page whose name
    points at 127.0.0.1 (DNS rebinding) is not this server's."""
    host = _header(scope, b"host") or ""
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    if origin.lower() != f"{scheme}://{host}".lower():
        return False
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").lower()
    if name == "localhost":
        return True
    server = scope.get("server")
    if server is not None and name == str(server[0]).lower():
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


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

    def __init__(self, app: Any, host: str, port: int, *, reuse_port: bool = False,
                 option: str = "--http") -> None:
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
        self.option = option
        """The command-line option that gave the address (named when it cannot be bound)."""

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP named, so that asyncio sets TCP_NODELAY on accepted connections (see
        # flowrt.server.serve._listen: without it a kept-alive request waits ~40 ms)
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((self.host, self.config.port))
        except OSError as exc:
            sock.close()
            raise OSError(
                f"cannot serve HTTP on {host_port(self.host, self.config.port)}: {exc.strerror}; "
                f"choose another address with {self.option}"
            ) from exc
        sock.set_inheritable(True)
        self.socket = sock
        self.config.load()
        self.server.lifespan = self.config.lifespan_class(self.config)
        await self.server.startup(sockets=[sock])
        self.task = asyncio.get_running_loop().create_task(self.server.main_loop())
        if isinstance(self.config.app, RouteTable | Without):
            self.config.app.warn_exposed(self.host)

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


class Without:
    """A route table less the paths another server ``owns`` (`flowrt run --dashboard`: the
    dashboard's WebSocket is served on its own address only, behind its rules): those are
    404 (a WebSocket is refused)."""

    def __init__(self, routes: RouteTable, owns: Callable[[str], bool]) -> None:
        self.routes = routes
        self.owns = owns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.owns(scope["path"]):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await PlainTextResponse("not found", 404)(scope, receive, send)
            return
        await self.routes(scope, receive, send)

    def warn_exposed(self, host: str) -> None:
        self.routes.warn_exposed(host)
