"""homeassistant-trigger-state: a state change of a watched entity, sent on by conditions."""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import (
    Ack,
    Message,
    NodeConfig,
    NodeError,
    Source,
    field,
    get_property,
)

from .homeassistant_client import Listener
from .homeassistant_compare import Comparer
from .homeassistant_inbox import Inbox
from .homeassistant_server import server_of
from .homeassistant_states import Entities, IfState, StateType, typed_state
from .homeassistant_timing import as_nodered
from .homeassistant_trigger_outputs import CustomOutput, custom_messages, prepare


class Condition(NodeConfig):
    """One condition: a property of this entity's change, or another entity's current
    state, tested."""

    entity: str | None = field(None, description="Another entity, whose current state is "
                               "tested; none tests the entity that changed.")
    property: str = field("new_state.state", description="What is tested of the change: "
                          "`new_state.state`, `old_state.state`, `new_state.attributes.x`.")
    test: IfState = field(description="The test.")


class HomeassistantTriggerState(Source):
    """Send a state change of a watched entity to the first output when its conditions hold,
    to the second otherwise (Node-RED's `trigger: state`, trigger-state).

    ### Outputs

    - `payload`: the new state, as `state_type` says; `topic`: the entity id.
    - `data`: Home Assistant's event with its data as `event`: `{event_type, entity_id,
      event: {entity_id, old_state, new_state}, origin, time_fired, context}`; the states
      converted by `state_type` (the text kept in `original_state`), `new_state` with
      `timeSinceChangedMs`.

    ### Details

    `conditions` test the change (`new_state.state`, `old_state.state` or another property)
    or another entity's current state; `match` says whether all or any must hold. With no
    conditions every change goes to the first output. With `output_initially`, the current
    state of each watched entity is tested and sent once the connection is first made.

    Each of `custom_outputs` adds an output after the two: when the conditions hold, it gets
    a message if its own test of the change passes (see its fields).

    ```yaml
    nodes:
      came-home:
        type: homeassistant-trigger-state
        server: home
        entities: {exact: [person.alice]}
        conditions:
          - {property: new_state.state, test: {value: home}}
          - {property: old_state.state, test: {value: home, operator: is_not}}
    ```
    """

    type = "homeassistant-trigger-state"
    evaluates = {"regex": ("entities.regex[]", "conditions[].test.value",
                           "custom_outputs[].test.value"),
                 "jsonata": ("conditions[].test.value", "custom_outputs[].test.value",
                             "custom_outputs[].value"),
                 "mustache": ("custom_outputs[].value",)}
    icon = "antenna"
    outputs = 2

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        entities: Entities = field(description="The entities watched.")
        conditions: list[Condition] = field(default_factory=list,
                                            description="What must hold.")
        match: Literal["all", "any"] = field("all", description="Whether all conditions "
                                             "or any one must hold.")
        state_type: StateType = field("str", description="How the state is output: `str`, "
                                      "`num` (a number) or `habool` (a boolean).")
        output_initially: bool = field(
            False, description="Test and send the current states when first connected.")
        custom_outputs: list[CustomOutput] = field(
            default_factory=list, description="More outputs, after the two (Node-RED's "
            "custom outputs).")

    config: Config

    @classmethod
    def output_count(cls, config: Any) -> int:
        return 2 + len(config.custom_outputs)

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        self._comparer = Comparer(
            self.ctx, [*(c.test for c in self.config.conditions),
                       *(o.test for o in self.config.custom_outputs)],
            lambda: self._client.states, self._server.is_true)
        prepare(self.config.custom_outputs, self._comparer)
        client = self._client
        self._inbox = Inbox(lambda: client.address, self.ctx.warn)
        self._initial_done = False
        await self._client.listen(self.id, Listener("state_changed", self._event, self._lost))

    def _event(self, event: dict[str, Any]) -> None:
        data = event.get("data") or {}
        entity = data.get("entity_id")
        if isinstance(entity, str) and self.config.entities.match(entity):
            self._inbox.add({"event_type": event.get("event_type"), "entity_id": entity,
                                    "event": data, "origin": event.get("origin"),
                                    "time_fired": event.get("time_fired"),
                                    "context": event.get("context")})

    def _lost(self) -> None:
        self._inbox.lost()

    async def connect(self) -> None:
        await self._client.session()
        if self.config.output_initially and not self._initial_done:
            self._initial_done = True
            for entity, state in sorted(self._client.states.items()):
                if self.config.entities.match(entity):
                    self._inbox.add({"event_type": "state_changed", "entity_id": entity,
                                            "event": {"entity_id": entity, "old_state": None,
                                                      "new_state": state}})

    async def read(self) -> tuple[Message, Ack | None]:
        while True:
            data = await self._inbox.get()
            if data["event"].get("new_state") is None:
                continue
            msg = self._message(data)
            held = [self._holds(c, msg["data"]["event"]) for c in self.config.conditions]
            ok = not held or (all(held) if self.config.match == "all" else any(held))
            if ok and self.config.custom_outputs:
                try:
                    more = custom_messages(self.config.custom_outputs, msg, self._comparer)
                except NodeError as exc:
                    self.ctx.error(exc)
                    continue
                self.ctx.send([msg, None, *more])
            elif ok:
                return msg, None
            else:
                self.ctx.send([None, msg])

    def _holds(self, condition: Condition, data: dict[str, Any]) -> bool:
        if condition.entity is not None:
            other = self._client.states.get(condition.entity)
            value = get_property({**other, "entity_id": condition.entity, "old_state": None,
                                  "new_state": other}, condition.property, None) \
                if other else None
        else:
            value = get_property(data, condition.property, None)
        if value is None and condition.test.operator != "jsonata":
            return False
        return self._comparer.if_state(condition.test, value, None, data["new_state"],
                                       data.get("old_state"))

    def _message(self, data: dict[str, Any]) -> Message:
        """Node-RED's: the states converted by `state_type` (the text in `original_state`),
        `timeSinceChangedMs` on the new one; the conditions test these."""
        is_true, state_type = self._server.is_true, self.config.state_type
        converted = state_type != "str"
        change = dict(data["event"])
        new, old = change["new_state"], change.get("old_state")
        typed = typed_state(new.get("state"), state_type, is_true)
        change["new_state"] = as_nodered(new, typed, converted, js_times=False)
        if old is not None:
            change["old_state"] = as_nodered(old, typed_state(old.get("state"), state_type,
                                                              is_true), converted,
                                             since=False, js_times=False)
        return {"topic": data["entity_id"], "payload": typed,
                "data": {**data, "event": change}}

    async def stop(self) -> None:
        await self._server.detach(self.id)
