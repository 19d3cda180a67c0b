"""The declarations of the Node-RED types (flowrt/nodered/families/) and the tables derived from
them (flowrt/nodered/catalog.py): each type is declared once, the tables agree with each other
and with the node registry, and every flowrt type the bridge exports comes back through the
import as the type it left as, from the Node-RED type that declares the export."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from flowrt.nodered import convert, read_data
from flowrt.nodered.catalog import (
    CONFIG_TYPES,
    CONNECTION_SOURCES,
    CONNECTION_TYPES,
    DECLARED,
    EXPORTED,
    FOLDED,
    IMPORTERS,
    LOGIN_TYPES,
    PREFIXES,
    STUB_FIELDS,
    TYPES,
    UNSUPPORTED,
    reason_for,
)
from flowrt.nodered.export import export_project
from flowrt.nodered.nrtype import NrType
from flowrt.registry import default_registry
from tests.nodered.helpers import entry, errors

CONNECTIONS: dict[str, dict[str, Any]] = {
    "mqtt-broker": {"url": "mqtt://127.0.0.1:1883", "username": "u", "password": "${MQTT_PW}"},
    "influxdb": {"url": "http://127.0.0.1:8086", "token": "${INFLUX_TOKEN}"},
    "postgres": {"dsn": "postgresql://u@127.0.0.1:5432/db"},
    "mysql": {"host": "127.0.0.1", "user": "u", "password": "${MYSQL_PW}"},
    "amqp-broker": {"url": "amqp://127.0.0.1:5672/", "username": "u", "password": "${AMQP_PW}"},
    "websocket-listener": {"path": "/ws", "whole_message": True},
    "websocket-client": {"url": "ws://127.0.0.1:1880/ws", "subprotocols": ["v1"],
                         "heartbeat": 30},
    "homeassistant-server": {"url": "http://127.0.0.1:8123", "token": "${HA_TOKEN}"},
    "modbus-client": {"host": "10.0.0.5", "port": 5020, "unit_id": 3},
    "dashboard": {"title": "Plant", "theme": "dark",
                  "pages": [{"id": "main", "groups": [{"id": "all", "widgets": ["n"]}]}]},
}
"""A configuration of each flowrt connection type; every sample flow holds them all, each with
its type as its id."""

SAMPLES: dict[str, dict[str, Any]] = {
    **CONNECTIONS,
    "inject": {"payload": 1, "repeat": 5},
    "debug": {},
    "catch": {"uncaught": True},
    "status": {},
    "complete": {"scope": ["target"]},
    "link-in": {},
    "link-out": {"links": ["target"]},
    "link-call": {"target": "target"},
    "comment": {"text": "a note"},
    "function": {"func": "return msg;"},
    "change": {"rules": [{"set": "payload", "to": 1}]},
    "switch": {"rules": [{"eq": 1}]},
    "range": {"min_in": 0, "max_in": 1, "min_out": 0, "max_out": 10},
    "template": {"syntax": "mustache", "template": "{{payload}}"},
    "delay": {"delay": 2},
    "trigger": {},
    "filter": {},
    "split": {},
    "join": {},
    "sort": {},
    "batch": {},
    "json": {},
    "yaml": {},
    "xml": {"property": "payload.doc", "attr": "A", "text_key": "T"},
    "html": {"selector": "ul > li", "return": "compl", "output": "multiple",
             "output_property": "item", "text_key": "content"},
    "csv": {},
    "file-out": {"filename": "out.txt"},
    "file-in": {"filename": "in.txt"},
    "exec": {"command": "echo", "append": "-n", "shell": True, "timeout": 2.5},
    "watch": {"files": ["in.txt", "spool"], "recursive": True},
    "cron-plus": {"output_mode": "separate-commands", "time_zone": "Europe/London",
                  "schedules": [{"name": "a", "cron": "*/5 * * * * *", "payload": "hi"},
                                {"name": "b", "solar": {"events": ["sunset"],
                                                        "location": "51.5,-0.1"}}]},
    "time-range": {"start": "sunset", "end": "23:00", "start_offset": -15, "latitude": 51.5,
                   "longitude": -0.1},
    "stop-timer": {"duration": 90, "payload": "off"},
    "countdown": {"duration": 30, "topic": "t", "start_payload": "go", "stop_payload": None,
                  "restart": True},
    "sysinfo": {"report": "memory", "scale": "megabyte"},
    "moment": {"input_timezone": "UTC", "output_timezone": "Asia/Tokyo", "format": "LLL",
               "adjust_amount": 2, "adjust_unit": "weeks", "locale": "en-gb"},
    "humanizer": {"input": "seconds"},
    "flow-test": {"payload": {"type": "json", "value": [1, 2]}, "expected": 3,
                  "property": "result", "error_factor": 0.01, "topic": "t"},
    "convert": {"action": "StringToSplit", "text": {"type": "msg", "value": "sep"},
                "property": "payload.a", "target": "payload.b", "delete_source": False},
    "monitor-flow": {},
    "node-os": {"property": "userInfo"},
    "load-injector": {"think_time_min": 10, "think_time_max": 100, "runtime": 30,
                      "payload": {"type": "date"}, "topic": "load"},
    "data-analysis": {"action": "realtime", "key_property": "payload.id",
                      "property": "payload.v", "term": 5, "lag": 2, "outliers_std_devs": 2,
                      "outliers_base": "median"},
    "http-in": {"url": "/hello"},
    "http-response": {},
    "http-request": {"url": "http://127.0.0.1/", "auth": "basic", "username": "u",
                     "password": "${HTTP_PW}"},
    "tcp-in": {"mode": "connect", "host": "10.0.0.2", "port": 7000, "data_type": "utf8",
               "newline": "\r\n", "keep_newline": True, "topic": "t"},
    "tcp-out": {"mode": "listen", "port": 7001, "base64": True, "close_after_send": True},
    "tcp-request": {"host": "10.0.0.3", "port": 4001, "return_when": "character",
                    "character": "\t", "output": "string"},
    "udp-in": {"port": 5140, "group": "239.1.2.3", "data_type": "base64"},
    "udp-out": {"host": "10.0.0.4", "port": 514, "local_port": 5141, "mode": "broadcast"},
    "mqtt-in": {"connection": "mqtt-broker", "topic": "a/b"},
    "mqtt-in-dynamic": {"connection": "mqtt-broker", "payload": "json"},
    "mqtt-out": {"connection": "mqtt-broker", "topic": "a/b"},
    "mqtt-server": {"host": "0.0.0.0", "port": 1884, "users": {"dev": "${DEV_PW}"},
                    "ws_port": 8081},
    "influx-out": {"connection": "influxdb", "measurement": "m", "bucket": "b"},
    "influx-query": {"connection": "influxdb", "query": "from(bucket: \"b\")"},
    "postgres-query": {"connection": "postgres", "query": "SELECT 1"},
    "mysql-query": {"connection": "mysql", "allow_msg_topic": True},
    "modbus-read": {"connection": "modbus-client", "data_type": "Coil", "address": 3,
                    "quantity": 8, "rate": 500, "rate_unit": "ms"},
    "modbus-getter": {"connection": "modbus-client", "data_type": "InputRegister"},
    "modbus-flex-getter": {"connection": "modbus-client"},
    "modbus-write": {"connection": "modbus-client", "data_type": "MCoils", "quantity": 4},
    "modbus-flex-write": {"connection": "modbus-client", "keep_msg_properties": True},
    "modbus-server": {"port": 10502, "holding_buffer_size": 100},
    "modbus-response": {"register_show_max": 5},
    "amqp-in": {"connection": "amqp-broker", "queue": "q", "declare": True},
    "amqp-out": {"connection": "amqp-broker", "exchange": "x"},
    "websocket-in": {"listener": "websocket-listener"},
    "websocket-out": {"client": "websocket-client"},
    "homeassistant-call-service": {"server": "homeassistant-server", "domain": "light",
                                   "service": "turn_on", "entity_id": ["light.a"],
                                   "data": '{"brightness": 2}', "output_data": "sent"},
    "homeassistant-current-state": {"server": "homeassistant-server", "entity_id": "sun.sun",
                                    "state_type": "habool", "if_state": {"value": "true",
                                                                         "type": "bool"}},
    "homeassistant-state-changed": {"server": "homeassistant-server",
                                    "entities": {"exact": ["light.a"], "regex": ["^sensor"]},
                                    "ignore": ["prev_null"], "output_initially": True},
    "homeassistant-events": {"server": "homeassistant-server", "event_type": "call_service"},
    "homeassistant-trigger-state": {
        "server": "homeassistant-server", "entities": {"exact": ["person.a"]}, "match": "any",
        "conditions": [{"property": "new_state.state", "test": {"value": "home"}},
                       {"entity": "sun.sun", "test": {"value": "5", "type": "num",
                                                      "operator": "gt"}}]},
    "homeassistant-render-template": {"server": "homeassistant-server", "template": "{{ 1 }}",
                                      "output": "result", "template_output": None},
    "homeassistant-api": {"server": "homeassistant-server", "protocol": "http",
                          "method": "post", "path": "states/sensor.a",
                          "data": '{"state": "{{ payload }}"}', "output": "answer"},
    "homeassistant-device-trigger": {
        "server": "homeassistant-server", "capabilities": {"for": {"minutes": 2}},
        "trigger": {"device_id": "d1", "domain": "switch", "entity_id": "switch.a",
                    "type": "turned_on"}},
    "homeassistant-sensor": {
        "server": "homeassistant-server", "name": "Boiler", "state": "$round(payload, 1)",
        "state_type": "jsonata", "settings": {"unit_of_measurement": "°C"},
        "attributes": {"room": "topic"}, "input_override": "merge",
        "fixed_attributes": {"floor": 2, "wing": "east", "heated": True}},
    "homeassistant-binary-sensor": {"server": "homeassistant-server", "name": "Garage",
                                    "settings": {"device_class": "door"}},
    "homeassistant-device-action": {
        "server": "homeassistant-server", "capabilities": {"brightness_pct": 40},
        "action": {"device_id": "d1", "domain": "light", "entity_id": "light.a",
                   "type": "turn_on"}, "output_data": "done"},
    "homeassistant-wait-until": {
        "server": "homeassistant-server", "entity_id": "light.a", "timeout": 5,
        "until": {"property": "attributes.brightness", "comparator": "gt", "value": "100",
                  "type": "num"}, "output_entity": "data"},
    "homeassistant-get-entities": {
        "server": "homeassistant-server", "output_type": "count", "output": "n",
        "rules": [{"property": "entity_id", "comparator": "starts_with", "value": "light."}]},
    "ui-text": {"dashboard": "dashboard", "format": "{{value}} °C", "layout": "column"},
    "ui-gauge": {"dashboard": "dashboard", "min": -10, "max": 40, "units": "°C",
                 "sectors": [{"to": 0, "color": "blue"}, {"to": 30, "color": "green"},
                             {"to": 40, "color": "red"}]},
    "ui-chart": {"dashboard": "dashboard", "max_age": 600, "max_points": 50, "y_min": 0},
    "ui-button": {"dashboard": "dashboard", "payload": "go", "topic": "cmd", "color": "red"},
    "ui-switch": {"dashboard": "dashboard", "on_value": "on", "off_value": "off",
                  "passthru": True},
    "ui-slider": {"dashboard": "dashboard", "min": 1, "max": 5, "step": 0.5,
                  "send": "continuous"},
    "ui-numeric": {"dashboard": "dashboard", "min": 1, "max": 9, "step": 2, "wrap": True,
                   "format": "{{value}} fans", "passthru": True},
    "ui-dropdown": {"dashboard": "dashboard", "options": [{"label": "One", "value": 1}, "two",
                                                          True], "multiple": True},
    "ui-text-input": {"dashboard": "dashboard", "mode": "email", "delay": 0, "topic": "mail"},
    "ui-colour-picker": {"dashboard": "dashboard", "format": "rgb", "outformat": "object"},
    "ui-date-picker": {"dashboard": "dashboard", "passthru": True},
    "ui-form": {"dashboard": "dashboard", "fields": [
        {"name": "who", "label": "Who", "required": True},
        {"name": "notes", "type": "multiline", "rows": 5}], "submit": "Send", "cancel": ""},
    "ui-notification": {"dashboard": "dashboard", "position": "bottom left",
                        "display_time": 5, "highlight": "red"},
    "ui-control": {"dashboard": "dashboard", "events": "connect"},
    "ui-markdown": {"dashboard": "dashboard", "content": "Level: {{value}} %"},
    "ui-template": {"dashboard": "dashboard", "template": "<b>{{ msg.payload }}</b>"},
}
"""A configuration of each flowrt type the bridge exports (a new exported type needs one)."""

EXPORTS = sorted(EXPORTED.values(), key=lambda t: t.flowrt)


def test_each_node_red_type_is_declared_once() -> None:
    twice = [name for name, n in Counter(t.type for t in DECLARED).items() if n > 1]
    assert not twice, f"declared more than once: {twice}"
    assert len(TYPES) + len(PREFIXES) == len(DECLARED)


def test_each_flowrt_type_is_exported_from_one_node_red_type() -> None:
    exporting = Counter(t.flowrt for t in DECLARED if t.exports is not None)
    assert [name for name, n in exporting.items() if n > 1] == []
    assert sorted(SAMPLES) == sorted(EXPORTED), "give each exported flowrt type a sample"


def test_the_derived_tables_agree() -> None:
    assert LOGIN_TYPES <= CONNECTION_TYPES.keys() <= CONFIG_TYPES
    assert FOLDED <= CONFIG_TYPES and not FOLDED & CONNECTION_TYPES.keys()
    assert not IMPORTERS.keys() & UNSUPPORTED.keys()
    assert sorted(STUB_FIELDS) == sorted(set(CONNECTION_TYPES.values())) == sorted(CONNECTIONS)
    assert {nr for types in CONNECTION_SOURCES.values() for nr in types} == CONNECTION_TYPES.keys()
    made = {TYPES[nr].flowrt for nr in IMPORTERS} | {
        flowrt for nr in IMPORTERS for flowrt, _ in TYPES[nr].variants}
    assert made == EXPORTED.keys(), "every flowrt type the import makes is exported back"
    for nr_type, why in UNSUPPORTED.items():
        assert reason_for(nr_type) == why


def test_every_flowrt_type_named_is_registered() -> None:
    registry = default_registry()
    missing = sorted({t.flowrt for t in DECLARED if t.flowrt and registry.get(t.flowrt) is None})
    assert not missing, f"no such flowrt node type: {missing}"


def test_a_declaration_that_contradicts_itself_is_refused() -> None:
    with pytest.raises(ValueError, match="needs the flowrt type"):
        NrType("thing", imports=lambda node, cx: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="stub field"):
        NrType("thing", "thing", stub="url")
    with pytest.raises(ValueError, match="becomes nothing"):
        NrType("thing", "thing", unsupported="no")


def _flow(decl: NrType) -> dict[str, Any]:
    nodes: dict[str, Any] = {"target": {"type": "link-in"}}
    if decl.flowrt not in CONNECTIONS:
        nodes["n"] = {"type": decl.flowrt, **SAMPLES[decl.flowrt]}
    connections = {name: {"type": name, **config} for name, config in CONNECTIONS.items()}
    return {"flowrt": 1, "id": "main", "connections": connections, "nodes": nodes}


@pytest.mark.parametrize("decl", EXPORTS, ids=lambda t: t.flowrt)
def test_an_exported_type_imports_back_as_itself(decl: NrType, tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(_flow(decl)), encoding="utf-8")
    nodes, notes = export_project([str(tmp_path)])
    nr_id = decl.flowrt if decl.flowrt in CONNECTIONS else "n"
    exported = next(n for n in nodes if n["id"] == nr_id)
    assert exported["type"] == decl.type, notes.items
    written = set(exported.get("credentials", {}))
    assert written <= set(decl.credentials), f"credentials not declared: {written}"
    conversion = convert(read_data(nodes))
    made = entry(conversion, nr_id)
    assert (made.flowrt_type, made.reason) == (decl.flowrt, "")
    assert errors(conversion) == []
