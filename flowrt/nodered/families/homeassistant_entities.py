"""node-red-contrib-home-assistant-websocket's `wait until` (ha-wait-until) and `get entities`
(ha-get-entities), both ways, and the `for` of its state nodes (the state must have held for a
time, in units). The package's test of an entity (property, comparator, value and value type)
becomes flowrt's EntityTest; what reads Node-RED's flow or global context is not offered."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number

KINDS = ("str", "num", "bool", "habool", "re", "jsonata", "msg", "entity")
COMPARATORS = ("is", "is_not", "lt", "lte", "gt", "gte", "includes", "does_not_include",
               "cont", "starts_with", "in_group", "jsonata")
UNITS = ("milliseconds", "seconds", "minutes", "hours", "days")


def hold_for(node: NrNode) -> dict[str, Any]:
    """The `for` of current state and events: state as flowrt's `hold_for` and `hold_units`
    (none when it is 0 or blank)."""
    value, kind = node.get("for"), node.get("forType") or "num"
    if value in (None, ""):
        return {}
    if kind != "num":
        raise Unsupported(f"a `for` time of type {kind!r} (only a number is offered)")
    number = as_number(value)
    if number is None or number < 0:
        raise Unsupported(f"a `for` time of {value!r}")
    if number == 0:
        return {}
    units = node.get("forUnits") or "minutes"
    if units not in UNITS:
        raise Unsupported(f"a `for` time in {units!r}")
    out: dict[str, Any] = {"hold_for": number}
    if units != "minutes":
        out["hold_units"] = units
    return out


def export_hold_for(c: dict[str, Any]) -> dict[str, Any]:
    return {"for": str(c.get("hold_for", 0)) if c.get("hold_for") else "0", "forType": "num",
            "forUnits": c.get("hold_units", "minutes")}


def _test(property_: Any, comparator: Any, value: Any, kind: Any) -> dict[str, Any]:
    comparator = comparator or "is"
    kind = kind or "str"
    if comparator not in COMPARATORS:
        raise Unsupported(f"a comparator {comparator!r}")
    if kind not in KINDS:
        raise Unsupported(f"a value of type {kind!r} (flow and global context are not read)")
    test: dict[str, Any] = {"property": "" if property_ is None else str(property_)}
    if comparator != "is":
        test["comparator"] = comparator
    if value not in (None, ""):
        test["value"] = str(value)
    if kind != "str":
        test["type"] = kind
    return test


def _export_test(t: dict[str, Any], names: tuple[str, str, str, str]) -> dict[str, Any]:
    return {names[0]: t.get("property", "state"), names[1]: t.get("comparator", "is"),
            names[2]: t.get("value", ""), names[3]: t.get("type", "str")}


def import_wait_until(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {
        "server": cx.connection(node.get("server"), "homeassistant-server", "server"),
        "until": _test(node.get("property"), node.get("comparator"), node.get("value"),
                       node.get("valueType"))}
    kind = node.get("entityIdFilterType") or "exact"
    entity = node.get("entityId")
    if kind == "substring" and isinstance(entity, str) and "," in entity:  # before version 1
        kind, entity = "list", [e.strip() for e in entity.split(",") if e.strip()]
    if kind not in ("exact", "list", "substring", "regex"):
        raise Unsupported(f"an entity filter {kind!r}")
    if entity not in (None, ""):
        config["entity_id"] = entity if isinstance(entity, list) else str(entity)
    if kind != "exact":
        config["entity_id_type"] = kind
    if (node.get("timeoutType") or "num") != "num":
        raise Unsupported("a timeout given as a JSONata expression")
    timeout = as_number(node.get("timeout")) if node.get("timeout") not in (None, "") else 0
    if timeout is None or timeout < 0:
        raise Unsupported(f"a timeout of {node.get('timeout')!r}")
    if timeout:
        config["timeout"] = timeout
    units = node.get("timeoutUnits") or "seconds"
    if units not in UNITS:
        raise Unsupported(f"a timeout in {units!r}")
    if units != "seconds":
        config["timeout_units"] = units
    if not as_bool(node.get("checkCurrentState"), False):  # the migration's default
        config["check_current_state"] = False
    if not as_bool(node.get("blockInputOverrides"), True):
        config["block_input_overrides"] = False
    props = node.get("outputProperties")
    if props is None and node.get("entityLocationType") not in (None, "none"):  # version < 2
        props = [{"property": node.get("entityLocation"),
                  "propertyType": node.get("entityLocationType"), "valueType": "entity"}]
    for prop in props or []:
        if prop.get("propertyType", "msg") != "msg" or prop.get("valueType") != "entity":
            raise Unsupported(f"an output property of type {prop.get('valueType')!r} into "
                              f"{prop.get('propertyType', 'msg')}")
        if "output_entity" in config:
            raise Unsupported("the entity output to two properties")
        config["output_entity"] = prop.get("property")
    return Mapped("homeassistant-wait-until", config)


def export_wait_until(c: dict[str, Any]) -> dict[str, Any]:
    until = c.get("until") or {}
    timeout = c.get("timeout", 0)
    props = [{"property": c["output_entity"], "propertyType": "msg", "value": "",
              "valueType": "entity"}] if c.get("output_entity") else []
    return {"version": 2, "server": c.get("server"), "outputs": 2 if timeout else 1,
            "entityId": c.get("entity_id", ""),
            "entityIdFilterType": c.get("entity_id_type", "exact"),
            **_export_test(until, ("property", "comparator", "value", "valueType")),
            "timeout": str(timeout), "timeoutType": "num",
            "timeoutUnits": c.get("timeout_units", "seconds"),
            "checkCurrentState": c.get("check_current_state", True),
            "blockInputOverrides": c.get("block_input_overrides", True),
            "outputProperties": props}


def import_get_entities(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {
        "server": cx.connection(node.get("server"), "homeassistant-server", "server")}
    rules = [_test(r.get("property"), r.get("logic"), r.get("value"), r.get("valueType"))
             for r in node.get("rules") or [] if isinstance(r, dict)]
    if rules:
        config["rules"] = rules

    def either(new: str, old: str) -> Any:  # version 1 renamed them
        return node.get(new, node.get(old))

    output_type = either("outputType", "output_type") or "array"
    if output_type not in ("array", "split", "random", "count"):
        raise Unsupported(f"an output type {output_type!r}")
    if output_type != "array":
        config["output_type"] = output_type
    if as_bool(either("outputEmptyResults", "output_empty_results")):
        config["output_empty"] = True
    where = either("outputLocationType", "output_location_type") or "msg"
    location = either("outputLocation", "output_location") or "payload"
    if where != "msg" and output_type != "split":
        raise Unsupported(f"the result kept in {where} context")
    if location != "payload" and output_type != "split":
        config["output"] = location
    count = as_number(either("outputResultsCount", "output_results_count"))
    if output_type == "random" and count and int(count) > 1:
        config["count"] = int(count)
    return Mapped("homeassistant-get-entities", config)


def export_get_entities(c: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "server": c.get("server"),
            "rules": [_export_test(r, ("property", "logic", "value", "valueType"))
                      for r in c.get("rules") or []],
            "outputType": c.get("output_type", "array"),
            "outputEmptyResults": bool(c.get("output_empty")), "outputLocationType": "msg",
            "outputLocation": c.get("output", "payload"),
            "outputResultsCount": c.get("count", 1)}
