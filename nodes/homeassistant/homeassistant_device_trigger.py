"""homeassistant-device-trigger: a message each time a device trigger of Home Assistant fires (a
button pressed, a switch turned on, as its automation editor offers them for a device)."""

from __future__ import annotations

import contextlib
from typing import Any

from flowrt.api import Ack, ConnectionLost, Message, NodeConfig, NodeError, Source, field

from .homeassistant_client import Listener
from .homeassistant_inbox import Inbox
from .homeassistant_server import server_of


class HomeassistantDeviceTrigger(Source):
    """Send a message each time a device trigger fires (Node-RED's `device` node in trigger
    mode, ha-device).

    ### Outputs

    - `payload`: what Home Assistant tells of the trigger: `platform` (`device`),
      `entity_id`, `from_state`, `to_state`, `description`, ... (the automation's
      `trigger` variable).
    - `topic`: the device's id.

    ### Details

    `trigger` is one of the device's triggers as Home Assistant lists them (its automation
    editor, or the WebSocket command `device_automation/trigger/list` with the `device_id`):
    `device_id`, `domain`, `type`, and for most `entity_id` or `subtype`. `capabilities` adds
    the fields the trigger takes (`device_automation/trigger/capabilities`), such as `for:
    {seconds: 5}`. Home Assistant checks the trigger when the node starts: one it refuses
    (an unknown device or type) stops the node with its reason. After a loss of the
    connection the trigger is set up again.

    Node-RED's package needs its companion integration in Home Assistant for this; flowrt
    subscribes with Home Assistant's own `subscribe_trigger` command and needs none.

    ```yaml
    nodes:
      doorbell:
        type: homeassistant-device-trigger
        server: home
        trigger: {device_id: 3bc4e1d2a0f14c7e9a33f0c3d2e1b4a5, domain: switch,
                  entity_id: switch.doorbell, type: turned_on}
    ```
    """

    type = "homeassistant-device-trigger"
    icon = "antenna"

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        trigger: dict[str, Any] = field(
            description="The device trigger, as Home Assistant lists it: `device_id`, "
            "`domain`, `type`, and often `entity_id` and `subtype`.",
            examples=[{"device_id": "3bc4e1d2a0f14c7e9a33f0c3d2e1b4a5", "domain": "switch",
                       "entity_id": "switch.doorbell", "type": "turned_on"}])
        capabilities: dict[str, Any] = field(
            default_factory=dict, description="The trigger's extra fields "
            "(`device_automation/trigger/capabilities`), in Home Assistant's form.",
            examples=[{"for": {"seconds": 5}}])
        max_pending: int = field(1000, ge=1, advanced=True,
                                 description="Triggers waiting for the flow before the oldest "
                                 "are dropped, with a warning.")

    config: Config

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        client = self._client
        self._inbox = Inbox(lambda: client.address, self.ctx.warn, self.config.max_pending,
                            "triggers")
        self._subscription: int | None = None
        self._trigger = {**self.config.trigger, **self.config.capabilities,
                         "platform": "device"}
        # listening to state_changed (which the connection subscribes to anyway) tells the node
        # when the connection drops, so that the engine connects it, and the trigger, again
        await self._client.listen(self.id, Listener("state_changed", _ignore, self._lost))

    async def connect(self) -> None:
        session = await self._client.session()
        number = session.next_id
        try:
            await self._client.command({"type": "subscribe_trigger", "trigger": self._trigger},
                                       stream=self._fired, session=session)
        except NodeError as exc:
            raise NodeError(f"Home Assistant refused the device trigger {self._trigger}: "
                            f"{exc}") from exc
        self._subscription = number

    def _fired(self, event: dict[str, Any]) -> None:
        self._inbox.put(event)

    def _lost(self) -> None:
        self._subscription = None
        self._inbox.lost()

    async def read(self) -> tuple[Message, Ack | None]:
        item = await self._inbox.get()
        trigger = (item.get("variables") or {}).get("trigger") or {}
        self.ctx.status("green", "dot", str(trigger.get("description") or "triggered"))
        return {"payload": trigger, "topic": self._trigger.get("device_id")}, None

    async def stop(self) -> None:
        if self._subscription is not None:
            with contextlib.suppress(NodeError, ConnectionLost):
                await self._client.unsubscribe(self._subscription)
        await self._server.detach(self.id)


def _ignore(event: dict[str, Any]) -> None:
    """The state changes the node listens to only to learn of a lost connection."""
