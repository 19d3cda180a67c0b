"""Who may use Node-RED's admin API under ``/nodered``, and from where.

The Host was checked already (:class:`~flowrt.server.hosts.HostGuard` answers every path). Here,
with the server's own :class:`~flowrt.server.auth.Auth` and
:class:`~flowrt.server.hosts.HostPolicy`:

- when auth is on, every request but ``GET /auth/login`` and ``POST /auth/token`` carries
  ``Authorization: Bearer TOKEN``: a token of ``FLOWRT_TOKENS``, or one ``/auth/token`` issued
  (a login session of the auth file's users); the session cookie of the editor is not read
  here, so a page of another site can never act through it. Wrong tokens are counted and locked
  out as on ``/api``;
- a state-changing request from a foreign ``Origin`` is refused (403), and so is one whose
  ``Content-Type`` a cross-site HTML form can send (form, multipart, text): what Node-RED's
  clients send is JSON, which no other site can send without the CORS permission flowrt never
  grants. ``POST /auth/token`` may be a form (OAuth2 clients send one);
- bodies over the server's limit are refused (413); WebSockets are refused;
- what each route needs of the grant found here is judged by :mod:`flowrt.server.access`,
  which wraps the routes (``GET /flows`` needs viewer, ``POST /flows`` deployer, ...).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from flowrt.server.auth import COOKIE, STATE_CHANGING, Auth, limited_body
from flowrt.server.hosts import HostPolicy
from flowrt.server.roles import FULL, Grant
from flowrt.server.throttle import CLIENT, Throttled, client_key

OPEN = ("/auth/login", "/auth/token")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


class NodeRedGuard:
    def __init__(self, app: ASGIApp, auth: Auth, hosts: HostPolicy, max_body: int) -> None:
        self.app = app
        self.auth = auth
        self.hosts = hosts
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        CLIENT.set(client_key(scope))
        path = route_path(scope)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["method"] in STATE_CHANGING:
            origin = headers.get("origin")
            if origin is not None and not self.hosts.origin_allowed(origin, scope):
                await answer(send, 403, "forbidden", f"requests from {origin} are refused "
                             "(cross-site)")
                return
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if kind in FORM_TYPES and path != "/auth/token":
                await answer(send, 403, "forbidden", f"a body of type {kind} is refused "
                             "(a cross-site form can send one): send application/json")
                return
        try:
            found = self._user(headers, scope) if path not in OPEN else ("local", None)
        except Throttled as exc:
            await answer(send, 429, "too_many_attempts",
                         f"{exc}; wait, then check the token",
                         ((b"retry-after", str(exc.retry_after).encode()),))
            return
        if found is None:
            await answer(send, 401, "unauthorized", "send `Authorization: Bearer TOKEN` (a "
                         "FLOWRT_TOKENS token, or one POST /auth/token gives)")
            return
        scope["flowrt.user"], scope["flowrt.grant"] = found
        length = headers.get("content-length", "")
        if length.isdecimal() and int(length) > self.max_body:
            await answer(send, 413, "too_large", f"the body is over {self.max_body} bytes")
            return
        await self.app(scope, limited_body(receive, self.max_body), send)

    def _user(self, headers: dict[str, str], scope: Scope) -> tuple[str, Grant] | None:
        """Who a request is and its grant (None: nobody known); "local" when auth is off."""
        if not self.auth.enabled:
            return "local", FULL
        bearer = headers.get("authorization", "")
        if not bearer.lower().startswith("bearer ") or not bearer[7:].strip():
            return None
        token = bearer[7:].strip().encode("latin-1")
        issued = {**scope, "headers": [(b"cookie", COOKIE.encode() + b"=" + token)]}
        user = self.auth.identify(issued) if b";" not in token else None
        if user is not None:
            return user
        return self.auth.identify({**scope, "headers": [(b"authorization", b"Bearer " + token)]})


def route_path(scope: Scope) -> str:
    """The path below the mount (``/flows`` of ``/nodered/flows``)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


async def answer(send: Send, status: int, code: str, message: str,
                 headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """An error of Node-RED's shape, ``{"code", "message"}``."""
    body = json.dumps({"code": code, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})
