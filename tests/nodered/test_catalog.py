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
    "amqp-broker": {"url": "amqp://127.0.0.1:5672/", "username": "u", "password": "${AMQP_PW}"},
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
    "http-in": {"url": "/hello"},
    "http-response": {},
    "http-request": {"url": "http://127.0.0.1/", "auth": "basic", "username": "u",
                     "password": "${HTTP_PW}"},
    "mqtt-in": {"connection": "mqtt-broker", "topic": "a/b"},
    "mqtt-out": {"connection": "mqtt-broker", "topic": "a/b"},
    "influx-out": {"connection": "influxdb", "measurement": "m", "bucket": "b"},
    "influx-query": {"connection": "influxdb", "query": "from(bucket: \"b\")"},
    "postgres-query": {"connection": "postgres", "query": "SELECT 1"},
    "amqp-in": {"connection": "amqp-broker", "queue": "q", "declare": True},
    "amqp-out": {"connection": "amqp-broker", "exchange": "x"},
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
    made = {TYPES[nr].flowrt for nr in IMPORTERS}
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
