"""Responses of the admin API with every secret value hidden (see :mod:`flowrt.secrets.redact`).

:class:`RedactResponses` is the outermost middleware of the app, so it sees every answer of
``/api/...``, ``/nodered/...`` (Node-RED's admin API), ``/ready``, ``/health`` and ``/metrics``,
including the errors other middleware writes. A JSON body is decoded, each string (keys too)
redacted, and encoded again, so a value that looks like JSON syntax (``true``, a number) cannot
break the document; a text body is redacted as text. With no secret registered, responses pass
through untouched.

Left as they are: a flow file's own text (``GET /api/flows/NAME``: what the author wrote, which
the editor saves back; rewriting it would change the file), the editor's static files, and the
responses of a flow's ``http-in`` endpoints, which are the flow's own data.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flowrt.secrets.redact import SECRETS

PATHS = ("/api/", "/nodered/", "/ready", "/health", "/metrics")
KEPT = ("/api/flows/",)
"""Under PATHS, what is sent as it is (a flow file's text)."""


class RedactResponses:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (scope["type"] != "http" or not SECRETS or not path.startswith(PATHS)
                or (path.startswith(KEPT) and scope.get("method") == "GET")):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = _redacted(b"".join(chunks), _content_type(start))
            headers = [(k, v) for k, v in start.get("headers", [])
                       if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode("ascii")))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)


def _content_type(start: Message) -> str:
    for key, value in start.get("headers", []):
        if key.lower() == b"content-type":
            return str(value.decode("latin-1")).lower()
    return ""


def _redacted(body: bytes, content_type: str) -> bytes:
    if not body:
        return body
    if "json" in content_type:
        try:
            data: Any = json.loads(body)
        except (ValueError, RecursionError):
            return SECRETS.text(body.decode("utf-8", "replace")).encode("utf-8")
        return json.dumps(SECRETS.data(data), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    if content_type.startswith("text/"):
        return SECRETS.text(body.decode("utf-8", "replace")).encode("utf-8")
    return body
