"""The export half of flowrt/nodered/families/homeassistant.py: flowrt's homeassistant nodes
as node-red-contrib-home-assistant-websocket's current shapes."""

from __future__ import annotations

import json
from typing import Any

from flowrt.nodered.families.homeassistant_entities import export_hold_for
from flowrt.nodered.families.homeassistant_outputs import export_outputs

ADDON_URL = "http://supervisor/core"
STATE_CHANGED_OUT = [("payload", "entityState"), ("data", "eventData"), ("topic", "triggerId")]
COMPARATORS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "is": "is", "is_not": "is_not",
               "includes": "includes", "does_not_include": "does_not_include",
               "jsonata": "jsonata"}
"""trigger-state's comparators -> the operators of flowrt's tests."""

# -- export: flowrt -> Node-RED (the package's current shapes) -------------------------------------


def export_server(c: dict[str, Any]) -> dict[str, Any]:
    url = str(c.get("url", ""))
    out: dict[str, Any] = {"version": 5, "addon": url == ADDON_URL,
                           "rejectUnauthorizedCerts": True,
                           "ha_boolean": c.get("ha_boolean") or "y|yes|true|on|home|open",
                           "connectionDelay": True, "cacheJson": True, "heartbeat": False,
                           "heartbeatInterval": 30}
    if url != ADDON_URL:
        out["credentials"] = {"host": url, "access_token": c.get("token") or ""}
    return out


def _export_if_state(test: Any, names: tuple[str, str, str]) -> dict[str, Any]:
    test = test or {}
    return {names[0]: test.get("value", ""), names[1]: test.get("type", "str"),
            names[2]: test.get("operator", "is"), "outputs": 2 if test else 1}


def export_call_service(c: dict[str, Any]) -> dict[str, Any]:
    data = c.get("data") or ""
    out: dict[str, Any] = {
        "version": 5, "server": c.get("server"), "domain": c.get("domain", ""),
        "service": c.get("service", ""), "entityId": c.get("entity_id") or [],
        "areaId": c.get("area_id") or [], "deviceId": c.get("device_id") or [],
        "data": data if isinstance(data, str) else json.dumps(data),
        "dataType": c.get("data_type", "json"), "mergeContext": "", "mustacheAltTags": False,
        "blockInputOverrides": bool(c.get("block_input_overrides")), "queue": "none",
        "outputProperties": [], "debugenabled": False,
    }
    if c.get("output_data"):
        out["outputProperties"] = [{"property": c["output_data"], "propertyType": "msg",
                                    "value": "", "valueType": "data"}]
    out["outputProperties"] += export_outputs(c.get("output_properties") or [])
    return out


def export_current_state(c: dict[str, Any]) -> dict[str, Any]:
    props = [{"property": c.get(key, default), "propertyType": "msg", "value": "",
              "valueType": kind}
             for key, default, kind in (("output_state", "payload", "entityState"),
                                        ("output_entity", "data", "entity"))
             if c.get(key, default)]
    props += export_outputs([{"property": k, "value": v} for k, v in
                             (c.get("output_values") or {}).items()])
    if c.get("topic_is_entity"):
        props.append({"property": "topic", "propertyType": "msg", "value": "",
                      "valueType": "triggerId"})
    props += export_outputs(c.get("output_properties") or [])
    return {"version": 3, "server": c.get("server"), "entity_id": c.get("entity_id", ""),
            "state_type": c.get("state_type", "str"),
            "blockInputOverrides": bool(c.get("block_input_overrides")),
            "outputProperties": props, **export_hold_for(c),
            "override_topic": bool(c.get("topic_is_entity")),
            **_export_if_state(c.get("if_state"), ("halt_if", "halt_if_type",
                                                   "halt_if_compare"))}


def export_state_changed(c: dict[str, Any]) -> dict[str, Any]:
    entities = c.get("entities") or {}
    ignore = set(c.get("ignore") or [])
    return {
        "version": 6, "server": c.get("server"),
        "entities": {"entity": entities.get("exact", []),
                     "substring": entities.get("substring", []),
                     "regex": entities.get("regex", [])},
        "outputInitially": bool(c.get("output_initially")),
        "stateType": c.get("state_type", "str"),
        "outputOnlyOnStateChange": c.get("output_only_on_state_change", True),
        **export_hold_for(c),
        "ignorePrevStateNull": "prev_null" in ignore,
        "ignorePrevStateUnknown": "prev_unknown" in ignore,
        "ignorePrevStateUnavailable": "prev_unavailable" in ignore,
        "ignoreCurrentStateUnknown": "current_unknown" in ignore,
        "ignoreCurrentStateUnavailable": "current_unavailable" in ignore,
        "outputProperties": export_outputs(c["output_properties"]) if c.get(
            "output_properties") else [{"property": p, "propertyType": "msg", "value": "",
                                        "valueType": v} for p, v in STATE_CHANGED_OUT],
        **_export_if_state(c.get("if_state"), ("ifState", "ifStateType", "ifStateOperator")),
    }


def export_events(c: dict[str, Any]) -> dict[str, Any]:
    return {"version": 3, "server": c.get("server"), "event_type": c.get("event_type", ""),
            "waitForRunning": True, "outputProperties": [
                {"property": "payload", "propertyType": "msg", "value": "",
                 "valueType": "eventData"},
                {"property": "event_type", "propertyType": "msg",
                 "value": "$outputData(\"eventData\").event_type", "valueType": "jsonata"},
                {"property": "topic", "propertyType": "msg",
                 "value": "$outputData(\"eventData\").event_type", "valueType": "jsonata"}]}


def export_trigger_state(c: dict[str, Any]) -> dict[str, Any]:
    back = {v: k for k, v in COMPARATORS.items()}
    entities = c.get("entities") or {}
    kind, ids = next(((k, v) for k, v in entities.items() if v), ("exact", []))
    constraints = [{"targetType": "entity_id" if x.get("entity") else "this_entity",
                    "targetValue": x.get("entity") or "",
                    "propertyType": "property", "propertyValue": x.get("property",
                                                                       "new_state.state"),
                    "comparatorType": back[x["test"].get("operator", "is")],
                    "comparatorValueDatatype": x["test"].get("type", "str"),
                    "comparatorValue": x["test"].get("value", "")}
                   for x in c.get("conditions") or []]
    outputs = [{"messageType": o.get("message", "default"),
                "messageValue": o.get("value", ""),
                "messageValueType": o.get("value_type", "json"),
                "comparatorPropertyType": "property" if o.get("test") else "always",
                "comparatorPropertyValue": o.get("property", "new_state.state"),
                "comparatorType": back[(o.get("test") or {}).get("operator", "is")],
                "comparatorValue": (o.get("test") or {}).get("value", ""),
                "comparatorValueDataType": (o.get("test") or {}).get("type", "str")}
               for o in c.get("custom_outputs") or []]
    return {"server": c.get("server"), "entityid": ",".join(ids) if kind == "exact" else ids[0],
            "entityidfiltertype": kind, "constraints": constraints,
            "constraintsmustmatch": c.get("match", "all"), "outputs": 2 + len(outputs),
            "customoutputs": outputs,
            "outputinitially": bool(c.get("output_initially")),
            "state_type": c.get("state_type", "str")}


def export_render_template(c: dict[str, Any]) -> dict[str, Any]:
    out = c.get("template_output", "template")
    return {"server": c.get("server"), "template": c.get("template", ""),
            "resultsLocation": c.get("output", "payload"), "resultsLocationType": "msg",
            "templateLocation": out or "", "templateLocationType": "msg" if out else "none"}


