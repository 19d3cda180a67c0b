"""A Node-RED node the import cannot map stands in the flow as an `unsupported` node: it keeps its
wires (subflow outputs included), its reason (a validate warning, a run-time error) and its
Node-RED configuration (export gives it back); and no per-node problem stops an import."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from flowrt.check import check
from flowrt.load import load_project
from flowrt.nodered import import_nodered
from flowrt.nodered.export import export_project
from flowrt.nodered.writer import write_flows
from tests.nodered.helpers import entry, errors, node, nr_import, run_imported, tab

ASK = {"id": "ask1", "type": "serial request", "z": "t1", "name": "ask", "serial": "port1",
       "out": "char", "x": 300, "y": 80, "wires": [["d1"]]}
CHAIN = [
    tab(),
    {"id": "i1", "type": "inject", "z": "t1", "props": [{"p": "payload"}], "payload": "1",
     "payloadType": "num", "once": True, "onceDelay": 0.1, "x": 100, "y": 80,
     "wires": [["ask1"]]},
    ASK,
    {"id": "d1", "type": "debug", "z": "t1", "x": 500, "y": 80, "wires": []},
    {"id": "c1", "type": "catch", "z": "t1", "scope": None, "uncaught": False, "x": 100,
     "y": 160, "wires": [["d2"]]},
    {"id": "d2", "type": "debug", "z": "t1", "x": 300, "y": 160, "wires": []},
]


def test_an_unsupported_node_keeps_its_wires_and_its_node_red_configuration() -> None:
    conversion = nr_import(CHAIN)
    assert entry(conversion, "ask1").status == "unsupported"
    data = node(conversion, "ask1")
    assert data["type"] == "unsupported"
    assert data["to"] == "d1"
    assert node(conversion, "i1")["to"] == "ask1"
    assert data["nodered"]["type"] == "serial request"
    assert data["nodered"]["serial"] == "port1"
    assert entry(conversion, "ask1").reason in data["reason"]
    assert not errors(conversion)
    assert not [d for d in conversion.report.diagnostics if "W101" in d]


def test_validate_warns_with_the_node_red_type_and_the_reason(tmp_path: Path) -> None:
    conversion = nr_import(CHAIN)
    write_flows(conversion.flows, tmp_path)
    found = check(load_project([tmp_path]), env={})
    warned = [d for d in found if d.code == "W110"]
    assert len(warned) == 1 and warned[0].node == "ask1"
    assert "`serial request`" in warned[0].message
    assert entry(conversion, "ask1").reason in warned[0].message
    assert [d for d in found if d.code == "W101" or d.severity == "error"] == []


def test_at_run_time_each_message_fails_with_the_reason() -> None:
    conversion = nr_import(CHAIN)
    result = run_imported(conversion, until=1)
    assert result.received("d1") == []
    caught = result.received("d2")
    assert len(caught) == 1
    assert "serial request" in caught[0]["error"]["message"]
    assert caught[0]["error"]["source"]["id"] == "ask1"


def test_an_unsupported_node_wired_to_a_subflow_output(tmp_path: Path) -> None:
    nodes = [
        tab(),
        {"id": "sf1", "type": "subflow", "name": "Ask", "in": [{"x": 50, "y": 30,
                                                               "wires": [{"id": "x1"}]}],
         "out": [{"x": 400, "y": 30, "wires": [{"id": "x1", "port": 0}]},
                 {"x": 400, "y": 90, "wires": [{"id": "x1", "port": 1}]}]},
        {"id": "x1", "type": "serial request", "z": "sf1", "serial": "",
         "x": 200, "y": 30, "wires": [[], [], []]},
        {"id": "i1", "type": "subflow:sf1", "z": "t1", "x": 100, "y": 80,
         "wires": [["d1"], []]},
        {"id": "d1", "type": "debug", "z": "t1", "x": 300, "y": 80, "wires": []},
    ]
    source = tmp_path / "flows.json"
    source.write_text(json.dumps(nodes))
    result = import_nodered(source, tmp_path / "out")
    assert not errors(result.conversion), result.conversion.report.diagnostics
    assert entry(result.conversion, "x1").status == "unsupported"
    data = node(result.conversion, "x1")
    assert data["type"] == "unsupported" and data["to"] == {0: "$out.0", 1: "$out.1"}
    assert data["outputs"] == 3
    done = subprocess.run(["flowrt", "import", "nodered", str(source), "-o",
                           str(tmp_path / "again")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "serial request" in done.stdout


def test_export_gives_the_original_node_back(tmp_path: Path) -> None:
    conversion = nr_import(CHAIN)
    write_flows(conversion.flows, tmp_path)
    exported, notes = export_project([str(tmp_path)])
    back = next(n for n in exported if n["id"] == "ask1")
    for key, value in ASK.items():
        assert back[key] == value, key
    assert not [n for n in notes.items if "ask1" in n]


def test_a_value_with_a_variable_or_a_secret_looking_field_comes_back_as_it_was(
        tmp_path: Path) -> None:
    odd: dict[str, Any] = {"id": "w1", "type": "serial out", "z": "t1", "name": "",
                           "serial": "", "extra": "${HOME} and $${X}",
                           "password": "hunter2", "list": [1, {"a": None}], "x": 1, "y": 2,
                           "wires": []}
    conversion = nr_import([tab(), odd])
    assert not errors(conversion), conversion.report.diagnostics
    write_flows(conversion.flows, tmp_path)
    exported, _ = export_project([str(tmp_path)])
    back = next(n for n in exported if n["id"] == "w1")
    assert {k: back[k] for k in odd} == odd


def test_a_conversion_that_raises_makes_only_that_node_unsupported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from flowrt.nodered import builder

    def broken(node: Any, cx: Any) -> Any:
        raise RuntimeError("the mapping fell over")

    monkeypatch.setitem(builder.IMPORTERS, "range", broken)
    conversion = nr_import([
        tab(),
        {"id": "i1", "type": "inject", "z": "t1", "wires": [["r1"]]},
        {"id": "r1", "type": "range", "z": "t1", "wires": [["d1"]]},
        {"id": "d1", "type": "debug", "z": "t1", "wires": []},
    ])
    assert entry(conversion, "r1").status == "unsupported"
    assert "the mapping fell over" in entry(conversion, "r1").reason
    assert entry(conversion, "d1").status == "mapped"
    assert node(conversion, "r1")["to"] == "d1"
    assert not errors(conversion)


def test_the_secrets_file_of_an_import_does_not_stop_validate_or_run(tmp_path: Path) -> None:
    from flowrt.nodered.stored import store_credentials

    conversion = nr_import(CHAIN)
    out = tmp_path / "flows"
    write_flows(conversion.flows, out)
    store_credentials({"PLANT_PASSWORD": "x"}, out)
    assert (out / "secrets.yaml").exists()
    done = subprocess.run(["flowrt", "validate", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "E011" not in done.stdout


@pytest.mark.parametrize("inner", [
    {"id": "x1", "type": "inject", "z": "sf1", "wires": [[]]},
    {"id": "x1", "type": "mqtt-broker", "z": "sf1", "broker": "localhost", "wires": [[]]},
])
def test_wires_to_a_subflow_whose_input_reaches_no_node_with_an_input_are_dropped(
        inner: dict[str, Any]) -> None:
    conversion = nr_import([
        tab(),
        {"id": "sf1", "type": "subflow", "name": "Odd", "in": [{"wires": [{"id": "x1"}]}],
         "out": [{"wires": [{"id": "x1", "port": 0}]}]},
        inner,
        {"id": "i1", "type": "inject", "z": "t1", "wires": [["s1"]]},
        {"id": "s1", "type": "subflow:sf1", "z": "t1", "wires": [["d1"]]},
        {"id": "d1", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), conversion.report.diagnostics
    assert "to" not in node(conversion, "i1")
    assert any("has no input" in n for n in entry(conversion, "i1").notes)


def test_a_config_node_conversion_that_raises_makes_its_users_unsupported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from flowrt.nodered import catalog

    def broken(node: Any, cx: Any) -> Any:
        raise RecursionError("too deep")

    monkeypatch.setitem(catalog.IMPORTERS, "mqtt-broker", broken)
    conversion = nr_import([
        tab(),
        {"id": "b1", "type": "mqtt-broker", "broker": "127.0.0.1", "port": "1883"},
        {"id": "m1", "type": "mqtt in", "z": "t1", "topic": "a", "broker": "b1",
         "wires": [["d1"]]},
        {"id": "d1", "type": "debug", "z": "t1", "wires": []},
    ])
    assert "too deep" in entry(conversion, "b1").reason
    assert entry(conversion, "m1").status == "unsupported"
    assert node(conversion, "m1")["to"] == "d1"
    assert entry(conversion, "d1").status == "mapped"
    assert not errors(conversion)
