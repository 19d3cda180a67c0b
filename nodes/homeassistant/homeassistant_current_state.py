"""homeassistant-current-state: the current state of an entity, added to each message."""

from __future__ import annotations

from typing import Any

from flowrt.api import AsyncTransform, Message, NodeError, field, set_property

from . import homeassistant_outputs as ha_outputs
from .homeassistant_call_service import _render
from .homeassistant_compare import Comparer
from .homeassistant_server import server_of
from .homeassistant_states import IfState, StateType, typed_state
from .homeassistant_timing import HeldFor, as_nodered, since_changed_ms

HOLDS = ("is", "is_not", "includes", "does_not_include")
"""The tests of `if_state` that `hold_for` applies to, as in Node-RED."""


class HomeassistantCurrentState(AsyncTransform):
    """Add an entity's current state to each message (Node-RED's `current state`,
    api-current-state).

    ### Inputs

    Unless `block_input_overrides`, `payload.entity_id` names the entity instead.

    ### Outputs

    - `payload` (`output_state`): the state, as `state_type` says.
    - `data` (`output_entity`): the whole state object (`entity_id`, `state`, `attributes`,
      `last_changed`...) as Node-RED gives it: with `timeSinceChangedMs`, times in
      milliseconds (`2024-05-01T10:30:00.123Z`), and for a `state_type` other than `str`
      the converted state, the text in `original_state`.
    - `topic`: the entity id, with `topic_is_entity`.

    With `if_state`, a message whose state passes goes to the first output and another to the
    second.

    ### Details

    The state is read from the connection's copy of Home Assistant's states, kept current by
    its events. An entity Home Assistant does not have fails the message.

    With `hold_for`, a state passing `if_state` with `is`, `is_not`, `includes` or
    `does_not_include` passes only when it has not changed for longer than that.

    ```yaml
    nodes:
      is-home:
        type: homeassistant-current-state
        server: home
        entity_id: person.alice
        if_state: {value: home}
        to: {0: welcome, 1: away}
    ```
    """

    type = "homeassistant-current-state"
    evaluates = {"regex": ("if_state.value",),
                 "jsonata": ("if_state.value", "output_properties[].value")}
    icon = "plug"
    outputs = 2

    class Config(HeldFor):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        entity_id: str = field("", description="The entity (`{{ property }}` placeholders "
                               "are filled in from the message).", examples=["sun.sun"])
        state_type: StateType = field("str", description="How the state is output: `str`, "
                                      "`num` (a number) or `habool` (a boolean).")
        if_state: IfState | None = field(
            None, description="A test of the state: passing goes to the first output, "
            "failing to the second; none sends everything to the first.")
        output_state: str | None = field("payload", description="The message property "
                                         "that receives the state; none for no state.")
        output_entity: str | None = field("data", description="The message property that "
                                          "receives the whole state object; none for none.")
        output_values: dict[str, str] = field(
            default_factory=dict, description="Message properties set to fixed text "
            "(Node-RED's output properties of type string).", examples=[{"payload": "24h"}])
        output_properties: list[ha_outputs.OutputProperty] = field(
            default_factory=list, description="More properties set, after those above "
            "(Node-RED's output properties): `entityState`, `entity` and `triggerId` (the "
            "entity id) are this node's values.")
        topic_is_entity: bool = field(False, description="Set `topic` to the entity id.")
        block_input_overrides: bool = field(
            False, description="Ignore `payload.entity_id`.")

    config: Config

    @classmethod
    def output_count(cls, config: Any) -> int:
        return 2 if config.if_state is not None else 1

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        self._comparer = Comparer(self.ctx, [self.config.if_state], lambda: self._client.states,
                                  self._server.is_true)
        ha_outputs.prepare(self.config.output_properties, self._comparer)

    async def stop(self) -> None:
        await self._server.detach(self.id)

    def _held(self, state: dict[str, Any]) -> bool:
        """With `hold_for` (and an equality test): whether the state held that long."""
        operator = self.config.if_state.operator if self.config.if_state else "lt"
        if self.config.hold_for <= 0 or operator not in HOLDS:
            return True
        since = since_changed_ms(state)
        return since is not None and since > self.config.hold_seconds * 1000

    async def receive(self, msg: Message) -> None:
        cfg = self.config
        entity_id = _render(cfg.entity_id, msg).strip()
        payload = msg.get("payload")
        if not cfg.block_input_overrides and isinstance(payload, dict) \
                and isinstance(payload.get("entity_id"), str):
            entity_id = payload["entity_id"]
        if not entity_id:
            raise NodeError("no entity: give `entity_id`, or `payload.entity_id`")
        await self._client.session()
        state = self._client.states.get(entity_id)
        if state is None:
            raise NodeError(f"Home Assistant has no entity {entity_id!r}")
        value = typed_state(state.get("state"), cfg.state_type, self._server.is_true)
        entity = as_nodered(state, value, cfg.state_type != "str")
        ok = cfg.if_state is None or (self._comparer.if_state(cfg.if_state, value, msg, entity)
                                      and self._held(state))
        if cfg.output_state:
            set_property(msg, cfg.output_state, value)
        if cfg.output_entity:
            set_property(msg, cfg.output_entity, entity)
        for prop, text in cfg.output_values.items():
            set_property(msg, prop, text)
        if cfg.topic_is_entity:
            msg["topic"] = entity_id
        if cfg.output_properties:
            ha_outputs.apply(cfg.output_properties, msg, self.ctx, self._comparer,
                          cfg.model_dump(), {"entity": entity, "entityState": value,
                                             "triggerId": entity_id})
        if ok:
            self.ctx.send(msg, origin=msg)
        else:
            self.ctx.send([None, msg], origin=msg)
