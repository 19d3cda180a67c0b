"""Mappings of node-red-contrib-home-assistant-websocket, in the shapes of the package's
versions seen in real exports (the corpus): the `server` config node, call service, current
state, events: state and events: all; what flowrt cannot express is reported; and an imported
flow runs against the real Home Assistant (FLOWRT_TEST_HOMEASSISTANT)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import Harness
from tests.nodered.helpers import entry, errors, node, nr_import, tab, texts
from tests.nodes.homeassistant.ha_kit import URL, call, connected, eventually, state, token

ADDON = {"id": "srv", "type": "server", "name": "Home Assistant", "version": 2, "addon": True}


def mapped(*nodes: dict[str, Any], credentials: Any = None) -> Any:
    conversion = nr_import([tab(), ADDON, *({"z": "t1", "wires": [[]], **n} for n in nodes)],
                           credentials)
    assert not errors(conversion), errors(conversion)
    return conversion


def test_the_add_on_server_becomes_a_connection_with_the_supervisor_token() -> None:
    conversion = mapped({"id": "c", "type": "api-call-service", "server": "srv",
                         "service_domain": "light", "service": "turn_on"})
    (name, connection), = conversion.flows[0].connections.items()
    assert connection.data() == {"type": "homeassistant-server", "label": "Home Assistant",
                                 "url": "http://supervisor/core",
                                 "token": "${SUPERVISOR_TOKEN}"}
    assert node(conversion, "c")["server"] == name


def test_a_server_whose_address_is_not_in_the_export_reads_it_from_variables() -> None:
    conversion = nr_import([tab(), {"id": "s2", "type": "server", "name": "HA", "addon": False},
                            {"id": "e", "type": "server-events", "z": "t1", "server": "s2",
                             "event_type": "", "wires": [[]]}])
    assert not errors(conversion), errors(conversion)
    (_, connection), = conversion.flows[0].connections.items()
    assert (connection.data()["url"], connection.data()["token"]) == (
        "${HOMEASSISTANT_URL}", "${HOMEASSISTANT_TOKEN}")
    assert entry(conversion, "e").status == "mapped"


def test_call_service_of_each_version() -> None:
    conversion = mapped(
        {"id": "v0", "type": "api-call-service", "server": "srv", "service_domain": "light",
         "service": "turn_on", "data": "{\"entity_id\":\"light.a\"}", "mergecontext": "",
         "output_location": "", "output_location_type": "none"},
        {"id": "v1", "type": "api-call-service", "server": "srv", "version": 1,
         "service_domain": "", "service": "", "entityId": "", "data": "", "dataType": "json",
         "output_location": "payload", "output_location_type": "msg"},
        {"id": "v4", "type": "api-call-service", "server": "srv", "version": 4,
         "domain": "notify", "service": "me",
         "target": {"areaId": [], "deviceId": [], "entityId": ["light.b"]},
         "data": "{\"message\": payload}", "dataType": "jsonata", "queue": "none"},
        {"id": "v7", "type": "api-call-service", "server": "srv", "version": 7,
         "action": "light.turn_on", "floorId": [], "areaId": [], "deviceId": [],
         "entityId": ["{{payload.entity_id}}"], "labelId": [], "data": "", "dataType": "json",
         "blockInputOverrides": True, "outputProperties": [
             {"property": "payload", "propertyType": "msg", "value": "", "valueType": "data"}]},
    )
    v0 = node(conversion, "v0")
    assert {k: v for k, v in v0.items() if k != "server"} == {
        "type": "homeassistant-call-service", "domain": "light", "service": "turn_on",
        "data": "{\"entity_id\":\"light.a\"}"}
    assert node(conversion, "v1")["output_data"] == "payload"
    v4 = node(conversion, "v4")
    assert (v4["entity_id"], v4["data_type"]) == (["light.b"], "jsonata")
    v7 = node(conversion, "v7")
    assert (v7["domain"], v7["service"], v7["entity_id"]) == (
        "light", "turn_on", ["{{payload.entity_id}}"])
    assert v7["block_input_overrides"] is True and v7["output_data"] == "payload"


def test_current_state_legacy_and_output_properties() -> None:
    conversion = mapped(
        {"id": "v1", "type": "api-current-state", "server": "srv", "version": 1, "outputs": 2,
         "halt_if": "on", "halt_if_type": "str", "halt_if_compare": "is", "override_topic": True,
         "entity_id": "light.a", "state_type": "str", "state_location": "state",
         "override_payload": "msg", "entity_location": "", "override_data": "none",
         "wires": [[], []]},
        {"id": "v3", "type": "api-current-state", "server": "srv", "version": 3, "outputs": 1,
         "halt_if": "", "entity_id": "sensor.t", "state_type": "num", "outputProperties": [
             {"property": "temp", "propertyType": "msg", "value": "",
              "valueType": "entityState"}], "for": 0},
    )
    v1 = node(conversion, "v1")
    assert v1["if_state"] == {"value": "on"} and v1["topic_is_entity"] is True
    assert (v1["output_state"], v1["output_entity"]) == ("state", None)
    fixed = mapped({"id": "f", "type": "api-current-state", "server": "srv", "version": 3,
                    "entity_id": "sensor.t", "outputProperties": [
                        {"property": "payload", "propertyType": "msg", "value": "24h",
                         "valueType": "str"}]})
    assert node(fixed, "f")["output_values"] == {"payload": "24h"}
    v3 = node(conversion, "v3")
    assert (v3["output_state"], v3["output_entity"], v3["state_type"]) == ("temp", None, "num")


def test_state_changed_of_each_version() -> None:
    conversion = mapped(
        {"id": "v1", "type": "server-state-changed", "server": "srv", "version": 1,
         "entityidfilter": "sun.sun", "entityidfiltertype": "exact", "outputinitially": False,
         "state_type": "str", "haltifstate": "above_horizon", "halt_if_type": "str",
         "halt_if_compare": "is", "outputs": 2, "output_only_on_state_change": True,
         "wires": [[], []]},
        {"id": "v5", "type": "server-state-changed", "server": "srv", "version": 5,
         "entityId": "light.", "entityIdType": "substring", "outputInitially": True,
         "stateType": "habool", "ifState": "", "outputOnlyOnStateChange": False, "for": "0",
         "ignorePrevStateNull": True},
        {"id": "v6", "type": "server-state-changed", "server": "srv", "version": 6,
         "entities": {"entity": ["person.a"], "substring": [], "regex": ["^device_tracker"]},
         "ifState": "home", "ifStateType": "str", "ifStateOperator": "is_not", "outputs": 2,
         "for": "0", "wires": [[], []]},
    )
    v1 = node(conversion, "v1")
    assert v1["entities"] == {"exact": ["sun.sun"]}
    assert v1["if_state"] == {"value": "above_horizon"}
    v5 = node(conversion, "v5")
    assert v5["entities"] == {"substring": ["light."]} and v5["output_initially"] is True
    assert v5["output_only_on_state_change"] is False and v5["ignore"] == ["prev_null"]
    v6 = node(conversion, "v6")
    assert v6["entities"] == {"exact": ["person.a"], "regex": ["^device_tracker"]}
    assert v6["if_state"] == {"value": "home", "operator": "is_not"}


def test_trigger_state() -> None:
    conversion = mapped({
        "id": "t", "type": "trigger-state", "server": "srv", "entityid": "^sensor\\..+$",
        "entityidfiltertype": "regex", "constraintsmustmatch": "any", "customoutputs": [],
        "outputs": 2, "state_type": "num", "outputinitially": True, "constraints": [
            {"targetType": "this_entity", "targetValue": "", "propertyType": "current_state",
             "propertyValue": "new_state.state", "comparatorType": ">=",
             "comparatorValueDatatype": "num", "comparatorValue": "20"},
            {"targetType": "entity_id", "targetValue": "person.a",
             "propertyType": "current_state", "propertyValue": "new_state.state",
             "comparatorType": "is", "comparatorValueDatatype": "str",
             "comparatorValue": "home"}], "wires": [[], []]})
    t = node(conversion, "t")
    assert t["entities"] == {"regex": ["^sensor\\..+$"]}
    assert t["conditions"] == [
        {"property": "new_state.state", "test": {"value": "20", "type": "num",
                                                 "operator": "gte"}},
        {"property": "new_state.state", "entity": "person.a", "test": {"value": "home"}}]
    assert "match" not in t and (t["state_type"], t["output_initially"]) == ("num", True)


def test_render_template() -> None:
    conversion = mapped(
        {"id": "r", "type": "api-render-template", "server": "srv", "template": "{{ 1 }}",
         "resultsLocation": "payload", "resultsLocationType": "msg",
         "templateLocation": "template", "templateLocationType": "msg"},
        {"id": "g", "type": "api-render-template", "server": "srv", "template": "{{ 1 }}",
         "resultsLocation": "x", "resultsLocationType": "global",
         "templateLocation": "x", "templateLocationType": "global"})
    assert {k: v for k, v in node(conversion, "r").items() if k != "server"} == {
        "type": "homeassistant-render-template", "template": "{{ 1 }}"}
    assert "context" in entry(conversion, "g").reason


def test_what_flowrt_cannot_express_is_reported() -> None:
    conversion = nr_import([tab(), ADDON, {
        "id": "w", "type": "server-state-changed", "z": "t1", "server": "srv", "version": 6,
        "entities": {"entity": ["person.a"]}, "for": "$number(flow.x)", "forType": "jsonata",
        "forUnits": "hours", "wires": [[]]}])
    assert "for" in entry(conversion, "w").reason


def test_an_imported_flow_runs_against_home_assistant() -> None:
    """events: state (version 1) turns on a switch's twin through call service (version 5)."""
    flows = [tab(), {"id": "srv", "type": "server", "name": "HA", "version": 2, "addon": False},
             {"id": "sc", "type": "server-state-changed", "z": "t1", "server": "srv",
              "version": 1, "entityidfilter": "input_boolean.flowrt_switch",
              "entityidfiltertype": "exact", "state_type": "str", "haltifstate": "",
              "output_only_on_state_change": True, "wires": [["cs"]]},
             {"id": "cs", "type": "api-call-service", "z": "t1", "server": "srv", "version": 5,
              "domain": "input_boolean", "service": "turn_{{payload}}", "areaId": [],
              "deviceId": [], "entityId": ["input_boolean.flowrt_other"], "data": "",
              "dataType": "json", "outputProperties": [], "queue": "none", "wires": [[]]}]
    conversion = nr_import(flows, {"srv": {"host": URL, "access_token": token()}})
    assert not errors(conversion), errors(conversion)
    text = next(iter(texts(conversion).values()))
    assert token() not in text
    env = dict(conversion.secrets)

    async def main() -> None:
        call("input_boolean", "turn_off", entity_id="input_boolean.flowrt_switch")
        call("input_boolean", "turn_off", entity_id="input_boolean.flowrt_other")
        plan, _ = build_plan(Project(documents=[load_text(text, "imported.yaml")]), env=env)
        harness = Harness(plan, env=env, virtual_time=False, timeout=60.0)
        await harness.start()
        try:
            await eventually(lambda: connected(harness, entry(conversion, "sc").flowrt_id),
                             "a green status")
            call("input_boolean", "turn_on", entity_id="input_boolean.flowrt_switch")
            await eventually(lambda: state("input_boolean.flowrt_other") == "on",
                             "the twin turned on")
        finally:
            await harness.stop()

    asyncio.run(main())
    assert json.dumps(env)  # the token travelled as a variable, not in the flow text
