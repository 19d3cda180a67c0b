"""The access settings of a websocket-listener: who may connect (``auth``, checked on the
handshake by the engine) and how many frames each client may send (see docs/keys.md).

The same fields as http-in's (nodes/http/access.py), without CORS: a browser's WebSocket is
guarded by the listener's Origin check instead. Kept apart so that each pack stands alone."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from flowrt.api import NodeConfig, field

Auth = Literal["none", "key", "bearer", "basic"]


class AccessConfig(NodeConfig):
    """Who may connect to a listener and how many frames a client may send: `auth`, `scopes`,
    `tokens`, `users`, `rate`, `burst` and `quota`."""

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
        description="Frames a second each client (key, token, user, or address without "
        "auth) may send; flowrt reads a faster client's socket no faster.", examples=[5])
    burst: int | None = field(
        None, ge=1,
        description="Frames a client may send at once before `rate` applies (default: "
        "`rate`, at least 1).", examples=[20])
    quota: int | None = field(
        None, ge=1, description="Frames each client may send a day (UTC); past it the socket "
        "is closed (1008).", examples=[10000])

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
