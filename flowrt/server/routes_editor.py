"""The editor: its page at ``/`` and its files under ``/ui`` (plain files from ``ui/``)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from flowrt.server.state import server_of


async def index(request: Request) -> Response:
    page = server_of(request).settings.ui / "index.html"
    if page.is_file():
        return FileResponse(page)
    return JSONResponse({"error": "the editor (ui/index.html) is not installed"}, 404)


def editor_routes(ui: Path) -> list[BaseRoute]:
    """The editor's page, and its files when the ``ui`` directory exists."""
    routes: list[BaseRoute] = [Route("/", index)]
    if ui.is_dir():
        routes.append(Mount("/ui", StaticFiles(directory=ui), name="ui"))
    return routes
