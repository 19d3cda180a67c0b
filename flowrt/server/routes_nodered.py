"""Node-RED's admin API (v1 and v2) over the flows directory, mounted at ``/nodered``.

``GET/POST /flows``, ``GET /flow/:id``, ``POST /flow``, ``PUT/DELETE /flow/:id``, ``GET /nodes``,
``POST /inject/:id``, and ``GET /auth/login``, ``POST /auth/token``, ``POST /auth/revoke``: what
a script or CI job that deploys to Node-RED sends, answered as Node-RED answers. A
configuration goes through the importer, is checked, written to the flow files and deployed
as flowrt's own deploy does (:mod:`flowrt.server.nodered_admin`); what is read comes from the
exporter. Every request passes :mod:`flowrt.server.nodered_guard` first.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, Router

from flowrt.errors import ConfigError
from flowrt.server.access import ADMIN, Access, grant
from flowrt.server.auth import public_user
from flowrt.server.deploy import DeployRefused
from flowrt.server.hosts import HostPolicy
from flowrt.server.json_api import public_diagnostic
from flowrt.server.nodered_admin import (
    AdminError,
    Current,
    apply_files,
    check_texts,
    current,
    hold_secrets,
    plan,
    restore_files,
)
from flowrt.server.nodered_flows import add_flow, delete_flow, get_flow, node_sets, update_flow
from flowrt.server.nodered_guard import NodeRedGuard
from flowrt.server.runtime_actions import NotInjectable, deploy_recorded, press_inject
from flowrt.server.settings import ServerSettings
from flowrt.server.state import Server, server_of

PREFIX = "/nodered"
MODES = {"full": "full", "flows": "flows", "nodes": "nodes", "reload": "full"}
"""Node-RED's deployment types -> flowrt's deploy modes (:mod:`flowrt.server.deploy`)."""
_locks: weakref.WeakKeyDictionary[Server, asyncio.Lock] = weakref.WeakKeyDictionary()


def _lock(server: Server) -> asyncio.Lock:
    return _locks.setdefault(server, asyncio.Lock())


def _version(request: Request) -> str:
    version = request.headers.get("node-red-api-version") or "v1"
    if version not in ("v1", "v2"):
        raise AdminError(400, "invalid_api_version", "Invalid API Version requested")
    return version


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise AdminError(400, "invalid_request", f"the body is not JSON: {exc}") from None


async def _current(server: Server) -> Current:
    return await asyncio.to_thread(current, server)


async def _deploy(request: Request, flows: Any, credentials: Any, now: Current, mode: str,
                  what: str) -> tuple[str, dict[str, Any]]:
    """Convert, check, write and deploy a configuration; its new rev and the import's notes.
    Nothing is written when it does not validate."""
    from flowrt.nodered.stored import renamed

    server = server_of(request)
    author = public_user(request.scope)
    p = await asyncio.to_thread(plan, server, flows, credentials, now)
    if p.secrets and not grant(request).at_least(ADMIN):
        raise AdminError(403, "forbidden", "credentials go into the secrets store: this needs "
                         f"the admin role; you are {grant(request).role.label}")
    unchanged = not p.write and not p.delete and not p.secrets
    errors = [] if unchanged else \
        await asyncio.to_thread(check_texts, server, p.texts, p.secrets)
    if errors:
        raise AdminError(400, "invalid_flows", f"the flows have {len(errors)} error(s); "
                         "nothing was deployed",
                         diagnostics=[public_diagnostic(d, server.files) for d in errors])
    placed = await asyncio.to_thread(hold_secrets, server, p.secrets)
    final = renamed(p.texts, placed)
    write = {n: t for n, t in final.items() if n in p.write or t != p.texts[n]}
    before = await asyncio.to_thread(apply_files, server, write, p.delete)
    try:
        await deploy_recorded(server, mode, author, f"Node-RED admin API: {what}")
    except DeployRefused as exc:
        await asyncio.to_thread(restore_files, server, before, [*write, *p.delete])
        raise AdminError(400, "invalid_flows", "the flows have errors; nothing was deployed",
                         diagnostics=[public_diagnostic(d, server.files)
                                      for d in exc.diagnostics]) from None
    except ConfigError as exc:
        raise AdminError(400, "unexpected_error", f"the flows could not start: {exc}") from None
    return now.rev if unchanged else (await _current(server)).rev, p.report


def _answering(handler: Any) -> Any:
    async def answered(request: Request) -> Response:
        try:
            response: Response = await handler(request)
        except AdminError as exc:
            return JSONResponse(exc.body(), exc.status)
        return response

    return answered


@_answering
async def get_flows(request: Request) -> Response:
    version = _version(request)
    now = await _current(server_of(request))
    return JSONResponse(now.flows if version == "v1" else {"rev": now.rev, "flows": now.flows})


@_answering
async def post_flows(request: Request) -> Response:
    version = _version(request)
    kind = request.headers.get("node-red-deployment-type") or "full"
    if kind not in MODES:
        raise AdminError(400, "invalid_deployment_type",
                         f"Node-RED-Deployment-Type is one of {', '.join(MODES)}")
    server = server_of(request)
    body = None if kind == "reload" else await _json(request)
    async with _lock(server):
        if kind == "reload":
            try:
                await deploy_recorded(server, "full", public_user(request.scope),
                                      "Node-RED admin API: reload")
            except DeployRefused as exc:
                raise AdminError(400, "invalid_flows", "the flows have errors",
                                 diagnostics=[public_diagnostic(d, server.files)
                                              for d in exc.diagnostics]) from None
            except ConfigError as exc:
                raise AdminError(400, "unexpected_error", str(exc)) from None
            report: dict[str, Any] = {}
            rev = (await _current(server)).rev
        else:
            now = await _current(server)
            flows, credentials = body, None
            if version == "v2":
                if not isinstance(body, dict) or not isinstance(body.get("flows"), list):
                    raise AdminError(400, "invalid_request", "v2 sends {\"flows\": [...]}")
                if "rev" in body and body["rev"] != now.rev:
                    raise AdminError(409, "version_mismatch", "the flows changed since that "
                                     "rev was read: GET /flows, then deploy again")
                flows, credentials = body["flows"], body.get("credentials")
            if not isinstance(flows, list):
                raise AdminError(400, "invalid_request", "the body must be an array of nodes")
            rev, report = await _deploy(request, flows, credentials, now, MODES[kind],
                                        f"deploy ({kind})")
    if version == "v1":
        return Response(status_code=204)
    return JSONResponse({"rev": rev, "flowrt": report})


@_answering
async def flow_get(request: Request) -> Response:
    now = await _current(server_of(request))
    return JSONResponse(await asyncio.to_thread(get_flow, now.flows,
                                                request.path_params["id"]))


@_answering
async def flow_post(request: Request) -> Response:
    body = await _json(request)
    async with _lock(server_of(request)):
        now = await _current(server_of(request))
        flow_id, flows = add_flow(now.flows, body)
        await _deploy(request, flows, None, now, "changed", f"add flow {flow_id}")
    return JSONResponse({"id": flow_id})


@_answering
async def flow_put(request: Request) -> Response:
    body = await _json(request)
    flow_id = request.path_params["id"]
    async with _lock(server_of(request)):
        now = await _current(server_of(request))
        flows = await asyncio.to_thread(update_flow, now.flows, flow_id, body)
        await _deploy(request, flows, None, now, "changed", f"update flow {flow_id}")
    return JSONResponse({"id": flow_id})


@_answering
async def flow_delete(request: Request) -> Response:
    flow_id = request.path_params["id"]
    async with _lock(server_of(request)):
        now = await _current(server_of(request))
        flows = await asyncio.to_thread(delete_flow, now.flows, flow_id)
        await _deploy(request, flows, None, now, "changed", f"delete flow {flow_id}")
    return Response(status_code=204)


async def nodes(request: Request) -> Response:
    from flowrt import __version__

    return JSONResponse(node_sets(server_of(request).registry, __version__))


@_answering
async def inject(request: Request) -> Response:
    server = server_of(request)
    nr_id = request.path_params["id"]
    now = await _current(server)
    node_id = now.node_ids.get(nr_id)
    if node_id is None:
        raise AdminError(404, "not_found", f"no node '{nr_id}'")
    try:
        press_inject(server, node_id)
    except NotInjectable as exc:
        raise AdminError(exc.status, "not_found" if exc.status == 404 else "invalid_request",
                         str(exc)) from None
    return PlainTextResponse("OK")


async def auth_login(request: Request) -> Response:
    if not server_of(request).auth.enabled:
        return JSONResponse({})
    return JSONResponse({"type": "credentials", "prompts": [
        {"id": "username", "type": "text", "label": "user.username"},
        {"id": "password", "type": "password", "label": "user.password"}]})


async def auth_token(request: Request) -> Response:
    server = server_of(request)
    if not server.auth.enabled:
        return JSONResponse({"code": "not_found", "message": "auth is off"}, 404)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await _json(request)
        except AdminError as exc:
            return JSONResponse(exc.body(), exc.status)
        form = data if isinstance(data, dict) else {}
    else:  # application/x-www-form-urlencoded, as OAuth2 clients send it
        body = (await request.body()).decode("utf-8", "replace")
        form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    if form.get("grant_type") != "password" or \
            form.get("client_id") not in ("node-red-admin", "node-red-editor"):
        return JSONResponse({"error": "unsupported_grant_type", "error_description":
                             "send grant_type=password, client_id=node-red-admin"}, 400)
    session = await asyncio.to_thread(server.auth.login, str(form.get("username", "")),
                                      str(form.get("password", "")))
    if session is None:
        return JSONResponse({"error": "invalid_grant",
                             "error_description": "wrong user or password"}, 403)
    return JSONResponse({"access_token": session, "expires_in": int(server.auth.session_seconds),
                         "token_type": "Bearer"})


async def auth_revoke(request: Request) -> Response:
    try:
        data = await _json(request)
    except AdminError as exc:
        return JSONResponse(exc.body(), exc.status)
    token = data.get("token") if isinstance(data, dict) else None
    if isinstance(token, str):
        server_of(request).auth.sessions.pop(token, None)
    return Response(status_code=200)


def mount(settings: ServerSettings, hosts: HostPolicy) -> Mount:
    """The admin API at ``/nodered``, behind its guard."""
    router = Router([
        Route("/flows", get_flows, methods=["GET"]),
        Route("/flows", post_flows, methods=["POST"]),
        Route("/flow", flow_post, methods=["POST"]),
        Route("/flow/{id}", flow_get, methods=["GET"]),
        Route("/flow/{id}", flow_put, methods=["PUT"]),
        Route("/flow/{id}", flow_delete, methods=["DELETE"]),
        Route("/nodes", nodes, methods=["GET"]),
        Route("/inject/{id}", inject, methods=["POST"]),
        Route("/auth/login", auth_login, methods=["GET"]),
        Route("/auth/token", auth_token, methods=["POST"]),
        Route("/auth/revoke", auth_revoke, methods=["POST"]),
    ])
    return Mount(PREFIX, app=NodeRedGuard(Access(router, PREFIX), settings.auth, hosts,
                                          settings.max_body))
