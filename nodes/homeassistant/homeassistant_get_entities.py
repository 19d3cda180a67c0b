"""homeassistant-get-entities: the entities whose states pass rules, added to each message."""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import ValidationError

from flowrt.api import (
    MISSING,
    AsyncTransform,
    Message,
    NodeConfig,
    NodeError,
    clone,
    field,
    set_property,
)

from .homeassistant_compare import Comparer, EntityTest, selectn
from .homeassistant_server import server_of
from .homeassistant_timing import as_nodered

OutputType = Literal["array", "split", "random", "count"]
OVERRIDES = {"outputType": "output_type", "outputEmptyResults": "output_empty",
             "outputLocation": "output", "outputResultsCount": "count", "rules": "rules"}
"""The keys of `payload` that replace the configuration, as Node-RED's node reads them."""
RULE_KEYS = {"property": "property", "logic": "comparator", "value": "value",
             "valueType": "type"}


class Query(NodeConfig):
    """One query, as the configuration and the message's overrides make it."""

    rules: list[EntityTest]
    output_type: OutputType
    output_empty: bool
    output: str
    count: int


TIMES = ("last_changed", "last_updated", "last_reported", "timeSinceChangedMs")


def _sees_times(rule: EntityTest) -> bool:
    """Whether a rule may read the times Node-RED's copy of the states has (as JavaScript
    writes them, with `timeSinceChangedMs`)."""
    return (rule.comparator == "jsonata" or rule.type in ("jsonata", "entity")
            or rule.property.split(".")[0] in TIMES)


class HomeassistantGetEntities(AsyncTransform):
    """Add the entities whose states pass every rule to each message (`get entities`).

    Node-RED's ha-get-entities.

    ### Inputs

    `payload` may replace the configuration: `rules` (a list of `{property, logic, value,
    valueType}`), `outputType`, `outputEmptyResults`, `outputLocation`, `outputResultsCount`.

    ### Outputs

    The entities are state objects (`entity_id`, `state`, `attributes`, `last_changed`... with
    `timeSinceChangedMs`), in Home Assistant's order, as `output_type` says:

    - `array`: the list, in `output` (nothing is sent for none, unless `output_empty`);
    - `split`: one message per entity, in `payload`, with `parts` (`id`, `count`, `index`);
    - `random`: `count` entities picked at random (one entity itself when `count` is 1);
    - `count`: how many passed.

    ### Details

    Each rule tests a property of the entity (`property`: `entity_id`, `state`,
    `attributes.device_class`...); an entity without that property fails, except for a
    `jsonata` rule, whose expression sees the entity as `$entity()`. No rules pass every
    entity. The states are read from the connection's copy of Home Assistant's states.

    ```yaml
    nodes:
      lights-on:
        type: homeassistant-get-entities
        server: home
        rules:
          - {property: entity_id, comparator: starts_with, value: light.}
          - {property: state, value: "on"}
        output_type: count
    ```
    """

    type = "homeassistant-get-entities"
    evaluates = {"regex": ("rules[].value", "msg.payload.rules"),
                 "jsonata": ("rules[].value", "msg.payload.rules")}
    icon = "plug"

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        rules: list[EntityTest] = field(default_factory=list,
                                        description="What every entity sent must pass.")
        output_type: OutputType = field("array", description="`array`, `split`, `random` "
                                        "or `count`.")
        output_empty: bool = field(False, description="Send an empty list when no entity "
                                   "passed (`array`).")
        output: str = field("payload", description="The message property that receives "
                            "the result (not with `split`, which uses `payload`).")
        count: int = field(1, ge=1, description="How many entities `random` picks.")

    config: Config

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        self._comparer = Comparer(self.ctx, list(self.config.rules),
                                  lambda: self._client.states, self._server.is_true)

    async def stop(self) -> None:
        await self._server.detach(self.id)

    async def receive(self, msg: Message) -> None:
        query = self._query(msg)
        await self._client.session()
        states = list(self._client.states.values())
        if any(_sees_times(rule) for rule in query.rules):
            found = [e for e in map(as_nodered, states) if self._passes(e, query.rules, msg)]
        else:  # the state as Node-RED shows it only for those sent: a tenth of the time
            found = [as_nodered(e) for e in states if self._passes(e, query.rules, msg)]
        if query.output_type == "split":
            self._split(msg, found)
            return
        result: Any = found
        if query.output_type == "count":
            result = len(found)
        elif not found and (query.output_type == "random" or not query.output_empty):
            self.ctx.status("red", "ring", "no results")
            return
        elif query.output_type == "random":
            picked = random.sample(found, min(query.count, len(found)))
            result = picked[0] if query.count == 1 else picked
        self.ctx.status("green", "dot", f"{len(found)} results")
        set_property(msg, query.output, result)
        self.ctx.send(msg, origin=msg)

    def _passes(self, entity: dict[str, Any], rules: list[EntityTest], msg: Message) -> bool:
        for rule in rules:
            value = selectn(rule.property, entity)
            if (value is MISSING and rule.comparator != "jsonata") or not self._comparer.holds(
                    rule, value, msg, entity=entity):
                return False
        return True

    def _split(self, msg: Message, found: list[dict[str, Any]]) -> None:
        if not found:
            self.ctx.status("red", "ring", "no results")
            return
        self.ctx.status("green", "dot", f"{len(found)} results")
        base = {k: v for k, v in msg.items() if k != "_msgid"}
        sequence = self.ctx.new_msgid()
        self.ctx.send([[{**clone(base), "_msgid": self.ctx.new_msgid(), "payload": entity,
                         "parts": {"id": sequence, "count": len(found), "index": index}}
                        for index, entity in enumerate(found)]], origin=msg)

    def _query(self, msg: Message) -> Query:
        cfg = self.config
        given: dict[str, Any] = {"rules": list(cfg.rules), "output_type": cfg.output_type,
                                 "output_empty": cfg.output_empty, "output": cfg.output,
                                 "count": cfg.count}
        payload = msg.get("payload")
        if isinstance(payload, dict):
            for theirs, ours in OVERRIDES.items():
                if theirs in payload:
                    given[ours] = payload[theirs]
            if isinstance(payload.get("rules"), list):
                given["rules"] = [{ours: rule[theirs] for theirs, ours in RULE_KEYS.items()
                                   if theirs in rule} if isinstance(rule, dict) else rule
                                  for rule in payload["rules"]]
        try:
            query = Query.model_validate(given)
        except ValidationError as exc:
            raise NodeError(f"the payload's overrides are not valid: {exc}") from exc
        for rule in query.rules:
            self._comparer.prepare(rule)
        return query
