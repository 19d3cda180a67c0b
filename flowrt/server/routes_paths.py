"""The path of a sampled message: ``GET /api/paths/{trace_id}`` (:mod:`flowrt.run.paths`).

A debug event names its message's trace (``trace``) when its path is kept; the editor asks here
for the visits, in the order they started: ``{"trace": id, "visits": [{node, flow, type, start,
duration_us, from, error}, ...]}``. Node ids, types, flows and times only: nothing of the
message, nothing of a node's configuration. A grant limited to some flow files gets the visits
of its files' nodes only (a visit sent by a node it does not see has ``from`` null).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flowrt.run import paths
from flowrt.server import scoping
from flowrt.server.access import grant
from flowrt.server.json_api import error
from flowrt.server.state import server_of


async def path(request: Request) -> Response:
    trace_id = str(request.path_params["trace_id"]).lower()
    if not paths.TRACE_ID.match(trace_id):
        return error(400, "a trace id is 32 hexadecimal digits")
    recorder = paths.recorder()
    if recorder is None:
        return error(404, "no message paths are recorded (flowrt serve --path-sample off)")
    visits = recorder.path(trace_id)
    if visits is None:
        return error(404, f"no path of trace {trace_id} is kept: it was not sampled, or "
                     f"{recorder.keep} newer ones took its place")
    mine = grant(request)
    if mine.limited:
        server = server_of(request)
        visits = _only(visits, [scoping.node_allowed(server, mine, v["node"]) for v in visits])
    return JSONResponse({"trace": trace_id, "visits": visits})


def _only(visits: list[dict[str, Any]], shown: list[bool]) -> list[dict[str, Any]]:
    """The visits shown, their ``from`` renumbered (None where the sender is not shown)."""
    index: dict[int, int] = {}
    out: list[dict[str, Any]] = []
    for i, (visit, keep) in enumerate(zip(visits, shown, strict=True)):
        if keep:
            index[i] = len(out)
            sender = visit["from"]
            out.append({**visit, "from": index.get(sender) if sender is not None else None})
    return out


ROUTES: list[BaseRoute] = [Route("/api/paths/{trace_id}", path, methods=["GET"])]
