"""homeassistant-device-action: run a device action of Home Assistant (turn a light on, lock a
lock, as its automation editor offers them for a device) for each message."""

from __future__ import annotations

from typing import Any

from flowrt.api import AsyncTransform, Message, NodeConfig, NodeError, field, set_property

from .homeassistant_server import server_of


class HomeassistantDeviceAction(AsyncTransform):
    """Run a device action for each message (Node-RED's `device` node in action mode,
    ha-device).

    ### Outputs

    The message, once Home Assistant has run the action; with `output_data`, that property
    holds the action run (`action` with the `capabilities` merged in).

    ### Details

    `action` is one of the device's actions as Home Assistant lists them (its automation
    editor, or the WebSocket command `device_automation/action/list` with the `device_id`):
    `device_id`, `domain`, `type` and, for most, `entity_id`. `capabilities` adds the fields
    the action takes (`device_automation/action/capabilities`), such as `brightness_pct`.
    Home Assistant runs it as a one-step script (`execute_script`), as an automation would; an
    action it refuses (an unknown device, a missing capability) fails the message.

    Node-RED's package sends the action through its companion integration; flowrt needs no
    integration installed in Home Assistant.

    ```yaml
    nodes:
      lamp-on:
        type: homeassistant-device-action
        server: home
        action: {device_id: 3bc4e1d2a0f14c7e9a33f0c3d2e1b4a5, domain: light,
                 entity_id: light.kitchen, type: turn_on}
        capabilities: {brightness_pct: 60}
    ```
    """

    type = "homeassistant-device-action"
    icon = "plug"

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        action: dict[str, Any] = field(
            description="The device action, as Home Assistant lists it: `device_id`, "
            "`domain`, `type`, and often `entity_id` and `subtype`.",
            examples=[{"device_id": "3bc4e1d2a0f14c7e9a33f0c3d2e1b4a5", "domain": "light",
                       "entity_id": "light.kitchen", "type": "turn_on"}])
        capabilities: dict[str, Any] = field(
            default_factory=dict, description="The action's extra fields "
            "(`device_automation/action/capabilities`), in Home Assistant's form.",
            examples=[{"brightness_pct": 60}])
        output_data: str | None = field(
            None, description="A message property that receives the action run; none "
            "leaves the message as it came.", examples=["payload"])

    config: Config

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        self._action = {**self.config.action, **self.config.capabilities}
        self._label = f"{self._action.get('domain', '')}.{self._action.get('type', '')}"

    async def stop(self) -> None:
        await self._server.detach(self.id)

    async def receive(self, msg: Message) -> None:
        try:
            await self._client.command({"type": "execute_script", "sequence": [self._action]})
        except NodeError as exc:
            raise NodeError(f"the device action {self._action} failed: {exc}") from exc
        self.ctx.status("green", "dot", self._label)
        if self.config.output_data:
            set_property(msg, self.config.output_data, dict(self._action))
        self.ctx.send(msg, origin=msg)
