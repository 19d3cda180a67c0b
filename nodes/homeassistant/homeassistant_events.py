"""homeassistant-events: a message for each Home Assistant event of a type, or of any type."""

from __future__ import annotations

from flowrt.api import Ack, Message, NodeConfig, Source, field

from .homeassistant_client import Listener
from .homeassistant_inbox import Inbox
from .homeassistant_server import server_of


class HomeassistantEvents(Source):
    """Send a message for each event on Home Assistant's event bus (Node-RED's `events:
    all`, server-events).

    ### Outputs

    - `event_type` and `topic`: the event's type.
    - `payload`: the event: `{event_type, data, origin, time_fired, context}`.

    ### Details

    With no `event_type`, every event is sent (state changes included, many per second on a
    busy installation). After a loss of the connection the subscription is made again.

    ```yaml
    nodes:
      service-calls:
        type: homeassistant-events
        server: home
        event_type: call_service
    ```
    """

    type = "homeassistant-events"
    icon = "antenna"

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        event_type: str = field("", description="The event type; empty for every event.",
                                examples=["call_service", "automation_triggered"])
        max_pending: int = field(1000, ge=1, advanced=True,
                                 description="Events waiting for the flow before the oldest "
                                 "are dropped, with a warning.")

    config: Config

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        client = self._client
        self._inbox = Inbox(lambda: client.address, self.ctx.warn, self.config.max_pending,
                            "events")
        await self._client.listen(self.id, Listener(self.config.event_type or None,
                                                    self._inbox.put, self._inbox.lost))

    async def connect(self) -> None:
        await self._client.session()

    async def read(self) -> tuple[Message, Ack | None]:
        item = await self._inbox.get()
        return {"event_type": item.get("event_type"), "topic": item.get("event_type"),
                "payload": item}, None

    async def stop(self) -> None:
        await self._server.detach(self.id)
