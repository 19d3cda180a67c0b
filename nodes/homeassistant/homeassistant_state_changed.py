"""homeassistant-state-changed: a message for each change of state of the entities watched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from flowrt.api import Ack, Message, Source, Timer, field

from . import homeassistant_outputs as ha_outputs
from .homeassistant_client import Listener
from .homeassistant_compare import Comparer
from .homeassistant_inbox import Inbox
from .homeassistant_server import server_of
from .homeassistant_states import Entities, IfState, StateType, typed_state
from .homeassistant_timing import HeldFor, as_nodered, since_changed_ms


@dataclass
class Held:
    """A change whose state held for `hold_for`: sent now."""

    msg: Message
Ignore = Literal["prev_null", "prev_unknown", "prev_unavailable", "current_unknown",
                 "current_unavailable"]


class HomeassistantStateChanged(Source):
    """Send a message each time the state of a watched entity changes in Home Assistant
    (Node-RED's `events: state`, server-state-changed).

    ### Outputs

    - `payload`: the new state, as `state_type` says (text, a number, or a boolean).
    - `topic`: the entity id.
    - `data`: Home Assistant's event data, `{entity_id, old_state, new_state}`; `new_state`
      carries `timeSinceChangedMs`, and both states are as current-state gives them.

    With `if_state`, a change whose new state passes goes to the first output and another to
    the second.

    ### Details

    Changes of attributes only (the state is the same, once converted by `state_type`: with
    `habool`, `on` to `home` is no change) are sent only when `output_only_on_state_change`
    is false. With `output_initially`, the current state of every
    watched entity is sent once the connection is first made (`data.old_state` absent). After
    a loss of the connection the subscription is made again; changes made while flowrt was
    away are not sent.

    With `hold_for`, a change is sent only once the new state has held that long: each
    change of state starts the entity's wait again. With `if_state`, a change that fails is
    sent to the second output at once and ends the wait, and once a passing state waits (or
    was sent) another passing change is not sent until one fails, as in Node-RED; changes of
    attributes only and the states sent initially are never sent.

    ```yaml
    nodes:
      door:
        type: homeassistant-state-changed
        server: home
        entities: {exact: [binary_sensor.front_door]}
        if_state: {value: "on"}
        to: {0: opened, 1: closed}
    ```
    """

    type = "homeassistant-state-changed"
    evaluates = {"regex": ("entities.regex[]", "if_state.value"),
                 "jsonata": ("if_state.value", "output_properties[].value")}
    icon = "antenna"
    outputs = 2

    class Config(HeldFor):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        entities: Entities = field(description="The entities watched.")
        state_type: StateType = field("str", description="How the state is output: `str`, "
                                      "`num` (a number) or `habool` (a boolean).")
        if_state: IfState | None = field(
            None, description="A test of the new state: passing goes to the first output, "
            "failing to the second; none sends everything to the first.")
        output_initially: bool = field(
            False, description="Send the current states when the connection is first made.")
        output_only_on_state_change: bool = field(
            True, description="Ignore changes of attributes only.")
        ignore: list[Ignore] = field(
            default_factory=list,
            description="Changes to ignore: from no state (`prev_null`), from or to "
            "`unknown` and `unavailable`.")
        output_properties: list[ha_outputs.OutputProperty] = field(
            default_factory=list, description="When given, the message holds these "
            "properties only, not those above (Node-RED's output properties): `entityState`, "
            "`entity` (the new state), `prevEntity`, `eventData` and `triggerId` (the entity "
            "id) are this node's values.")
        max_pending: int = field(1000, ge=1, advanced=True,
                                 description="Changes waiting for the flow before the "
                                 "oldest are dropped, with a warning.")

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
        client = self._client
        self._inbox = Inbox(lambda: client.address, self.ctx.warn, self.config.max_pending,
                            "state changes")
        self._initial_done = False
        self._waits: dict[str, Timer | None] = {}
        """Per entity, with `hold_for`: the wait running (None once it sent; a passing change
        then waits no more until one fails, as Node-RED's)."""
        await self._client.listen(self.id, Listener("state_changed", self._event,
                                                    self._inbox.lost))

    def _event(self, event: dict[str, Any]) -> None:
        data = event.get("data") or {}
        entity = data.get("entity_id")
        if isinstance(entity, str) and self.config.entities.match(entity):
            self._inbox.put(data)

    async def connect(self) -> None:
        await self._client.session()
        if self.config.output_initially and not self._initial_done:
            self._initial_done = True
            for entity, state in sorted(self._client.states.items()):
                if self.config.entities.match(entity):
                    self._inbox.put({"entity_id": entity, "new_state": state})

    async def read(self) -> tuple[Message, Ack | None]:
        while True:
            item = await self._inbox.get()
            if isinstance(item, Held):
                new = item.msg["data"]["new_state"]
                new["timeSinceChangedMs"] = since_changed_ms(new)
                return self._out(item.msg), None
            msg = self._message(item)
            if msg is None:
                continue
            data = msg["data"]
            ok = self.config.if_state is None or self._comparer.if_state(
                self.config.if_state, msg["payload"], None, data["new_state"],
                data.get("old_state"))
            if self.config.hold_for > 0 and not self._held(item, msg, ok):
                continue
            if ok:
                return self._out(msg), None
            self.ctx.send([None, self._out(msg)])

    def _out(self, msg: Message) -> Message:
        """The message sent: with `output_properties`, those only."""
        if not self.config.output_properties:
            return msg
        data = msg["data"]
        new = data["new_state"]
        out: Message = {}
        ha_outputs.apply(self.config.output_properties, out, self.ctx, self._comparer,
                      self.config.model_dump(), {
                          "entity": new, "entityState": new.get("state"),
                          "eventData": data, "prevEntity": data.get("old_state"),
                          "triggerId": msg["topic"]})
        return out

    def _held(self, data: dict[str, Any], msg: Message, ok: bool) -> bool:
        """With `hold_for`: whether the change is sent now (one failing `if_state`); else
        its entity's wait starts again, or goes on."""
        entity, old = msg["topic"], msg["data"].get("old_state")
        if "old_state" not in data or (old is not None and old.get("state") == msg["payload"]):
            return False  # the states sent initially, and changes of attributes only
        if self.config.if_state is not None:
            if ok and entity in self._waits:
                return False
            if not ok:
                self._cancel(entity)
                return True
        self._cancel(entity)
        self._waits[entity] = self.ctx.call_later(self.config.hold_seconds,
                                                  lambda: self._due(entity, msg))
        self.ctx.status(None, None, f"waiting for {self.config.hold_for:g} "
                        f"{self.config.hold_units}")
        return False

    def _cancel(self, entity: str) -> None:
        timer = self._waits.pop(entity, None)
        if timer is not None:
            timer.cancel()

    def _due(self, entity: str, msg: Message) -> None:
        self._waits[entity] = None
        self._inbox.add(Held(msg))

    def _message(self, data: dict[str, Any]) -> Message | None:
        new, old = data.get("new_state"), data.get("old_state")
        if new is None:
            return None  # the entity was removed
        initial = "old_state" not in data
        ignored = set(self.config.ignore)
        is_true, state_type = self._server.is_true, self.config.state_type
        if not initial:
            if self.config.output_only_on_state_change and old is not None and typed_state(
                    old.get("state"), state_type, is_true) == typed_state(
                    new.get("state"), state_type, is_true):
                return None  # compared as typed, as Node-RED does: on -> home is no change
            if ("prev_null" in ignored and old is None) or (old is not None and (
                    f"prev_{old.get('state')}" in ignored)):
                return None
        if f"current_{new.get('state')}" in ignored:
            return None
        typed = typed_state(new.get("state"), self.config.state_type, self._server.is_true)
        converted = self.config.state_type != "str"
        event = {**data, "new_state": as_nodered(new, typed, converted, js_times=initial)}
        if old is not None:
            event["old_state"] = as_nodered(old, typed_state(
                old.get("state"), self.config.state_type, self._server.is_true), converted,
                since=False, js_times=False)
        return {"topic": data["entity_id"], "payload": typed, "data": event}

    async def stop(self) -> None:
        for timer in self._waits.values():
            if timer is not None:
                timer.cancel()
        self._waits.clear()
        await self._server.detach(self.id)
