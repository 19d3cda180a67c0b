"""Node-RED's `outputProperties` of the Home Assistant nodes: each sets one message, flow or
global property to a value the node has (the entity, the event, the call's results...), a
fixed value, or a JSONata expression, as node-red-contrib-home-assistant-websocket does."""

from __future__ import annotations

import copy
import json
import time
from typing import Any, Literal

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    delete_property,
    field,
    get_property,
    set_property,
)

from .homeassistant_compare import Comparer

ValueType = Literal["entityState", "entity", "prevEntity", "eventData", "config", "triggerId",
                    "results", "headers", "data", "sentData", "msg", "jsonata", "str", "num",
                    "bool", "date", "json", "none"]
NODE_VALUES = ("entityState", "entity", "prevEntity", "eventData", "triggerId", "results",
               "headers", "data")
"""The value types naming a value the node has (the others are read from `value`)."""


class OutputProperty(NodeConfig):
    """One property the node sets on each message it sends (Node-RED's output properties)."""

    property: str = field(description="The property set.", examples=["payload"])
    property_type: Literal["msg", "flow", "global"] = field(
        "msg", description="Where the property is: the message, or the flow's or the global "
        "context.")
    value: str = field("", description="For `msg`, the message property read; for "
                       "`jsonata`, the expression (the entity as `$entity()`, the previous "
                       "one as `$prevEntity()`, the node's values as `$outputData(name)`); "
                       "for `str`, `num`, `bool`, `json`, the value as written.",
                       examples=["$entity().attributes.friendly_name"])
    value_type: ValueType = field(
        "str", description="What is set: a value of the node (`entityState`, `entity`, "
        "`prevEntity`, `eventData`, `triggerId`, `results`, `data`...), the node's "
        "configuration (`config`), a message property (`msg`), a JSONata expression, a "
        "fixed text, number, boolean or JSON, the time in milliseconds (`date`), or nothing.")


def prepare(props: list[OutputProperty], comparer: Comparer) -> None:
    """Compile the properties' JSONata when the node starts, so a broken one fails it."""
    for prop in props:
        if prop.value_type == "jsonata" and prop.value.strip():
            comparer.compile(prop.value)


def apply(props: list[OutputProperty], msg: Message, ctx: Any, comparer: Comparer,
          config: dict[str, Any], values: dict[str, Any]) -> None:
    """Set each property on ``msg`` (or the context), from ``values`` (the node's: `entity`,
    `entityState`, `prevEntity`, `eventData`, `triggerId`, `results`, `data`...), in order:
    a property sees those set before it, as the package's do. A value the node does not
    have (no previous state, no results...) removes the property, as Node-RED's undefined."""
    for prop in props:
        value = _value(prop, msg, comparer, config, values)
        if prop.property_type == "msg":
            if value is None:
                delete_property(msg, prop.property)
            else:
                set_property(msg, prop.property, value)
        else:  # None removes the key
            store = ctx.flow if prop.property_type == "flow" else ctx.global_
            store.set(prop.property, value)


def _value(prop: OutputProperty, msg: Message, comparer: Comparer, config: dict[str, Any],
           values: dict[str, Any]) -> Any:
    kind, text = prop.value_type, prop.value
    if kind in NODE_VALUES:
        return copy.deepcopy(values.get(kind))
    if kind == "sentData":
        return copy.deepcopy(values.get("data"))
    match kind:
        case "msg":
            found = get_property(msg, text, MISSING) if text else MISSING
            return None if found is MISSING else copy.deepcopy(found)
        case "config":
            found = get_property(config, text, MISSING) if text else config
            return None if found is MISSING else copy.deepcopy(found)
        case "jsonata":
            if not text.strip():
                return None
            return comparer.evaluate(text, msg, **values)
        case "bool":
            return text == "true"
        case "num":
            try:
                number = float(text) if text.strip() else 0.0
            except ValueError:
                return float("nan")
            return int(number) if number.is_integer() else number
        case "json":
            try:
                return json.loads(text)
            except ValueError:
                return None
        case "date":
            return int(time.time() * 1000)
        case "none":
            return None
    return text
