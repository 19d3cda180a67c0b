"""Flow files: list, get, put (YAML text or JSON document), delete, validate.

Nothing here parses or writes on the event loop: reading goes through the server's
:class:`~flowrt.server.flow_cache.FlowCache`, saving and validating run in worker threads.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flowrt.diagnostics import Diagnostic
from flowrt.errors import LoadError
from flowrt.load import Project
from flowrt.load.project import display_path
from flowrt.load.yaml_io import MAX_DEPTH
from flowrt.server.access import check_file, grant
from flowrt.server.files import BadName, FlowFiles, Stale, load_flow_text
from flowrt.server.json_api import body_of, error, public_diagnostic
from flowrt.server.roundtrip import fresh_text, save_text
from flowrt.server.scoping import files_only
from flowrt.server.state import server_of


def check_depth(value: Any, what: str, limit: int = MAX_DEPTH) -> None:
    """ValueError when ``value`` nests lists and objects deeper than a flow file may."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise ValueError(f"{what} is nested deeper than {limit} levels, as no flow file "
                             "may be; flatten it")
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))


async def list_flows(request: Request) -> Response:
    listing = await server_of(request).flow_cache.listing()
    return JSONResponse(files_only(grant(request), listing))


async def get_flow(request: Request) -> Response:
    name = request.path_params["file"]
    try:
        parsed = await server_of(request).flow_cache.get(name)
    except BadName as exc:
        return error(400, str(exc))
    if parsed is None:
        return error(404, f"no flow file '{name}'")
    return Response(parsed.body, media_type="application/json")


async def put_flow(request: Request) -> Response:
    files = server_of(request).files
    name = request.path_params["file"]
    try:
        files.path(name)
        body = await body_of(request)
        if isinstance(body.get("document"), dict):
            check_depth(body["document"], "document")
    except (BadName, ValueError) as exc:
        return error(400, str(exc))
    revision = body.get("revision")
    if revision is not None and not isinstance(revision, str):
        return error(400, "revision must be a string, or null for a new file")
    text = body.get("text")
    if "text" in body and not isinstance(text, str):
        return error(400, "text must be a string")
    if text is None and not isinstance(body.get("document"), dict):
        return error(400, "give `text` (the file's text) or `document` (the flow as JSON)")

    def save() -> str:
        content = text if isinstance(text, str) else \
            _document_text(name, files.read(name), body["document"])
        return files.write(name, content, revision)

    try:
        new = await asyncio.to_thread(save)
    except BadName as exc:
        return error(400, str(exc))
    except Stale as exc:
        return error(409, "the file changed since you read it: reload it, then save again",
                     current=exc.current)
    return JSONResponse({"revision": new})


def _document_text(name: str, current: str | None, document: dict[str, Any]) -> str:
    if current is None:
        return fresh_text(name, document)
    try:
        return save_text(name, current, document)
    except (LoadError, TypeError):  # the file on disk is broken: the document replaces it
        return fresh_text(name, document)


async def delete_flow(request: Request) -> Response:
    files = server_of(request).files
    name = request.path_params["file"]
    try:
        await asyncio.to_thread(files.delete, name, request.query_params.get("revision"))
    except BadName as exc:
        return error(400, str(exc))
    except FileNotFoundError:
        return error(404, f"no flow file '{name}'")
    except Stale as exc:
        return error(409, "the file changed since you read it", current=exc.current)
    return JSONResponse({"deleted": name})


async def validate(request: Request) -> Response:
    server = server_of(request)
    try:
        body = await body_of(request)
        name = str(body.get("file") or "flow.yaml")
        server.files.path(name)
        if isinstance(body.get("document"), dict):
            check_depth(body["document"], "document")
    except (BadName, ValueError) as exc:
        return error(400, str(exc))
    refused = check_file(request, name)
    if refused:
        return error(403, refused)
    if "text" in body and isinstance(body["text"], str):
        text = body["text"]
    elif isinstance(body.get("document"), dict):  # lines as the file would have them saved
        text = await asyncio.to_thread(
            lambda: _document_text(name, server.files.read(name), body["document"]))
    else:
        return error(400, "give `text` or `document`")
    diagnostics = await _check_one(server.files, server, name, text)
    return JSONResponse({"diagnostics": [public_diagnostic(d, server.files) for d in diagnostics]})


async def _check_one(files: FlowFiles, server: Any, name: str, text: str) -> list[Diagnostic]:
    """Check ``text`` as file ``name`` among the other files of the directory."""
    from flowrt.check import check

    def run() -> list[Diagnostic]:
        project = server.engine.load()
        shown = display_path(files.path(name))
        project.documents = [d for d in project.documents
                             if Path(d.file).resolve() != files.path(name)]
        project.diagnostics = [d for d in project.diagnostics
                               if not d.file or Path(d.file).resolve() != files.path(name)]
        try:
            project.documents.append(load_flow_text(text, shown))
        except LoadError as exc:
            return list(exc.diagnostics)
        found = check(Project(project.documents, project.diagnostics), server.registry,
                      env=server.settings.env, scripts=server.settings.scripts)
        return [d for d in found if not d.file or d.file == shown]

    return await asyncio.to_thread(run)


ROUTES: list[BaseRoute] = [
    Route("/api/flows", list_flows, methods=["GET"]),
    Route("/api/flows/{file:path}", get_flow, methods=["GET"]),
    Route("/api/flows/{file:path}", put_flow, methods=["PUT"]),
    Route("/api/flows/{file:path}", delete_flow, methods=["DELETE"]),
    Route("/api/validate", validate, methods=["POST"]),
]
