"""Mappings of node-red-contrib-home-assistant-websocket's wait until and get entities, in the
shapes of its versions, and the `for` of current state and events: state; what flowrt cannot
express is reported; each comes back the same through export."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.families.homeassistant_entities import (
    export_get_entities,
    export_hold_for,
    export_wait_until,
)
from flowrt.nodered.families.homeassistant_export import export_trigger_state
from tests.nodered.helpers import entry, node, nr_import, tab
from tests.nodered.test_mapping_homeassistant import ADDON, mapped


def bare(conversion: Any, nr_id: str) -> dict[str, Any]:
    return {k: v for k, v in node(conversion, nr_id).items() if k not in ("server", "type")}


def test_wait_until_of_each_version() -> None:
    conversion = mapped(
        {"id": "v0", "type": "ha-wait-until", "server": "srv", "entityId": "light.a, light.b",
         "entityIdFilterType": "substring", "property": "state", "comparator": "is",
         "value": "on", "valueType": "str", "timeout": "0", "timeoutUnits": "seconds",
         "entityLocation": "data", "entityLocationType": "msg"},
        {"id": "v2", "type": "ha-wait-until", "server": "srv", "version": 2, "outputs": 2,
         "entityId": "sensor.{{topic}}", "entityIdFilterType": "exact",
         "property": "attributes.level", "comparator": "gte", "value": "5", "valueType": "num",
         "timeout": "10", "timeoutType": "num", "timeoutUnits": "minutes",
         "checkCurrentState": True, "blockInputOverrides": False,
         "outputProperties": [{"property": "entity", "propertyType": "msg", "value": "",
                               "valueType": "entity"}], "wires": [[], []]},
        {"id": "j", "type": "ha-wait-until", "server": "srv", "version": 2,
         "entityId": "^binary_sensor\\.", "entityIdFilterType": "regex", "property": "",
         "comparator": "jsonata", "value": "$entity().state = 'on'", "valueType": "jsonata",
         "timeout": "", "timeoutUnits": "seconds", "checkCurrentState": False,
         "blockInputOverrides": True, "outputProperties": []},
    )
    assert bare(conversion, "v0") == {
        "entity_id": ["light.a", "light.b"], "entity_id_type": "list",
        "until": {"property": "state", "value": "on"}, "check_current_state": False,
        "output_entity": "data"}
    assert bare(conversion, "v2") == {
        "entity_id": "sensor.{{topic}}",
        "until": {"property": "attributes.level", "comparator": "gte", "value": "5",
                  "type": "num"},
        "timeout": 10, "timeout_units": "minutes", "block_input_overrides": False,
        "output_entity": "entity"}
    j = bare(conversion, "j")
    assert j["until"] == {"property": "", "comparator": "jsonata",
                          "value": "$entity().state = 'on'", "type": "jsonata"}
    assert (j["entity_id_type"], "timeout" in j) == ("regex", False)


def test_get_entities_of_each_version() -> None:
    conversion = mapped(
        {"id": "v0", "type": "ha-get-entities", "server": "srv",
         "rules": [{"property": "entity_id", "logic": "starts_with", "value": "light.",
                    "valueType": "str"},
                   {"property": "state", "logic": "is", "value": "on", "valueType": "str"}],
         "output_type": "count", "output_empty_results": False, "output_location_type": "msg",
         "output_location": "lights", "output_results_count": 1},
        {"id": "v1", "type": "ha-get-entities", "server": "srv", "version": 1,
         "rules": [{"property": "", "logic": "jsonata",
                    "value": "$entity().attributes.battery < 20", "valueType": "jsonata"}],
         "outputType": "random", "outputEmptyResults": False, "outputLocationType": "msg",
         "outputLocation": "payload", "outputResultsCount": 3},
        {"id": "sp", "type": "ha-get-entities", "server": "srv", "version": 1, "rules": [],
         "outputType": "split", "outputEmptyResults": True, "outputLocationType": "msg",
         "outputLocation": "payload", "outputResultsCount": 1},
    )
    assert bare(conversion, "v0") == {
        "rules": [{"property": "entity_id", "comparator": "starts_with", "value": "light."},
                  {"property": "state", "value": "on"}],
        "output_type": "count", "output": "lights"}
    assert bare(conversion, "v1") == {
        "rules": [{"property": "", "comparator": "jsonata",
                   "value": "$entity().attributes.battery < 20", "type": "jsonata"}],
        "output_type": "random", "count": 3}
    assert bare(conversion, "sp") == {"output_type": "split", "output_empty": True}


def test_the_for_of_current_state_and_events_state() -> None:
    conversion = mapped(
        {"id": "cs", "type": "api-current-state", "server": "srv", "version": 3,
         "entity_id": "light.a", "halt_if": "on", "halt_if_type": "str",
         "halt_if_compare": "is", "for": "90", "forType": "num", "forUnits": "seconds",
         "outputs": 2, "wires": [[], []]},
        {"id": "sc", "type": "server-state-changed", "server": "srv", "version": 6,
         "entities": {"entity": ["binary_sensor.door"]}, "ifState": "on", "outputs": 2,
         "for": 5, "forType": "num", "wires": [[], []]},
        {"id": "none", "type": "server-state-changed", "server": "srv", "version": 6,
         "entities": {"entity": ["binary_sensor.door"]}, "for": "", "forType": "num"},
    )
    assert (node(conversion, "cs")["hold_for"], node(conversion, "cs")["hold_units"]) == (
        90, "seconds")
    assert node(conversion, "sc")["hold_for"] == 5 and "hold_units" not in node(conversion,
                                                                                  "sc")
    assert "hold_for" not in node(conversion, "none")


def test_what_flowrt_cannot_express_is_reported() -> None:
    conversion = nr_import([tab(), ADDON, *({"z": "t1", "wires": [[]], **n} for n in (
        {"id": "ctx", "type": "ha-wait-until", "server": "srv", "entityId": "a.b",
         "property": "state", "comparator": "is", "value": "x", "valueType": "flow"},
        {"id": "jt", "type": "ha-wait-until", "server": "srv", "entityId": "a.b",
         "property": "state", "comparator": "is", "value": "x", "valueType": "str",
         "timeout": "payload.t", "timeoutType": "jsonata"},
        {"id": "glob", "type": "ha-get-entities", "server": "srv", "rules": [],
         "outputType": "array", "outputLocationType": "global", "outputLocation": "all"},
        {"id": "neg", "type": "api-current-state", "server": "srv", "entity_id": "a.b",
         "for": "-1", "forType": "num"},
    ))])
    assert "flow" in entry(conversion, "ctx").reason
    assert "JSONata" in entry(conversion, "jt").reason
    assert "global" in entry(conversion, "glob").reason
    assert "for" in entry(conversion, "neg").reason


def test_each_comes_back_the_same_through_export() -> None:
    wait = {"entity_id": ["light.a", "light.b"], "entity_id_type": "list",
            "until": {"property": "attributes.level", "comparator": "lt", "value": "3",
                      "type": "num"}, "timeout": 2, "timeout_units": "hours",
            "check_current_state": False, "block_input_overrides": False,
            "output_entity": "data"}
    rules = {"rules": [{"property": "state", "comparator": "includes", "value": "on,off"}],
             "output_type": "random", "count": 2, "output": "picked"}
    conversion = mapped(
        {"id": "w", "type": "ha-wait-until", "server": "srv", **export_wait_until(wait)},
        {"id": "g", "type": "ha-get-entities", "server": "srv", **export_get_entities(rules)},
        {"id": "c", "type": "api-current-state", "server": "srv", "version": 3,
         "entity_id": "a.b", **export_hold_for({"hold_for": 3, "hold_units": "days"})})
    assert bare(conversion, "w") == wait
    assert bare(conversion, "g") == rules
    assert (node(conversion, "c")["hold_for"], node(conversion, "c")["hold_units"]) == (
        3, "days")


def test_if_state_and_conditions_with_jsonata_or_the_entity() -> None:
    conversion = mapped(
        {"id": "cs", "type": "api-current-state", "server": "srv", "version": 3,
         "entity_id": "light.a", "halt_if": "$entity().attributes.brightness > 100",
         "halt_if_type": "jsonata", "halt_if_compare": "jsonata", "outputs": 2,
         "wires": [[], []]},
        {"id": "sc", "type": "server-state-changed", "server": "srv", "version": 6,
         "entities": {"entity": ["climate.a"]}, "ifState": "attributes.temperature",
         "ifStateType": "entity", "ifStateOperator": "gte", "outputs": 2, "wires": [[], []]},
        {"id": "ts", "type": "trigger-state", "server": "srv", "entityid": "sensor.a",
         "entityidfiltertype": "exact", "customoutputs": [], "outputs": 2, "constraints": [
             {"targetType": "this_entity", "targetValue": "", "propertyType": "current_state",
              "propertyValue": "new_state.state", "comparatorType": "jsonata",
              "comparatorValueDatatype": "jsonata",
              "comparatorValue": "$entity().state != $prevEntity().state"}],
         "wires": [[], []]},
    )
    assert node(conversion, "cs")["if_state"] == {
        "value": "$entity().attributes.brightness > 100", "type": "jsonata",
        "operator": "jsonata"}
    assert node(conversion, "sc")["if_state"] == {
        "value": "attributes.temperature", "type": "entity", "operator": "gte"}
    assert node(conversion, "ts")["conditions"][0]["test"] == {
        "value": "$entity().state != $prevEntity().state", "type": "jsonata",
        "operator": "jsonata"}


def test_trigger_state_custom_outputs_and_the_names_of_version_3() -> None:
    outputs = [
        {"outputId": "a", "messageType": "default", "messageValue": "",
         "messageValueType": "json", "comparatorPropertyType": "always",
         "comparatorPropertyValue": "", "comparatorType": "is", "comparatorValue": "",
         "comparatorValueDataType": "str"},
        {"outputId": "b", "messageType": "payload", "messageValue": "{{new_state.state}}!",
         "messageValueType": "str", "comparatorPropertyType": "previous_state",
         "comparatorPropertyValue": "old_state.state", "comparatorType": ">",
         "comparatorValue": "20", "comparatorValueDataType": "num"},
        {"outputId": "c", "messageType": "custom", "messageValue": "{\"payload\": 1}",
         "messageValueType": "json", "comparatorPropertyType": "property",
         "comparatorPropertyValue": "new_state.attributes.x", "comparatorType": "is",
         "comparatorValue": "on", "comparatorValueDataType": "str"}]
    conversion = mapped({
        "id": "t", "type": "trigger-state", "server": "srv", "version": 4,
        "entityId": "sensor.a", "entityIdType": "exact", "constraints": [],
        "customOutputs": outputs, "outputs": 5, "stateType": "num",
        "outputInitially": True, "wires": [[], [], [], [], []]})
    t = bare(conversion, "t")
    assert t["custom_outputs"] == [
        {},
        {"property": "old_state.state", "test": {"value": "20", "type": "num",
                                                 "operator": "gt"},
         "message": "payload", "value": "{{new_state.state}}!", "value_type": "str"},
        {"property": "new_state.attributes.x", "test": {"value": "on"}, "message": "custom",
         "value": "{\"payload\": 1}"}]
    assert (t["state_type"], t["output_initially"]) == ("num", True)
    exported = export_trigger_state({**t, "server": "srv"})
    assert exported["outputs"] == 5
    again = mapped({"id": "t2", "type": "trigger-state", **exported,
                    "wires": [[], [], [], [], []]})
    assert bare(again, "t2")["custom_outputs"] == t["custom_outputs"]
