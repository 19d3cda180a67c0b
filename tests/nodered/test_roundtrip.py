"""Import -> export -> import gives the same graph; export writes what Node-RED reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from flowrt.cli.commands import main
from flowrt.load import load_project
from flowrt.nodered import convert, read_data
from flowrt.nodered.export import export_project
from flowrt.nodered.writer import write_flows
from tests.nodered.helpers import errors, nr_import, tab
from tests.nodered.test_structure_import import SUBFLOW

Graph = dict[tuple[str, ...], Any]

REPRESENTATIVE = [
    tab("aaaa0000aaaa0000", "Main", env=[{"name": "LIMIT", "type": "num", "value": "5"}],
        info="The main flow."),
    tab("bbbb0000bbbb0000", "Other"),
    *SUBFLOW,
    {"id": "e1e1e1e1e1e1e1e1", "type": "mqtt-broker", "name": "local", "broker": "127.0.0.1",
     "port": "1883", "cleansession": True},
    {"id": "i1", "type": "inject", "z": "aaaa0000aaaa0000", "name": "every second",
     "props": [{"p": "payload"}, {"p": "topic", "vt": "str"},
               {"p": "site", "v": "SITE", "vt": "env"}],
     "payload": "{\"v\": 1}", "payloadType": "json", "topic": "t", "repeat": "1",
     "once": True, "onceDelay": "0.5", "x": 100, "y": 100, "wires": [["sw"]]},
    {"id": "sw", "type": "switch", "z": "aaaa0000aaaa0000", "property": "payload.v",
     "propertyType": "msg", "rules": [{"t": "gt", "v": "LIMIT", "vt": "env"},
                                      {"t": "btwn", "v": "1", "vt": "num", "v2": "3",
                                       "v2t": "num"},
                                      {"t": "cont", "v": "x ${y}", "vt": "str"},
                                      {"t": "else"}],
     "checkall": "false", "outputs": 4, "wires": [["ch"], ["tr"], ["sf"], ["lo"]]},
    {"id": "ch", "type": "change", "z": "aaaa0000aaaa0000", "rules": [
        {"t": "set", "p": "payload.when", "pt": "msg", "to": "iso", "tot": "date"},
        {"t": "change", "p": "topic", "pt": "msg", "from": "t", "fromt": "str", "to": "u",
         "tot": "str"},
        {"t": "move", "p": "payload.v", "pt": "msg", "to": "last", "tot": "flow"},
        {"t": "delete", "p": "site", "pt": "msg"}], "wires": [["tpl"]]},
    {"id": "tpl", "type": "template", "z": "aaaa0000aaaa0000", "field": "payload",
     "fieldType": "msg", "syntax": "mustache", "template": "{{payload.when}}\nline two",
     "output": "str", "wires": [["fn"]]},
    {"id": "fn", "type": "function", "z": "aaaa0000aaaa0000", "name": "count",
     "func": "const n = context.get('n') || 0;\ncontext.set('n', n + 1);\n"
             "msg.payload = `${n}`;\nreturn msg;",
     "outputs": 1, "initialize": "", "finalize": "", "libs": [], "wires": [["dl"]]},
    {"id": "dl", "type": "delay", "z": "aaaa0000aaaa0000", "pauseType": "rate", "rate": "2",
     "nbRateUnits": "1", "rateUnits": "minute", "drop": True, "outputs": 2,
     "wires": [["out"], ["dbg"]]},
    {"id": "tr", "type": "trigger", "z": "aaaa0000aaaa0000", "op1": "on", "op1type": "str",
     "op2": "", "op2type": "payl", "duration": "-5", "units": "s", "bytopic": "topic",
     "topic": "topic", "outputs": 2, "wires": [["rbe"], ["dbg"]]},
    {"id": "rbe", "type": "rbe", "z": "aaaa0000aaaa0000", "func": "narrowband", "gap": "5",
     "start": "10", "inout": "out", "septopics": True, "property": "payload",
     "topi": "topic", "wires": [["sp"]]},
    {"id": "sp", "type": "split", "z": "aaaa0000aaaa0000", "splt": ",", "spltType": "str",
     "arraySplt": "2", "stream": False, "addname": "", "wires": [["jn"]]},
    {"id": "jn", "type": "join", "z": "aaaa0000aaaa0000", "mode": "custom", "build": "string",
     "joiner": "\\n", "joinerType": "str", "count": "4", "timeout": "3",
     "wires": [["csv"]]},
    {"id": "csv", "type": "csv", "z": "aaaa0000aaaa0000", "sep": ";", "hdrin": True,
     "hdrout": "once", "multi": "mult", "ret": "\\r\\n", "temp": "a,b", "skip": "0",
     "strings": True, "wires": [["rng"]]},
    {"id": "rng", "type": "range", "z": "aaaa0000aaaa0000", "minin": "0", "maxin": "1",
     "minout": "0", "maxout": "255", "action": "clamp", "round": True, "property": "payload",
     "wires": [["srt"]]},
    {"id": "srt", "type": "sort", "z": "aaaa0000aaaa0000", "targetType": "seq",
     "seqKey": "$number(payload)", "seqKeyType": "jsonata", "order": "descending",
     "wires": [["bt"]]},
    {"id": "bt", "type": "batch", "z": "aaaa0000aaaa0000", "mode": "interval", "interval": "5",
     "allowEmptySequence": True, "wires": [["js"]]},
    {"id": "js", "type": "json", "z": "aaaa0000aaaa0000", "property": "payload",
     "action": "str", "pretty": True, "wires": [["out"]]},
    {"id": "sf", "type": "subflow:aa11bb22cc33dd44", "z": "aaaa0000aaaa0000",
     "env": [{"name": "FACTOR", "type": "num", "value": "3"}], "wires": [["dbg"]]},
    {"id": "out", "type": "mqtt out", "z": "aaaa0000aaaa0000", "broker": "e1e1e1e1e1e1e1e1",
     "topic": "plant/out", "qos": "1", "retain": "true", "wires": []},
    {"id": "lo", "type": "link out", "z": "aaaa0000aaaa0000", "links": ["li"], "wires": []},
    {"id": "li", "type": "link in", "z": "bbbb0000bbbb0000", "links": ["lo"],
     "wires": [["dbg2"]]},
    {"id": "dbg2", "type": "debug", "z": "bbbb0000bbbb0000", "complete": "true",
     "targetType": "full", "d": True, "info": "Notes *here*", "wires": []},
    {"id": "dbg", "type": "debug", "z": "aaaa0000aaaa0000", "tostatus": True,
     "statusType": "counter", "wires": []},
    {"id": "mi", "type": "mqtt in", "z": "bbbb0000bbbb0000", "broker": "e1e1e1e1e1e1e1e1",
     "topic": "plant/#", "qos": "1", "datatype": "json", "wires": [["cat"]]},
    {"id": "cat", "type": "catch", "z": "bbbb0000bbbb0000", "scope": None, "uncaught": True,
     "wires": [["dbg2"]]},
    {"id": "fi", "type": "file in", "z": "bbbb0000bbbb0000", "filename": "/tmp/x",
     "filenameType": "str", "format": "lines", "wires": [["fo"]]},
    {"id": "fo", "type": "file", "z": "bbbb0000bbbb0000", "filename": "",
     "filenameType": "msg", "appendNewline": True, "overwriteFile": "false", "wires": [[]]},
]


def graph(directory: Path) -> Graph:
    """Everything that makes a flow behave: types, configuration, wires, connections..."""
    found: Graph = {}
    for doc in load_project([directory]).documents:
        found[(doc.id,)] = (doc.label, doc.disabled, {k: v for k, v in doc.env.items()
                                                      if k != "FLOW_DIR"})
        for n in doc.all_nodes():
            found[(doc.id, n.subflow or "", n.id)] = (
                n.type, n.config, sorted((w.port, w.target) for w in n.wires), n.label,
                n.disabled, n.env, doc.data.get("nodes", {}).get(n.id, {}).get("info")
                if not n.subflow else None)
        for c in doc.connections.values():
            found[(doc.id, "connection", c.id)] = (c.type, c.config)
        for s in doc.subflows.values():
            found[(doc.id, "subflow", s.name)] = (s.label, s.params, s.inputs and
                                                  [w.target for w in s.inputs], s.outputs)
    return found


def round_trip(nodes: list[dict[str, Any]], tmp_path: Path) -> tuple[Graph, Graph]:
    first, second = tmp_path / "first", tmp_path / "second"
    conversion = nr_import(nodes)
    assert not errors(conversion), errors(conversion)
    write_flows(conversion.flows, first)
    exported, notes = export_project([str(first)])
    assert notes.items == []
    again = convert(read_data(json.loads(json.dumps(exported))), {}, "export.json")
    assert not errors(again), errors(again)
    write_flows(again.flows, second)
    return graph(first), graph(second)


def test_a_representative_flow_survives_import_export_import(tmp_path: Path) -> None:
    before, after = round_trip(REPRESENTATIVE, tmp_path)
    assert len(before) == 30
    assert after == before


def test_the_export_is_node_red_json(tmp_path: Path) -> None:
    conversion = nr_import(REPRESENTATIVE)
    write_flows(conversion.flows, tmp_path)
    nodes, _ = export_project([str(tmp_path)])
    by_id = {n["id"]: n for n in nodes}
    assert len(by_id) == len(nodes), "ids must be unique in a Node-RED export"
    tabs = {n["id"] for n in nodes if n["type"] == "tab"}
    subflows = {n["id"] for n in nodes if n["type"] == "subflow"}
    for n in nodes:
        if "wires" in n:
            assert n["z"] in tabs | subflows, n
            assert all(t in by_id for port in n["wires"] for t in port), n
    assert by_id["sw"]["outputs"] == 4 and len(by_id["sw"]["wires"]) == 4
    assert by_id["li"]["links"] == ["lo"]
    assert by_id["scale-by-factor.c1"]["z"] == "scale-by-factor"
    assert by_id["scale-by-factor"]["out"][0]["wires"] == [{"id": "scale-by-factor.c1",
                                                            "port": 0}]
    assert "${n}" in by_id["fn"]["func"]
    assert by_id["local"]["type"] == "mqtt-broker" and by_id["local"]["z"] == ""


def test_types_without_a_counterpart_are_exported_as_comments(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text(
        "flowrt: 1\nnodes:\n  py: {type: script, code: return msg, to: d}\n"
        "  d: {type: debug}\n"
    )
    nodes, notes = export_project([str(tmp_path)])
    py = next(n for n in nodes if n["id"] == "py")
    assert py["type"] == "comment" and "return msg" in py["info"]
    assert any("script" in item for item in notes.items)


def test_the_cli_imports_and_exports(tmp_path: Path) -> None:
    source = tmp_path / "flows.json"
    source.write_text(json.dumps(REPRESENTATIVE))
    runner = CliRunner()
    done = runner.invoke(main, ["import", "nodered", str(source), "-o", str(tmp_path / "out"),
                                "--report", "json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["counts"]["unsupported"] == 0
    assert sum(report["counts"].values()) == len(report["nodes"])
    done = runner.invoke(main, ["validate", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    target = tmp_path / "back.json"
    done = runner.invoke(main, ["export", "nodered", str(tmp_path / "out"), "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert {n["id"] for n in json.loads(target.read_text())} >= {"sw", "fn", "li"}


def test_the_cli_refuses_what_is_not_an_export(tmp_path: Path) -> None:
    source = tmp_path / "flows.json"
    source.write_text("{\"not\": \"flows\"}")
    done = CliRunner().invoke(main, ["import", "nodered", str(source), "-o", str(tmp_path)])
    assert done.exit_code == 2
    assert "not a Node-RED export" in done.output
