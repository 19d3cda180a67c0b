"""Security headers on every HTTP response of `flowrt serve`.

Every response says it may not be framed (``X-Frame-Options: DENY`` and CSP
``frame-ancestors 'none'``: no clickjacking of the editor's Deploy button), that its type is
not to be guessed (``X-Content-Type-Options: nosniff``) and that no Referer leaves it
(``Referrer-Policy: no-referrer``). The policy itself depends on who answers:

- the editor (``/`` and ``/ui/``) and the dashboard (``/dashboard/``) get a CSP allowing
  exactly what ``ui/`` uses: its own scripts (modules) and stylesheet, ``data:`` images (the
  favicon), fetch and WebSocket to the same origin, nothing inline, no plugins, no
  ``<base>``, no form posts;
- the API, ``/metrics``, ``/health`` and ``/ready`` answer JSON or text, so their CSP allows
  nothing at all; they and the editor are same-origin resources only
  (``Cross-Origin-Resource-Policy``), and the editor's window shares no opener
  (``Cross-Origin-Opener-Policy``);
- a flow's endpoints (http-in answered by http-response) get only the defaults above, with CSP
  ``frame-ancestors 'none'``, and a header the flow sets itself wins: a flow that serves a page
  meant to be framed sets its own ``X-Frame-Options`` and ``Content-Security-Policy``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

EDITOR_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'")
API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
FLOW_CSP = "frame-ancestors 'none'"

COMMON = ((b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
          (b"referrer-policy", b"no-referrer"))
SERVER_PATHS = ("/metrics", "/health", "/ready")


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    """The security headers a response to ``path`` gets unless it sets them itself."""
    if path == "/" or path.startswith(("/ui/", "/dashboard/")) or path == "/dashboard":
        return [*COMMON, (b"content-security-policy", EDITOR_CSP.encode()),
                (b"cross-origin-resource-policy", b"same-origin"),
                (b"cross-origin-opener-policy", b"same-origin")]
    if path.startswith("/api/") or path in SERVER_PATHS:
        return [*COMMON, (b"content-security-policy", API_CSP.encode()),
                (b"cross-origin-resource-policy", b"same-origin")]
    return [*COMMON, (b"content-security-policy", FLOW_CSP.encode())]


class SecurityHeaders:
    """Adds :func:`headers_for` to each HTTP response that does not carry them already."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
