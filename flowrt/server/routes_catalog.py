"""The node catalog, auto-layout, Node-RED import and export, login, who is logged in, and the
OpenAPI document."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flowrt.errors import ConfigError, LoadError
from flowrt.server.access import ADMIN, check_file, grant
from flowrt.server.auth import COOKIE, public_user
from flowrt.server.files import BadName
from flowrt.server.json_api import body_of, error
from flowrt.server.layout import layout_of
from flowrt.server.nodered_admin import keep_secrets
from flowrt.server.openapi import OPENAPI
from flowrt.server.state import server_of


async def nodes(request: Request) -> Response:
    from flowrt.check.policy import refuses_type
    from flowrt.registry.catalog import source_keys
    from flowrt.registry.docs import render_markdown

    server = server_of(request)
    cache = server.catalog
    if cache is None:
        cache = []
        for spec in server.registry:
            entry = spec.to_dict()
            entry["docs"] = render_markdown(spec)
            entry["runs_code"] = spec.cls.runs_code
            entry["refused"] = refuses_type(spec.cls, server.settings.scripts)
            entry["node_keys"] = source_keys(spec)
            cache.append(entry)
        server.catalog = cache
    return JSONResponse(cache)


async def layout(request: Request) -> Response:
    server = server_of(request)
    try:
        body = await body_of(request)
        name = str(body.get("file") or "flow.yaml")
        server.files.path(name)  # a name the API refuses is a 400, with text given or not
        refused = check_file(request, name)
        if refused:
            return error(403, refused)
        text = body.get("text")
        if not isinstance(text, str):
            text = await asyncio.to_thread(server.files.read, name)
    except (BadName, ValueError) as exc:
        return error(400, str(exc))
    if text is None:
        return error(404, f"no flow file '{name}'")
    try:  # reading and laying out a large flow takes seconds: not on the event loop
        return JSONResponse({"layout": await asyncio.to_thread(layout_of, text, name)})
    except LoadError as exc:
        return error(422, str(exc.diagnostics[0]) if exc.diagnostics else "cannot be read")


async def import_nodered(request: Request) -> Response:
    from flowrt.nodered import CredentialsError, ReadError, convert, read_data
    from flowrt.nodered.credentials import decrypt, plain_credentials
    from flowrt.nodered.stored import renamed, renaming_problems

    try:
        body = await body_of(request)
    except ValueError as exc:
        return error(400, str(exc))
    if "flows" not in body:
        return error(400, "give `flows`: the Node-RED export (an array of nodes)")
    if body.get("credentials") and not grant(request).at_least(ADMIN):
        return error(403, "credentials go into the secrets store: this needs the admin role; "
                     f"you are {grant(request).role.label} (import without them)")
    server = server_of(request)
    from flowrt.nodered.naming import Reserved

    listing = await server.flow_cache.listing()  # the project's ids: a second import is a copy
    reserved = Reserved(
        nodes=frozenset(i for f in listing for i in f.get("ids", ())),
        connections=frozenset(i for f in listing for i in f.get("connection_ids", ())),
        flows=frozenset(f["id"] for f in listing if f.get("id")),
    )

    def run() -> dict[str, Any]:
        export = read_data(body["flows"], "flows.json")
        creds: Any = body.get("credentials") or {}
        if isinstance(creds, dict) and "$" in creds:
            if not body.get("secret"):
                raise CredentialsError("the credentials are encrypted: give `secret`")
            creds = decrypt(creds, str(body["secret"]))
        elif creds:
            creds = plain_credentials(creds)
        conversion = convert(export, creds, "flows.json", server.registry, reserved)
        report = conversion.report
        report.files = [f.file for f in conversion.flows]
        placed = keep_secrets(server, conversion.secrets)
        texts = renamed(conversion.texts(), placed)
        report.problems.extend(renaming_problems(placed))
        return {"files": texts, "report": report.to_dict(),
                "secrets": sorted(placed.get(n, n) for n in conversion.secrets),
                "stored": sorted(placed.values())}

    try:
        return JSONResponse(await asyncio.to_thread(run))
    except (ReadError, CredentialsError, ConfigError) as exc:
        return error(422, str(exc))


async def export_nodered(request: Request) -> Response:
    from flowrt.nodered.export import ExportError, export_project

    server = server_of(request)
    paths = [str(server.files.path(n)) for n in server.files.names()
             if grant(request).allows(n)]
    if not paths:
        return JSONResponse([])
    try:
        flows, _ = await asyncio.to_thread(export_project, paths, server.registry)
    except ExportError as exc:
        return error(422, f"the flows cannot be exported: {exc}")
    return JSONResponse(flows)


async def login(request: Request) -> Response:
    server = server_of(request)
    try:
        body = await body_of(request)
    except ValueError as exc:
        return error(400, str(exc))
    if not server.auth.enabled:
        return JSONResponse({"user": "local"})
    session = await asyncio.to_thread(server.auth.login, str(body.get("user", "")),
                                      str(body.get("password", "")))
    if session is None:
        return error(401, "wrong user or password")
    response = JSONResponse({"user": body["user"]})
    response.set_cookie(COOKIE, session, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    server = server_of(request)
    session = request.cookies.get(COOKIE)
    if session:
        server.auth.sessions.pop(session, None)
    response = JSONResponse({"user": None})
    response.delete_cookie(COOKIE)
    return response


async def me(request: Request) -> Response:
    """Who the request is, its role and flow files (null: all), and the roles in order: the
    editor disables what the role may not do."""
    from flowrt.server.roles import ROLES

    return JSONResponse({"user": public_user(request.scope), **grant(request).public(),
                         "roles": list(ROLES), "auth": server_of(request).auth.enabled})


async def openapi(request: Request) -> Response:
    return Response(json.dumps(OPENAPI), media_type="application/json")


ROUTES: list[BaseRoute] = [
    Route("/api/nodes", nodes, methods=["GET"]),
    Route("/api/layout", layout, methods=["POST"]),
    Route("/api/import/nodered", import_nodered, methods=["POST"]),
    Route("/api/export/nodered", export_nodered, methods=["GET"]),
    Route("/api/login", login, methods=["POST"]),
    Route("/api/logout", logout, methods=["POST"]),
    Route("/api/me", me, methods=["GET"]),
    Route("/api/openapi.json", openapi, methods=["GET"]),
]
