"""What each route needs, declared once (:data:`RULES`), and judged in one place (:class:`Access`).

A rule names the least :class:`~flowrt.server.roles.Role` a route needs (None: open to anyone,
such as ``/api/login``) and how it treats a grant limited to some flow files:

- ``-``: the route holds nothing of a flow file (the node catalog, logging out);
- ``path``: the ``{file}`` of the path must be one of the grant's files (checked here);
- ``body``: the file named in the request's body must be (the route checks it with
  :func:`check_file`, since only it reads the body);
- ``filtered``: the route answers with what belongs to the grant's files only
  (:mod:`flowrt.server.scoping` does the filtering);
- ``all``: the route reaches every flow file at once (export of the whole configuration to
  Node-RED, a rollback, metrics naming every node): a limited grant is refused.

:class:`Access` runs after the guards that find who a request is
(:class:`~flowrt.server.auth.Guard`, and :class:`~flowrt.server.nodered_guard.NodeRedGuard`
around the Node-RED admin API): a request that one of the server's own routes would answer
but the table has no rule for is refused, so a route added without a rule cannot be reached
(and ``tests/server/test_access_table.py`` fails). Other paths (a flow's own http-in
endpoints, which take their own credentials) pass as before. A refusal is 403 naming the role
needed; a WebSocket is closed with 1008.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Match, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from flowrt.server.auth import grant_in, is_dashboard
from flowrt.server.roles import Grant, Role

Files = Literal["-", "path", "body", "filtered", "all"]
VIEWER, EDITOR, DEPLOYER, ADMIN = Role.VIEWER, Role.EDITOR, Role.DEPLOYER, Role.ADMIN
NODERED = "/nodered"


@dataclass(frozen=True)
class Rule:
    role: Role | None
    """The least role (None: open, nobody needs to be known)."""
    files: Files = "-"
    note: str = ""
    """What else the route asks for, in its own words (shown in the docs' table)."""


RULES: dict[tuple[str, str], Rule] = {
    # the editor's page and files, the probes, logging in: open
    ("GET", "/"): Rule(None),
    ("GET", "/ui"): Rule(None),
    ("GET", "/health"): Rule(None),
    ("GET", "/ready"): Rule(None),
    ("POST", "/api/login"): Rule(None),
    ("POST", "/api/logout"): Rule(None),
    ("GET", "/api/openapi.json"): Rule(None),
    ("GET", "/api/me"): Rule(VIEWER, "filtered"),
    # flow files
    ("GET", "/api/flows"): Rule(VIEWER, "filtered"),
    ("GET", "/api/flows/{file:path}"): Rule(VIEWER, "path"),
    ("PUT", "/api/flows/{file:path}"): Rule(EDITOR, "path"),
    ("DELETE", "/api/flows/{file:path}"): Rule(EDITOR, "path"),
    ("POST", "/api/validate"): Rule(VIEWER, "body"),
    ("POST", "/api/layout"): Rule(VIEWER, "body"),
    ("GET", "/api/nodes"): Rule(VIEWER),
    ("POST", "/api/import/nodered"): Rule(EDITOR, "-", "with credentials: admin"),
    ("GET", "/api/export/nodered"): Rule(VIEWER, "filtered"),
    # the runtime
    ("POST", "/api/deploy"): Rule(DEPLOYER, "filtered",
                                  "a limited grant: no undeployed change in other files"),
    ("GET", "/api/revisions"): Rule(VIEWER, "-", "when, who and why: no file's content"),
    ("GET", "/api/revisions/{id}/diff"): Rule(VIEWER, "filtered"),
    ("POST", "/api/revisions/{id}/rollback"): Rule(DEPLOYER, "all"),
    ("GET", "/api/state"): Rule(VIEWER, "filtered"),
    ("POST", "/api/inject/{node_id:path}"): Rule(EDITOR, "filtered"),
    ("WS", "/api/events"): Rule(VIEWER, "filtered"),
    ("GET", "/api/paths/{trace_id}"): Rule(VIEWER, "filtered", "node ids and times only"),
    ("GET", "/api/context/{scope:path}"): Rule(VIEWER, "filtered", "a limited grant: not `global`"),
    ("GET", "/api/group"): Rule(VIEWER, "filtered"),
    ("GET", "/metrics"): Rule(VIEWER, "all"),
    # the flows' endpoints and the API keys they take: names, scopes and use, never a key
    ("GET", "/api/endpoints"): Rule(VIEWER, "filtered"),
    ("GET", "/api/keys"): Rule(VIEWER, "all"),
    ("POST", "/api/keys"): Rule(ADMIN, "all", "answers the new key once"),
    ("POST", "/api/keys/{name}/revoke"): Rule(ADMIN, "all"),
    # the dashboard: one page for every flow, so not for a grant limited to some files
    ("GET", "/dashboard"): Rule(VIEWER, "all"),
    ("GET", "/dashboard/"): Rule(VIEWER, "all"),
    ("GET", "/dashboard/files"): Rule(VIEWER, "all"),
    ("WS", "/dashboard/ws"): Rule(VIEWER, "all"),
    # Node-RED's admin API: the whole configuration at once
    ("GET", "/nodered/flows"): Rule(VIEWER, "all"),
    ("POST", "/nodered/flows"): Rule(DEPLOYER, "all", "with credentials: admin"),
    ("POST", "/nodered/flow"): Rule(DEPLOYER, "all"),
    ("GET", "/nodered/flow/{id}"): Rule(VIEWER, "all"),
    ("PUT", "/nodered/flow/{id}"): Rule(DEPLOYER, "all"),
    ("DELETE", "/nodered/flow/{id}"): Rule(DEPLOYER, "all"),
    ("GET", "/nodered/nodes"): Rule(VIEWER),
    ("POST", "/nodered/inject/{id}"): Rule(EDITOR, "all"),
    ("GET", "/nodered/auth/login"): Rule(None),
    ("POST", "/nodered/auth/token"): Rule(None),
    ("POST", "/nodered/auth/revoke"): Rule(None),
}
"""(method, route path) -> what it needs. ``WS`` is a WebSocket; a mount (``/ui``,
``/dashboard/files``) covers the files under it; ``HEAD`` is judged as ``GET``."""

FILES_SHOWN = {"-": "", "path": "the path's file", "body": "the body's file",
               "filtered": "its files only", "all": "refused"}


def table() -> str:
    """:data:`RULES` as the Markdown table of docs/security.md (a test keeps them equal)."""
    rows = ["| route | least role | a grant limited to some files | also |",
            "|---|---|---|---|"]
    for (method, path), rule in RULES.items():
        role = rule.role.label if rule.role else "open"
        rows.append(f"| `{method} {path}` | {role} | {FILES_SHOWN[rule.files]} | {rule.note} |")
    return "\n".join(rows) + "\n"


MOUNTS = ("/ui", "/dashboard/files")
_COMPILED = [(method, path, compile_path(path + "/{rest:path}" if path in MOUNTS else path)[0],
              rule) for (method, path), rule in RULES.items()]


def rule_for(method: str, path: str) -> tuple[str, Rule, dict[str, str]] | None | str:
    """The declared route a request reaches, its rule and path parameters; "405" when the
    path is declared for other methods only; None when it is not declared at all."""
    method = "GET" if method == "HEAD" else method
    other = False
    for m, declared, regex, rule in _COMPILED:
        found = regex.fullmatch(path)
        if found is None:
            continue
        if m == method:
            return declared, rule, found.groupdict()
        other = True
    return "405" if other else None


def judged(path: str) -> bool:
    """The paths :class:`Access` judges at the app's root (the Node-RED admin API is judged
    inside its mount; a flow's own endpoints take their own credentials)."""
    return path.startswith("/api/") or path == "/metrics" or is_dashboard(path)


NOTHING = Grant(Role.VIEWER, ())


def grant(connection: HTTPConnection) -> Grant:
    """The request's grant (nothing at all when nobody is known: fail closed)."""
    return grant_in(connection.scope) or NOTHING


def check_file(connection: HTTPConnection, name: str) -> str | None:
    """Why the request may not reach flow file ``name`` (None: it may)."""
    if grant(connection).allows(name):
        return None
    return f"'{name}' is not one of your flow files"


def refusal(rule: Rule, path: str, params: dict[str, Any], who: Grant | None) -> str | None:
    """Why a request with grant ``who`` may not use the route (None: it may)."""
    if rule.role is None:
        return None
    if who is None:
        return "log in (POST /api/login) or send `Authorization: Bearer`"
    if not who.at_least(rule.role):
        return f"this needs the {rule.role.label} role; you are {who.role.label}"
    if rule.files == "all" and who.limited:
        return "this reaches every flow file; your access is limited to some of them"
    if rule.files == "path" and not who.allows(params.get("file", "")):
        return f"'{params.get('file', '')}' is not one of your flow files"
    return None


class Access:
    """ASGI middleware: judges each request by :data:`RULES` (see the module's docstring)."""

    def __init__(self, app: ASGIApp, mount: str = "",
                 own: list[BaseRoute] | None = None) -> None:
        self.app = app
        self.mount = mount
        self.own = own
        """The server's own routes (None: the wrapped app's), told apart from flows' ones."""

    def _own(self, scope: Scope) -> bool:
        routes = self.own if self.own is not None else getattr(self.app, "routes", [])
        return any(route.matches(scope)[0] == Match.FULL for route in routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or \
                (not self.mount and not judged(path)):
            await self.app(scope, receive, send)
            return
        websocket = scope["type"] == "websocket"
        found = rule_for("WS" if websocket else scope["method"], path)
        why: str | None
        if found is None or found == "405":
            if not self._own(scope):  # a flow's endpoint, or no route at all: as before
                await self.app(scope, receive, send)
                return
            why, status = "this route has no rule in flowrt.server.access.RULES", 403
        else:
            assert not isinstance(found, str)
            _, rule, params = found
            why, status = refusal(rule, path, params, grant_in(scope)), 403
            if why is None:
                await self.app(scope, receive, send)
                return
            if rule.role is not None and grant_in(scope) is None:
                status = 401
        if websocket:
            await send({"type": "websocket.close", "code": 1008})
            return
        body = {"code": "forbidden" if status == 403 else str(status), "message": why} \
            if self.mount else {"error": why}
        data = json.dumps(body, separators=(",", ":")).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})
