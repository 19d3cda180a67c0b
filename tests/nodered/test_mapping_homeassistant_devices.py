"""Mappings of node-red-contrib-home-assistant-websocket's API (ha-api), device (ha-device) and
entity nodes (ha-sensor and ha-binary-sensor with their ha-entity-config, ha-entity), in the
shapes seen in real exports (the corpus), each way; what flowrt cannot express is reported; and
an imported API node runs against the real Home Assistant."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from flowrt.nodered.families.homeassistant_devices import (
    export_api,
    export_device_action,
    export_device_trigger,
)
from tests.nodered.helpers import entry, errors, node, nr_import, tab
from tests.nodes.homeassistant.ha_kit import eventually, running, unique

SERVER = {"id": "srv", "type": "server", "name": "Home Assistant", "version": 2,
          "addon": True}
LAMP = {"type": "turn_on", "device_id": "54b995caee92e1dd9d22775a4bfa7f72",
        "entity_id": "switch.lamp", "domain": "switch"}


def mapped(*nodes: dict[str, Any]) -> Any:
    conversion = nr_import([tab(), SERVER, *({"z": "t1", "wires": [[]], "server": "srv", **n}
                                             for n in nodes)])
    assert not errors(conversion), errors(conversion)
    return conversion


def without_server(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in ("server", "type", "label")}


def test_api_nodes_of_each_version() -> None:
    conversion = mapped(
        {"id": "old", "type": "ha-api", "protocol": "websocket", "method": "get", "path": "",
         "data": "{\"type\": \"config/area_registry/list\"}", "dataType": "json",
         "location": "areas", "locationType": "msg", "responseType": "json"},
        {"id": "http", "type": "ha-api", "protocol": "http", "method": "post",
         "path": "states/binary_sensor.lg_monitor", "data": "{\"state\":\"off\"}",
         "dataType": "json", "location": "payload", "locationType": "msg",
         "responseType": "json"},
        {"id": "v1", "type": "ha-api", "version": 1, "protocol": "websocket", "method": "get",
         "path": "", "data": "{\"type\": \"config/entity_registry/update\", \"entity_id\": "
         "payload.id}", "dataType": "jsonata", "responseType": "text",
         "outputProperties": [{"property": "result", "propertyType": "msg", "value": "",
                               "valueType": "results"}]},
        {"id": "quiet", "type": "ha-api", "version": 1, "protocol": "http", "method": "delete",
         "path": "/api/config/automation/config/x", "data": "", "dataType": "json",
         "responseType": "json", "outputProperties": []})
    assert without_server(node(conversion, "old")) == {
        "data": "{\"type\": \"config/area_registry/list\"}", "output": "areas"}
    assert without_server(node(conversion, "http")) == {
        "protocol": "http", "method": "post", "path": "states/binary_sensor.lg_monitor",
        "data": "{\"state\":\"off\"}"}
    assert without_server(node(conversion, "v1")) == {
        "data": "{\"type\": \"config/entity_registry/update\", \"entity_id\": payload.id}",
        "data_type": "jsonata", "response_type": "text", "output": "result"}
    assert without_server(node(conversion, "quiet")) == {
        "protocol": "http", "method": "delete", "path": "/api/config/automation/config/x",
        "output": None}
    assert all(node(conversion, n)["type"] == "homeassistant-api"
               for n in ("old", "http", "v1", "quiet"))


@pytest.mark.parametrize(("extra", "reason"), [
    ({"locationType": "flow", "location": "x"}, "flow context"),
    ({"version": 1, "outputProperties": [{"property": "c", "propertyType": "msg",
                                          "valueType": "config"}]}, "'config'"),
    ({"protocol": "mqtt"}, "protocol 'mqtt'"),
])
def test_what_an_api_node_cannot_be_is_reported(extra: dict[str, Any], reason: str) -> None:
    conversion = nr_import([tab(), SERVER, {"id": "a", "type": "ha-api", "z": "t1",
                                            "server": "srv", "wires": [[]], **extra}])
    made = entry(conversion, "a")
    assert made.status != "mapped" and reason in made.reason


def test_device_actions_and_triggers_of_the_corpus_shapes() -> None:
    conversion = mapped(
        {"id": "act", "type": "ha-device", "version": 0, "exposeToHomeAssistant": False,
         "haConfig": [{"property": "name", "value": ""}], "inputs": 1, "deviceType": "action",
         "device": LAMP["device_id"], "event": LAMP,
         "capabilities": [{"name": "brightness_pct", "type": "float", "value": 40}],
         "outputProperties": []},
        {"id": "trig", "type": "ha-device", "version": 0, "inputs": 0, "deviceType": "trigger",
         "device": LAMP["device_id"],
         "event": {**LAMP, "platform": "device", "type": "changed_states"},
         "capabilities": [{"name": "for", "type": "positive_time_period", "value": 5,
                           "unit": "minutes"},
                          {"name": "above", "type": "float", "value": "2.5"}],
         "outputProperties": [
             {"property": "payload", "propertyType": "msg", "value": "",
              "valueType": "eventData"},
             {"property": "topic", "propertyType": "msg", "value": "",
              "valueType": "triggerId"}]})
    act, trig = node(conversion, "act"), node(conversion, "trig")
    assert act["type"] == "homeassistant-device-action"
    assert without_server(act) == {"action": LAMP, "capabilities": {"brightness_pct": 40}}
    assert trig["type"] == "homeassistant-device-trigger"
    assert without_server(trig) == {
        "trigger": {**LAMP, "type": "changed_states"},
        "capabilities": {"for": {"minutes": 5}, "above": 2.5}}


@pytest.mark.parametrize(("extra", "reason"), [
    ({"deviceType": "trigger"}, "no device trigger or action"),
    ({"deviceType": "poll", "event": LAMP}, "'poll'"),
    ({"deviceType": "trigger", "event": LAMP, "outputProperties": [
        {"property": "payload", "propertyType": "msg", "valueType": "config"}]},
     "output properties"),
])
def test_what_a_device_node_cannot_be_is_reported(extra: dict[str, Any], reason: str) -> None:
    conversion = nr_import([tab(), SERVER, {"id": "d", "type": "ha-device", "z": "t1",
                                            "server": "srv", "wires": [[]], **extra}])
    made = entry(conversion, "d")
    assert made.status != "mapped" and reason in made.reason


def test_exports_give_the_package_s_current_shapes_and_import_back() -> None:
    api = export_api({"server": "s", "protocol": "http", "path": "config",
                      "data": {"a": 1}, "output": None})
    assert (api["data"], api["dataType"], api["outputProperties"]) == ('{"a": 1}', "json", [])
    trigger = export_device_trigger({"server": "s", "trigger": {**LAMP, "type": "turned_on"},
                                     "capabilities": {"for": {"seconds": 3}, "above": 2}})
    assert trigger["event"]["platform"] == "device" and trigger["device"] == LAMP["device_id"]
    assert trigger["capabilities"] == [
        {"name": "for", "type": "positive_time_period", "value": 3, "unit": "seconds"},
        {"name": "above", "type": "float", "value": 2}]
    action = export_device_action({"server": "s", "action": LAMP,
                                   "capabilities": {"brightness_pct": 7}})
    conversion = mapped({"id": "t", "type": "ha-device", **trigger},
                        {"id": "a", "type": "ha-device", **action},
                        {"id": "p", "type": "ha-api", **api})
    assert node(conversion, "t")["capabilities"] == {"for": {"seconds": 3}, "above": 2}
    assert node(conversion, "a")["capabilities"] == {"brightness_pct": 7}
    assert node(conversion, "a")["action"] == LAMP
    assert node(conversion, "p")["data"] == '{"a": 1}' and node(conversion, "p")["output"] is None


def test_an_imported_api_node_runs_against_home_assistant() -> None:
    async def main() -> None:
        own = f"sensor.flowrt_import_{unique()}"
        conversion = mapped({"id": "set", "type": "ha-api", "protocol": "http",
                             "method": "post", "path": "states/{{topic}}",
                             "data": "{\"state\": \"{{payload}}\"}", "dataType": "json",
                             "location": "answer", "locationType": "msg",
                             "responseType": "json"})
        made = node(conversion, "set")
        config = {k: v for k, v in made.items() if k not in ("server", "label")}
        async with running({"set": {**config, "server": "home"}}) as h:
            h.send("set", {"topic": own, "payload": 12})
            got = await eventually(lambda: h.result.messages[("set", 0)], "the answer")
        assert got[0]["answer"]["entity_id"] == own and got[0]["answer"]["state"] == "12"
        assert got[0]["payload"] == 12

    asyncio.run(main())


ENTITY_CONFIG = {"id": "ec", "type": "ha-entity-config", "server": "srv", "deviceConfig": "",
                 "name": "example one", "version": "6", "entityType": "sensor",
                 "haConfig": [{"property": "name", "value": "Node-RED example one"},
                              {"property": "icon", "value": ""},
                              {"property": "device_class", "value": "temperature"},
                              {"property": "unit_of_measurement", "value": "°C"},
                              {"property": "state_class", "value": ""}],
                 "resend": False, "debugEnabled": False}


def test_sensors_take_their_settings_from_the_entity_config_node() -> None:
    conversion = nr_import([tab(), SERVER, ENTITY_CONFIG, *(
        {"z": "t1", "wires": [[]], **n} for n in (
        {"id": "s", "type": "ha-sensor", "entityConfig": "ec", "version": 0,
         "state": "$round($random() * 100, 0)", "stateType": "jsonata",
         "attributes": [{"property": "Room", "value": "topic", "valueType": "msg"},
                        {"property": "floor", "value": "2", "valueType": "num"},
                        {"property": "wing", "value": "east", "valueType": "str"}],
         "inputOverride": "merge", "outputProperties": []},
        {"id": "b", "type": "ha-binary-sensor", "entityConfig": "ec", "version": 0,
         "state": "payload", "stateType": "msg", "attributes": [], "inputOverride": "allow",
         "outputProperties": []},
        {"id": "e", "type": "ha-entity", "server": "srv", "version": 1, "outputs": 1,
         "entityType": "binary_sensor", "config": [
             {"property": "name", "value": "Holiday Lights"},
             {"property": "device_class", "value": ""}, {"property": "icon", "value": ""}],
         "state": "name", "stateType": "msg", "attributes": [], "resend": True,
         "outputLocation": "", "outputLocationType": "none", "inputOverride": "block"}))])
    assert not errors(conversion), errors(conversion)
    s, b, e = node(conversion, "s"), node(conversion, "b"), node(conversion, "e")
    assert s["type"] == "homeassistant-sensor" and b["type"] == "homeassistant-binary-sensor"
    assert without_server(s) == {
        "name": "Node-RED example one", "state": "$round($random() * 100, 0)",
        "state_type": "jsonata", "attributes": {"Room": "topic"}, "input_override": "merge",
        "fixed_attributes": {"floor": 2, "wing": "east"},
        "settings": {"device_class": "temperature", "unit_of_measurement": "°C"},
        "companion_ids": ["srv", "ec"]}  # the entity Node-RED made, taken over
    assert b["companion_ids"] == ["srv", "ec"]
    assert s["server"] == b["server"] == e["server"]
    assert e["type"] == "homeassistant-binary-sensor"
    assert without_server(e) == {"name": "Holiday Lights", "state": "name",
                                 "input_override": "block", "companion_ids": ["srv", "e"]}


@pytest.mark.parametrize(("extra", "reason"), [
    ({"type": "ha-entity", "entityType": "switch"}, "'switch'"),
    ({"type": "ha-entity", "config": [{"property": "name", "value": "x"},
                                      {"property": "mode", "value": "box"}]}, "mode"),
    ({"type": "ha-entity", "config": [{"property": "name", "value": "x"}],
      "attributes": [{"property": "a", "value": "$now()", "valueType": "jsonata"}]},
     "'jsonata'"),
    ({"type": "ha-sensor", "entityConfig": "nowhere"}, "entity config"),
])
def test_what_a_sensor_cannot_be_is_reported(extra: dict[str, Any], reason: str) -> None:
    conversion = nr_import([tab(), SERVER, {"id": "x", "z": "t1", "server": "srv",
                                            "wires": [[]], **extra}])
    made = entry(conversion, "x")
    assert made.status != "mapped" and reason in made.reason
