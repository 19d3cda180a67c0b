"""The access settings of an http-in endpoint: ``auth``, rate limits and quota (the node API's
:class:`~flowrt.api.AccessConfig`, shared with websocket-listener) and CORS, all checked by the
engine before a request reaches the flow (see docs/keys.md)."""

from __future__ import annotations

import re

from pydantic import model_validator

from flowrt.api import AccessConfig, NodeConfig, field

ORIGIN = re.compile(r"^https?://[^/\s]+$")


class CorsConfig(NodeConfig):
    """Which other sites' pages may call the endpoint from a browser."""

    origins: list[str] = field(
        description="Origins whose pages may call the endpoint (`https://app.example.com`), "
        "or `*` for any.", min_length=1)
    methods: list[str] = field(
        default_factory=list,
        description="Methods a preflight may ask for, besides the endpoint's own.")
    headers: list[str] = field(
        default_factory=lambda: ["authorization", "x-api-key", "content-type"],
        description="Request headers a page may send.")
    expose: list[str] = field(
        default_factory=lambda: ["Retry-After", "WWW-Authenticate"],
        description="Response headers a page may read besides the simple ones.")
    credentials: bool = field(
        False, description="Let pages send cookies and HTTP authentication with requests "
        "(`Access-Control-Allow-Credentials`).")
    max_age: int = field(600, ge=0, description="Seconds a browser may keep a preflight's "
                         "answer.")

    @model_validator(mode="after")
    def _origins(self) -> CorsConfig:
        for origin in self.origins:
            if origin != "*" and not ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin: write scheme://host[:port], "
                                 "without a path (https://app.example.com)")
        if "*" in self.origins and self.credentials:
            raise ValueError("`origins: ['*']` with `credentials: true` would let every site "
                             "call with its visitors' credentials; list the origins")
        return self


class EndpointConfig(AccessConfig):
    """Access settings with CORS, for endpoints browsers call."""

    cors: CorsConfig | None = field(
        None, description="Let pages of other sites call the endpoint from a browser "
        "(preflights answered by the engine).",
        examples=[{"origins": ["https://app.example.com"]}])
