"""What homeassistant-sensor and homeassistant-binary-sensor share: an entity of Home Assistant
that the node creates through the Node-RED Companion integration (custom component `nodered`,
github.com/zachowj/hass-node-red) and whose state each message sets."""

from __future__ import annotations

import asyncio
import re
from typing import Any, ClassVar, Literal

from flowrt.api import (
    AsyncTransform,
    Message,
    NodeConfig,
    NodeError,
    compile_expression,
    field,
    get_property,
    set_property,
)

from .homeassistant_server import server_of

SETTINGS = ("device_class", "unit_of_measurement", "state_class", "icon", "entity_category",
            "entity_picture", "last_reset")
UNSLUGGED = re.compile(r"[^a-z0-9\-_~ ]")
ADDED_SECONDS = 30.0
"""How long a new entity may take to be added to Home Assistant."""


class EntityConfig(NodeConfig):
    server: str = field(connection="homeassistant-server", examples=["home"],
                        description="The homeassistant-server connection.")
    name: str = field(description="The entity's name in Home Assistant (its id is made "
                      "from it).", examples=["Boiler temperature"])
    settings: dict[str, Any] = field(
        default_factory=dict, description="The entity's settings for Home Assistant: "
        "`device_class`, `unit_of_measurement`, `state_class`, `icon`, `entity_category`, "
        "`entity_picture`, `last_reset`.",
        examples=[{"device_class": "temperature", "unit_of_measurement": "°C"}])
    state: str = field("payload", description="The state: the message property holding it, "
                       "or (`state_type`) a JSONata expression of the message, or fixed text "
                       "or number.", examples=["payload", "$round(payload * 1.8 + 32, 1)"])
    state_type: Literal["msg", "jsonata", "str", "num"] = field(
        "msg", description="How `state` is read.")
    attributes: dict[str, str] = field(
        default_factory=dict, description="Attributes: each name -> the message property "
        "holding its value.", examples=[{"source": "topic"}])
    fixed_attributes: dict[str, Any] = field(
        default_factory=dict, description="Attributes of fixed values, set with the others.",
        examples=[{"location": "cellar"}])
    input_override: Literal["allow", "merge", "block"] = field(
        "allow", description="What an object `payload` with `state` and `attributes` does: "
        "replaces the configured ones (`allow`), has its attributes merged over them "
        "(`merge`), or nothing (`block`).")
    companion_ids: tuple[str, str] | None = field(
        None, advanced=True, examples=[["a1b2c3d4e5f60718", "0f1e2d3c4b5a6978"]],
        description="The server and node ids the companion knows the entity by; none uses "
        "the connection's name and the node's id. An import keeps Node-RED's (its server and "
        "entity config nodes' ids), so that the flow takes over the entities Node-RED made.")
    output_data: str | None = field(
        None, description="A message property that receives what was sent, `{state, "
        "attributes}`; none leaves the message as it came.", examples=["sent"])


class HomeassistantEntity(AsyncTransform):
    """The behaviour of an entity node; subclasses name the entity's `component`."""

    component: ClassVar[str] = ""
    config: EntityConfig

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        self._registered: object | None = None
        self._expression = (compile_expression(self.config.state, self.ctx)
                            if self.config.state_type == "jsonata" else None)

    async def stop(self) -> None:
        await self._server.detach(self.id)

    async def receive(self, msg: Message) -> None:
        session = await self._client.session()
        state, attributes = self._state(msg)
        sent = {"state": state, "attributes": attributes}
        if self._registered is not session:  # first, or Home Assistant was reconnected
            await self._register(sent)
            self._registered = session
        else:
            await self._command({"type": "nodered/entity", **self._ids(), **sent})
        self.ctx.status("green", "dot", f"state: {state}")
        if self.config.output_data:
            set_property(msg, self.config.output_data, sent)
        self.ctx.send(msg, origin=msg)

    def _ids(self) -> dict[str, str]:
        server, node = self.config.companion_ids or (self.config.server, self.id)
        return {"server_id": server, "node_id": node}

    async def _register(self, sent: dict[str, Any]) -> None:
        """Have the companion create (or find again) the entity, with its first state; wait
        until Home Assistant has added it (the companion drops the states sent to an entity
        not added yet), and set the state again."""
        settings = {k: v for k, v in self.config.settings.items() if v not in ("", None)}
        # never a `remove` key, even false: the companion removes a known entity for it
        await self._command({"type": "nodered/discovery", **self._ids(),
                             "component": self.component,
                             "config": {"name": self.config.name, **settings}, **sent})
        unique = "nodered-{server_id}-{node_id}".format(**self._ids())  # the companion's
        try:
            async with asyncio.timeout(ADDED_SECONDS):
                while True:
                    entries = await self._client.command(
                        {"type": "config/entity_registry/list"})
                    entity = next((e["entity_id"] for e in entries if e.get("platform") ==
                                   "nodered" and e.get("unique_id") == unique), None)
                    if entity is not None and entity in self._client.states:
                        break
                    await asyncio.sleep(0.1)
        except TimeoutError as exc:
            raise NodeError(f"Home Assistant did not add the entity {self.config.name!r} in "
                            f"{ADDED_SECONDS:g} s") from exc
        # a known entity (the node ran before) takes only its settings from a discovery
        await self._command({"type": "nodered/entity", **self._ids(), **sent})

    def _state(self, msg: Message) -> tuple[Any, dict[str, Any]]:
        cfg = self.config
        if self._expression is not None:
            state = self._expression(msg, None)
        elif cfg.state_type == "str":
            state = cfg.state
        elif cfg.state_type == "num":
            state = _number(cfg.state)
        else:
            state = get_property(msg, cfg.state, None)
        attributes = {**cfg.fixed_attributes, **{name: get_property(msg, prop, None)
                                                 for name, prop in cfg.attributes.items()}}
        payload = msg.get("payload")
        if cfg.input_override != "block" and isinstance(payload, dict):
            if payload.get("state") is not None:  # taken as given, whatever `state_type`
                state = payload["state"]
            given = payload.get("attributes")
            if isinstance(given, dict):
                attributes = given if cfg.input_override == "allow" else {**attributes,
                                                                          **given}
        if state is None:
            raise NodeError(f"no state: {cfg.state!r} ({cfg.state_type}) gives none")
        if not isinstance(state, (str, int, float, bool)):
            raise NodeError(f"the state must be text, a number or a boolean; got {state!r}")
        return state, {_slug(k): v for k, v in attributes.items()}

    async def _command(self, message: dict[str, Any]) -> None:
        try:
            await self._client.command(message)
        except NodeError as exc:
            if "unknown_command" in str(exc):
                raise NodeError("Home Assistant has no Node-RED Companion integration "
                                "(custom component `nodered`), which creates the entity: "
                                "install it (github.com/zachowj/hass-node-red)") from exc
            raise


def _slug(name: str) -> str:
    """An attribute's name as the package writes it: lower case, spaces as `_`, other
    characters dropped."""
    return re.sub(r"\s+", "_", UNSLUGGED.sub("", name.lower()).strip())


def _number(text: str) -> int | float:
    try:
        value = float(text)
    except ValueError as exc:
        raise NodeError(f"the state {text!r} is not a number") from exc
    return int(value) if value.is_integer() and "." not in text else value
