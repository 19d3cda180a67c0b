"""homeassistant-server: a Home Assistant instance, reached through its WebSocket API with an
access token; shared by every Home Assistant node that names it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import field_validator

from flowrt.api import Connection, NodeConfig, field

from .homeassistant_client import HomeAssistantClient

Status = Callable[..., None]


class HomeassistantServer(Connection):
    """A Home Assistant instance (Node-RED's `server` config node of
    node-red-contrib-home-assistant-websocket).

    ### Details

    One WebSocket to `url` + `/api/websocket` for all the nodes that name the connection,
    authenticated with a long-lived access token (Home Assistant: your profile, Security,
    Long-lived access tokens), given as a `${VARIABLE}`: it never appears in a flow file, a
    log or a message. The connection is made when the first node starts and again after a
    loss, with back-off; the event subscriptions are made again and the states reloaded, so no
    state-changed node stays deaf after Home Assistant restarts.

    flowrt keeps a copy of every entity's state, loaded on connecting and kept current by the
    `state_changed` events: current-state nodes read it without a round trip, as Node-RED's
    nodes read their cache.

    ```yaml
    connections:
      home:
        type: homeassistant-server
        url: http://127.0.0.1:8123
        token: ${HA_TOKEN}
    ```
    """

    type = "homeassistant-server"
    icon = "plug"

    class Config(NodeConfig):
        url: str = field(
            description="Home Assistant's address, `http://` or `https://` (the WebSocket "
            "address is derived from it).",
            examples=["http://127.0.0.1:8123", "https://home.example.com"],
            pattern=r"^[hH][tT][tT][pP][sS]?://",
        )
        token: str | None = field(
            None, secret=True, examples=["${HA_TOKEN}"],
            description="A long-lived access token of a Home Assistant user; none uses the "
            "`SUPERVISOR_TOKEN` variable, as Node-RED's Home Assistant add-on does.",
        )
        ha_boolean: str = field(
            "y|yes|true|on|home|open", advanced=True,
            description="States read as true by a state type of `habool` (a regular "
            "expression matched against the whole state, ignoring case).",
        )

        @field_validator("url")
        @classmethod
        def _url(cls, value: str) -> str:
            if not urlsplit(value).hostname:
                raise ValueError("the URL names no server: give http://HOST[:PORT]")
            return value.rstrip("/")

    config: Config

    @property
    def client(self) -> HomeAssistantClient:
        client: HomeAssistantClient | None = getattr(self, "_client", None)
        if client is None:
            self._watchers: dict[str, Status] = {}
            self._shown: tuple[str | None, str | None, str] | None = None
            parts = urlsplit(self.config.url)
            scheme = "wss" if parts.scheme.lower() == "https" else "ws"
            ws_url = urlunsplit((scheme, parts.netloc, parts.path + "/api/websocket", "", ""))
            client = self._client = HomeAssistantClient(ws_url, self.token, self.config.url,
                                                        self._status)
        return client

    @property
    def token(self) -> str:
        """The access token: the configured one, else the add-on's SUPERVISOR_TOKEN."""
        return str(self.config.token or self.ctx.env.get("SUPERVISOR_TOKEN") or "")

    def is_true(self, state: Any) -> bool:
        """Whether a state counts as true for a state type of `habool`."""
        return re.fullmatch(self.config.ha_boolean, str(state), re.IGNORECASE) is not None

    def attach(self, node_id: str, status: Status) -> HomeAssistantClient:
        client = self.client
        self._watchers[node_id] = status
        if self._shown is not None:
            status(*self._shown)
        return client

    async def detach(self, node_id: str) -> None:
        client = self.client
        self._watchers.pop(node_id, None)
        client.forget(node_id)
        if not self._watchers:
            await client.close()

    def _status(self, fill: str | None, shape: str | None, text: str) -> None:
        """Show the connection's state in every node's status and, but while connecting,
        report it: one ``connected`` gauge and ``reconnects`` counter for the connection in
        ``/metrics``, whatever the number of nodes sharing it."""
        if text != "connecting":
            self.ctx.report_connection(text == "connected")
        self._shown = (fill, shape, text)
        for status in list(self._watchers.values()):
            status(fill, shape, text)

    async def close(self) -> None:
        if getattr(self, "_client", None) is not None:
            await self._client.close()


def server_of(ctx: Any, name: str) -> HomeassistantServer:
    return ctx.connection(name, HomeassistantServer)  # type: ignore[no-any-return]
