"""What the flows keep in context, for the editor's context viewer: a node's, a flow's or the
global values, read-only. Secret values are hidden as everywhere else; a value JSON cannot hold
is shown by its type."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from flowrt.message import js_dumps
from flowrt.secrets.redact import redact_data
from flowrt.server import scoping
from flowrt.server.access import grant
from flowrt.server.json_api import error
from flowrt.server.state import server_of

SCOPE = re.compile(r"^(global|flow:[^\s]{1,200}|node:[^\s]{1,400})$")
"""``global``, ``flow:<flow id>`` or ``node:<node id>``: the stores' scope names."""

MAX_KEYS = 1000


def _shown(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"type": "Buffer", "data": list(value[:1024])}
    return f"[{type(value).__name__}]"


async def context(request: Request) -> Response:
    scope = request.path_params["scope"]
    if not SCOPE.match(scope):
        return error(400, "scope is global, flow:<flow id> or node:<node id>")
    server, mine = server_of(request), grant(request)
    if mine.limited:
        kind, _, name = scope.partition(":")
        file = None if kind == "global" else await scoping.flow_file(server, name) \
            if kind == "flow" else scoping.running_files(server.engine)[0].get(name)
        if not mine.allows(file):
            return error(403, "global context spans every flow file; your access is limited "
                         "to some of them" if kind == "global" else
                         f"{kind} '{name}' is not in one of your flow files")
    store = server.engine.stores.scope(scope)
    keys = sorted(store.keys())
    values = {key: store.get(key) for key in keys[:MAX_KEYS]}
    body = {"scope": scope, "values": redact_data(values), "keys": len(keys)}
    return Response(js_dumps(body, default=_shown), media_type="application/json")


ROUTES: list[BaseRoute] = [Route("/api/context/{scope:path}", context, methods=["GET"])]
