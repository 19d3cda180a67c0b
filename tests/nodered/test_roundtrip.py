"""Import -> export -> import gives the same graph; export writes what Node-RED reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from flowrt.cli.commands import main
from flowrt.load import NodeDecl, load_project
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
    """Everything that makes a flow behave: types, configuration, wires, connections... and
    each node's Node-RED id, and the groups drawn around the nodes."""
    found: Graph = {}
    for doc in load_project([directory]).documents:
        found[(doc.id,)] = (doc.label, doc.disabled, {k: v for k, v in doc.env.items()
                                                      if k != "FLOW_DIR"})
        for n in doc.all_nodes():
            found[(doc.id, n.subflow or "", n.id)] = (
                n.type, n.config, sorted((w.port, w.target) for w in n.wires), n.label,
                n.disabled, n.env, doc.data.get("nodes", {}).get(n.id, {}).get("info")
                if not n.subflow else None, nodered_id(n))
        for c in doc.connections.values():
            found[(doc.id, "connection", c.id)] = (c.type, c.config)
        for g in doc.groups.values():
            found[(doc.id, "group", g.id)] = (g.label, g.color, [m for m, _ in g.members],
                                              g.parent)
        for s in doc.subflows.values():
            found[(doc.id, "subflow", s.name)] = (s.label, s.params, s.inputs and
                                                  [w.target for w in s.inputs], s.outputs)
    return found


def nodered_id(n: NodeDecl) -> str:
    """The id the node has in Node-RED: its origin's, else the one the export gives it."""
    return n.origin.id if n.origin else f"{n.subflow}.{n.id}" if n.subflow else n.id


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


def test_node_red_ids_survive_import_export_import(tmp_path: Path) -> None:
    before, after = round_trip(_hex_ids(REPRESENTATIVE), tmp_path)
    assert len(before) == 30
    origins = {v[-1] for k, v in before.items()
               if len(k) == 3 and k[1] not in ("connection", "subflow")}
    assert origins == {n["id"] for n in _hex_ids(REPRESENTATIVE) if "z" in n}
    assert after == before  # the same flowrt ids, and the same origins


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
    assert by_id["c1"]["z"] == "scale-by-factor"  # its Node-RED id, kept by the import
    assert by_id["scale-by-factor"]["out"][0]["wires"] == [{"id": "c1", "port": 0}]
    assert "${n}" in by_id["fn"]["func"]
    assert by_id["local"]["type"] == "mqtt-broker" and by_id["local"]["z"] == ""


def _hex_ids(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flow with each flow node's id (and every reference to it: wires, links, scopes,
    subflow ports) made a Node-RED random-looking one, as real exports have."""
    flow_nodes = {n["id"] for n in nodes if "z" in n}
    names = {old: f"{index:04x}c0ffee{index:06x}" for index, old in enumerate(sorted(flow_nodes))}

    def rename(value: Any, key: str = "") -> Any:
        if isinstance(value, str):
            return names.get(value, value) if key in ("id", "wires", "links", "scope") else value
        if isinstance(value, list):
            return [rename(v, key) for v in value]
        if isinstance(value, dict):
            return {k: rename(v, k if k in ("id", "links", "scope") else key)
                    for k, v in value.items()}
        return value

    return [{k: rename(v, k) for k, v in n.items()} for n in nodes]


def test_an_import_then_an_export_keeps_the_node_red_ids(tmp_path: Path) -> None:
    nodes = _hex_ids(REPRESENTATIVE)
    original = {n["id"]: n for n in nodes if "z" in n}
    conversion = nr_import(nodes)
    assert not errors(conversion), errors(conversion)
    write_flows(conversion.flows, tmp_path)
    assert "origin: {id: 0001c0ffee000001, type: change}" in (tmp_path / "main.yaml").read_text()
    exported, notes = export_project([str(tmp_path)])
    assert notes.items == []
    back = {n["id"]: n for n in exported if n.get("z")}
    assert set(back) == set(original)
    for nr_id, node in original.items():
        assert back[nr_id]["type"].split(":")[0] == node["type"].split(":")[0], nr_id
        # the wires Node-RED had, less the one the import drops (mqtt in -> catch: no input)
        wired = {(p, t) for p, targets in enumerate(node.get("wires", [])) for t in targets
                 if original[t]["type"] != "catch"}
        assert {(p, t) for p, targets in enumerate(back[nr_id]["wires"])
                for t in targets} == wired, nr_id
    link_out = next(n for n in original.values() if n["type"] == "link out")
    assert back[link_out["id"]]["links"] == link_out["links"]
    subflow = next(n for n in exported if n["type"] == "subflow")
    inner = next(n for n in original.values() if n["type"] == "change" and "rules" in n
                 and n["z"] == "aa11bb22cc33dd44")
    assert subflow["in"][0]["wires"] == [{"id": inner["id"]}]
    assert subflow["out"][0]["wires"] == [{"id": inner["id"], "port": 0}]


def test_a_catch_scope_and_a_clashing_id_in_the_export(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "flowrt: 1\nnodes:\n"
        "  fails: {type: function, func: 'throw new Error(\"x\")',"
        " origin: {id: a1b2c3d4e5f60718, type: function}}\n"
        "  catcher: {type: catch, scope: [fails], origin: {id: 0f0f0f0f0f0f0f0f, type: catch},"
        " to: shown}\n"
        "  shown: {type: debug}\n")
    (tmp_path / "b.yaml").write_text(
        "flowrt: 1\nnodes:\n"
        "  copy: {type: debug, origin: {id: a1b2c3d4e5f60718, type: debug}}\n")
    exported, notes = export_project([str(tmp_path)])
    by_id = {n["id"]: n for n in exported}
    assert by_id["0f0f0f0f0f0f0f0f"]["scope"] == ["a1b2c3d4e5f60718"]
    assert by_id["0f0f0f0f0f0f0f0f"]["wires"] == [["shown"]]
    assert by_id["a1b2c3d4e5f60718"]["type"] == "function"
    assert by_id["copy"]["type"] == "debug"
    assert notes.items == ["b/copy: its Node-RED id a1b2c3d4e5f60718 is another node's in this "
                           "export; exported as copy"]


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
