"""node-red-contrib-home-assistant-websocket's `outputProperties` <-> the `output_properties`
of flowrt's homeassistant nodes (nodes/homeassistant/homeassistant_outputs.py)."""

from __future__ import annotations

import json
import re
from typing import Any

from flowrt.expressions.props import get_property
from flowrt.nodered.mapping import Unsupported

VALUE_TYPES = {"entityState", "entity", "prevEntity", "eventData", "config", "triggerId",
               "results", "headers", "data", "sentData", "msg", "jsonata", "str", "num",
               "bool", "date", "json", "none"}
"""The value types flowrt's output properties take (as the package names them)."""
UNBOUND = re.compile(r"\$(areas|areaDevices|areaEntities|deviceEntities|device|randomNumber|"
                     r"sampleSize)\s*\(")
"""The package's JSONata functions flowrt's nodes do not give (they have `$entity()`,
`$prevEntity()`, `$entities()` and `$outputData()`)."""


def import_outputs(props: list[dict[str, Any]], raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The package's output properties as flowrt's `output_properties`. One of type `config`
    (the Node-RED node's own configuration, ``raw``, or a property of it) becomes that
    value, as JSON: flowrt's configuration has other names."""
    out = []
    for prop in props:
        where = prop.get("propertyType") or "msg"
        kind = prop.get("valueType") or "str"
        if where not in ("msg", "flow", "global"):
            raise Unsupported(f"an output property into {where!r}")
        if kind not in VALUE_TYPES:
            raise Unsupported(f"an output property of type {kind!r}")
        unbound = UNBOUND.search(str(prop.get("value") or "")) if kind == "jsonata" else None
        if unbound:
            raise Unsupported(f"the JSONata function ${unbound.group(1)}() in an output "
                              "property")
        if not prop.get("property"):
            continue  # the editor's empty row: the package sets nothing either
        item: dict[str, Any] = {"property": str(prop["property"])}
        if where != "msg":
            item["property_type"] = where
        if prop.get("value") not in (None, ""):
            item["value"] = str(prop["value"])
        if kind == "config":
            path = str(prop.get("value") or "")
            try:
                found = get_property(raw, path, None) if path else raw
            except (ValueError, TypeError):
                raise Unsupported(f"an output property of the configuration's {path!r}") \
                    from None
            kind, value = ("json", json.dumps(found)) if found is not None else ("none", "")
            item.pop("value", None)
            if value:
                item["value"] = value
        if kind != "str":
            item["value_type"] = kind
        out.append(item)
    return out


def export_outputs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """flowrt's `output_properties` as the package's output properties."""
    return [{"property": i.get("property", ""), "propertyType": i.get("property_type", "msg"),
             "value": i.get("value", ""), "valueType": i.get("value_type", "str")}
            for i in items]
