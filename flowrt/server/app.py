"""The Starlette app of `flowrt serve`: admin API, WebSocket, editor files, then http-in routes.

:func:`create_app` builds it from :class:`ServerSettings`; its lifespan deploys the flows at
start-up (a directory with errors starts with nothing running, and says why in the log and on
``/ready``) and stops them gracefully at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from flowrt.check.policy import ScriptPolicy
from flowrt.registry.discover import Registry, default_registry
from flowrt.server.auth import Auth, BodyTooLarge, Guard
from flowrt.server.deploy import DeployRefused, Engine
from flowrt.server.events import Hub
from flowrt.server.files import FlowFiles
from flowrt.server.flow_cache import FlowCache
from flowrt.server.headers import SecurityHeaders
from flowrt.server.hosts import HostGuard, HostPolicy
from flowrt.server.protocol import BODY_TIMEOUT, HEADER_TIMEOUT
from flowrt.server.redaction import RedactResponses
from flowrt.server.revisions import KEEP_REVISIONS, Revisions
from flowrt.server.throttle import Throttled

log = logging.getLogger("flowrt.server")
MAX_BODY = 2 * 1024 * 1024
def _ui_dir() -> Path:
    """The editor's files: ui/ in a source checkout, else the copy bundled into the wheel."""
    source = Path(__file__).resolve().parent.parent.parent / "ui"
    if (source / "index.html").is_file():
        return source
    return Path(__file__).resolve().parent.parent / "_bundled" / "ui"


UI_DIR = _ui_dir()


@dataclass
class ServerSettings:
    flows: Path
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    auth: Auth = field(default_factory=Auth)
    db_url: str | None = None
    max_body: int = MAX_BODY
    ui: Path = UI_DIR
    deploy_on_start: bool = True
    close_timeout: float = 15.0
    registry: Registry | None = None
    mqtt_broker: tuple[str, int] | None = None
    """Start the embedded MQTT broker there before the flows."""
    context_url: str | None = None
    """Persist context (sqlite:///... or postgresql://...); None keeps it in memory."""
    group: Any = None
    """A :class:`flowrt.group.Group` to run the flows as one of its workers, or None."""
    scripts: ScriptPolicy = "allow"
    """Which nodes that run a flow author's code deploy accepts (see :mod:`flowrt.check.policy`)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names served besides loopback and the local address (``--allowed-host``)."""
    public_urls: tuple[str, ...] = ()
    """The URLs browsers reach the server at behind a proxy (``--public-url``)."""
    secrets_file: Path | None = None
    """The ``--secrets`` file; a Node-RED import writes credentials into it when it is an
    encrypted store (or does not exist yet) and FLOWRT_SECRETS_KEY is set."""
    keep_revisions: int = KEEP_REVISIONS
    """Revisions kept (the newest); the current one and the one before are always kept."""
    keep_revisions_days: float | None = None
    """Also delete revisions older than this many days (None: no age limit)."""
    header_timeout: float = HEADER_TIMEOUT
    """Seconds a client has to send a request's headers (see :mod:`flowrt.server.protocol`)."""
    body_timeout: float = BODY_TIMEOUT
    """Seconds a client has to send a request's body, once its headers are in."""


class Server:
    """What the routes share (``request.app.state.server``)."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.registry = settings.registry or default_registry()
        self.files = FlowFiles(settings.flows)
        self.flow_cache = FlowCache(self.files)
        self.hub = Hub()
        self.engine = Engine(settings.flows, self.registry, settings.env, self.hub,
                             settings.close_timeout, settings.context_url, settings.group,
                             settings.scripts)
        self.revisions = Revisions(settings.db_url, self.files.root, settings.keep_revisions,
                                   settings.keep_revisions_days)
        self.auth = settings.auth
        self.started_problem: str | None = None
        self.catalog: list[dict[str, Any]] | None = None


def server_of(request: Any) -> Server:
    server: Server = request.app.state.server
    return server


def create_app(settings: ServerSettings) -> Starlette:
    from flowrt.server import routes_catalog, routes_flows, routes_runtime

    server = Server(settings)
    hosts = HostPolicy.build(settings.allowed_hosts, settings.public_urls)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        broker = None
        if settings.mqtt_broker is not None:
            from flowrt.run.broker import EmbeddedBroker

            broker = EmbeddedBroker(*settings.mqtt_broker)
            await broker.start()
            log.info("embedded MQTT broker on %s:%d", *settings.mqtt_broker)
        if settings.group is not None:
            await settings.group.start()
            log.info("group %s: joined as worker %s", settings.group.name, settings.group.worker)
        if settings.deploy_on_start:
            try:
                await server.engine.deploy("full")
                await asyncio.to_thread(_first_revision, server)
            except DeployRefused as exc:
                server.started_problem = f"the flows have {len(exc.diagnostics)} error(s)"
                for d in exc.diagnostics:
                    log.error("%s", d)
            except Exception as exc:
                server.started_problem = str(exc)
                log.error("the flows could not start: %s", exc)
            server.engine.ready = True
        stores = server.engine.stores
        flush = asyncio.get_running_loop().create_task(_flush_context(stores)) \
            if stores.persistent else None
        try:
            yield
        finally:
            if flush is not None:
                flush.cancel()
            await server.engine.stop()
            if settings.group is not None:
                await settings.group.stop()
            server.revisions.close()
            server.flow_cache.close()
            if broker is not None:
                await broker.stop()

    routes: list[BaseRoute] = [
        *routes_flows.ROUTES,
        *routes_runtime.ROUTES,
        *routes_catalog.ROUTES,
        Route("/", _index),
    ]
    if settings.ui.is_dir():
        routes.append(Mount("/ui", StaticFiles(directory=settings.ui), name="ui"))
    routes.append(Mount("/", server.engine.http))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RedactResponses), Middleware(SecurityHeaders),
                    Middleware(HostGuard, policy=hosts),
                    Middleware(Guard, auth=settings.auth, max_body=settings.max_body,
                               hosts=hosts)],
        exception_handlers={BodyTooLarge: _too_large, Throttled: _throttled},
        lifespan=lifespan,
    )
    app.state.server = server
    return app


async def _flush_context(stores: Any, every: float = 5.0) -> None:
    """Write changed context every few seconds (and at each unit's stop), as `flowrt run`."""
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(stores.write, stores.take_changes())


def _first_revision(server: Server) -> None:
    """Record what runs after start-up, unless the latest revision holds just that."""
    from flowrt.server.revisions import snapshot_hash

    files = server.files.snapshot()
    latest = server.revisions.list()[:1]
    if not latest or latest[0].hash != snapshot_hash(files):
        server.revisions.add("local", files, "start")


async def _index(request: Request) -> Response:
    index = server_of(request).settings.ui / "index.html"
    if index.is_file():
        return FileResponse(index)
    return JSONResponse({"error": "the editor (ui/index.html) is not installed"}, 404)


async def _too_large(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, 413)


async def _throttled(request: Request, exc: Exception) -> Response:
    seconds = exc.retry_after if isinstance(exc, Throttled) else 60
    return JSONResponse({"error": f"{exc}; wait, then check the user name and password"}, 429,
                        headers={"retry-after": str(seconds)})
