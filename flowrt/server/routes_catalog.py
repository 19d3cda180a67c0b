"""The node catalog, auto-layout, Node-RED import and export, login, and the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flowrt.errors import ConfigError, LoadError
from flowrt.server.auth import COOKIE
from flowrt.server.files import BadName
from flowrt.server.json_api import body_of, error
from flowrt.server.layout import layout_of
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
    server = server_of(request)

    def run() -> dict[str, Any]:
        export = read_data(body["flows"], "flows.json")
        creds: Any = body.get("credentials") or {}
        if isinstance(creds, dict) and "$" in creds:
            if not body.get("secret"):
                raise CredentialsError("the credentials are encrypted: give `secret`")
            creds = decrypt(creds, str(body["secret"]))
        elif creds:
            creds = plain_credentials(creds)
        conversion = convert(export, creds, "flows.json", server.registry)
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


def keep_secrets(server: Any, secrets: dict[str, str]) -> dict[str, str]:
    """Write imported credentials into the server's encrypted store, and give them to the
    flows; each name -> the name it is stored under (empty when the server has no store and
    key: the values are then dropped, and the response's ``secrets`` lists what to set). A
    value the store holds under that name is never replaced: the new one takes the next free
    ``NAME_2``... (:func:`flowrt.secrets.store.add_to_store`). Values never leave here, and are
    hidden from every output from now on (:mod:`flowrt.secrets.redact`)."""
    from flowrt.secrets.redact import SECRETS
    from flowrt.secrets.store import add_to_store, key_from

    store = server.settings.secrets_file
    if not secrets or store is None or key_from() is None:
        return {}
    placed = add_to_store(store, secrets)
    for name, value in secrets.items():
        SECRETS.add(placed[name], value)
    for env in (server.engine.env, server.settings.env):
        if isinstance(env, dict):
            for name, value in secrets.items():
                env.setdefault(placed[name], value)  # the environment and -e still win
    return placed


async def export_nodered(request: Request) -> Response:
    from flowrt.nodered.export import ExportError, export_project

    server = server_of(request)
    paths = [str(server.files.path(n)) for n in server.files.names()]
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


async def openapi(request: Request) -> Response:
    return Response(json.dumps(OPENAPI), media_type="application/json")


ROUTES: list[BaseRoute] = [
    Route("/api/nodes", nodes, methods=["GET"]),
    Route("/api/layout", layout, methods=["POST"]),
    Route("/api/import/nodered", import_nodered, methods=["POST"]),
    Route("/api/export/nodered", export_nodered, methods=["GET"]),
    Route("/api/login", login, methods=["POST"]),
    Route("/api/logout", logout, methods=["POST"]),
    Route("/api/openapi.json", openapi, methods=["GET"]),
]
