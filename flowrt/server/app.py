"""The Starlette app of `flowrt serve`: admin API, WebSocket, editor files, then http-in routes.

:func:`create_app` assembles it from :class:`ServerSettings`: the routes of the route modules
(which share the :class:`~flowrt.server.state.Server` and :mod:`flowrt.server.json_api`, never
one another), the middleware, and the lifespan that runs the flows
(:mod:`flowrt.server.lifespan`).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from flowrt.server import (
    routes_catalog,
    routes_context,
    routes_flows,
    routes_keys,
    routes_nodered,
    routes_paths,
    routes_runtime,
)
from flowrt.server.access import Access
from flowrt.server.auth import BodyTooLarge, Guard
from flowrt.server.headers import SecurityHeaders
from flowrt.server.hosts import HostGuard, HostPolicy
from flowrt.server.json_api import throttled, too_large
from flowrt.server.lifespan import lifespan_of
from flowrt.server.redaction import RedactResponses
from flowrt.server.routes_dashboard import dashboard_routes
from flowrt.server.routes_editor import editor_routes
from flowrt.server.settings import ServerSettings
from flowrt.server.state import Server
from flowrt.server.throttle import Throttled

__all__ = ["ServerSettings", "create_app"]


def create_app(settings: ServerSettings) -> Starlette:
    server = Server(settings)
    hosts = HostPolicy.build(settings.allowed_hosts, settings.public_urls)
    server.engine.http.origin_allowed = hosts.origin_allowed  # flows' WebSocket paths too
    routes: list[BaseRoute] = [
        *routes_flows.ROUTES,
        *routes_runtime.ROUTES,
        *routes_paths.ROUTES,
        *routes_catalog.ROUTES,
        *routes_context.ROUTES,
        *routes_keys.ROUTES,
        *editor_routes(settings.ui),
        *dashboard_routes(settings.ui),
        routes_nodered.mount(settings, hosts),
        Mount("/", server.engine.http),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RedactResponses), Middleware(SecurityHeaders),
                    Middleware(HostGuard, policy=hosts),
                    Middleware(Guard, auth=settings.auth, max_body=settings.max_body,
                               hosts=hosts),
                    Middleware(Access, own=routes[:-1])],
        exception_handlers={BodyTooLarge: too_large, Throttled: throttled},
        lifespan=lifespan_of(server),
    )
    app.state.server = server
    return app
