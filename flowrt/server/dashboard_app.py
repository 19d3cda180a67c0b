"""The dashboard alone, for `flowrt run --dashboard HOST:PORT`: its page and files, the editor
files the page imports (``/ui/js/``, ``/ui/vendor/``), and its WebSocket, taken from the
engine's routes; behind the middleware of `flowrt serve` (security headers and CSP, the Host
allowlist, bearer tokens and the WebSocket's Origin rule), and nothing else: no API, no
editor, no flow endpoint.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from flowrt.errors import ConfigError
from flowrt.server.auth import Auth, Guard, is_dashboard
from flowrt.server.headers import SecurityHeaders
from flowrt.server.hosts import HostGuard, HostPolicy, is_loopback_name
from flowrt.server.routes_dashboard import dashboard_routes
from flowrt.server.settings import UI_DIR

MAX_BODY = 64 * 1024
"""No request of the dashboard has a body worth more (its inputs travel on the WebSocket)."""


def refuse_public(host: str, auth: Auth) -> None:
    """ConfigError for an address other than loopback without authentication (as `flowrt
    serve` refuses one)."""
    if not is_loopback_name(host) and not auth.enabled:
        raise ConfigError(f"refusing to serve the dashboard on {host}: only 127.0.0.1 is served "
                          "without authentication; set FLOWRT_TOKENS (bearer tokens)")


def dashboard_app(engine: ASGIApp, host: str, auth: Auth, names: tuple[str, ...] = (),
                  ui: Path = UI_DIR) -> Starlette:
    """The dashboard served on ``host`` from the engine's routes ``engine`` (``names``: the
    Host names it answers besides loopback and its address); see :func:`refuse_public`."""
    refuse_public(host, auth)
    hosts = HostPolicy.build(names)

    async def sockets(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and is_dashboard(scope["path"]):
            await engine(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"not found"})

    routes: list[BaseRoute] = [*dashboard_routes(ui)]
    for part in ("js", "vendor"):
        if (ui / part).is_dir():
            routes.append(Mount(f"/ui/{part}", StaticFiles(directory=ui / part)))
    routes.append(Mount("/", sockets))
    return Starlette(routes=routes, middleware=[
        Middleware(SecurityHeaders), Middleware(HostGuard, policy=hosts),
        Middleware(Guard, auth=auth, max_body=MAX_BODY, hosts=hosts)])
