"""Who may reach what a node serves to the outside world, and how often: the ``auth``,
``scopes``, ``tokens``, ``users``, ``rate``, ``burst`` and ``quota`` fields that http-in and
websocket-listener both declare by subclassing :class:`AccessConfig`, and that the engine reads
(:mod:`flowrt.run.access`; see docs/keys.md).

The fields, their defaults, their constraints and the rules between them are declared here once.
What a client's rate counts (an HTTP request, a WebSocket frame) and what happens past a limit
belong to the node: :class:`AccessConfig` words its limits for requests; a node that counts
something else declares ``rate``, ``burst`` and ``quota`` again as :data:`Rate`, :data:`Burst`
and :data:`Quota` (which keep the constraints and examples) with its own descriptions.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from flowrt.node_config import NodeConfig, field

__all__ = ["AccessConfig", "Auth", "Burst", "Quota", "Rate"]

Auth = Literal["none", "key", "bearer", "basic"]

Rate = Annotated[float | None, Field(gt=0, examples=[5])]
"""A client's rate: so many a second, ``None`` for no limit."""
Burst = Annotated[int | None, Field(ge=1, examples=[20])]
"""How many a client may at once before its rate applies (``None``: the rate, at least 1)."""
Quota = Annotated[int | None, Field(ge=1, examples=[10000])]
"""How many a client may a day (UTC), ``None`` for no limit."""


class AccessConfig(NodeConfig):
    """Who may call an endpoint and how often: what the `auth`, `scopes`, `tokens`, `users`,
    `rate`, `burst` and `quota` fields mean."""

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
    rate: Rate = field(
        None, description="Requests a second each client (key, token, user, or address without "
        "auth) may make; more get 429 with `Retry-After`.")
    burst: Burst = field(
        None, description="Requests a client may make at once before `rate` applies (default: "
        "`rate`, at least 1).")
    quota: Quota = field(
        None, description="Requests each client may make a day (UTC); more get 429.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
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
