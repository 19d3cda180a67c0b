"""Deploy, revisions, runtime state, the inject button, events, health and metrics."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from flowrt.errors import ConfigError
from flowrt.server import metrics, scoping
from flowrt.server.access import grant
from flowrt.server.auth import public_user
from flowrt.server.deploy import MODES, DeployRefused
from flowrt.server.json_api import body_of, error, public_diagnostic
from flowrt.server.revisions import diff
from flowrt.server.runtime_actions import NotInjectable, deploy_recorded, press_inject
from flowrt.server.state import Server, server_of

log = logging.getLogger("flowrt.server")


async def deploy(request: Request) -> Response:
    server = server_of(request)
    try:
        body = await body_of(request)
    except ValueError as exc:
        return error(400, str(exc))
    mode = body.get("mode", "full")
    if mode not in MODES:
        return error(400, f"mode is one of {', '.join(repr(m) for m in MODES)}")
    message = str(body.get("message") or f"deploy ({mode})")
    skip_invalid = body.get("skip_invalid", False)
    if not isinstance(skip_invalid, bool):
        return error(400, "skip_invalid is true or false")
    others = await _others_pending(server, request)
    if others:
        return error(403, f"{others} flow file(s) outside yours changed since the last "
                     "deploy: someone who may deploy them deploys first")
    return await _deploy(server, mode, public_user(request.scope), message, skip_invalid)


async def _others_pending(server: Server, request: Request) -> int:
    """How many files outside a limited grant's differ from the last deployed revision (0 for
    a grant of every file): a deploy by such a grant would run them."""
    mine = grant(request)
    if not mine.limited:
        return 0

    def count() -> int:
        latest = server.revisions.list()[:1]
        last = server.revisions.get(int(latest[0].id or 0)) if latest else None
        before = last.snapshot() if last else {}
        now = server.files.snapshot()
        return sum(1 for name in {*before, *now}
                   if not mine.allows(name) and before.get(name) != now.get(name))

    return await asyncio.to_thread(count)


async def _deploy(server: Server, mode: str, author: str, message: str,
                  skip_invalid: bool = False) -> Response:
    try:
        done = await deploy_recorded(server, mode, author, message, skip_invalid)
    except DeployRefused as exc:
        return JSONResponse({"error": "the flows have errors; nothing was deployed",
                             "diagnostics": [public_diagnostic(d, server.files)
                                             for d in exc.diagnostics]},
                            422)
    except ConfigError as exc:
        return error(422, f"the flows could not start: {exc}")
    return JSONResponse({"revision": done.revision, "changed": done.changed})


async def list_revisions(request: Request) -> Response:
    revs = await asyncio.to_thread(server_of(request).revisions.list)
    return JSONResponse([r.public() for r in revs])


def _revision_id(request: Request) -> int | None:
    raw = request.path_params["id"]
    return int(raw) if raw.isdigit() and len(raw) < 18 else None  # fits a database integer


async def revision_diff(request: Request) -> Response:
    server = server_of(request)
    rev_id = _revision_id(request)
    rev = None if rev_id is None else await asyncio.to_thread(server.revisions.get, rev_id)
    if rev is None:
        return error(404, f"no revision {request.path_params['id']}")
    current = await asyncio.to_thread(server.files.snapshot)
    mine = grant(request)
    old, new = scoping.snapshot_only(mine, rev.snapshot()), scoping.snapshot_only(mine, current)
    return JSONResponse({"diff": await asyncio.to_thread(diff, old, new)})


async def rollback(request: Request) -> Response:
    server = server_of(request)
    rev_id = _revision_id(request)
    rev = None if rev_id is None else await asyncio.to_thread(server.revisions.get, rev_id)
    if rev is None:
        return error(404, f"no revision {request.path_params['id']}")
    await asyncio.to_thread(server.files.replace_all, rev.snapshot())
    return await _deploy(server, "changed", public_user(request.scope),
                         f"rollback to revision {rev.id}")


async def state(request: Request) -> Response:
    server = server_of(request)
    return JSONResponse(scoping.state_only(server, grant(request), server.engine.state()))


async def inject(request: Request) -> Response:
    node_id = request.path_params["node_id"]
    if not scoping.node_allowed(server_of(request), grant(request), node_id):
        return error(404, f"no running node '{node_id}' in your flow files")
    try:
        press_inject(server_of(request), node_id)
    except NotInjectable as exc:
        return error(exc.status, str(exc))
    return JSONResponse({"injected": node_id})


async def events(websocket: WebSocket) -> None:
    server = server_of(websocket)
    await server.hub.serve(websocket, scoping.event_view(server, grant(websocket)))


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> Response:
    server = server_of(request)
    if not server.engine.ready:
        return JSONResponse({"status": "starting"}, 503)
    if server.started_problem:
        return JSONResponse({"status": "failed", "error": server.started_problem}, 503)
    return JSONResponse({"status": "ready", "units": len(server.engine.units)})


async def group(request: Request) -> Response:
    """The group of workers this server runs in: members, and who runs each singleton."""
    g = server_of(request).engine.group
    if g is None:
        return JSONResponse({"group": None, "workers": [], "singletons": {}})
    from flowrt.run.sources import singletons as once_in_group

    singletons = {}
    server, mine = server_of(request), grant(request)
    for unit in server.engine.units:
        for node_id in once_in_group(unit.runtime):
            if scoping.node_allowed(server, mine, node_id):
                singletons[node_id] = g.holder(node_id)
    newest = server.follower.newest if server.follower is not None else None
    return JSONResponse({
        "group": g.name, "worker": g.worker, "connected": g.connected,
        "workers": [m.public(g.worker) for m in g.members],
        "singletons": singletons,
        "revision": newest.public() if newest is not None else None,
    })


async def prometheus(request: Request) -> Response:
    engine = server_of(request).engine
    text = metrics.render(engine.state(), engine.errors, engine.deploys,
                          engine.ready and bool(engine.units))
    if engine.group is not None:
        text += metrics.render_group(engine.group)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4")


ROUTES: list[BaseRoute] = [
    Route("/api/deploy", deploy, methods=["POST"]),
    Route("/api/revisions", list_revisions, methods=["GET"]),
    Route("/api/revisions/{id}/diff", revision_diff, methods=["GET"]),
    Route("/api/revisions/{id}/rollback", rollback, methods=["POST"]),
    Route("/api/state", state, methods=["GET"]),
    Route("/api/inject/{node_id:path}", inject, methods=["POST"]),
    WebSocketRoute("/api/events", events),
    Route("/health", health, methods=["GET"]),
    Route("/ready", ready, methods=["GET"]),
    Route("/metrics", prometheus, methods=["GET"]),
    Route("/api/group", group, methods=["GET"]),
]
