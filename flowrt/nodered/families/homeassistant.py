"""node-red-contrib-home-assistant-websocket: its `server` config node becomes a
homeassistant-server connection; call service, current state, events: state and events: all
become the homeassistant nodes (wait until and get entities: see
homeassistant_entities.py). The package changed its nodes' fields across versions (the
`version` property, 0 to 7 here): each import reads every shape seen in exports."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.families.homeassistant_entities import (
    export_get_entities,
    export_wait_until,
    hold_for,
    import_get_entities,
    import_wait_until,
)
from flowrt.nodered.families.homeassistant_export import (
    ADDON_URL,
    COMPARATORS,
    STATE_CHANGED_OUT,
    export_call_service,
    export_current_state,
    export_events,
    export_render_template,
    export_server,
    export_state_changed,
    export_trigger_state,
)
from flowrt.nodered.families.homeassistant_outputs import import_outputs
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool
from flowrt.nodered.nrtype import NrType

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def import_server(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    creds = cx.credentials()
    host = str(creds.get("host") or "").strip()
    if as_bool(node.get("addon")) and not host:
        config["url"] = ADDON_URL
        config["token"] = "${SUPERVISOR_TOKEN}"
        cx.note("the add-on's address and token (the SUPERVISOR_TOKEN variable)")
    elif host:
        config["url"] = host if "://" in host else f"http://{host}"
        config["token"] = cx.secret(cx.flowrt_id, "token", creds.get("access_token") or "")
    else:  # the address and token are in Node-RED's credentials, not in this export
        config["url"] = "${HOMEASSISTANT_URL}"
        config["token"] = "${HOMEASSISTANT_TOKEN}"
        cx.note("the export holds no address nor token: set HOMEASSISTANT_URL and "
                "HOMEASSISTANT_TOKEN")
    boolean = node.get("ha_boolean")
    if isinstance(boolean, str) and boolean and boolean != "y|yes|true|on|home|open":
        config["ha_boolean"] = boolean
    return Mapped("homeassistant-server", config)


def _server(node: NrNode, cx: MapContext) -> str | None:
    return cx.connection(node.get("server"), "homeassistant-server", "server")


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return []


def _if_state(value: Any, kind: Any, operator: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    kind = kind or "str"
    if kind not in ("str", "num", "bool", "habool", "re", "jsonata", "msg", "entity",
                    "prevEntity"):
        raise Unsupported(f"an `if state` of type {kind!r} (flow and global context are not "
                          "read)")
    test: dict[str, Any] = {"value": str(value)}
    if kind != "str":
        test["type"] = kind
    if operator and operator != "is":
        test["operator"] = operator
    return test


def import_call_service(node: NrNode, cx: MapContext) -> Mapped:
    domain = node.get("domain") or node.get("service_domain") or ""
    service = node.get("service") or ""
    action = node.get("action")
    if isinstance(action, str) and "." in action and not (domain and service):
        domain, service = action.split(".", 1)
    config: dict[str, Any] = {"server": _server(node, cx), "domain": domain,
                              "service": service}
    target = node.get("target") if isinstance(node.get("target"), dict) else node
    for ours, theirs in (("entity_id", "entityId"), ("area_id", "areaId"),
                         ("device_id", "deviceId")):
        ids = _ids(target.get(theirs))
        if ids:
            config[ours] = ids
    for theirs in ("floorId", "labelId"):
        if _ids(node.get(theirs)):
            raise Unsupported("floor and label targets are not offered")
    data = node.get("data")
    if isinstance(data, str) and data.strip():
        config["data"] = data
        if node.get("dataType") == "jsonata":
            config["data_type"] = "jsonata"
    if node.get("mergecontext") or node.get("mergeContext"):
        raise Unsupported("merging a context value into the data is not offered")
    if as_bool(node.get("blockInputOverrides")):
        config["block_input_overrides"] = True
    if as_bool(node.get("mustacheAltTags")):
        cx.note("the alternative mustache tags `<% %>` are not read")
    if node.get("output_location_type") == "msg" and node.get("output_location"):
        config["output_data"] = node.get("output_location")
    elif node.get("output_location_type") not in (None, "", "none", "msg"):
        raise Unsupported("the call's data is written to a message property only")
    props = node.get("outputProperties") or []
    if all(p.get("propertyType", "msg") == "msg" and p.get("valueType") in ("data", "sentData")
           for p in props) and len(props) <= 1:
        for prop in props:
            config["output_data"] = prop.get("property")
    else:
        config["output_properties"] = import_outputs(props, node.raw)
    if node.get("queue") not in (None, "", "none"):
        cx.note("calls made while Home Assistant is away fail instead of waiting in a queue")
    return Mapped("homeassistant-call-service", config)


def import_current_state(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"server": _server(node, cx), "entity_id": node.get("entity_id")
                              or "", **hold_for(node)}
    if node.get("state_type") in ("num", "habool"):
        config["state_type"] = node.get("state_type")
    test = _if_state(node.get("halt_if"), node.get("halt_if_type"), node.get("halt_if_compare"))
    if test is not None:
        config["if_state"] = test
    props = node.get("outputProperties")
    if props:
        config["output_state"] = config["output_entity"] = None
        try:
            _simple_outputs(props, config)
        except Unsupported:  # the general form, in the order given
            config.pop("output_values", None)
            config.pop("topic_is_entity", None)
            config["output_state"] = config["output_entity"] = None
            config["output_properties"] = import_outputs(props, node.raw)
    elif "override_payload" in node.raw:
        for key, where, location in (("output_state", "override_payload", "state_location"),
                                     ("output_entity", "override_data", "entity_location")):
            if node.get(where) == "msg" and node.get(location):
                config[key] = node.get(location)
            elif node.get(where) in ("none", "", None):
                config[key] = None
            else:
                raise Unsupported(f"the state written into {node.get(where)} context")
    elif node.get("version") not in (None, 0, 1, "0", "1"):
        config["output_state"] = config["output_entity"] = None
    if as_bool(node.get("override_topic")) and not props:  # later versions ignore it
        config["topic_is_entity"] = True
    if as_bool(node.get("blockInputOverrides")):
        config["block_input_overrides"] = True
    return Mapped("homeassistant-current-state", config)



def _simple_outputs(props: list[dict[str, Any]], config: dict[str, Any]) -> None:
    """current-state's usual output properties as `output_state`, `output_entity` and
    `output_values`; Unsupported for others (then `output_properties` holds them)."""
    for prop in props:
        kind = prop.get("valueType")
        if prop.get("propertyType", "msg") == "msg" and kind == "str":
            config.setdefault("output_values", {})[prop.get("property")] = str(
                prop.get("value", ""))
            continue
        if prop.get("propertyType", "msg") == "msg" and kind == "triggerId" \
                and prop.get("property") == "topic":
            config["topic_is_entity"] = True
            continue
        if prop.get("propertyType", "msg") != "msg" or kind not in ("entityState", "entity") \
                or (kind == "entityState" and prop.get("value") not in (None, "")):
            raise Unsupported(f"an output property of type {kind!r}")
        key = "output_state" if kind == "entityState" else "output_entity"
        if config[key] is not None:
            raise Unsupported("the state output to two properties")
        config[key] = prop.get("property")
    if config.get("output_state") in config.get("output_values", {}):
        raise Unsupported("the state and a fixed text output to one property")


def import_state_changed(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"server": _server(node, cx), "entities": _entities(node),
                              **hold_for(node)}
    state_type = node.get("stateType") or node.get("state_type")
    if state_type in ("num", "habool"):
        config["state_type"] = state_type
    test = _if_state(node.get("ifState", node.get("haltifstate")),
                     node.get("ifStateType", node.get("halt_if_type")),
                     node.get("ifStateOperator", node.get("halt_if_compare")))
    if test is not None:
        config["if_state"] = test
    if as_bool(node.get("outputInitially", node.get("outputinitially"))):
        config["output_initially"] = True
    if not as_bool(node.get("outputOnlyOnStateChange",
                            node.get("output_only_on_state_change")), True):
        config["output_only_on_state_change"] = False
    ignore = [ours for ours, theirs in (
        ("prev_null", "ignorePrevStateNull"), ("prev_unknown", "ignorePrevStateUnknown"),
        ("prev_unavailable", "ignorePrevStateUnavailable"),
        ("current_unknown", "ignoreCurrentStateUnknown"),
        ("current_unavailable", "ignoreCurrentStateUnavailable")) if as_bool(node.get(theirs))]
    if ignore:
        config["ignore"] = ignore
    given = node.get("outputProperties") or []
    props = [(p.get("property"), p.get("valueType")) for p in given]
    if props and props != STATE_CHANGED_OUT:
        config["output_properties"] = import_outputs(given, node.raw)
    if as_bool(node.get("exposeToHomeAssistant")) or node.get("exposeAsEntityConfig"):
        cx.note("the node is not exposed to Home Assistant as a switch")
    return Mapped("homeassistant-state-changed", config)


def _entities(node: NrNode) -> dict[str, list[str]]:
    given = node.get("entities")
    if isinstance(given, dict):
        found = {"exact": _ids(given.get("entity")), "substring": _ids(given.get("substring")),
                 "regex": _ids(given.get("regex"))}
    else:
        value = node.get("entityId", node.get("entityidfilter"))
        kind = node.get("entityIdType", node.get("entityidfiltertype")) or "exact"
        if kind == "regex":
            found = {"regex": [str(value)] if value else []}
        elif kind == "substring":
            found = {"substring": _ids(value)}
        else:  # exact, or list
            found = {"exact": _ids(value) if kind == "list" or isinstance(value, list)
                     else ([str(value).strip()] if value else [])}
    found = {k: v for k, v in found.items() if v}
    if not found:
        raise Unsupported("no entity is watched")
    return found


def import_events(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"server": _server(node, cx)}
    if node.get("event_type"):
        config["event_type"] = node.get("event_type")
    for prop in node.get("outputProperties") or []:
        name, kind, value = prop.get("property"), prop.get("valueType"), prop.get("value", "")
        usual = (name == "payload" and kind == "eventData") or (
            name in ("topic", "event_type") and kind == "jsonata" and "event_type" in value)
        if not usual:
            raise Unsupported("output properties other than payload, topic and event_type")
    if as_bool(node.get("exposeToHomeAssistant")) or node.get("exposeAsEntityConfig"):
        cx.note("the node is not exposed to Home Assistant as a switch")
    return Mapped("homeassistant-events", config)




def import_trigger_state(node: NrNode, cx: MapContext) -> Mapped:
    raw = {**node.raw}
    raw.setdefault("entityidfilter", raw.get("entityid"))
    config: dict[str, Any] = {"server": _server(node, cx),
                              "entities": _entities(NrNode(node.id, node.type, raw))}
    conditions = []
    for item in node.get("constraints") or []:
        operator = COMPARATORS.get(item.get("comparatorType"))
        if operator is None:
            raise Unsupported(f"a condition `{item.get('comparatorType')}`")
        test = _if_state(item.get("comparatorValue", ""), item.get("comparatorValueDatatype"),
                         operator) or {"value": ""}
        condition: dict[str, Any] = {"property": item.get("propertyValue") or
                                     "new_state.state", "test": test}
        if item.get("targetType") == "entity_id":
            condition["entity"] = item.get("targetValue")
            condition["property"] = "new_state.state" if item.get("propertyType") in (
                "current_state", None) else condition["property"]
        elif item.get("targetType") not in (None, "this_entity"):
            raise Unsupported(f"a condition on {item.get('targetType')}")
        conditions.append(condition)
    if conditions:
        config["conditions"] = conditions
    if node.get("constraintsmustmatch") == "any":
        cx.note("every condition must hold, as in the package (it ignores `any`)")
    outputs = [_custom_output(item) for item in node.get("customOutputs",
                                                          node.get("customoutputs")) or []]
    if outputs:
        config["custom_outputs"] = outputs
    state_type = node.get("stateType", node.get("state_type"))  # renamed in version 3
    if state_type in ("num", "habool"):
        config["state_type"] = state_type
    if as_bool(node.get("outputInitially", node.get("outputinitially"))):
        config["output_initially"] = True
    if as_bool(node.get("exposeToHomeAssistant")) or node.get("exposeAsEntityConfig"):
        cx.note("the node is not exposed to Home Assistant as a switch")
    return Mapped("homeassistant-trigger-state", config)


def _custom_output(item: dict[str, Any]) -> dict[str, Any]:
    """One of trigger-state's custom outputs."""
    out: dict[str, Any] = {}
    where = item.get("comparatorPropertyType") or "always"
    if where != "always":
        operator = COMPARATORS.get(str(item.get("comparatorType")))
        if operator is None:
            raise Unsupported(f"a custom output's comparator `{item.get('comparatorType')}`")
        prop = {"current_state": "new_state.state", "previous_state": "old_state.state"}.get(
            where, item.get("comparatorPropertyValue") or "new_state.state")
        if prop != "new_state.state":
            out["property"] = prop
        out["test"] = _if_state(item.get("comparatorValue", ""),
                                item.get("comparatorValueDataType"), operator) or {"value": ""}
    kind = item.get("messageType") or "default"
    if kind not in ("default", "payload", "custom"):
        raise Unsupported(f"a custom output's message of type {kind!r}")
    if kind != "default":
        value_type = item.get("messageValueType") or "json"
        if value_type not in ("str", "num", "bool", "json", "jsonata"):
            raise Unsupported(f"a custom output's value of type {value_type!r}")
        out.update(message=kind, value=str(item.get("messageValue") or ""))
        if value_type != "json":
            out["value_type"] = value_type
    return out


def import_render_template(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"server": _server(node, cx), "template": node.get("template")
                              or ""}
    for key, theirs, default in (("output", "resultsLocation", "payload"),
                                 ("template_output", "templateLocation", "template")):
        kind = node.get(theirs + "Type") or "msg"
        where = node.get(theirs)
        if kind == "msg" and where:
            if where != default:
                config[key] = where
        elif kind == "none" or not where:
            if key == "output":
                raise Unsupported("the result is written nowhere")
            config[key] = None
        else:
            raise Unsupported(f"the template or its result kept in {kind} context")
    return Mapped("homeassistant-render-template", config)


TYPES = (
    NrType("server", "homeassistant-server", import_server, export_server, config=True,
           credentials=("host", "access_token"), stub="url"),
    NrType("api-call-service", "homeassistant-call-service", import_call_service,
           export_call_service),
    NrType("api-current-state", "homeassistant-current-state", import_current_state,
           export_current_state),
    NrType("server-state-changed", "homeassistant-state-changed", import_state_changed,
           export_state_changed),
    NrType("server-events", "homeassistant-events", import_events, export_events),
    NrType("trigger-state", "homeassistant-trigger-state", import_trigger_state,
           export_trigger_state),
    NrType("api-render-template", "homeassistant-render-template", import_render_template,
           export_render_template),
    NrType("ha-wait-until", "homeassistant-wait-until", import_wait_until, export_wait_until),
    NrType("ha-get-entities", "homeassistant-get-entities", import_get_entities,
           export_get_entities),
)
