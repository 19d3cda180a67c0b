"""Endpoints with access settings, as the route table serves them: the :class:`~.access.Gate`
and the :class:`~.cors.Cors` rules in front of an http-in's handler or a websocket-listener's.

:func:`guarded_endpoint` wraps an HTTP handler; :func:`admit_socket` checks a WebSocket
handshake. Both put the client admitted in the scope (``flowrt.client``) and, when the endpoint
takes credentials, replace the value of every credential header (``Authorization``,
``X-API-Key``...) with ``[hidden]`` before the handler sees the request, so no message, debug
output or error carries them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from flowrt.run.access import Gate, Refusal
from flowrt.run.cors import Cors
from flowrt.run.usage import count as count_usage
from flowrt.secrets.redact_headers import HIDDEN

log = logging.getLogger("flowrt.http")
Handler = Callable[[Any], Awaitable[Any]]
CLIENT = "flowrt.client"
PACE = "flowrt.pace"
CREDENTIAL_HEADERS = frozenset({b"authorization", b"proxy-authorization", b"x-api-key",
                                b"x-auth-token"})


def has_rules(access: Any) -> bool:
    """Whether an endpoint's access settings ask for anything (else it is served as before)."""
    return access is not None and (access.auth != "none" or access.rate is not None
                                   or access.quota is not None
                                   or getattr(access, "cors", None) is not None)


def cors_of(access: Any, method: str) -> Cors | None:
    config = getattr(access, "cors", None)
    return Cors(config, method) if config is not None else None


def guarded_endpoint(gate: Gate, kind: str, handler: Handler, cors: Cors | None
                     ) -> Callable[[Request], Awaitable[Response]]:
    """``handler`` behind the endpoint's gate and CORS rules."""
    node_id, endpoint = gate.node_id, gate.endpoint

    async def guarded(request: Request) -> Response:
        scope = request.scope
        headers = Headers(scope=scope)
        allow: dict[str, str] = {}
        origin = headers.get("origin")
        if cors is not None and origin and not _same_origin(origin, scope):
            if not cors.allows(origin):
                count_usage(endpoint, "", "origin_refused")
                return PlainTextResponse(
                    f"node '{node_id}' ({kind}): pages of {origin[:100]} may not call "
                    f"{endpoint}", 403, headers={"Vary": "Origin"})
            allow = cors.allow_origin(origin)
        result = await gate.admit(headers, request.client.host if request.client else "")
        if isinstance(result, Refusal):
            return PlainTextResponse(f"node '{node_id}' ({kind}): {result.text}",
                                     result.status, headers={**result.headers, **allow})
        scope[CLIENT] = result or None
        if gate.auth != "none":
            hide_credentials(scope)
        response: Response = await handler(Request(scope, request.receive))
        for name, value in allow.items():
            if name == "Vary" and "vary" in response.headers:
                response.headers["Vary"] = f"{response.headers['vary']}, Origin"
            else:
                response.headers[name] = value
        return response

    return guarded


def preflight(cors: Cors, scope: Scope) -> Response:
    status, answer = cors.preflight(Headers(scope=scope))
    return Response(None, status, headers=answer)


def socket_gate(node_id: str, path: str, access: Any) -> Gate | None:
    return Gate(node_id, f"WS {path}", access) if has_rules(access) else None


async def admit_socket(gate: Gate, scope: Scope, receive: Receive, send: Send) -> bool:
    """Check a WebSocket handshake; refused: answered (401/403/429 where the server can send
    an HTTP answer to a handshake, else closed, which clients see as 403) and False."""
    client = scope.get("client")
    result = await gate.admit(Headers(scope=scope), client[0] if client else "", limited=False)
    if isinstance(result, Refusal):
        if "websocket.http.response" in scope.get("extensions", {}):
            await send({"type": "websocket.http.response.start", "status": result.status,
                        "headers": [(k.lower().encode(), v.encode())
                                    for k, v in result.headers.items()]})
            await send({"type": "websocket.http.response.body",
                        "body": result.text.encode()})
        else:
            await send({"type": "websocket.close", "code": 1008})
        return False
    scope[CLIENT] = result or None
    if gate.auth != "none":
        hide_credentials(scope)
    if gate.limits.active:
        scope[PACE] = FramePace(gate, result.get("name") if result else None, client)
    return True


class FramePace:
    """Rate and quota of a WebSocket's frames: :meth:`take` waits while the client is over its
    rate (the socket is read no faster), and returns a reason to close it once its daily quota
    is used up."""

    def __init__(self, gate: Gate, name: str | None, client: Any) -> None:
        self.gate = gate
        self.name = name or f"address:{client[0] if client else ''}"
        self.key = name or ""
        self.endpoint = f"{gate.endpoint} frame"

    async def take(self, sleep: Callable[[float], Awaitable[None]]) -> str | None:
        while True:
            over = self.gate.limits.take(self.name)
            if over is None:
                count_usage(self.endpoint, self.key, "ok")
                return None
            if over.reason == "quota":
                count_usage(self.endpoint, self.key, "quota_exceeded")
                return "daily quota exceeded"
            count_usage(self.endpoint, self.key, "rate_limited")
            await sleep(1 / (self.gate.limits.rate or 1))


def hide_credentials(scope: Scope) -> None:
    """Replace the value of every credential header of the request with ``[hidden]``."""
    hidden = HIDDEN.encode()
    scope["headers"] = [(k, hidden if k.lower() in CREDENTIAL_HEADERS else v)
                        for k, v in scope["headers"]]


def _same_origin(origin: str, scope: Scope) -> bool:
    host = Headers(scope=scope).get("host", "")
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return origin.rstrip("/").lower() == f"{scheme}://{host}".lower()
