"""websocket-in: every frame a WebSocket receives becomes a message."""

from __future__ import annotations

import asyncio
from typing import Any

from flowrt.api import Ack, ConnectionLost, Message, Source

from .websocket_client import WebsocketClient
from .websocket_endpoint import EndpointConfig, endpoint_of
from .websocket_hub import LOST


class WebsocketIn(Source):
    """Turn every frame received on a WebSocket into a message.

    ### Outputs

    - `payload`: a text frame as a string, a binary frame as bytes. With the connection's
      `whole_message`, a frame holding a JSON object is the message itself; any other JSON
      value becomes the payload, and a frame that is not JSON the payload as received.
    - `client`: on a listener with `auth`, who connected: `{name, kind, scopes}` (never the
      key, token or password).
    - `_session`: `{type: "websocket", id}`: which client sent it (on a listener), or which
      connection (on a client). A websocket-out on the same listener answers that client only.

    ### Details

    Name a `listener` (a path flowrt serves; any number of clients) or a `client` (a server
    flowrt connects to). Several websocket-in nodes on one connection each get every frame.
    When the flow is slower than the frames arrive, up to the connection's `max_pending`
    frames wait, then flowrt stops reading from that socket until the flow catches up: nothing
    is dropped, the peer is slowed down.

    An echo, with a transformation, on `ws://127.0.0.1:1880/ws/echo`:

    ```yaml
    flowrt: 1
    connections:
      echo:
        type: websocket-listener
        path: /ws/echo
    nodes:
      frames:
        type: websocket-in
        listener: echo
        to: shout
      shout:
        type: change
        rules:
          - set: payload
            to: {type: jsonata, value: "$uppercase(payload)"}
        to: reply
      reply:
        type: websocket-out
        listener: echo
    ```
    """

    type = "websocket-in"
    icon = "plug"

    class Config(EndpointConfig):
        pass

    config: Config

    @classmethod
    def once_in_group(cls, config: Any) -> bool:
        return config.client is not None  # every worker serves its own clients

    async def start(self) -> None:
        self._endpoint = endpoint_of(self.ctx, self.config)
        inbox = self._endpoint.attach(self.id, self.ctx.status, inbox=True)
        assert inbox is not None
        self._inbox: asyncio.Queue[Any] = inbox

    async def connect(self) -> None:
        if isinstance(self._endpoint, WebsocketClient):
            await self._endpoint.connected()

    async def read(self) -> tuple[Message, Ack | None]:
        item = await self._inbox.get()
        if item is LOST:
            endpoint = self._endpoint
            address = endpoint.address if isinstance(endpoint, WebsocketClient) else ""
            raise ConnectionLost(f"the connection to {address} dropped")
        msg: Message = item
        return msg, None

    async def stop(self) -> None:
        await self._endpoint.detach(self.id)
        left = sum(1 for item in _drain(self._inbox) if item is not LOST)
        if left:
            self.ctx.warn(f"{left} frame(s) received were not taken by the flow before it "
                          "stopped")


def _drain(queue: asyncio.Queue[Any]) -> list[Any]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items
