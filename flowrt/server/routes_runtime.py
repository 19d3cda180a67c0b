"""Deploy, revisions, runtime state, the inject button, events, health and metrics."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from flowrt.errors import ConfigError
from flowrt.server import metrics
from flowrt.server.auth import public_user
from flowrt.server.deploy import DeployRefused
from flowrt.server.json_api import body_of, error, public_diagnostic
from flowrt.server.revisions import diff
from flowrt.server.state import Server, server_of

log = logging.getLogger("flowrt.server")


async def deploy(request: Request) -> Response:
    server = server_of(request)
    try:
        body = await body_of(request)
    except ValueError as exc:
        return error(400, str(exc))
    mode = body.get("mode", "full")
    if mode not in ("full", "changed"):
        return error(400, "mode is 'full' or 'changed'")
    message = str(body.get("message") or f"deploy ({mode})")
    return await _deploy(server, mode, public_user(request.scope), message)


async def _deploy(server: Server, mode: str, author: str, message: str) -> Response:
    try:
        outcome = await server.engine.deploy(mode)
    except DeployRefused as exc:
        log.warning("deploy (%s) by %s refused: %d problem(s) in the flows", mode, author,
                    len(exc.diagnostics))
        return JSONResponse({"error": "the flows have errors; nothing was deployed",
                             "diagnostics": [public_diagnostic(d, server.files)
                                             for d in exc.diagnostics]},
                            422)
    except ConfigError as exc:
        return error(422, f"the flows could not start: {exc}")
    server.started_problem = None
    files = await asyncio.to_thread(server.files.snapshot)
    rev = await asyncio.to_thread(server.revisions.add, author, files, message)
    log.info("deploy (%s) by %s: revision %s, %d node(s) changed", mode, author, rev.id,
             len(outcome.nodes))
    changed = {"flows": outcome.flows, "nodes": outcome.nodes}
    server.hub.publish({"type": "deploy", "revision": rev.id, "changed": changed})
    return JSONResponse({"revision": rev.id, "changed": changed})


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
    return JSONResponse({"diff": await asyncio.to_thread(diff, rev.snapshot(), current)})


async def rollback(request: Request) -> Response:
    server = server_of(request)
    rev_id = _revision_id(request)
    rev = None if rev_id is None else await asyncio.to_thread(server.revisions.get, rev_id)
    if rev is None:
        return error(404, f"no revision {request.path_params['id']}")
    snapshot = rev.snapshot()
    files = server.files

    def restore() -> None:
        for name in files.names():
            if name not in snapshot:
                files.path(name).unlink()
        for name, text in snapshot.items():
            files.write(name, text, files.revision(name))

    await asyncio.to_thread(restore)
    return await _deploy(server, "changed", public_user(request.scope),
                         f"rollback to revision {rev.id}")


async def state(request: Request) -> Response:
    return JSONResponse(server_of(request).engine.state())


async def inject(request: Request) -> Response:
    server = server_of(request)
    node_id = request.path_params["node_id"]
    rt = server.engine.find(node_id)
    if rt is None:
        return error(404, f"no running node '{node_id}': deploy first")
    if rt.plan.nodes[node_id].type != "inject":
        return error(400, f"node '{node_id}' is a {rt.plan.nodes[node_id].type} node, "
                     "not an inject node")
    node = rt.nodes[node_id]
    msg: dict[str, Any] = {}
    try:
        for put, value in getattr(node, "_values", ()):
            put(msg, value(msg))
    except Exception as exc:
        return error(422, f"node '{node_id}' could not make its message: {exc}")
    rt.emit_source(node_id, msg, None)
    return JSONResponse({"injected": node_id})


async def events(websocket: WebSocket) -> None:
    await server_of(websocket).hub.serve(websocket)


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
    for unit in server_of(request).engine.units:
        for node_id in once_in_group(unit.runtime):
            singletons[node_id] = g.holder(node_id)
    return JSONResponse({
        "group": g.name, "worker": g.worker, "connected": g.connected,
        "workers": [m.public(g.worker) for m in g.members],
        "singletons": singletons,
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
