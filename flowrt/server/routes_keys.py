"""The API keys of the flows' endpoints, from the editor: who each endpoint takes and how much,
and, for an admin, adding and revoking keys.

- ``GET /api/endpoints`` (``?node=ID``: that one only): the running endpoints with access
  settings (of the grant's files), each with its clients' use
  (:func:`~flowrt.server.key_usage.endpoint_views`);
- ``GET /api/keys``: every key of the keys file with its state, the endpoints that accept it
  and its use (:func:`~flowrt.server.key_usage.key_views`);
- ``POST /api/keys`` (``{"name", "scopes", "expires"}``): makes a key as ``flowrt keys add``
  does and answers it once, with ``Cache-Control: no-store``; the file keeps its hash only;
- ``POST /api/keys/{name}/revoke``: revokes it from the next request on.

The keys file is the one endpoints check keys against (``--keys FILE`` or ``FLOWRT_KEYS``);
without one, the lists are empty and adding is refused (409). What each route needs is in
:mod:`flowrt.server.access`; no answer holds a key (but the one just made) or a key's hash.
Each change is a line of the ``flowrt.audit`` log (who, which key; never the key).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flowrt.errors import ConfigError
from flowrt.run import usage as counters
from flowrt.secrets.keys import NAME, KeyRing, add_key, keyring, parse_duration, revoke_key
from flowrt.server import scoping
from flowrt.server.access import grant
from flowrt.server.auth import public_user
from flowrt.server.json_api import body_of, error
from flowrt.server.key_usage import endpoint_views, key_views, when
from flowrt.server.roles import Grant
from flowrt.server.state import Server, server_of

audit = logging.getLogger("flowrt.audit")
NO_FILE = ("no keys file is given: start the server with --keys FILE (or FLOWRT_KEYS) to "
           "add keys")


async def _records(ring: KeyRing | None) -> dict[str, Any]:
    return await asyncio.to_thread(ring.keys) if ring is not None else {}


async def endpoints(request: Request) -> Response:
    server, mine = server_of(request), grant(request)
    ring = keyring()
    try:
        keys = await _records(ring)
    except ConfigError as exc:
        return error(500, _public(exc, ring))
    gates = server.engine.http.gates()
    wanted = request.query_params.get("node")
    if wanted is not None:  # the editor's panel: one endpoint, read every 2 s
        gates = [g for g in gates if g.node_id == wanted]
    if mine.limited:
        gates = [g for g in gates if _in_files(server, mine, g.node_id)]
    return JSONResponse({"keys_file": ring is not None,
                         "endpoints": endpoint_views(gates, keys, counters.counts(),
                                                     counters.last_seen())})


async def list_keys(request: Request) -> Response:
    ring = keyring()
    try:
        keys = await _records(ring)
    except ConfigError as exc:
        return error(500, _public(exc, ring))
    gates = server_of(request).engine.http.gates()
    return JSONResponse({"keys_file": ring is not None,
                         "keys": key_views(keys, gates, counters.counts(),
                                           counters.last_seen())})


def _in_files(server: Server, mine: Grant, owner: str) -> bool:
    """Whether the endpoint's owner (an http-in node, or a websocket-listener connection) runs
    in one of the grant's files."""
    nodes, flows = scoping.running_files(server.engine)
    if owner in nodes:
        return mine.allows(nodes[owner])
    for unit in server.engine.units:
        connection = unit.runtime.plan.connections.get(owner)
        if connection is not None:
            return mine.allows(flows.get(connection.flow))
    return False


def _scopes(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return [s.strip() for s in value if s.strip()]
    return None


async def add(request: Request) -> Response:
    ring = keyring()
    if ring is None:
        return error(409, NO_FILE)
    try:
        body = await body_of(request)
    except ValueError as exc:
        return error(400, str(exc))
    name, scopes, expires = body.get("name"), _scopes(body.get("scopes")), body.get("expires")
    if not isinstance(name, str) or not NAME.match(name):
        return error(400, "name: letters, digits and . _ : - (up to 64), starting with a "
                     "letter or digit")
    if scopes is None:
        return error(400, "scopes: a list of scopes, or one text with commas")
    if expires is not None and not isinstance(expires, str):
        return error(400, "expires: a duration such as 30d, 12h, 90m or 2w, or null")
    try:
        lasting = parse_duration(expires) if expires else None
        if name in await _records(ring):
            return error(409, f"there is a key named {name!r} already: revoke it, or choose "
                         "another name")
        key = await asyncio.to_thread(add_key, ring.path, name, scopes, lasting)
        record = (await _records(ring))[name]
    except ConfigError as exc:
        return error(400, _public(exc, ring))
    audit.info("key added name=%s by=%s", name, public_user(request.scope))
    return JSONResponse({"name": name, "key": key, "scopes": list(record.scopes),
                         "created": when(record.created), "expires": when(record.expires),
                         "shown": "this is the only time the key is shown"}, 201,
                        headers={"Cache-Control": "no-store"})


async def revoke(request: Request) -> Response:
    ring = keyring()
    if ring is None:
        return error(409, NO_FILE)
    name = request.path_params["name"]
    try:
        if name not in await _records(ring):
            return error(404, f"no key named {name!r}")
        await asyncio.to_thread(revoke_key, ring.path, name)
    except ConfigError as exc:
        return error(400, _public(exc, ring))
    audit.info("key revoked name=%s by=%s", name, public_user(request.scope))
    return JSONResponse({"name": name, "state": "revoked"})


def _public(exc: ConfigError, ring: KeyRing | None) -> str:
    """The error without the keys file's path (the server's file system is not the
    editor's business)."""
    text = str(exc)
    return text.replace(str(ring.path), "the keys file") if ring is not None else text


ROUTES: list[BaseRoute] = [
    Route("/api/endpoints", endpoints, methods=["GET"]),
    Route("/api/keys", list_keys, methods=["GET"]),
    Route("/api/keys", add, methods=["POST"]),
    Route("/api/keys/{name}/revoke", revoke, methods=["POST"]),
]
