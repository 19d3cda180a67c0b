"""CORS for one endpoint: which other sites' pages may call it from a browser.

An endpoint with ``cors`` answers a preflight (``OPTIONS`` with ``Origin`` and
``Access-Control-Request-Method``) itself, without reaching the flow: ``204`` with the
``Access-Control-Allow-*`` headers when the origin, method and headers are allowed, ``403``
with none of them otherwise (the browser then never sends the request). A request that carries
an ``Origin`` gets ``Access-Control-Allow-Origin`` when that origin is allowed; one from a page
of another origin that is not allowed is refused with ``403`` before it reaches the flow (a
browser sends some cross-site requests, such as form posts, without a preflight). Requests
without an ``Origin`` (curl, devices, servers) and from the endpoint's own origin are not
affected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ALWAYS_ALLOWED_HEADERS = frozenset({"accept", "accept-language", "content-language"})


class Cors:
    """The CORS rules of an endpoint serving ``method`` (see the module)."""

    def __init__(self, config: Any, method: str) -> None:
        self.origins = [o.rstrip("/").lower() for o in config.origins]
        self.any_origin = "*" in self.origins
        self.methods = sorted({m.upper() for m in (config.methods or [method])} | {method})
        self.headers = sorted({h.lower() for h in config.headers})
        self.expose = list(config.expose)
        self.credentials = bool(config.credentials)
        self.max_age = int(config.max_age)

    def allows(self, origin: str) -> bool:
        return self.any_origin or origin.rstrip("/").lower() in self.origins

    def preflight(self, headers: Mapping[str, str]) -> tuple[int, dict[str, str]]:
        """The status and headers that answer a preflight request."""
        origin = headers.get("origin", "")
        method = headers.get("access-control-request-method", "").upper()
        asked = [h.strip().lower() for h in
                 headers.get("access-control-request-headers", "").split(",") if h.strip()]
        allowed_headers = set(self.headers) | ALWAYS_ALLOWED_HEADERS | {"content-type"}
        if (not origin or not self.allows(origin) or method not in self.methods
                or any(h not in allowed_headers for h in asked)):
            return 403, {"Vary": "Origin"}
        answer = self.allow_origin(origin)
        answer.update({
            "Access-Control-Allow-Methods": ", ".join(self.methods),
            "Access-Control-Max-Age": str(self.max_age),
        })
        if asked:
            answer["Access-Control-Allow-Headers"] = ", ".join(asked)
        return 204, answer

    def allow_origin(self, origin: str) -> dict[str, str]:
        """The headers that let a page of ``origin`` (allowed) read the answer."""
        answer = {"Vary": "Origin"}
        if self.any_origin and not self.credentials:
            answer["Access-Control-Allow-Origin"] = "*"
        else:
            answer["Access-Control-Allow-Origin"] = origin
        if self.credentials:
            answer["Access-Control-Allow-Credentials"] = "true"
        if self.expose:
            answer["Access-Control-Expose-Headers"] = ", ".join(self.expose)
        return answer
