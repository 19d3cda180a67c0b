"""node-red-contrib-home-assistant-websocket's `outputProperties` (current state, events:
state, call service) and trigger-state's `if state` of type prevEntity: imported as the
nodes' `output_properties`, exported back to the same properties."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.families.homeassistant_export import (
    export_call_service,
    export_current_state,
    export_state_changed,
)
from tests.nodered.helpers import entry, node
from tests.nodered.test_mapping_homeassistant import mapped


def prop(name: str, kind: str, value: str = "", where: str = "msg") -> dict[str, Any]:
    return {"property": name, "propertyType": where, "value": value, "valueType": kind}


def strip(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in ("type", "server", "label")}


def test_current_state_with_jsonata_global_and_twice_the_state() -> None:
    props = [prop("payload", "entityState"), prop("state", "entityState"),
             prop("name", "jsonata", "$entity().attributes.friendly_name"),
             prop("last", "entityState", where="global"), prop("at", "date")]
    conversion = mapped({"id": "c", "type": "api-current-state", "server": "srv", "version": 3,
                         "entity_id": "sun.sun", "halt_if": "", "outputProperties": props})
    c = node(conversion, "c")
    assert entry(conversion, "c").status == "mapped"
    assert (c["output_state"], c["output_entity"]) == (None, None)
    assert c["output_properties"] == [
        {"property": "payload", "value_type": "entityState"},
        {"property": "state", "value_type": "entityState"},
        {"property": "name", "value": "$entity().attributes.friendly_name",
         "value_type": "jsonata"},
        {"property": "last", "property_type": "global", "value_type": "entityState"},
        {"property": "at", "value_type": "date"}]
    assert export_current_state(strip(c))["outputProperties"] == props


def test_current_state_usual_properties_keep_their_short_form() -> None:
    conversion = mapped({"id": "c", "type": "api-current-state", "server": "srv", "version": 3,
                         "entity_id": "sun.sun", "outputProperties": [
                             prop("payload", "entityState"), prop("data", "entity"),
                             prop("topic", "triggerId")]})
    c = node(conversion, "c")
    assert "output_properties" not in c and c["topic_is_entity"] is True
    again = mapped({"id": "c", "type": "api-current-state", "server": "srv",
                    **export_current_state(strip(c))})
    assert strip(node(again, "c")) == strip(c)


def test_state_changed_with_other_properties() -> None:
    props = [prop("payload", "entityState"), prop("data", "eventData"),
             prop("topic", "triggerId"), prop("previous", "prevEntity"),
             prop("flowrt_seen", "entity", where="flow"), prop("label", "str", "door"),
             prop("above", "jsonata", "$number($entity().state) > 20")]
    conversion = mapped({"id": "s", "type": "server-state-changed", "server": "srv",
                         "version": 6, "entities": {"entity": ["sensor.t"]},
                         "outputProperties": props})
    s = node(conversion, "s")
    assert entry(conversion, "s").status == "mapped"
    assert [p["property"] for p in s["output_properties"]] == [p["property"] for p in props]
    assert s["output_properties"][4] == {"property": "flowrt_seen", "property_type": "flow",
                                         "value_type": "entity"}
    assert export_state_changed(strip(s))["outputProperties"] == props


def test_call_service_results_and_msg() -> None:
    props = [prop("payload", "results"), prop("sent", "data"), prop("was", "msg", "topic")]
    configured = [prop("cfg", "config", "domain"), prop("no", "config", "nothing.here")]
    conversion = mapped({"id": "a", "type": "api-call-service", "server": "srv", "version": 5,
                         "domain": "weather", "service": "get_forecasts",
                         "outputProperties": props + configured})
    a = node(conversion, "a")
    assert entry(conversion, "a").status == "mapped" and "output_data" not in a
    assert a["output_properties"][0] == {"property": "payload", "value_type": "results"}
    # the Node-RED node's configuration, read at import: flowrt's has other names
    assert a["output_properties"][3:] == [
        {"property": "cfg", "value": '"weather"', "value_type": "json"},
        {"property": "no", "value_type": "none"}]
    assert export_call_service(strip(a))["outputProperties"][:3] == props


def test_an_output_property_of_an_unknown_type_is_reported() -> None:
    from tests.nodered.helpers import nr_import, tab
    from tests.nodered.test_mapping_homeassistant import ADDON

    conversion = nr_import([tab(), ADDON, {
        "id": "u", "type": "api-current-state", "z": "t1", "server": "srv", "version": 3,
        "entity_id": "sun.sun", "wires": [[]],
        "outputProperties": [prop("x", "calendarItem")]}])
    assert "calendarItem" in entry(conversion, "u").reason
    areas = nr_import([tab(), ADDON, {
        "id": "a", "type": "api-current-state", "z": "t1", "server": "srv", "version": 3,
        "entity_id": "sun.sun", "wires": [[]],
        "outputProperties": [prop("x", "jsonata", "$areas()^(name)")]}])
    assert "$areas()" in entry(areas, "a").reason


def test_trigger_state_if_state_of_the_previous_entity() -> None:
    conversion = mapped({
        "id": "t", "type": "trigger-state", "server": "srv", "entityid": "sensor.t",
        "entityidfiltertype": "exact", "customoutputs": [], "outputs": 2, "constraints": [
            {"targetType": "this_entity", "targetValue": "", "propertyType": "current_state",
             "propertyValue": "new_state.state", "comparatorType": "is_not",
             "comparatorValueDatatype": "prevEntity", "comparatorValue": "state"}],
        "wires": [[], []]})
    assert node(conversion, "t")["conditions"] == [
        {"property": "new_state.state", "test": {"value": "state", "type": "prevEntity",
                                                 "operator": "is_not"}}]
