"""The access settings of a websocket-listener: who may connect (``auth``, checked on the
handshake by the engine) and how many frames each client may send (see docs/keys.md).

The node API's :class:`~flowrt.api.AccessConfig`, as http-in's, without CORS (a browser's
WebSocket is guarded by the listener's Origin check instead), its limits counting frames."""

from __future__ import annotations

from flowrt.api import AccessConfig as ClientAccess
from flowrt.api import Burst, Quota, Rate, field


class AccessConfig(ClientAccess):
    """Who may connect to a listener and how many frames a client may send: `auth`, `scopes`,
    `tokens`, `users`, `rate`, `burst` and `quota`."""

    rate: Rate = field(
        None, description="Frames a second each client (key, token, user, or address without "
        "auth) may send; flowrt reads a faster client's socket no faster.")
    burst: Burst = field(
        None, description="Frames a client may send at once before `rate` applies (default: "
        "`rate`, at least 1).")
    quota: Quota = field(
        None, description="Frames each client may send a day (UTC); past it the socket is "
        "closed (1008).")
