"""homeassistant-wait-until: hold a message until an entity meets a test, or a timeout."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError, model_validator

from flowrt.api import AsyncTransform, Message, NodeConfig, NodeError, Timer, field, set_property

from .homeassistant_call_service import _render
from .homeassistant_client import Listener
from .homeassistant_compare import Comparer, EntityTest, selectn
from .homeassistant_server import server_of
from .homeassistant_states import pattern, to_number
from .homeassistant_timing import SECONDS, TimeUnit, as_nodered

FilterType = Literal["exact", "list", "substring", "regex"]
OVERRIDES = {"entity_id": "entity_id", "entityId": "entity_id",
             "entityIdFilterType": "entity_id_type", "property": "property",
             "comparator": "comparator", "value": "value", "valueType": "type",
             "timeout": "timeout", "timeoutUnits": "timeout_units",
             "checkCurrentState": "check_current_state"}
"""The keys of `payload` that replace the configuration, unless `block_input_overrides`."""


def _regex_compiles(config: Any) -> Any:
    if config.entity_id_type == "regex" and isinstance(config.entity_id, str):
        pattern(config.entity_id)
    return config


class Wait(NodeConfig):
    """One wait, as the configuration and the message's overrides make it."""

    entity_id: str | list[str]
    entity_id_type: FilterType
    until: EntityTest
    timeout: float = field(ge=0, description="Seconds in `timeout_units`.")
    timeout_units: TimeUnit
    check_current_state: bool

    @model_validator(mode="after")
    def _regex(self) -> Wait:
        return _regex_compiles(self)  # type: ignore[no-any-return]

    def watches(self, entity_id: str) -> bool:
        wanted = self.entity_id
        if isinstance(wanted, list):
            return entity_id in wanted
        if not wanted:
            return True
        if self.entity_id_type == "substring":
            return wanted in entity_id
        if self.entity_id_type == "regex":
            return pattern(wanted).search(entity_id) is not None
        return entity_id == wanted


class HomeassistantWaitUntil(AsyncTransform):
    """Hold each message until an entity passes a test (Node-RED's `wait until`).

    The message goes on the first output when a watched entity passes; after `timeout`, on
    the second (ha-wait-until).

    ### Inputs

    A new message replaces the one waiting, which is dropped unsent, and starts a new wait.
    A message with a `reset` property drops the waiting message and stops the wait. Unless
    `block_input_overrides`, `payload` may replace the configuration: `entity_id` (or
    `entityId`), `entityIdFilterType`, `property`, `comparator`, `value`, `valueType`,
    `timeout`, `timeoutUnits`, `checkCurrentState`.

    ### Outputs

    1. The message, when a state change of a watched entity passes the test.
    2. The message, when `timeout` passed first (only with a `timeout`).

    With `output_entity`, that property receives the entity (its state object with
    `timeSinceChangedMs`): the one that passed, or at a timeout the current state of
    `entity_id` (an empty object for other filter types).

    ### Details

    The entity is given exactly (`{{ property }}` placeholders are filled in from the message),
    as a list, as part of the id or as a regular expression. With `check_current_state`
    and an exact entity, its current state is tested on arrival, and an entity Home
    Assistant does not have fails the message.

    ```yaml
    nodes:
      door-closed:
        type: homeassistant-wait-until
        server: home
        entity_id: binary_sensor.front_door
        until: {property: state, value: "off"}
        timeout: 5
        timeout_units: minutes
        to: {0: closed, 1: still-open}
    ```
    """

    type = "homeassistant-wait-until"
    evaluates = {"regex": ("entity_id", "until.value", "msg.payload.entityId",
                           "msg.payload.value"),
                 "jsonata": ("until.value", "msg.payload.value"), "mustache": ("entity_id",)}
    icon = "clock"
    asynchronous = True
    outputs = 2

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        entity_id: str | list[str] = field(
            "", description="The entity watched: an id (`{{ property }}` placeholders are "
            "filled in from the message), a list of ids, a part of ids or a regular "
            "expression, as `entity_id_type` says; empty watches every entity.",
            examples=["binary_sensor.front_door"])
        entity_id_type: FilterType = field("exact", description="How `entity_id` is read: "
                                           "`exact`, `list`, `substring` or `regex`.")
        until: EntityTest = field(description="The test the entity must pass.")
        timeout: float = field(0, ge=0, description="How long to wait before sending the "
                               "message on the second output; 0 waits for ever.")
        timeout_units: TimeUnit = field("seconds", description="The unit of `timeout`.")
        check_current_state: bool = field(
            True, description="Test the current state when a message arrives (an exact "
            "entity only).")
        block_input_overrides: bool = field(True, description="Ignore the overrides of "
                                            "`payload`.")
        output_entity: str | None = field(None, description="The message property that "
                                          "receives the entity; none for none.",
                                          examples=["data"])

        @model_validator(mode="after")
        def _regex(self) -> Any:
            return _regex_compiles(self)

    config: Config

    @classmethod
    def output_count(cls, config: Any) -> int:
        return 2 if config.timeout > 0 else 1

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        self._comparer = Comparer(self.ctx, [self.config.until], lambda: self._client.states,
                                  self._server.is_true)
        self._held: Message | None = None
        self._wait: Wait | None = None
        self._timer: Timer | None = None
        await self._client.listen(self.id, Listener("state_changed", self._event,
                                                    lambda: None))

    async def stop(self) -> None:
        self._drop()
        await self._server.detach(self.id)

    async def receive(self, msg: Message) -> None:
        if "reset" in msg:
            self._drop()
            self.ctx.status(None, None, "reset")
            return
        wait = self._wait_for(msg)
        await self._client.session()
        self._drop()  # the new message replaces the one waiting, as in Node-RED
        current = None
        if wait.check_current_state and wait.entity_id_type == "exact" \
                and isinstance(wait.entity_id, str):
            current = self._client.states.get(wait.entity_id)
            if current is None:
                raise NodeError(f"Home Assistant has no entity {wait.entity_id!r}")
        self._held, self._wait = msg, wait
        self.ctx.hold(msg)
        seconds = wait.timeout * SECONDS[wait.timeout_units]
        if seconds > 0:
            self._timer = self.ctx.call_later(seconds, self._timed_out)
            self.ctx.status(None, None, f"waiting for {wait.timeout:g} {wait.timeout_units}")
        else:
            self.ctx.status(None, None, "waiting")
        if current is not None:
            self._test(current, as_nodered(current))

    def _wait_for(self, msg: Message) -> Wait:
        cfg = self.config
        given: dict[str, Any] = {"entity_id": cfg.entity_id, "entity_id_type": cfg.entity_id_type,
                                 **cfg.until.model_dump(), "timeout": cfg.timeout,
                                 "timeout_units": cfg.timeout_units,
                                 "check_current_state": cfg.check_current_state}
        overridden: set[str] = set()
        payload = msg.get("payload")
        if not cfg.block_input_overrides and isinstance(payload, dict):
            for theirs, ours in OVERRIDES.items():
                if theirs in payload:
                    given[ours] = payload[theirs]
                    overridden.add(ours)
        if "entity_id" not in overridden and given["entity_id_type"] == "exact" \
                and isinstance(given["entity_id"], str):
            given["entity_id"] = _render(given["entity_id"], msg).strip()
        timeout = given["timeout"]
        number = to_number(timeout) if isinstance(timeout, str | int | float) else float("nan")
        if not number >= 0:
            raise NodeError(f"invalid timeout {timeout!r}: give a number of 0 or more")
        given["timeout"] = number
        until = {k: given.pop(k) for k in ("property", "comparator", "value", "type")}
        if isinstance(until["value"], int | float):
            until["value"] = str(until["value"])
        try:
            wait = Wait.model_validate({**given, "until": until})
        except ValidationError as exc:
            raise NodeError(f"the payload's overrides are not valid: {exc}") from exc
        self._comparer.prepare(wait.until)
        return wait

    def _event(self, event: dict[str, Any]) -> None:
        data = event.get("data") or {}
        entity, new = data.get("entity_id"), data.get("new_state")
        if self._wait is None or not isinstance(entity, str) or not isinstance(new, dict) \
                or not self._wait.watches(entity):
            return
        try:
            self._test(new, as_nodered(new, js_times=False))
        except NodeError as exc:
            self._drop(error=exc)  # the waiting message fails with it

    def _test(self, state: dict[str, Any], shown: dict[str, Any]) -> None:
        wait, msg = self._wait, self._held
        if wait is None or msg is None:
            return
        test = wait.until
        if not self._comparer.holds(test, selectn(test.property, state), msg, entity=shown):
            return
        self._cancel()
        self._held = self._wait = None
        if self.config.output_entity:
            set_property(msg, self.config.output_entity, shown)
        self.ctx.status("green", "dot", "true")
        self.ctx.send([msg, None], origin=msg)
        self.ctx.done(msg)

    def _timed_out(self) -> None:
        wait, msg = self._wait, self._held
        self._timer = None
        if wait is None or msg is None:
            return
        self._held = self._wait = None
        if self.config.output_entity:
            state = self._client.states.get(wait.entity_id) \
                if isinstance(wait.entity_id, str) else None
            set_property(msg, self.config.output_entity, as_nodered(state) if state else {})
        self.ctx.status("red", "ring", "timed out")
        if self.output_count(self.config) > 1:
            self.ctx.send([None, msg], origin=msg)
        self.ctx.done(msg)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _drop(self, error: BaseException | None = None) -> None:
        """Stop waiting; the message waiting, if any, finishes unsent."""
        self._cancel()
        held, self._held, self._wait = self._held, None, None
        if held is not None:
            self.ctx.done(held, error)
