"""The dashboard's page at ``/dashboard/`` and its files under ``/dashboard/files/`` (plain
files from ``ui/dashboard/``).

Its WebSocket, ``/dashboard/ws``, is served by the running ``dashboard`` connection through the
engine's routes (mounted at ``/``), so a redeploy changes what it shows without touching these
routes. All of ``/dashboard`` is behind the editor's login and Host rules, and the WebSocket
behind its Origin rule (:class:`~flowrt.server.auth.Guard`). `flowrt run --dashboard` serves
the same routes on an address of their own (:mod:`flowrt.server.dashboard_app`).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles


async def to_page(request: Request) -> Response:
    return RedirectResponse("/dashboard/", 308)


def dashboard_routes(ui: Path) -> list[BaseRoute]:
    """The page, and its files when ``ui/dashboard`` exists."""

    async def page(request: Request) -> Response:
        found = ui / "dashboard" / "index.html"
        if found.is_file():
            return FileResponse(found)
        return JSONResponse(
            {"error": "the dashboard (ui/dashboard/index.html) is not installed"}, 404)

    routes: list[BaseRoute] = [Route("/dashboard", to_page), Route("/dashboard/", page)]
    if (ui / "dashboard").is_dir():
        routes.append(Mount("/dashboard/files", StaticFiles(directory=ui / "dashboard"),
                            name="dashboard"))
    return routes
