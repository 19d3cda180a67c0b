"""node-red-contrib-home-assistant-websocket's `API` (ha-api) and `device` (ha-device) nodes:
ha-api becomes homeassistant-api; ha-device becomes homeassistant-device-trigger or
homeassistant-device-action by its `deviceType`. The package needs its companion integration in
Home Assistant for device nodes; flowrt's use Home Assistant's own commands, so the flows run
without it. The server config node is mapped by flowrt/nodered/families/homeassistant.py."""

from __future__ import annotations

import json
from typing import Any

from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool
from flowrt.nodered.nrtype import NrType

TRIGGER_OUT = {"eventData": "payload", "triggerId": "topic"}
"""The device trigger's default output properties (value type -> message property)."""
PERIOD = "positive_time_period"
UNITS = ("milliseconds", "seconds", "minutes", "hours", "days")


def _server(node: NrNode, cx: MapContext) -> str | None:
    return cx.connection(node.get("server"), "homeassistant-server", "server")


# -- ha-api ------------------------------------------------------------------------------------


def import_api(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"server": _server(node, cx)}
    for ours, theirs, default, allowed in (
            ("protocol", "protocol", "websocket", ("websocket", "http")),
            ("method", "method", "get", ("get", "post", "put", "delete")),
            ("response_type", "responseType", "json", ("json", "text", "arraybuffer"))):
        value = node.get(theirs) or default
        if value not in allowed:
            raise Unsupported(f"{theirs} {value!r}")
        if value != default:
            config[ours] = value
    if node.get("path"):
        config["path"] = str(node.get("path"))
    data = node.get("data")
    if isinstance(data, str) and data.strip():
        config["data"] = data
        if node.get("dataType", "json") == "jsonata":
            config["data_type"] = "jsonata"
    elif isinstance(data, (dict, list)) and data:
        config["data"] = data
    output = _api_output(node)
    if output != "payload":
        config["output"] = output
    return Mapped("homeassistant-api", config)


def _api_output(node: NrNode) -> str | None:
    props = node.get("outputProperties")
    if isinstance(props, list):  # version 1 on
        where = None
        for prop in props:
            if prop.get("valueType") != "results" or prop.get("propertyType", "msg") != "msg":
                raise Unsupported(f"an output property of type {prop.get('valueType')!r} into "
                                  f"{prop.get('propertyType', 'msg')} (only the results, into "
                                  "the message, are offered)")
            if where is not None:
                raise Unsupported("the results written to two properties")
            where = prop.get("property")
        return str(where) if where else None
    kind = node.get("locationType") or "msg"
    if kind == "none":
        return None
    if kind != "msg":
        raise Unsupported(f"the results kept in {kind} context")
    return str(node.get("location") or "payload")


def export_api(c: dict[str, Any]) -> dict[str, Any]:
    data = c.get("data", "")
    output = c.get("output", "payload")
    return {"version": 1, "server": c.get("server"), "debugenabled": False,
            "protocol": c.get("protocol", "websocket"),
            "method": c.get("method", "get"), "path": c.get("path", ""),
            "data": data if isinstance(data, str) else json.dumps(data),
            "dataType": c.get("data_type", "json"),
            "responseType": c.get("response_type", "json"),
            "outputProperties": [{"property": output, "propertyType": "msg", "value": "",
                                  "valueType": "results"}] if output else []}


# -- ha-device ---------------------------------------------------------------------------------


def import_device(node: NrNode, cx: MapContext) -> Mapped:
    event = node.get("event")
    if not isinstance(event, dict) or not event:
        raise Unsupported("no device trigger or action is chosen")
    kind = node.get("deviceType") or "trigger"
    if as_bool(node.get("exposeToHomeAssistant")) or node.get("exposeAsEntityConfig"):
        cx.note("the node is not exposed to Home Assistant as a switch")
    server = _server(node, cx)
    if kind == "action":
        action = {k: v for k, v in event.items() if k != "platform"}
        config: dict[str, Any] = {"server": server, "action": action}
        capabilities = {c["name"]: c.get("value") for c in _capabilities(node)}
        if capabilities:
            config["capabilities"] = capabilities
        for prop in node.get("outputProperties") or []:
            if prop.get("propertyType", "msg") != "msg" or prop.get("valueType") != "data":
                raise Unsupported(f"an output property of type {prop.get('valueType')!r}")
            config["output_data"] = prop.get("property")
            cx.note("the output data is the action run, not the companion's "
                    "{type, action} message")
        return Mapped("homeassistant-device-action", config)
    if kind != "trigger":
        raise Unsupported(f"a device node of type {kind!r}")
    trigger = {k: v for k, v in event.items() if k != "platform"}
    config = {"server": server, "trigger": trigger}
    capabilities = {c["name"]: _trigger_value(c) for c in _capabilities(node)}
    if capabilities:
        config["capabilities"] = capabilities
    props = node.get("outputProperties")
    if props is not None:
        given = {p.get("valueType"): p.get("property") for p in props
                 if p.get("propertyType", "msg") == "msg"}
        if given != TRIGGER_OUT:
            raise Unsupported("output properties other than payload (the trigger's data) and "
                              "topic (the device)")
    return Mapped("homeassistant-device-trigger", config)


def _capabilities(node: NrNode) -> list[dict[str, Any]]:
    found = node.get("capabilities") or []
    if not isinstance(found, list) or not all(isinstance(c, dict) and c.get("name")
                                              for c in found):
        raise Unsupported(f"capabilities that are not a list of named values: {found!r}")
    return found


def _trigger_value(cap: dict[str, Any]) -> Any:
    """A trigger capability as the package sends it: a period as `{unit: value}`, a float as
    a number, else as given."""
    value = cap.get("value")
    if cap.get("type") == PERIOD:
        return {cap.get("unit") or "seconds": value}
    if cap.get("type") == "float":
        try:
            return float(str(value)) if "." in str(value) else int(str(value))
        except (TypeError, ValueError) as exc:
            raise Unsupported(f"the capability {cap['name']} is not a number: "
                              f"{value!r}") from exc
    return value


def _export_capabilities(values: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, value in values.items():
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in UNITS:
            (unit, amount), = value.items()
            out.append({"name": name, "type": PERIOD, "value": amount, "unit": unit})
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append({"name": name, "type": "float", "value": value})
        else:
            out.append({"name": name, "type": "string", "value": value})
    return out


def export_device_trigger(c: dict[str, Any]) -> dict[str, Any]:
    trigger = {"platform": "device", **(c.get("trigger") or {})}
    return {"version": 1, "server": c.get("server"), "inputs": 0, "deviceType": "trigger",
            "device": trigger.get("device_id", ""), "event": trigger,
            "capabilities": _export_capabilities(c.get("capabilities") or {}),
            "exposeAsEntityConfig": "",
            "outputProperties": [{"property": prop, "propertyType": "msg", "value": "",
                                  "valueType": kind} for kind, prop in TRIGGER_OUT.items()]}


def export_device_action(c: dict[str, Any]) -> dict[str, Any]:
    action = dict(c.get("action") or {})
    out = c.get("output_data")
    return {"version": 1, "server": c.get("server"), "inputs": 1, "deviceType": "action",
            "device": action.get("device_id", ""), "event": action,
            "capabilities": [{"name": k, "value": v} for k, v in
                             (c.get("capabilities") or {}).items()],
            "exposeAsEntityConfig": "",
            "outputProperties": [{"property": out, "propertyType": "msg", "value": "",
                                  "valueType": "data"}] if out else []}


TYPES = (
    NrType("ha-api", "homeassistant-api", import_api, export_api),
    NrType("ha-device", "homeassistant-device-trigger", import_device, export_device_trigger,
           variants=(("homeassistant-device-action", export_device_action),)),
)
