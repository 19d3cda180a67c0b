"""The connection websocket-in and websocket-out nodes name: a listener or a client."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from flowrt.api import NodeConfig, field

from .websocket_client import WebsocketClient
from .websocket_listener import WebsocketListener

Endpoint = WebsocketListener | WebsocketClient


class EndpointConfig(NodeConfig):
    """Exactly one of ``listener`` and ``client``, as Node-RED's ``server`` and ``client``."""

    listener: str | None = field(
        None, connection="websocket-listener", examples=["chat"],
        description="The websocket-listener connection (a path flowrt serves to clients); "
        "give this or `client`.",
    )
    client: str | None = field(
        None, connection="websocket-client", examples=["feed"],
        description="The websocket-client connection (a server flowrt connects to); give "
        "this or `listener`.",
    )

    @model_validator(mode="after")
    def _one(self) -> Any:
        if (self.listener is None) == (self.client is None):
            raise ValueError("give either `listener` (a path flowrt serves) or `client` (a "
                             "server flowrt connects to), not both nor neither")
        return self


def endpoint_of(ctx: Any, config: EndpointConfig) -> Endpoint:
    if config.listener is not None:
        return ctx.connection(config.listener, WebsocketListener)  # type: ignore[no-any-return]
    return ctx.connection(config.client, WebsocketClient)  # type: ignore[no-any-return]
