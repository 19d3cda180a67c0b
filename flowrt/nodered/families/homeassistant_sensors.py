"""node-red-contrib-home-assistant-websocket's entity nodes, which make entities through Home
Assistant's Node-RED Companion integration: ha-sensor and ha-binary-sensor (their settings in
an ha-entity-config node, folded in) and the older ha-entity (sensor and binary sensor types)
become homeassistant-sensor and homeassistant-binary-sensor; both export as ha-entity, which
needs no config node."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool
from flowrt.nodered.nrtype import NrType

SETTINGS = ("device_class", "unit_of_measurement", "state_class", "icon", "entity_category",
            "entity_picture", "last_reset")
"""The entity settings flowrt's sensors pass to Home Assistant (as the package's do)."""
KINDS = {"sensor": "homeassistant-sensor", "binary_sensor": "homeassistant-binary-sensor"}
STATE_TYPES = ("msg", "jsonata", "str", "num")


def _entity(node: NrNode, cx: MapContext, kind: str, server: Any, settings: Any,
            label: Any, owner: str) -> Mapped:
    """What ha-sensor, ha-binary-sensor and ha-entity share: the name and settings, the state,
    the attributes and the overrides."""
    found = {str(s.get("property")): s.get("value") for s in settings or []
             if isinstance(s, dict)}
    name = found.pop("name", "") or label or node.get("name")
    if not name:
        raise Unsupported("the entity has no name")
    extra = [k for k, v in found.items() if v not in ("", None) and k not in SETTINGS]
    if extra:
        raise Unsupported(f"entity settings flowrt does not pass: {', '.join(extra)}")
    config: dict[str, Any] = {
        "server": cx.connection(server, "homeassistant-server", "server"), "name": str(name)}
    chosen = {k: v for k, v in found.items() if v not in ("", None)}
    if chosen:
        config["settings"] = chosen
    state_type = node.get("stateType") or "msg"
    if state_type not in STATE_TYPES:
        raise Unsupported(f"a state of type {state_type!r}")
    state = str(node.get("state", "payload"))
    if (state, state_type) != ("payload", "msg"):
        config["state"] = state
    if state_type != "msg":
        config["state_type"] = state_type
    attributes: dict[str, str] = {}
    fixed: dict[str, Any] = {}
    for item in node.get("attributes") or []:
        name, value = str(item.get("property")), item.get("value")
        given = item.get("valueType")
        if given == "msg":
            attributes[name] = str(value)
        elif given in ("str", "num", "bool"):
            fixed[name] = _typed(value, given)
        else:
            raise Unsupported(f"an attribute of type {given!r} (message properties and fixed "
                              "values are offered)")
    if attributes:
        config["attributes"] = attributes
    if fixed:
        config["fixed_attributes"] = fixed
    override = node.get("inputOverride") or "allow"
    if override not in ("allow", "merge", "block"):
        raise Unsupported(f"an input override {override!r}")
    if override != "allow":
        config["input_override"] = override
    if server:  # the ids the companion knows the entity by: flowrt takes it over
        config["companion_ids"] = [str(server), owner]
    cx.note("the entity is registered with the first message after each connection, not "
            "when the flow starts")
    return Mapped(KINDS[kind], config)


def _typed(value: Any, kind: str) -> Any:
    if kind == "num":
        try:
            number = float(str(value))
        except ValueError as exc:
            raise Unsupported(f"the attribute value {value!r} is not a number") from exc
        return int(number) if number.is_integer() and "." not in str(value) else number
    if kind == "bool":
        return value is True or str(value) == "true"
    return "" if value is None else str(value)


def import_sensor(node: NrNode, cx: MapContext) -> Mapped:
    return _from_entity_config(node, cx, "sensor")


def import_binary_sensor(node: NrNode, cx: MapContext) -> Mapped:
    return _from_entity_config(node, cx, "binary_sensor")


def _from_entity_config(node: NrNode, cx: MapContext, kind: str) -> Mapped:
    entity = cx.config_node(node.get("entityConfig"))
    if entity is None:
        raise Unsupported("its entity config node is not in the export")
    if entity.get("deviceConfig") not in (None, "", "_ADD_"):
        cx.note("the entity is not put in a device")
    for prop in node.get("outputProperties") or []:
        raise Unsupported(f"an output property of type {prop.get('valueType')!r}")
    return _entity(node, cx, kind, entity.get("server"), entity.get("haConfig"),
                   entity.get("name"), entity.id)


def import_entity(node: NrNode, cx: MapContext) -> Mapped:
    kind = node.get("entityType") or "sensor"
    if kind not in KINDS:
        raise Unsupported(f"an entity of type {kind!r} (sensors and binary sensors are "
                          "offered)")
    if node.get("outputLocationType") not in (None, "", "none"):
        raise Unsupported("the state sent written into the message")
    if not as_bool(node.get("resend"), True):
        cx.note("the state is given again after a reconnect with the next message anyway")
    return _entity(node, cx, kind, node.get("server"), node.get("config"), None, node.id)


def _export(c: dict[str, Any], kind: str) -> dict[str, Any]:
    if c.get("output_data"):
        raise NoCounterpart("ha-entity writes nothing of what it sent into the message")
    settings = [{"property": "name", "value": c.get("name", "")}] + [
        {"property": k, "value": v} for k, v in (c.get("settings") or {}).items()]
    return {"version": 1, "server": c.get("server"), "debugenabled": False, "outputs": 1,
            "entityType": kind, "config": settings, "state": c.get("state", "payload"),
            "stateType": c.get("state_type", "msg"),
            "attributes": [{"property": k, "value": v, "valueType": "msg"}
                           for k, v in (c.get("attributes") or {}).items()] + [
                {"property": k, "value": v if isinstance(v, str) else str(v).lower(),
                 "valueType": "str" if isinstance(v, str) else "bool" if isinstance(v, bool)
                 else "num"} for k, v in (c.get("fixed_attributes") or {}).items()],
            "resend": True, "outputLocation": "", "outputLocationType": "none",
            "inputOverride": c.get("input_override", "allow")}


def export_sensor(c: dict[str, Any]) -> dict[str, Any]:
    return _export(c, "sensor")


def export_binary_sensor(c: dict[str, Any]) -> dict[str, Any]:
    return _export(c, "binary_sensor")


TYPES = (
    NrType("ha-entity", "homeassistant-sensor", import_entity, export_sensor,
           variants=(("homeassistant-binary-sensor", export_binary_sensor),)),
    NrType("ha-sensor", "homeassistant-sensor", import_sensor),
    NrType("ha-binary-sensor", "homeassistant-binary-sensor", import_binary_sensor),
    NrType("ha-entity-config", config=True, folded=True),
)
