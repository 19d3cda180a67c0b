"""The access settings of an http-in endpoint: ``auth``, rate limits, quota and CORS (checked
by the engine before a request reaches the flow; see docs/keys.md)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import model_validator

from flowrt.api import NodeConfig, field

Auth = Literal["none", "key", "bearer", "basic"]
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


class AccessConfig(NodeConfig):
    """Who may call an endpoint and how often: what http-in's `auth`, `scopes`, `tokens`,
    `users`, `rate`, `burst`, `quota` and `cors` fields mean."""

    auth: Auth = field(
        "none",
        description="Who may call: `none` (anyone who reaches the address), `key` (an API key "
        "of `flowrt keys add`, in `Authorization: Bearer` or `X-API-Key`), `bearer` (one of "
        "`tokens`) or `basic` (one of `users`, HTTP basic).")
    scopes: list[str] = field(
        default_factory=list,
        description="With `auth: key`, the scopes a key must have (a valid key without them "
        "gets 403).", examples=[["readings:write"]])
    tokens: dict[str, str] = field(
        default_factory=dict, secret=True,
        description="With `auth: bearer`, client name -> token, each a `${SECRET}` reference.",
        examples=[{"gateway": "${GATEWAY_TOKEN}"}])
    users: dict[str, str] = field(
        default_factory=dict, secret=True,
        description="With `auth: basic`, user -> password hash (`flowrt keys hash-password`), "
        "each a `${SECRET}` reference.", examples=[{"ops": "${OPS_PASSWORD_HASH}"}])
    rate: float | None = field(
        None, gt=0,
        description="Requests a second each client (key, token, user, or address without "
        "auth) may make; more get 429 with `Retry-After`.", examples=[5])
    burst: int | None = field(
        None, ge=1,
        description="Requests a client may make at once before `rate` applies (default: "
        "`rate`, at least 1).", examples=[20])
    quota: int | None = field(
        None, ge=1, description="Requests each client may make a day (UTC); more get 429.",
        examples=[10000])

    @model_validator(mode="after")
    def _consistent(self) -> AccessConfig:
        if self.scopes and self.auth != "key":
            raise ValueError("scopes are the scopes of API keys: they need `auth: key`")
        if self.auth == "bearer" and not self.tokens:
            raise ValueError("`auth: bearer` needs `tokens` (name: ${SECRET})")
        if self.auth == "basic" and not self.users:
            raise ValueError("`auth: basic` needs `users` (name: ${PASSWORD_HASH})")
        if self.tokens and self.auth != "bearer":
            raise ValueError("`tokens` are for `auth: bearer`")
        if self.users and self.auth != "basic":
            raise ValueError("`users` are for `auth: basic`")
        if self.burst is not None and self.rate is None:
            raise ValueError("`burst` needs a `rate`")
        return self


class EndpointConfig(AccessConfig):
    """Access settings with CORS, for endpoints browsers call."""

    cors: CorsConfig | None = field(
        None, description="Let pages of other sites call the endpoint from a browser "
        "(preflights answered by the engine).",
        examples=[{"origins": ["https://app.example.com"]}])
